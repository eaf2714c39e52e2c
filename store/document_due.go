package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// ApplicationMissingDocuments is an application whose required documents are not all sent, as a scheduled
// reminder needs it: the owner to write to, in their language, and the kinds still missing.
type ApplicationMissingDocuments struct {
	Application Application
	ChatID      int64
	Lang        string
	Kinds       []string // in checklist order
}

// ApplicationsMissingDocuments returns the applications in one of the given statuses, submitted
// after since, that still miss a required document, by submission and id. Applications without an
// owner, or whose owner deleted their data, are left out.
func ApplicationsMissingDocuments(ctx context.Context, db DB, statuses []string, since time.Time) ([]ApplicationMissingDocuments, error) {
	rows, err := db.Query(ctx, `
		SELECT `+applicationColumns+`, o.chat_id, o.lang, m.kinds
		FROM applications a JOIN owners o ON o.id = a.owner_id
			CROSS JOIN LATERAL (
				SELECT array_agg(d.kind ORDER BY d.id) AS kinds FROM application_documents d
				WHERE d.application_id = a.id AND d.required AND d.file_id IS NULL) m
		WHERE a.status = ANY($1) AND a.submitted_at > $2 AND o.deleted_at IS NULL AND m.kinds IS NOT NULL
		ORDER BY a.submitted_at, a.id`, statuses, since)
	if err != nil {
		return nil, fmt.Errorf("store: applications missing documents: %w", err)
	}
	apps, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (ApplicationMissingDocuments, error) {
		var m ApplicationMissingDocuments
		err := r.Scan(append(applicationFields(&m.Application), &m.ChatID, &m.Lang, &m.Kinds)...)
		return m, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: applications missing documents: %w", err)
	}
	return apps, nil
}
