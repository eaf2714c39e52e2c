package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// QueueFilter narrows the open applications staff see: the office's share (Paths and Kabupaten,
// nil for any) and the staff member's own filters (Status, Path, Kabupaten1: "" for any).
type QueueFilter struct {
	Paths, Kabupaten         []string
	Status, Path, Kabupaten1 string
	Offset, Limit            int
}

// officeShareSQL is the condition on applications a that keeps to a filter's office share, its
// Paths as $1 and its Kabupaten as $2 (nil: any).
const officeShareSQL = `($1::text[] IS NULL OR a.path = ANY ($1)) AND ($2::text[] IS NULL OR a.kabupaten = ANY ($2))`

// The open statuses, in the order of an application's life.
var openStatuses = []string{"submitted", "in_review", "needs_fix", "awaiting_payment"}

func (f QueueFilter) where(withStatus bool) (string, []any) {
	conds := []string{"a.status = ANY ($1)"}
	args := []any{openStatuses}
	add := func(cond string, v any) {
		args = append(args, v)
		conds = append(conds, fmt.Sprintf(cond, len(args)))
	}
	if f.Paths != nil {
		add("a.path = ANY ($%d)", f.Paths)
	}
	if f.Kabupaten != nil {
		add("a.kabupaten = ANY ($%d)", f.Kabupaten)
	}
	if f.Path != "" {
		add("a.path = $%d", f.Path)
	}
	if f.Kabupaten1 != "" {
		add("a.kabupaten = $%d", f.Kabupaten1)
	}
	if withStatus && f.Status != "" {
		add("a.status = $%d", f.Status)
	}
	return strings.Join(conds, " AND "), args
}

// OpenApplications returns one page of the open applications the filter lets through, the
// oldest submission first.
func OpenApplications(ctx context.Context, db DB, f QueueFilter) ([]Application, error) {
	where, args := f.where(true)
	args = append(args, f.Limit, f.Offset)
	rows, err := db.Query(ctx, `SELECT `+applicationColumns+` FROM applications a WHERE `+where+
		fmt.Sprintf(` ORDER BY a.submitted_at, a.id LIMIT $%d OFFSET $%d`, len(args)-1, len(args)), args...)
	if err != nil {
		return nil, fmt.Errorf("store: open applications: %w", err)
	}
	apps, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Application, error) { return scanApplication(r) })
	if err != nil {
		return nil, fmt.Errorf("store: open applications: %w", err)
	}
	return apps, nil
}

// CountOpenByStatus counts the open applications the filter lets through (its Status ignored),
// per status.
func CountOpenByStatus(ctx context.Context, db DB, f QueueFilter) (map[string]int, error) {
	where, args := f.where(false)
	rows, err := db.Query(ctx, `SELECT a.status, count(*) FROM applications a WHERE `+where+` GROUP BY a.status`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: count open applications: %w", err)
	}
	out := map[string]int{}
	var status string
	var n int
	_, err = pgx.ForEachRow(rows, []any{&status, &n}, func() error { out[status] = n; return nil })
	if err != nil {
		return nil, fmt.Errorf("store: count open applications: %w", err)
	}
	return out, nil
}

// SearchApplications finds submitted applications by number, owner name, business name or phone
// (digits), at most limit, the newest first; Paths and Kabupaten of f narrow them to an office.
func SearchApplications(ctx context.Context, db DB, f QueueFilter, query string, limit int) ([]Application, error) {
	conds := []string{"a.number IS NOT NULL"}
	args := []any{}
	add := func(cond string, v any) {
		args = append(args, v)
		conds = append(conds, fmt.Sprintf(cond, len(args)))
	}
	if f.Paths != nil {
		add("a.path = ANY ($%d)", f.Paths)
	}
	if f.Kabupaten != nil {
		add("a.kabupaten = ANY ($%d)", f.Kabupaten)
	}
	digits := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, query)
	like := "%" + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(strings.TrimSpace(query)) + "%"
	args = append(args, like, strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(query), " ", "")), digits, limit)
	n := len(args)
	q := `SELECT ` + applicationColumns + ` FROM applications a
		LEFT JOIN owners o ON o.id = a.owner_id LEFT JOIN businesses b ON b.id = a.business_id
		WHERE ` + strings.Join(conds, " AND ") + fmt.Sprintf(` AND (replace(a.number, '-', '') LIKE '%%' || replace($%d, '-', '') || '%%'
			OR o.name ILIKE $%d OR b.name ILIKE $%d OR a.product_name ILIKE $%d
			OR (length($%d) >= 6 AND regexp_replace(coalesce(o.phone, ''), '\D', '', 'g') LIKE '%%' || $%d || '%%'))
		ORDER BY a.submitted_at DESC, a.id DESC LIMIT $%d`, n-2, n-3, n-3, n-3, n-1, n-1, n)
	rows, err := db.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: search applications: %w", err)
	}
	apps, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Application, error) { return scanApplication(r) })
	if err != nil {
		return nil, fmt.Errorf("store: search applications: %w", err)
	}
	return apps, nil
}

// ClaimApplication records that a staff member handles the application; the previous claimant
// (0 for none) is returned.
func ClaimApplication(ctx context.Context, db DB, applicationID, staffID int64, at time.Time) (previous int64, err error) {
	err = db.QueryRow(ctx, `
		UPDATE applications a SET claimed_by = $2, claimed_at = $3 FROM (SELECT id, claimed_by FROM applications WHERE id = $1 FOR UPDATE) old
		WHERE a.id = old.id RETURNING coalesce(old.claimed_by, 0)`, applicationID, staffID, at).Scan(&previous)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, fmt.Errorf("store: claim application %d: %w", applicationID, ErrNotFound)
	}
	if err != nil {
		return 0, fmt.Errorf("store: claim application %d: %w", applicationID, err)
	}
	return previous, nil
}

// ClaimOf returns who handles the application (0: nobody).
func ClaimOf(ctx context.Context, db DB, applicationID int64) (int64, error) {
	var id int64
	if err := db.QueryRow(ctx, `SELECT coalesce(claimed_by, 0) FROM applications WHERE id = $1`, applicationID).Scan(&id); err != nil {
		return 0, fmt.Errorf("store: claim of application %d: %w", applicationID, err)
	}
	return id, nil
}
