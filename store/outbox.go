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
//
// The outbox holds only what is still to be sent: a sent message is deleted, a failed one moves to
// outbox_failed without its payload.
type OutboxMessage struct {
	ID, ChatID  int64
	Priority    int
	Payload     []byte
	DedupeKey   string
	NotBefore   time.Time
	LastError   string
	BroadcastID int64
	CreatedAt   time.Time
}

// Enqueue adds m to the outbox and returns its id. A zero NotBefore means now. When m.DedupeKey
// was queued before (even if long sent) nothing is added: inserted is false and id is 0.
func Enqueue(ctx context.Context, db DB, m OutboxMessage) (id int64, inserted bool, err error) {
	ids, err := EnqueueMany(ctx, db, []OutboxMessage{m})
	if err != nil || len(ids) == 0 {
		return 0, false, err
	}
	return ids[0], true, nil
}

// EnqueueMany adds msgs to the outbox in one statement, in their order (a chat's messages are
// sent in the order of their ids), and returns the ids of those added: a message whose dedupe key
// was queued before is left out, and a reminder or broadcast for an owner who blocked the bot goes
// straight to outbox_failed ("owner unreachable"): it would only earn another 403. Each message's queue (chat, priority) is created or told it has
// more to send in the same statement, so a message can never be stranded without its queue.
func EnqueueMany(ctx context.Context, db DB, msgs []OutboxMessage) ([]int64, error) {
	if len(msgs) == 0 {
		return nil, nil
	}
	args, err := enqueueArgs(msgs)
	if err != nil {
		return nil, err
	}
	rows, err := db.Query(ctx, enqueueSQL(""), args...)
	if err != nil {
		return nil, fmt.Errorf("store: enqueue %d messages: %w", len(msgs), err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("store: enqueue %d messages: %w", len(msgs), err)
	}
	return ids, nil
}

// enqueueArgs are the six array arguments of enqueueSQL ($1-$6).
func enqueueArgs(msgs []OutboxMessage) ([]any, error) {
	n := len(msgs)
	chats, prios := make([]int64, n), make([]int16, n)
	payloads, keys := make([][]byte, n), make([]string, n)
	notBefore, broadcasts := make([]*time.Time, n), make([]int64, n)
	seen := map[string]bool{}
	for i, m := range msgs {
		if len(m.Payload) == 0 {
			return nil, errors.New("store: enqueue: empty payload")
		}
		if m.Priority < PriorityReply || m.Priority > PriorityBroadcast {
			return nil, fmt.Errorf("store: enqueue: priority %d", m.Priority)
		}
		if m.DedupeKey != "" {
			if seen[m.DedupeKey] {
				return nil, fmt.Errorf("store: enqueue: dedupe key %q twice in one batch", m.DedupeKey)
			}
			seen[m.DedupeKey] = true
		}
		chats[i], prios[i], payloads[i], keys[i], broadcasts[i] = m.ChatID, int16(m.Priority), m.Payload, m.DedupeKey, m.BroadcastID
		if !m.NotBefore.IsZero() {
			t := m.NotBefore
			notBefore[i] = &t
		}
	}
	return []any{chats, prios, payloads, keys, notBefore, broadcasts}, nil
}

// enqueueSQL is the statement that enqueues: $1-$6 are enqueueArgs; extra is more CTEs (each
// starting with a comma) that run in the same statement. It returns the ids added.
func enqueueSQL(extra string) string {
	return `
		WITH input AS (
			SELECT * FROM unnest($1::bigint[], $2::smallint[], $3::bytea[], $4::text[], $5::timestamptz[], $6::bigint[])
				WITH ORDINALITY AS t(chat_id, priority, payload, dedupe_key, not_before, broadcast_id, ord)
		), keys AS (
			INSERT INTO outbox_keys (dedupe_key)
			SELECT dedupe_key FROM input WHERE dedupe_key <> ''
			ON CONFLICT DO NOTHING
			RETURNING dedupe_key
		), fresh AS (
			SELECT i.*, i.priority > 0 AND EXISTS (
				SELECT 1 FROM owners w WHERE w.chat_id = i.chat_id AND w.unreachable_at IS NOT NULL) AS unreachable
			FROM input i
			WHERE i.dedupe_key = '' OR i.dedupe_key IN (SELECT dedupe_key FROM keys)
		), refused AS (
			INSERT INTO outbox_failed (id, chat_id, priority, dedupe_key, broadcast_id, reason, created_at)
			SELECT nextval(pg_get_serial_sequence('outbox', 'id')), chat_id, priority, nullif(dedupe_key, ''),
				nullif(broadcast_id, 0), '` + reasonUnreachable + `', now()
			FROM fresh WHERE unreachable
		), added AS (
			INSERT INTO outbox (chat_id, priority, payload, dedupe_key, not_before, broadcast_id)
			SELECT chat_id, priority, payload, nullif(dedupe_key, ''), coalesce(not_before, now()), nullif(broadcast_id, 0)
			FROM fresh WHERE NOT unreachable
			ORDER BY ord
			RETURNING id, chat_id, priority, not_before
		), queued AS (
			INSERT INTO outbox_queues AS q (chat_id, priority, pending, not_before)
			SELECT chat_id, priority, count(*), (array_agg(not_before ORDER BY id))[1]
			FROM added GROUP BY chat_id, priority ORDER BY chat_id, priority
			ON CONFLICT (chat_id, priority) DO UPDATE SET pending = q.pending + excluded.pending
		)` + extra + `
		SELECT id FROM added ORDER BY id`
}

// OutboxForChat returns every message still queued for the chat, in the order they were enqueued.
func OutboxForChat(ctx context.Context, db DB, chatID int64) ([]OutboxMessage, error) {
	rows, err := db.Query(ctx, `
		SELECT id, chat_id, priority, payload, coalesce(dedupe_key, ''), not_before, coalesce(last_error, ''),
			coalesce(broadcast_id, 0), created_at
		FROM outbox WHERE chat_id = $1 ORDER BY id`, chatID)
	if err != nil {
		return nil, fmt.Errorf("store: outbox of chat %d: %w", chatID, err)
	}
	msgs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (OutboxMessage, error) {
		var m OutboxMessage
		err := r.Scan(&m.ID, &m.ChatID, &m.Priority, &m.Payload, &m.DedupeKey, &m.NotBefore, &m.LastError,
			&m.BroadcastID, &m.CreatedAt)
		return m, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: outbox of chat %d: %w", chatID, err)
	}
	return msgs, nil
}

// FailedOutbox is a message that will not be delivered.
type FailedOutbox struct {
	ID, ChatID  int64
	Priority    int
	DedupeKey   string
	BroadcastID int64
	Reason      string
	FailedAt    time.Time
}

// FailedOutboxForChat returns the chat's failed messages, oldest first.
func FailedOutboxForChat(ctx context.Context, db DB, chatID int64) ([]FailedOutbox, error) {
	rows, err := db.Query(ctx, `
		SELECT id, chat_id, priority, coalesce(dedupe_key, ''), coalesce(broadcast_id, 0), reason, failed_at
		FROM outbox_failed WHERE chat_id = $1 ORDER BY id`, chatID)
	if err != nil {
		return nil, fmt.Errorf("store: failed outbox of chat %d: %w", chatID, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (FailedOutbox, error) {
		var f FailedOutbox
		err := r.Scan(&f.ID, &f.ChatID, &f.Priority, &f.DedupeKey, &f.BroadcastID, &f.Reason, &f.FailedAt)
		return f, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: failed outbox of chat %d: %w", chatID, err)
	}
	return out, nil
}
