package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// ImportTarget is an application named by a row of a status import, locked for the import's
// transaction, with the number of status changes it has had (a notice's dedupe key names which
// change it is about).
type ImportTarget struct {
	App     Application
	Changes int
}

// LockApplicationsByNumber returns the submitted applications with these numbers (canonical
// form), keyed by number, each row locked FOR UPDATE until the caller's transaction ends: an
// import validates and applies against the same state, and a second import of the same file
// waits for the first and then finds its changes made. A number with no application is absent.
func LockApplicationsByNumber(ctx context.Context, db DB, numbers []string) (map[string]ImportTarget, error) {
	rows, err := db.Query(ctx, `
		SELECT `+applicationColumns+`,
			(SELECT count(*) FROM application_status_history h WHERE h.application_id = a.id)
		FROM applications a WHERE a.number = ANY($1::text[])
		ORDER BY a.id
		FOR UPDATE OF a`, numbers)
	if err != nil {
		return nil, fmt.Errorf("store: lock %d applications: %w", len(numbers), err)
	}
	targets, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (ImportTarget, error) {
		var t ImportTarget
		err := r.Scan(append(applicationFields(&t.App), &t.Changes)...)
		return t, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: lock %d applications: %w", len(numbers), err)
	}
	out := make(map[string]ImportTarget, len(targets))
	for _, t := range targets {
		out[t.App.Number] = t
	}
	return out, nil
}

// PermitHolders returns, for each of these permit numbers (canonical form) already recorded,
// the id of the application that holds it.
func PermitHolders(ctx context.Context, db DB, permits []string) (map[string]int64, error) {
	rows, err := db.Query(ctx, `SELECT permit_number, id FROM applications WHERE permit_number = ANY($1::text[])`, permits)
	if err != nil {
		return nil, fmt.Errorf("store: permit holders: %w", err)
	}
	out := map[string]int64{}
	var p string
	var id int64
	_, err = pgx.ForEachRow(rows, []any{&p, &id}, func() error { out[p] = id; return nil })
	if err != nil {
		return nil, fmt.Errorf("store: permit holders: %w", err)
	}
	return out, nil
}
