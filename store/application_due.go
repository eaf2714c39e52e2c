package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// DueApplication is an application with a due date, as a scheduled reminder needs it: the owner
// to write to, in their language, and since when the application has been in its status.
type DueApplication struct {
	Application Application
	ChatID      int64
	Lang        string
	// Since is when the application entered its status (the latest history row into it).
	Since time.Time
}

// dueApplicationSelect reads a DueApplication of applications a joined to their owners o
// (scanDueApplication); the caller adds the WHERE.
const dueApplicationSelect = `
	SELECT ` + applicationColumns + `, o.chat_id, o.lang,
		coalesce((SELECT max(h.created_at) FROM application_status_history h
			WHERE h.application_id = a.id AND h.to_status = a.status), a.updated_at)
	FROM applications a JOIN owners o ON o.id = a.owner_id`

func scanDueApplication(r pgx.CollectableRow) (DueApplication, error) {
	var d DueApplication
	err := r.Scan(append(applicationFields(&d.Application), &d.ChatID, &d.Lang, &d.Since)...)
	return d, err
}

// ApplicationsDue returns the applications in the given status whose due date is after from and
// no later than to, by due date and id. Applications without an owner, or whose owner deleted
// their data, are left out.
func ApplicationsDue(ctx context.Context, db DB, status string, from, to time.Time) ([]DueApplication, error) {
	rows, err := db.Query(ctx, dueApplicationSelect+`
		WHERE a.status = $1 AND a.due_at > $2 AND a.due_at <= $3 AND o.deleted_at IS NULL
		ORDER BY a.due_at, a.id`, status, from, to)
	if err != nil {
		return nil, fmt.Errorf("store: applications %s due by %v: %w", status, to, err)
	}
	apps, err := pgx.CollectRows(rows, scanDueApplication)
	if err != nil {
		return nil, fmt.Errorf("store: applications %s due by %v: %w", status, to, err)
	}
	return apps, nil
}

// PermitsExpiring returns the approved applications whose permit is valid until a day after from
// and no later than to (dates, read in UTC as stored), by that day and id, as ApplicationsDue
// does; Since is when the application was approved.
func PermitsExpiring(ctx context.Context, db DB, from, to time.Time) ([]DueApplication, error) {
	rows, err := db.Query(ctx, dueApplicationSelect+`
		WHERE a.status = 'approved' AND a.permit_valid_until >= $1::date AND a.permit_valid_until <= $2::date
			AND o.deleted_at IS NULL
		ORDER BY a.permit_valid_until, a.id`, from.Format(time.DateOnly), to.Format(time.DateOnly))
	if err != nil {
		return nil, fmt.Errorf("store: permits expiring by %v: %w", to, err)
	}
	apps, err := pgx.CollectRows(rows, scanDueApplication)
	if err != nil {
		return nil, fmt.Errorf("store: permits expiring by %v: %w", to, err)
	}
	return apps, nil
}
