package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Staff is a BPOM petugas. Unit is a BPOM unit code ("" for none, e.g. an admin); Role is
// "staff" or "admin".
type Staff struct {
	ID, TelegramUserID int64
	Name, Unit, Role   string
	Active             bool
	CreatedAt          time.Time
}

const staffColumns = `s.id, s.telegram_user_id, s.name, coalesce(s.unit, ''), s.role, s.active, s.created_at`

func scanStaff(row pgx.Row) (Staff, error) {
	var s Staff
	err := row.Scan(&s.ID, &s.TelegramUserID, &s.Name, &s.Unit, &s.Role, &s.Active, &s.CreatedAt)
	return s, err
}

// StaffByTelegramID returns the staff member with this Telegram user id, active or not (the
// caller checks Active), or ErrNotFound.
func StaffByTelegramID(ctx context.Context, db DB, telegramUserID int64) (Staff, error) {
	s, err := scanStaff(db.QueryRow(ctx, `SELECT `+staffColumns+` FROM staff s WHERE s.telegram_user_id = $1`, telegramUserID))
	if errors.Is(err, pgx.ErrNoRows) {
		return Staff{}, fmt.Errorf("store: staff of telegram user %d: %w", telegramUserID, ErrNotFound)
	}
	if err != nil {
		return Staff{}, fmt.Errorf("store: staff of telegram user %d: %w", telegramUserID, err)
	}
	return s, nil
}

// ActiveStaff returns every active staff member, admins included, in the order they were added.
func ActiveStaff(ctx context.Context, db DB) ([]Staff, error) {
	rows, err := db.Query(ctx, `SELECT `+staffColumns+` FROM staff s WHERE s.active ORDER BY s.id`)
	if err != nil {
		return nil, fmt.Errorf("store: active staff: %w", err)
	}
	staff, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Staff, error) { return scanStaff(r) })
	if err != nil {
		return nil, fmt.Errorf("store: active staff: %w", err)
	}
	return staff, nil
}

// EnsureAdmins makes each of these Telegram users an active admin (ADMIN_TELEGRAM_IDS, applied
// at start), adding the ones not yet known; names and units are left as they are. An admin whose
// id is no longer in the list is one no more: deactivated (the list is the only source of admins).
func EnsureAdmins(ctx context.Context, db DB, telegramUserIDs []int64) error {
	if telegramUserIDs == nil {
		telegramUserIDs = []int64{}
	}
	if _, err := db.Exec(ctx, `
		UPDATE staff SET active = false, updated_at = now()
		WHERE role = 'admin' AND active AND telegram_user_id <> ALL ($1::bigint[])`, telegramUserIDs); err != nil {
		return fmt.Errorf("store: remove admins: %w", err)
	}
	if len(telegramUserIDs) == 0 {
		return nil
	}
	if _, err := db.Exec(ctx, `
		INSERT INTO staff (telegram_user_id, role, active) SELECT DISTINCT id, 'admin', true FROM unnest($1::bigint[]) AS id
		ON CONFLICT (telegram_user_id) DO UPDATE SET role = 'admin', active = true, updated_at = now()
			WHERE staff.role <> 'admin' OR NOT staff.active`, telegramUserIDs); err != nil {
		return fmt.Errorf("store: ensure admins: %w", err)
	}
	return nil
}

// StaffByID returns the staff member with this id, active or not, or ErrNotFound.
func StaffByID(ctx context.Context, db DB, id int64) (Staff, error) {
	s, err := scanStaff(db.QueryRow(ctx, `SELECT `+staffColumns+` FROM staff s WHERE s.id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return Staff{}, fmt.Errorf("store: staff %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Staff{}, fmt.Errorf("store: staff %d: %w", id, err)
	}
	return s, nil
}

// DeactivateStaff takes every power from a staff member (the row stays for the history it is
// named in); ErrNotFound when there is no such active member.
func DeactivateStaff(ctx context.Context, db DB, id int64) error {
	tag, err := db.Exec(ctx, `UPDATE staff SET active = false, updated_at = now() WHERE id = $1 AND active`, id)
	if err != nil {
		return fmt.Errorf("store: deactivate staff %d: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("store: deactivate staff %d: %w", id, ErrNotFound)
	}
	return nil
}

// SaveStaff writes s: with ID 0 it adds the staff member, or, when their Telegram user id is
// already known (someone deactivated earlier), overwrites that row; either way it sets ID and
// CreatedAt. With an ID it updates that row (ErrNotFound when there is none). Role "" is "staff".
func SaveStaff(ctx context.Context, db DB, s *Staff) error {
	role := s.Role
	if role == "" {
		role = "staff"
	}
	var row pgx.Row
	if s.ID == 0 {
		row = db.QueryRow(ctx, `
			INSERT INTO staff (telegram_user_id, name, unit, role, active) VALUES ($1, $2, nullif($3, ''), $4, $5)
			ON CONFLICT (telegram_user_id) DO UPDATE SET name = excluded.name, unit = excluded.unit, role = excluded.role,
				active = excluded.active, updated_at = now()
			RETURNING id, created_at`, s.TelegramUserID, s.Name, s.Unit, role, s.Active)
	} else {
		row = db.QueryRow(ctx, `
			UPDATE staff SET telegram_user_id = $2, name = $3, unit = nullif($4, ''), role = $5, active = $6, updated_at = now()
			WHERE id = $1 RETURNING id, created_at`, s.ID, s.TelegramUserID, s.Name, s.Unit, role, s.Active)
	}
	err := row.Scan(&s.ID, &s.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("store: save staff %d: %w", s.ID, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("store: save staff: %w", err)
	}
	s.Role = role
	return nil
}
