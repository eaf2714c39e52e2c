package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// InboxUpdate is one Telegram update kept in the inbox: the raw JSON as Telegram sent it, and the
// chat it belongs to (0 when it has none).
type InboxUpdate struct {
	UpdateID   int64
	ChatID     int64
	Payload    []byte
	Attempts   int
	ReceivedAt time.Time
}

// StoreUpdate keeps an update in the inbox before it is acknowledged to Telegram. It reports
// false, and changes nothing, when the update_id is already there (Telegram delivered it again).
// An update with no chat (chatID 0) is stored as done: it is kept only so a redelivery is still
// recognised, there is nothing to dispatch.
func StoreUpdate(ctx context.Context, db DB, updateID, chatID int64, payload []byte, at time.Time) (bool, error) {
	var chat any
	status := "pending"
	if chatID != 0 {
		chat = chatID
	} else {
		status = "done"
	}
	tag, err := db.Exec(ctx, `
		INSERT INTO inbox (update_id, chat_id, payload, status, received_at, handled_at)
		VALUES ($1, $2, $3, $4, $5, CASE WHEN $4 = 'done' THEN $5::timestamptz END)
		ON CONFLICT (update_id) DO NOTHING`,
		updateID, chat, payload, status, at)
	if err != nil {
		return false, fmt.Errorf("store: keep update %d: %w", updateID, err)
	}
	return tag.RowsAffected() == 1, nil
}

// PendingChats returns up to limit chats that have pending updates, the chat with the oldest
// pending update first.
func PendingChats(ctx context.Context, db DB, limit int) ([]int64, error) {
	rows, err := db.Query(ctx, `
		SELECT chat_id FROM inbox WHERE status = 'pending' AND chat_id IS NOT NULL
		GROUP BY chat_id ORDER BY min(update_id) LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("store: pending chats: %w", err)
	}
	chats, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("store: pending chats: %w", err)
	}
	return chats, nil
}

// LockChat takes the chat's transaction-scoped advisory lock, waiting for it: every instance
// that handles the chat's updates takes it first, so a chat's updates are handled one at a time
// and in order across all instances. It is released at commit or rollback.
func LockChat(ctx context.Context, tx DB, chatID int64) error {
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('umkmbot.chat:' || $1::bigint::text, 0))`, chatID); err != nil {
		return fmt.Errorf("store: lock chat: %w", err)
	}
	return nil
}

// NextPendingUpdate returns the chat's oldest pending update, locked for the rest of the
// transaction, or ErrNotFound when it has none. Call it after LockChat.
func NextPendingUpdate(ctx context.Context, tx DB, chatID int64) (InboxUpdate, error) {
	var u InboxUpdate
	err := tx.QueryRow(ctx, `
		SELECT update_id, chat_id, payload, attempts, received_at FROM inbox
		WHERE chat_id = $1 AND status = 'pending'
		ORDER BY update_id LIMIT 1 FOR UPDATE`, chatID).
		Scan(&u.UpdateID, &u.ChatID, &u.Payload, &u.Attempts, &u.ReceivedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return InboxUpdate{}, ErrNotFound
	}
	if err != nil {
		return InboxUpdate{}, fmt.Errorf("store: next update of a chat: %w", err)
	}
	return u, nil
}

// MarkHandled records that the update was handled.
func MarkHandled(ctx context.Context, db DB, updateID int64) error {
	if _, err := db.Exec(ctx, `
		UPDATE inbox SET status = 'done', attempts = attempts + 1, handled_at = now(), last_error = NULL
		WHERE update_id = $1`, updateID); err != nil {
		return fmt.Errorf("store: mark update %d handled: %w", updateID, err)
	}
	return nil
}

// MarkFailed records that handling the update failed for reason (an error or panic text: never
// the message itself). A failed update is not tried again.
func MarkFailed(ctx context.Context, db DB, updateID int64, reason string) error {
	if len(reason) > 2000 {
		reason = reason[:2000]
	}
	if _, err := db.Exec(ctx, `
		UPDATE inbox SET status = 'failed', attempts = attempts + 1, handled_at = now(), last_error = $2
		WHERE update_id = $1`, updateID, reason); err != nil {
		return fmt.Errorf("store: mark update %d failed: %w", updateID, err)
	}
	return nil
}

// PruneInbox deletes handled and failed updates received before olderThan, and returns how many.
// Telegram may number updates from scratch after a week without any, so the inbox recognises
// duplicates by update_id only within a retention window (7 days is the usual choice), never by
// "greater than the last one seen". Pending updates are never pruned.
func PruneInbox(ctx context.Context, db DB, olderThan time.Time) (int64, error) {
	tag, err := db.Exec(ctx, `DELETE FROM inbox WHERE status <> 'pending' AND received_at < $1`, olderThan)
	if err != nil {
		return 0, fmt.Errorf("store: prune inbox: %w", err)
	}
	return tag.RowsAffected(), nil
}

// OwnerLang is the language the owner with this Telegram user id chose ("id" or "en"), or ""
// when they are not known yet. The dispatcher uses it to apologise in the right language when
// handling an update failed and the engine's own writes were rolled back.
func OwnerLang(ctx context.Context, db DB, telegramUserID int64) (string, error) {
	var lang string
	err := db.QueryRow(ctx, `SELECT lang FROM owners WHERE telegram_user_id = $1`, telegramUserID).Scan(&lang)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: owner language: %w", err)
	}
	return lang, nil
}

// DeferUpdate records a failed attempt at a pending update that should be tried again (the
// database was briefly unavailable, a deadlock): the row stays pending, its attempts and reason
// are kept. It returns the attempts so far.
func DeferUpdate(ctx context.Context, db DB, updateID int64, reason string) (int, error) {
	var n int
	err := db.QueryRow(ctx, `
		UPDATE inbox SET attempts = attempts + 1, last_error = $2
		 WHERE update_id = $1 AND status = 'pending'
		RETURNING attempts`, updateID, reason).Scan(&n)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, ErrNotFound
	}
	if err != nil {
		return 0, fmt.Errorf("store: defer update %d: %w", updateID, err)
	}
	return n, nil
}
