package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// DocumentFile is an uploaded file as Telegram describes it. FileID is valid for this bot only;
// FileUniqueID recognises the same file sent again.
type DocumentFile struct {
	FileID, FileUniqueID, FileName, MIMEType string
	SizeBytes                                int64
	UploadedAt                               time.Time
}

// Document is one document of an application's checklist; File is nil while it is missing.
type Document struct {
	ID, ApplicationID int64
	Kind              string // document code from flows/domain (e.g. "label_design")
	Required          bool
	File              *DocumentFile
}

const documentColumns = `d.id, d.application_id, d.kind, d.required, d.file_id, coalesce(d.file_unique_id, ''),
	coalesce(d.file_name, ''), coalesce(d.mime_type, ''), coalesce(d.size_bytes, 0), d.uploaded_at`

func scanDocument(row pgx.Row) (Document, error) {
	var (
		d          Document
		fileID     *string
		f          DocumentFile
		uploadedAt *time.Time
	)
	err := row.Scan(&d.ID, &d.ApplicationID, &d.Kind, &d.Required, &fileID, &f.FileUniqueID,
		&f.FileName, &f.MIMEType, &f.SizeBytes, &uploadedAt)
	if fileID != nil {
		f.FileID = *fileID
		if uploadedAt != nil {
			f.UploadedAt = *uploadedAt
		}
		d.File = &f
	}
	return d, err
}

func collectDocuments(rows pgx.Rows) ([]Document, error) {
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Document, error) { return scanDocument(r) })
}

// insertDocuments adds the checklist rows of a new application, in the order given.
func insertDocuments(ctx context.Context, db DB, applicationID int64, docs []NewDocument) error {
	if len(docs) == 0 {
		return nil
	}
	n := len(docs)
	var (
		kinds              = make([]string, n)
		required           = make([]bool, n)
		fileIDs, uniqueIDs = make([]*string, n), make([]*string, n)
		names, mimeTypes   = make([]*string, n), make([]*string, n)
		sizes              = make([]*int64, n)
		uploaded           = make([]*time.Time, n)
	)
	for i, d := range docs {
		kinds[i], required[i] = d.Kind, d.Required
		if f := d.File; f != nil {
			fileIDs[i], uniqueIDs[i], names[i], mimeTypes[i] = &f.FileID, &f.FileUniqueID, &f.FileName, &f.MIMEType
			sizes[i] = &f.SizeBytes
			if !f.UploadedAt.IsZero() {
				uploaded[i] = &f.UploadedAt
			}
		}
	}
	_, err := db.Exec(ctx, `
		INSERT INTO application_documents (application_id, kind, required, file_id, file_unique_id, file_name, mime_type,
			size_bytes, uploaded_at)
		SELECT $1, kind, required, file_id, file_unique_id, file_name, mime_type, size_bytes,
			CASE WHEN file_id IS NOT NULL THEN coalesce(uploaded_at, now()) END
		FROM unnest($2::text[], $3::boolean[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bigint[], $9::timestamptz[])
			WITH ORDINALITY AS d (kind, required, file_id, file_unique_id, file_name, mime_type, size_bytes, uploaded_at, n)
		ORDER BY n`,
		applicationID, kinds, required, fileIDs, uniqueIDs, names, mimeTypes, sizes, uploaded)
	if err != nil {
		return fmt.Errorf("add documents: %w", err)
	}
	return nil
}

// Documents returns the application's documents in the order they were added.
func Documents(ctx context.Context, db DB, applicationID int64) ([]Document, error) {
	rows, err := db.Query(ctx, `SELECT `+documentColumns+` FROM application_documents d
		WHERE d.application_id = $1 ORDER BY d.id`, applicationID)
	if err != nil {
		return nil, fmt.Errorf("store: documents of application %d: %w", applicationID, err)
	}
	docs, err := collectDocuments(rows)
	if err != nil {
		return nil, fmt.Errorf("store: documents of application %d: %w", applicationID, err)
	}
	return docs, nil
}

// MissingDocuments returns, for each open application of the owner (any status but approved,
// rejected and withdrawn) that lacks some, its required documents that have no file yet, keyed by
// application id. Applications with nothing missing are not in the map.
func MissingDocuments(ctx context.Context, db DB, ownerID int64) (map[int64][]Document, error) {
	rows, err := db.Query(ctx, `
		SELECT `+documentColumns+` FROM application_documents d JOIN applications a ON a.id = d.application_id
		WHERE a.owner_id = $1 AND a.status NOT IN ('approved', 'rejected', 'withdrawn')
			AND d.required AND d.file_id IS NULL
		ORDER BY d.application_id, d.id`, ownerID)
	if err != nil {
		return nil, fmt.Errorf("store: missing documents of owner %d: %w", ownerID, err)
	}
	docs, err := collectDocuments(rows)
	if err != nil {
		return nil, fmt.Errorf("store: missing documents of owner %d: %w", ownerID, err)
	}
	missing := make(map[int64][]Document)
	for _, d := range docs {
		missing[d.ApplicationID] = append(missing[d.ApplicationID], d)
	}
	return missing, nil
}

// AttachDocument records f as the application's document of this kind, replacing any earlier
// file. f.UploadedAt is the upload time (now when zero). ErrNotFound when the application has no
// document of that kind.
func AttachDocument(ctx context.Context, db DB, applicationID int64, kind string, f DocumentFile) error {
	tag, err := db.Exec(ctx, `
		UPDATE application_documents SET file_id = $3, file_unique_id = $4, file_name = $5, mime_type = $6,
			size_bytes = $7, uploaded_at = coalesce($8, now())
		WHERE application_id = $1 AND kind = $2`,
		applicationID, kind, f.FileID, f.FileUniqueID, f.FileName, f.MIMEType, f.SizeBytes, timeOrNil(f.UploadedAt))
	if err != nil {
		return fmt.Errorf("store: attach %s to application %d: %w", kind, applicationID, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("store: attach %s to application %d: %w", kind, applicationID, ErrNotFound)
	}
	return nil
}
