package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Business is an owner's usaha. NIB, Kabupaten (a code from flows/domain), Desa and OVOPProduct
// are "" when not known.
type Business struct {
	ID, OwnerID                             int64
	Name, NIB, Kabupaten, Desa, OVOPProduct string
	CreatedAt, UpdatedAt                    time.Time
}

const businessColumns = `b.id, b.owner_id, b.name, coalesce(b.nib, ''), coalesce(b.kabupaten, ''), coalesce(b.desa, ''),
	coalesce(b.ovop_product, ''), b.created_at, b.updated_at`

func scanBusiness(row pgx.Row) (Business, error) {
	var b Business
	err := row.Scan(&b.ID, &b.OwnerID, &b.Name, &b.NIB, &b.Kabupaten, &b.Desa, &b.OVOPProduct, &b.CreatedAt, &b.UpdatedAt)
	return b, err
}

// PrimaryBusiness returns the owner's first business (the one the bot works with), or
// ErrNotFound when they have none yet.
func PrimaryBusiness(ctx context.Context, db DB, ownerID int64) (Business, error) {
	b, err := scanBusiness(db.QueryRow(ctx, `
		SELECT `+businessColumns+` FROM businesses b WHERE b.owner_id = $1
		ORDER BY b.created_at, b.id LIMIT 1`, ownerID))
	if errors.Is(err, pgx.ErrNoRows) {
		return Business{}, fmt.Errorf("store: business of owner %d: %w", ownerID, ErrNotFound)
	}
	if err != nil {
		return Business{}, fmt.Errorf("store: business of owner %d: %w", ownerID, err)
	}
	return b, nil
}

// SaveBusiness inserts b when b.ID is 0 (setting ID and the times), or else updates every field
// of the row with that id (ErrNotFound when there is none). The owner of an existing business
// is not changed.
func SaveBusiness(ctx context.Context, db DB, b *Business) error {
	var row pgx.Row
	if b.ID == 0 {
		row = db.QueryRow(ctx, `
			INSERT INTO businesses (owner_id, name, nib, kabupaten, desa, ovop_product)
			VALUES ($1, $2, nullif($3, ''), nullif($4, ''), nullif($5, ''), nullif($6, ''))
			RETURNING id, owner_id, created_at, updated_at`,
			b.OwnerID, b.Name, b.NIB, b.Kabupaten, b.Desa, b.OVOPProduct)
	} else {
		row = db.QueryRow(ctx, `
			UPDATE businesses SET name = $2, nib = nullif($3, ''), kabupaten = nullif($4, ''), desa = nullif($5, ''),
				ovop_product = nullif($6, ''), updated_at = now()
			WHERE id = $1
			RETURNING id, owner_id, created_at, updated_at`,
			b.ID, b.Name, b.NIB, b.Kabupaten, b.Desa, b.OVOPProduct)
	}
	err := row.Scan(&b.ID, &b.OwnerID, &b.CreatedAt, &b.UpdatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("store: save business %d: %w", b.ID, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("store: save business: %w", err)
	}
	return nil
}
