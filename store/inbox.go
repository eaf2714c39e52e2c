package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
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
	More       bool // NextPendingUpdate: the chat has another pending update after this one
}

// StoreUpdate keeps one update in the inbox before it is acknowledged to Telegram. It reports
// false, and changes nothing, when the update_id is already there (Telegram delivered it again).
func StoreUpdate(ctx context.Context, db DB, updateID, chatID int64, payload []byte, at time.Time) (bool, error) {
	added, err := StoreUpdates(ctx, db, []InboxUpdate{{UpdateID: updateID, ChatID: chatID, Payload: payload}}, at)
	return len(added) == 1, err
}

// StoreUpdates keeps a batch of updates in the inbox in one statement and returns the ones that
// were new (a redelivered update_id is ignored), in update order. The payload is kept as the bytes
// Telegram sent: nothing in it can make the statement fail. An update with no chat (ChatID 0) is
// stored as done: it is kept only so a redelivery is still recognised, there is nothing to
// dispatch.
func StoreUpdates(ctx context.Context, db DB, updates []InboxUpdate, at time.Time) ([]InboxUpdate, error) {
	if len(updates) == 0 {
		return nil, nil
	}
	ids, chats := make([]int64, len(updates)), make([]int64, len(updates))
	payloads := make([][]byte, len(updates))
	byID := make(map[int64]InboxUpdate, len(updates))
	for i, u := range updates {
		ids[i], chats[i], payloads[i] = u.UpdateID, u.ChatID, u.Payload
		byID[u.UpdateID] = u
	}
	rows, err := db.Query(ctx, `
		INSERT INTO inbox (update_id, chat_id, payload, status, received_at, handled_at)
		SELECT id, nullif(chat, 0), payload, CASE WHEN chat = 0 THEN 'done' ELSE 'pending' END, $4,
			CASE WHEN chat = 0 THEN $4::timestamptz END
		FROM unnest($1::bigint[], $2::bigint[], $3::bytea[]) AS t(id, chat, payload)
		ORDER BY id
		ON CONFLICT (update_id) DO NOTHING
		RETURNING update_id`, ids, chats, payloads, at)
	if err != nil {
		return nil, fmt.Errorf("store: keep %d updates: %w", len(updates), err)
	}
	added, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("store: keep %d updates: %w", len(updates), err)
	}
	slices.Sort(added)
	out := make([]InboxUpdate, 0, len(added))
	for _, id := range added {
		u := byID[id]
		u.ReceivedAt = at
		out = append(out, u)
	}
	return out, nil
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

// InboxGapBelow says whether an update id below updateID, within window ids of it, may still be
// on its way: the ids the inbox holds just below it are not contiguous up to it, or there are
// none at all. Telegram numbers a bot's updates one by one, so a hole means an update that was
// sent and has not arrived (or, rarely, one that never will: the caller bounds the wait).
//
// It also says true when an earlier update of the same chat is pending now: it arrived after the
// caller picked updateID as the chat's oldest (a statement's snapshot is taken when it starts,
// and a webhook post can commit an earlier update after a later one), so updateID must wait its
// turn.
func InboxGapBelow(ctx context.Context, db DB, chatID, updateID int64, window int) (bool, error) {
	var n, lowest int64
	var earlier bool
	err := db.QueryRow(ctx, `
		SELECT count(*), coalesce(min(update_id), 0),
			EXISTS (SELECT 1 FROM inbox WHERE chat_id = $3 AND status = 'pending' AND update_id < $1)
		FROM inbox WHERE update_id >= $1::bigint - $2::bigint AND update_id < $1`,
		updateID, window, chatID).Scan(&n, &lowest, &earlier)
	if err != nil {
		return false, fmt.Errorf("store: inbox below update %d: %w", updateID, err)
	}
	return n == 0 || n < updateID-lowest || earlier, nil
}

// NextPendingUpdate returns the chat's oldest pending update, locked for the rest of the
// transaction, or ErrNotFound when it has none; More says whether the chat has another pending
// update after it.
//
// The row lock is what keeps a chat's updates in order across dispatchers and instances: a second
// transaction asking for the chat's next update waits on this row, and once this one commits (the
// row is no longer pending) it moves on to the next row, never past an unfinished one.
func NextPendingUpdate(ctx context.Context, tx DB, chatID int64) (InboxUpdate, error) {
	var u InboxUpdate
	err := tx.QueryRow(ctx, `
		SELECT i.update_id, i.chat_id, i.payload, i.attempts, i.received_at,
			EXISTS (SELECT 1 FROM inbox n WHERE n.chat_id = i.chat_id AND n.status = 'pending' AND n.update_id > i.update_id)
		FROM inbox i
		WHERE i.chat_id = $1 AND i.status = 'pending'
		ORDER BY i.update_id LIMIT 1 FOR UPDATE OF i`, chatID).
		Scan(&u.UpdateID, &u.ChatID, &u.Payload, &u.Attempts, &u.ReceivedAt, &u.More)
	if errors.Is(err, pgx.ErrNoRows) {
		return InboxUpdate{}, ErrNotFound
	}
	if err != nil {
		return InboxUpdate{}, fmt.Errorf("store: next update of a chat: %w", err)
	}
	return u, nil
}

// FinishUpdate records in one statement that the update was handled and puts its messages in
// the outbox (see EnqueueMany).
func FinishUpdate(ctx context.Context, tx DB, updateID int64, msgs []OutboxMessage) error {
	if len(msgs) == 0 {
		return MarkHandled(ctx, tx, updateID)
	}
	args, err := enqueueArgs(msgs)
	if err != nil {
		return err
	}
	rows, err := tx.Query(ctx, enqueueSQL(`, done AS (
			UPDATE inbox SET status = 'done', attempts = attempts + 1, handled_at = now(), last_error = NULL
			WHERE update_id = $7)`), append(args, updateID)...)
	if err != nil {
		return fmt.Errorf("store: finish update %d: %w", updateID, err)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: finish update %d: %w", updateID, err)
	}
	return nil
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
