package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Note is an internal note staff wrote on an application for each other: owners never see it.
// StaffName is its author's name, "" when their staff row is gone.
type Note struct {
	ID, ApplicationID, StaffID int64
	StaffName                  string
	Body                       string
	CreatedAt                  time.Time
}

// AddNote keeps n (ApplicationID, StaffID, Body, CreatedAt) and sets its ID.
func AddNote(ctx context.Context, db DB, n *Note) error {
	err := db.QueryRow(ctx, `
		INSERT INTO application_notes (application_id, staff_id, body, created_at) VALUES ($1, $2, $3, $4)
		RETURNING id`, n.ApplicationID, n.StaffID, n.Body, n.CreatedAt).Scan(&n.ID)
	if err != nil {
		return fmt.Errorf("store: add note to application %d: %w", n.ApplicationID, err)
	}
	return nil
}

// LatestNotes returns the application's newest notes, at most limit, newest first, and how many
// it has in all.
func LatestNotes(ctx context.Context, db DB, applicationID int64, limit int) ([]Note, int, error) {
	rows, err := db.Query(ctx, `
		SELECT n.id, n.application_id, coalesce(n.staff_id, 0), coalesce(s.name, ''), n.body, n.created_at,
			count(*) OVER ()
		FROM application_notes n LEFT JOIN staff s ON s.id = n.staff_id
		WHERE n.application_id = $1
		ORDER BY n.id DESC LIMIT $2`, applicationID, limit)
	if err != nil {
		return nil, 0, fmt.Errorf("store: notes of application %d: %w", applicationID, err)
	}
	total := 0
	notes, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Note, error) {
		var n Note
		err := r.Scan(&n.ID, &n.ApplicationID, &n.StaffID, &n.StaffName, &n.Body, &n.CreatedAt, &total)
		return n, err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("store: notes of application %d: %w", applicationID, err)
	}
	return notes, total, nil
}
