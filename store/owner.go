package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Owner is a pelaku usaha: one Telegram user who has written to the bot. Name and Phone are ""
// until given (and again after /hapus_data); Phone is E.164 and never logged.
type Owner struct {
	ID, TelegramUserID, ChatID int64
	Lang, Name, Phone          string
	UnreachableAt, DeletedAt   *time.Time // Telegram answered 403; /hapus_data
	CreatedAt, UpdatedAt       time.Time
	// Staff is the staff row of the same Telegram user (active or not), when there is one. Only
	// UpsertOwner fills it: the engine learns who is writing, owner and staff, in one statement.
	Staff *Staff
}

const ownerColumns = `o.id, o.telegram_user_id, o.chat_id, o.lang, coalesce(o.name, ''), coalesce(o.phone, ''),
	o.unreachable_at, o.deleted_at, o.created_at, o.updated_at`

func scanOwner(row pgx.Row) (Owner, error) {
	var o Owner
	err := row.Scan(&o.ID, &o.TelegramUserID, &o.ChatID, &o.Lang, &o.Name, &o.Phone,
		&o.UnreachableAt, &o.DeletedAt, &o.CreatedAt, &o.UpdatedAt)
	return o, err
}

// UpsertOwner returns the owner with this Telegram user id, creating them (created=true) on their
// first message. A returning owner gets their current chat id and is reachable again, since they
// wrote; their language is only set on creation ("" means Bahasa Indonesia), later changes go
// through SetOwnerLang. The row is written only when something changed, so the common case (an
// owner who keeps chatting) costs no write. The owner's staff row, if any, comes with it
// (Owner.Staff).
func UpsertOwner(ctx context.Context, db DB, telegramUserID, chatID int64, lang string) (o Owner, created bool, err error) {
	// One statement in the common case: the insert (or the update of what changed) returns the
	// row; when nothing changed it returns nothing, and the second branch reads the row as the
	// statement's snapshot has it.
	row := db.QueryRow(ctx, `
		WITH up AS (
			INSERT INTO owners AS o (telegram_user_id, chat_id, lang) VALUES ($1, $2, coalesce(nullif($3, ''), 'id'))
			ON CONFLICT (telegram_user_id) DO UPDATE SET chat_id = excluded.chat_id, unreachable_at = NULL, updated_at = now()
				WHERE o.chat_id <> excluded.chat_id OR o.unreachable_at IS NOT NULL
			RETURNING `+ownerColumns+`, o.xmax = 0 AS created
		)
		SELECT me.*, s.id, s.telegram_user_id, s.name, s.unit, s.role, s.active, s.created_at
		FROM (
			SELECT * FROM up
			UNION ALL
			SELECT `+ownerColumns+`, false FROM owners o WHERE o.telegram_user_id = $1 AND NOT EXISTS (SELECT 1 FROM up)
		) me LEFT JOIN staff s ON s.telegram_user_id = $1`,
		telegramUserID, chatID, lang)
	var sID, sUser *int64
	var sName, sUnit, sRole *string
	var sActive *bool
	var sCreated *time.Time
	err = row.Scan(&o.ID, &o.TelegramUserID, &o.ChatID, &o.Lang, &o.Name, &o.Phone,
		&o.UnreachableAt, &o.DeletedAt, &o.CreatedAt, &o.UpdatedAt, &created,
		&sID, &sUser, &sName, &sUnit, &sRole, &sActive, &sCreated)
	if errors.Is(err, pgx.ErrNoRows) {
		// Another transaction created the owner after this statement's snapshot was taken; the
		// conflict waited for it, so the row is there now.
		if o, err = OwnerByTelegramID(ctx, db, telegramUserID); err != nil {
			return Owner{}, false, err
		}
		if s, err := StaffByTelegramID(ctx, db, telegramUserID); err == nil {
			o.Staff = &s
		} else if !errors.Is(err, ErrNotFound) {
			return Owner{}, false, err
		}
		return o, false, nil
	}
	if err != nil {
		return Owner{}, false, fmt.Errorf("store: upsert owner: %w", err)
	}
	if sID != nil {
		o.Staff = &Staff{ID: *sID, TelegramUserID: *sUser, Name: *sName, Role: *sRole, Active: *sActive, CreatedAt: *sCreated}
		if sUnit != nil {
			o.Staff.Unit = *sUnit
		}
	}
	return o, created, nil
}

// OwnerByTelegramID returns the owner with this Telegram user id, or ErrNotFound.
func OwnerByTelegramID(ctx context.Context, db DB, telegramUserID int64) (Owner, error) {
	return ownerWhere(ctx, db, fmt.Sprintf("of telegram user %d", telegramUserID), `o.telegram_user_id = $1`, telegramUserID)
}

// OwnerByID returns the owner with this id, or ErrNotFound.
func OwnerByID(ctx context.Context, db DB, id int64) (Owner, error) {
	return ownerWhere(ctx, db, fmt.Sprint(id), `o.id = $1`, id)
}

func ownerWhere(ctx context.Context, db DB, what, cond string, arg any) (Owner, error) {
	o, err := scanOwner(db.QueryRow(ctx, `SELECT `+ownerColumns+` FROM owners o WHERE `+cond, arg))
	if errors.Is(err, pgx.ErrNoRows) {
		return Owner{}, fmt.Errorf("store: owner %s: %w", what, ErrNotFound)
	}
	if err != nil {
		return Owner{}, fmt.Errorf("store: owner %s: %w", what, err)
	}
	return o, nil
}

// SetOwnerLang records the owner's language ("id" or "en"); ErrNotFound when there is no such
// owner.
func SetOwnerLang(ctx context.Context, db DB, ownerID int64, lang string) error {
	return updateOwner(ctx, db, ownerID, "set language", `UPDATE owners SET lang = $2, updated_at = now() WHERE id = $1`, lang)
}

// SetOwnerContact records the owner's name and phone ("" clears either); ErrNotFound when there
// is no such owner.
func SetOwnerContact(ctx context.Context, db DB, ownerID int64, name, phone string) error {
	return updateOwner(ctx, db, ownerID, "set contact",
		// An owner who deleted their data and fills the profile again has data again.
		`UPDATE owners SET name = nullif($2, ''), phone = nullif($3, ''), deleted_at = NULL, updated_at = now() WHERE id = $1`, name, phone)
}

func updateOwner(ctx context.Context, db DB, ownerID int64, what, sql string, args ...any) error {
	tag, err := db.Exec(ctx, sql, append([]any{ownerID}, args...)...)
	if err != nil {
		return fmt.Errorf("store: %s of owner %d: %w", what, ownerID, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("store: %s of owner %d: %w", what, ownerID, ErrNotFound)
	}
	return nil
}

// MarkOwnerUnreachable records that Telegram refused to deliver to chatID (403: the owner blocked
// the bot) at the given time. The first refusal's time is kept. A chat that is no owner's (a staff
// member's, a group) is no error. UpsertOwner clears the mark when they write again.
func MarkOwnerUnreachable(ctx context.Context, db DB, chatID int64, at time.Time) error {
	if _, err := db.Exec(ctx, `
		UPDATE owners SET unreachable_at = $2, updated_at = $2
		WHERE chat_id = $1 AND unreachable_at IS NULL`, chatID, at); err != nil {
		return fmt.Errorf("store: mark chat %d unreachable: %w", chatID, err)
	}
	return nil
}
