package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// LapsedCorrection is an application whose corrections' due date passed without an answer (it
// is still in needs_fix), as staff are told of it.
type LapsedCorrection struct {
	ID        int64
	Number    string
	Business  string // the business's name ("" when the application has none)
	Kabupaten string
	DueAt     time.Time
}

// CorrectionsLapsed returns the applications still in needs_fix whose due date is after from and
// no later than to, of the part the filter's Paths and Kabupaten let through (nil for any), by
// due date and id.
func CorrectionsLapsed(ctx context.Context, db DB, f QueueFilter, from, to time.Time) ([]LapsedCorrection, error) {
	rows, err := db.Query(ctx, `
		SELECT a.id, a.number, coalesce(b.name, ''), coalesce(a.kabupaten, ''), a.due_at
		FROM applications a LEFT JOIN businesses b ON b.id = a.business_id
		WHERE a.status = 'needs_fix' AND a.number IS NOT NULL AND a.due_at > $3 AND a.due_at <= $4
			AND `+officeShareSQL+`
		ORDER BY a.due_at, a.id`, f.Paths, f.Kabupaten, from, to)
	if err != nil {
		return nil, fmt.Errorf("store: corrections lapsed by %v: %w", to, err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[LapsedCorrection])
	if err != nil {
		return nil, fmt.Errorf("store: corrections lapsed by %v: %w", to, err)
	}
	return out, nil
}

// dedupeKeysQuery is DedupeKeys' statement. outbox_keys holds every key for RETAIN_OUTBOX
// (millions: one per owner per broadcast), so the keys are read as a range of its primary key. starts_with alone cannot use that index under the
// database's collation (C.UTF-8 is not "C" to the planner) and scanned the whole table. The
// range is right because C.UTF-8 orders text by code point: every key that starts with prefix
// lies between prefix and prefix followed by the highest code point, U+10FFFF (a key with that
// very character right after the prefix aside, which no job writes); starts_with stays as a
// check on the rows the range finds.
const dedupeKeysQuery = `
	SELECT dedupe_key FROM outbox_keys
	WHERE dedupe_key >= $1 AND dedupe_key < $1 || chr(1114111) AND starts_with(dedupe_key, $1)
	ORDER BY dedupe_key`

// DedupeKeys returns the dedupe keys starting with prefix that were ever queued (outbox_keys
// keeps them after their messages went, until RETAIN_OUTBOX): what a job told before, when one
// message names several subjects.
func DedupeKeys(ctx context.Context, db DB, prefix string) ([]string, error) {
	rows, err := db.Query(ctx, dedupeKeysQuery, prefix)
	if err != nil {
		return nil, fmt.Errorf("store: dedupe keys %s…: %w", prefix, err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("store: dedupe keys %s…: %w", prefix, err)
	}
	return out, nil
}

// WeekTraining is a training as the staff digest shows it: when, where, seats taken of its
// quota.
type WeekTraining struct {
	ID         int64
	Title      string
	StartsAt   time.Time
	Kabupaten  string
	Quota      int
	Registered int
}

// TrainingsStarting returns the trainings not cancelled that start from from until before to, in
// the given kabupaten (nil for any), by start time and id, with their registrations counted.
func TrainingsStarting(ctx context.Context, db DB, kabupaten []string, from, to time.Time) ([]WeekTraining, error) {
	rows, err := db.Query(ctx, `
		SELECT t.id, t.title, t.starts_at, coalesce(t.kabupaten, ''), t.quota,
			(SELECT count(*) FROM training_registrations r WHERE r.training_id = t.id)::int
		FROM trainings t
		WHERE t.cancelled_at IS NULL AND t.starts_at >= $2 AND t.starts_at < $3
			AND ($1::text[] IS NULL OR t.kabupaten = ANY ($1))
		ORDER BY t.starts_at, t.id`, kabupaten, from, to)
	if err != nil {
		return nil, fmt.Errorf("store: trainings starting by %v: %w", to, err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[WeekTraining])
	if err != nil {
		return nil, fmt.Errorf("store: trainings starting by %v: %w", to, err)
	}
	return out, nil
}
