package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// HeldPermit is a permit an owner already holds and recorded themselves (/izin_saya), so that
// they are reminded before it lapses. The bot has not checked it: a number's format proves only
// its format.
type HeldPermit struct {
	ID          int64
	OwnerID     int64
	Path        string
	Number      string // canonical, as domain.ParsePermitNumber writes it
	ProductName string
	// ValidUntil is the last valid day (a date, UTC midnight). With YearOnly only its year is
	// known (a P-IRT's last two digits) and ValidUntil is 1 January of that year.
	ValidUntil time.Time
	YearOnly   bool
	RecordedAt time.Time
}

const heldPermitColumns = `p.id, p.owner_id, p.path, p.number, p.product_name, p.valid_until, p.year_only, p.recorded_at`

func heldPermitFields(p *HeldPermit) []any {
	return []any{&p.ID, &p.OwnerID, &p.Path, &p.Number, &p.ProductName, &p.ValidUntil, &p.YearOnly, &p.RecordedAt}
}

// SaveHeldPermit records p for its owner at the given time and sets p.ID. The same number
// recorded again by the same owner (a renewal) replaces the earlier record.
func SaveHeldPermit(ctx context.Context, db DB, p *HeldPermit, at time.Time) error {
	err := db.QueryRow(ctx, `
		INSERT INTO held_permits (owner_id, path, number, product_name, valid_until, year_only, recorded_at)
		VALUES ($1, $2, $3, $4, $5::date, $6, $7)
		ON CONFLICT (owner_id, number) DO UPDATE SET path = excluded.path, product_name = excluded.product_name,
			valid_until = excluded.valid_until, year_only = excluded.year_only, recorded_at = excluded.recorded_at
		RETURNING id`, p.OwnerID, p.Path, p.Number, p.ProductName, p.ValidUntil.Format(time.DateOnly), p.YearOnly, at).Scan(&p.ID)
	if err != nil {
		return fmt.Errorf("store: save held permit of owner %d: %w", p.OwnerID, err)
	}
	p.RecordedAt = at
	return nil
}

// HeldPermits returns the owner's recorded permits, the one lapsing first first.
func HeldPermits(ctx context.Context, db DB, ownerID int64) ([]HeldPermit, error) {
	rows, err := db.Query(ctx, `SELECT `+heldPermitColumns+` FROM held_permits p WHERE p.owner_id = $1
		ORDER BY p.valid_until, p.id`, ownerID)
	if err != nil {
		return nil, fmt.Errorf("store: held permits of owner %d: %w", ownerID, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (HeldPermit, error) {
		var p HeldPermit
		return p, r.Scan(heldPermitFields(&p)...)
	})
	if err != nil {
		return nil, fmt.Errorf("store: held permits of owner %d: %w", ownerID, err)
	}
	return out, nil
}

// RemoveHeldPermit deletes the owner's recorded permit id and returns it; ErrNotFound when the
// owner has no such permit (another owner's included).
func RemoveHeldPermit(ctx context.Context, db DB, ownerID, id int64) (HeldPermit, error) {
	var p HeldPermit
	err := db.QueryRow(ctx, `DELETE FROM held_permits p WHERE p.id = $1 AND p.owner_id = $2 RETURNING `+heldPermitColumns,
		id, ownerID).Scan(heldPermitFields(&p)...)
	if errors.Is(err, pgx.ErrNoRows) {
		return p, ErrNotFound
	}
	if err != nil {
		return p, fmt.Errorf("store: remove held permit %d of owner %d: %w", id, ownerID, err)
	}
	return p, nil
}

// DueHeldPermit is a recorded permit as the permit-expiry reminder needs it: the owner's chat
// and language.
type DueHeldPermit struct {
	Permit HeldPermit
	ChatID int64
	Lang   string
}

// HeldPermitsExpiring returns the recorded permits still valid on from's day (a year-only one
// through the end of its year) whose ValidUntil is no later than to's day (dates, read in UTC as
// stored), by ValidUntil and id. Owners who deleted their data are left out (their records are
// gone anyway).
func HeldPermitsExpiring(ctx context.Context, db DB, from, to time.Time) ([]DueHeldPermit, error) {
	rows, err := db.Query(ctx, `
		SELECT `+heldPermitColumns+`, o.chat_id, o.lang
		FROM held_permits p JOIN owners o ON o.id = p.owner_id
		WHERE CASE WHEN p.year_only THEN (p.valid_until + interval '1 year - 1 day')::date ELSE p.valid_until END >= $1::date
			AND p.valid_until <= $2::date AND o.deleted_at IS NULL
		ORDER BY p.valid_until, p.id`, from.Format(time.DateOnly), to.Format(time.DateOnly))
	if err != nil {
		return nil, fmt.Errorf("store: held permits expiring by %v: %w", to, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (DueHeldPermit, error) {
		var d DueHeldPermit
		return d, r.Scan(append(heldPermitFields(&d.Permit), &d.ChatID, &d.Lang)...)
	})
	if err != nil {
		return nil, fmt.Errorf("store: held permits expiring by %v: %w", to, err)
	}
	return out, nil
}
