package store

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Invite is a one-time link to become staff of an office in a role, until ExpiresAt.
type Invite struct {
	ID           int64
	Office, Role string
	CreatedBy    int64
	ExpiresAt    time.Time
	UsedAt       *time.Time
	UsedBy       int64
	CreatedAt    time.Time
}

func inviteHash(code string) []byte {
	h := sha256.Sum256([]byte(code))
	return h[:]
}

// CreateInvite records an invite for the code (only its hash is kept).
func CreateInvite(ctx context.Context, db DB, code string, inv *Invite) error {
	err := db.QueryRow(ctx, `
		INSERT INTO staff_invites (code_hash, office, role, created_by, expires_at, created_at)
		VALUES ($1, $2, $3, nullif($4::bigint, 0), $5, coalesce($6, now())) RETURNING id`,
		inviteHash(code), inv.Office, inv.Role, inv.CreatedBy, inv.ExpiresAt, timeOrNil(inv.CreatedAt)).Scan(&inv.ID)
	if err != nil {
		return fmt.Errorf("store: create invite: %w", err)
	}
	return nil
}

// RedeemInvite makes the Telegram user staff of the invite's office and role, once: an unknown,
// used or expired code is ErrNotFound and changes nothing. An existing staff row of that user is
// overwritten (someone removed earlier comes back); an active admin is never demoted by it
// (ErrNotFound too, and the invite stays unused).
func RedeemInvite(ctx context.Context, db DB, code string, telegramUserID int64, name string, at time.Time) (Staff, Invite, error) {
	var inv Invite
	var s Staff
	err := inTx(ctx, db, func(tx DB) error {
		var admin bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM staff WHERE telegram_user_id = $1 AND role = 'admin' AND active)`,
			telegramUserID).Scan(&admin); err != nil {
			return err
		}
		if admin {
			return ErrNotFound
		}
		err := tx.QueryRow(ctx, `
			SELECT id, office, role, coalesce(created_by, 0), expires_at FROM staff_invites
			WHERE code_hash = $1 AND used_at IS NULL AND expires_at > $2 FOR UPDATE`, inviteHash(code), at).
			Scan(&inv.ID, &inv.Office, &inv.Role, &inv.CreatedBy, &inv.ExpiresAt)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		s = Staff{TelegramUserID: telegramUserID, Name: name, Unit: inv.Office, Role: inv.Role, Active: true}
		if err := SaveStaff(ctx, tx, &s); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE staff_invites SET used_at = $2, used_by = $3 WHERE id = $1`, inv.ID, at, s.ID)
		inv.UsedAt, inv.UsedBy = &at, s.ID
		return err
	})
	if err != nil {
		return Staff{}, Invite{}, fmt.Errorf("store: redeem invite: %w", err)
	}
	return s, inv, nil
}
