package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Outbox priorities: replies to people chatting now go first, broadcasts last.
const (
	PriorityReply     = 0
	PriorityReminder  = 1
	PriorityBroadcast = 2
)

// OutboxMessage is one message the bot is to send (every message is an outbox row first).
// Payload is the JSON that package bot renders into a Bot API call. DedupeKey, when not "", makes
// the message exactly-once (a reminder decided by several instances). BroadcastID is 0 when the
// message is not part of a broadcast.
type OutboxMessage struct {
	ID, ChatID  int64
	Priority    int
	Payload     []byte
	DedupeKey   string
	Status      string // pending, sent, failed
	Attempts    int
	NotBefore   time.Time
	LastError   string
	BroadcastID int64
	CreatedAt   time.Time
	SentAt      *time.Time
}

// Enqueue adds m to the outbox and returns its id. Zero values take the defaults: status
// "pending", NotBefore and CreatedAt now. When m.DedupeKey is already in the outbox nothing is
// added: inserted is false and id is the existing row's.
func Enqueue(ctx context.Context, db DB, m OutboxMessage) (id int64, inserted bool, err error) {
	if len(m.Payload) == 0 {
		return 0, false, errors.New("store: enqueue: empty payload")
	}
	err = db.QueryRow(ctx, `
		INSERT INTO outbox (chat_id, priority, payload, dedupe_key, status, attempts, not_before, last_error, broadcast_id,
			created_at, sent_at)
		VALUES ($1, $2, $3, nullif($4, ''), coalesce(nullif($5, ''), 'pending'), $6, coalesce($7, now()), nullif($8, ''),
			nullif($9::bigint, 0), coalesce($10, now()), $11)
		ON CONFLICT (dedupe_key) DO NOTHING
		RETURNING id`,
		m.ChatID, m.Priority, m.Payload, m.DedupeKey, m.Status, m.Attempts, timeOrNil(m.NotBefore), m.LastError,
		m.BroadcastID, timeOrNil(m.CreatedAt), m.SentAt).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		// A conflict on dedupe_key: the message was already decided. (A conflicting insert still in
		// flight was waited for, so the row is visible now unless that transaction rolled back.)
		err = db.QueryRow(ctx, `SELECT id FROM outbox WHERE dedupe_key = $1`, m.DedupeKey).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			return 0, false, nil
		}
		if err != nil {
			return 0, false, fmt.Errorf("store: enqueue %q: %w", m.DedupeKey, err)
		}
		return id, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("store: enqueue for chat %d: %w", m.ChatID, err)
	}
	return id, true, nil
}

// OutboxForChat returns every outbox message of the chat, in the order they were enqueued.
func OutboxForChat(ctx context.Context, db DB, chatID int64) ([]OutboxMessage, error) {
	rows, err := db.Query(ctx, `
		SELECT id, chat_id, priority, payload, coalesce(dedupe_key, ''), status, attempts, not_before,
			coalesce(last_error, ''), coalesce(broadcast_id, 0), created_at, sent_at
		FROM outbox WHERE chat_id = $1 ORDER BY id`, chatID)
	if err != nil {
		return nil, fmt.Errorf("store: outbox of chat %d: %w", chatID, err)
	}
	msgs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (OutboxMessage, error) {
		var m OutboxMessage
		err := r.Scan(&m.ID, &m.ChatID, &m.Priority, &m.Payload, &m.DedupeKey, &m.Status, &m.Attempts, &m.NotBefore,
			&m.LastError, &m.BroadcastID, &m.CreatedAt, &m.SentAt)
		return m, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: outbox of chat %d: %w", chatID, err)
	}
	return msgs, nil
}
