package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Stats are the figures of /statistik over the submitted applications of an office's share.
type Stats struct {
	ByStatus, ByPath, ByKabupaten map[string]int
	// Approved counts the approvals; MedianDaysToApproval is the median of the days from
	// submission to approval among them (0 when none).
	Approved             int
	MedianDaysToApproval float64
	// Waiting counts the applications waiting on staff (submitted or in review) since before the
	// service target; Oldest are the first of them, the longest waiting first.
	Waiting int
	Oldest  []Application
}

// ApplicationStats counts the submitted applications the filter's Paths and Kabupaten let
// through (nil for any) and finds those waiting on staff since before waitingSince (at most
// limit of them listed).
func ApplicationStats(ctx context.Context, db DB, f QueueFilter, waitingSince time.Time, limit int) (Stats, error) {
	s := Stats{ByStatus: map[string]int{}, ByPath: map[string]int{}, ByKabupaten: map[string]int{}}
	share := `a.number IS NOT NULL AND ` + officeShareSQL
	rows, err := db.Query(ctx, `
		SELECT 'status', a.status, count(*) FROM applications a WHERE `+share+` GROUP BY a.status
		UNION ALL SELECT 'path', a.path, count(*) FROM applications a WHERE `+share+` GROUP BY a.path
		UNION ALL SELECT 'kabupaten', coalesce(a.kabupaten, ''), count(*) FROM applications a WHERE `+share+` GROUP BY a.kabupaten`,
		f.Paths, f.Kabupaten)
	if err != nil {
		return s, fmt.Errorf("store: stats: %w", err)
	}
	var dim, key string
	var n int
	if _, err := pgx.ForEachRow(rows, []any{&dim, &key, &n}, func() error {
		map[string]map[string]int{"status": s.ByStatus, "path": s.ByPath, "kabupaten": s.ByKabupaten}[dim][key] = n
		return nil
	}); err != nil {
		return s, fmt.Errorf("store: stats: %w", err)
	}
	// The first approval of each application counts; its time is the history row's.
	if err := db.QueryRow(ctx, `
		SELECT count(*), coalesce(percentile_cont(0.5) WITHIN GROUP (ORDER BY days), 0)
		FROM (
			SELECT extract(epoch FROM min(h.created_at) - a.submitted_at) / 86400 AS days
			FROM applications a JOIN application_status_history h ON h.application_id = a.id AND h.to_status = 'approved'
			WHERE `+share+` AND a.submitted_at IS NOT NULL
			GROUP BY a.id, a.submitted_at
		) x`, f.Paths, f.Kabupaten).Scan(&s.Approved, &s.MedianDaysToApproval); err != nil {
		return s, fmt.Errorf("store: stats: time to approval: %w", err)
	}
	waiting := share + ` AND a.status IN ('submitted', 'in_review') AND a.submitted_at < $3`
	if err := db.QueryRow(ctx, `SELECT count(*) FROM applications a WHERE `+waiting, f.Paths, f.Kabupaten, waitingSince).Scan(&s.Waiting); err != nil {
		return s, fmt.Errorf("store: stats: waiting: %w", err)
	}
	rows, err = db.Query(ctx, `SELECT `+applicationColumns+` FROM applications a WHERE `+waiting+` ORDER BY a.submitted_at, a.id LIMIT $4`,
		f.Paths, f.Kabupaten, waitingSince, limit)
	if err != nil {
		return s, fmt.Errorf("store: stats: waiting: %w", err)
	}
	if s.Oldest, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Application, error) { return scanApplication(r) }); err != nil {
		return s, fmt.Errorf("store: stats: waiting: %w", err)
	}
	return s, nil
}
