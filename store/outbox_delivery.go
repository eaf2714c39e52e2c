package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
)

// The delivery side of the outbox: the Sender claims due rows, sends them, and records what
// became of each. Names carry "Outbox" because the inbox has its own MarkFailed.

// ClaimOutbox claims up to limit due rows for sending: pending, not_before <= now, replies before
// reminders before broadcasts. Claiming is a lease, not a lock held during the send: each
// claimed row gets not_before = now + lease and one more attempt, and the transaction commits at
// once. If this process dies mid-send, the row is due again when the lease runs out and another
// instance (or this one, restarted) sends it; rows are never "in flight" forever.
//
// Per-chat order. Only the head of each chat's queue is claimable: a row is claimed only when
// no older pending row of the same chat and priority exists. A claimed row stays pending (with
// its lease as not_before) until it is marked, so while it is being sent, or waits out a retry
// backoff, it keeps blocking the chat's later rows; the next row becomes the head only once the
// earlier one is sent or failed. Across priorities there is no order: a reply does not wait for
// a broadcast row of the same chat that is queued behind 50,000 others.
//
// Why that is safe with several instances: FOR UPDATE SKIP LOCKED makes each row go to one
// claimer. When instance B computes the heads while A's claim of chat X's head is not yet
// committed, B sees that same row as the head (never the row after it), and skips it as locked;
// when A has committed, B's lock re-checks the row's new version (not_before in the future) and
// skips it too, and B's next snapshot sees the leased head still pending, so the later rows stay
// blocked. The one assumption is that a chat's rows get their ids in commit order, which holds
// because a chat's updates are handled one at a time (the dispatcher's per-chat lock).
//
// Rows are taken in (priority, not_before, id) order, which is the order of the pending index,
// so a claim reads only the front of the queue, not all 50,000 rows of a broadcast. For rows
// enqueued to go now, not_before order is id order; a row coming back from a retry backoff takes
// its turn by the time it became due.
//
// How the head test is written matters for speed. It is a scalar subquery (always evaluated per
// candidate, never turned into a join over the whole table), and it says status NOT IN ('sent',
// 'failed') rather than = 'pending' so that it can only use the (chat_id, id) index: right after
// a broadcast is enqueued, before autovacuum has analyzed the table, the planner would otherwise
// pick the pending index and scan every pending row of the priority for each candidate
// (quadratic: seconds per claim at 50,000 rows). A partial index on (chat_id, priority, id)
// WHERE status = 'pending' would make it exact (a migration to add).
//
// Chats whose owner is unreachable (Telegram answered 403) are skipped, except for replies
// created after unreachable_at: those exist only because the owner wrote to us again. Owners
// are matched by telegram_user_id, the indexed key (a private chat's id is its user's id).
func ClaimOutbox(ctx context.Context, db DB, now time.Time, limit int, lease time.Duration) ([]OutboxMessage, error) {
	rows, err := db.Query(ctx, `
		WITH claimed AS (
			SELECT o.id FROM outbox o
			WHERE o.status = 'pending' AND o.not_before <= $1
			  AND o.id = (
				SELECT min(e.id) FROM outbox e
				WHERE e.chat_id = o.chat_id AND e.priority = o.priority AND e.status NOT IN ('sent', 'failed'))
			  AND NOT EXISTS (
				SELECT 1 FROM owners w
				WHERE w.telegram_user_id = o.chat_id AND w.chat_id = o.chat_id AND w.unreachable_at IS NOT NULL
				  AND (o.priority > 0 OR o.created_at <= w.unreachable_at))
			ORDER BY o.priority, o.not_before, o.id
			LIMIT $2
			FOR UPDATE OF o SKIP LOCKED
		)
		UPDATE outbox o SET not_before = $3, attempts = o.attempts + 1
		FROM claimed WHERE o.id = claimed.id
		RETURNING `+outboxColumns("o"), now, limit, now.Add(lease))
	if err != nil {
		return nil, fmt.Errorf("store: claim outbox: %w", err)
	}
	msgs, err := pgx.CollectRows(rows, scanOutboxMessage)
	if err != nil {
		return nil, fmt.Errorf("store: claim outbox: %w", err)
	}
	// UPDATE … RETURNING gives no order; the sender wants the claim order.
	sortOutbox(msgs)
	return msgs, nil
}

// outboxColumns is the column list scanOutboxMessage reads, qualified by alias.
func outboxColumns(alias string) string {
	a := alias + "."
	return a + "id, " + a + "chat_id, " + a + "priority, " + a + "payload, coalesce(" + a + "dedupe_key, ''), " +
		a + "status, " + a + "attempts, " + a + "not_before, coalesce(" + a + "last_error, ''), coalesce(" +
		a + "broadcast_id, 0), " + a + "created_at, " + a + "sent_at"
}

func scanOutboxMessage(row pgx.CollectableRow) (OutboxMessage, error) {
	var m OutboxMessage
	err := row.Scan(&m.ID, &m.ChatID, &m.Priority, &m.Payload, &m.DedupeKey, &m.Status, &m.Attempts, &m.NotBefore,
		&m.LastError, &m.BroadcastID, &m.CreatedAt, &m.SentAt)
	return m, err
}

func sortOutbox(msgs []OutboxMessage) {
	slices.SortFunc(msgs, func(a, b OutboxMessage) int {
		if c := cmp.Compare(a.Priority, b.Priority); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
}

// MarkOutboxSent records that the row was delivered.
func MarkOutboxSent(ctx context.Context, db DB, id int64, at time.Time) error {
	if _, err := db.Exec(ctx, `
		UPDATE outbox SET status = 'sent', sent_at = $2, last_error = NULL WHERE id = $1 AND status = 'pending'`,
		id, at); err != nil {
		return fmt.Errorf("store: mark outbox %d sent: %w", id, err)
	}
	return nil
}

// MarkOutboxFailed records that the row will not be delivered, and why (Telegram's description
// or our own words; never the message text).
func MarkOutboxFailed(ctx context.Context, db DB, id int64, reason string) error {
	if _, err := db.Exec(ctx, `
		UPDATE outbox SET status = 'failed', last_error = $2 WHERE id = $1 AND status = 'pending'`,
		id, outboxReason(reason)); err != nil {
		return fmt.Errorf("store: mark outbox %d failed: %w", id, err)
	}
	return nil
}

// RescheduleOutbox puts a row back to be tried again at notBefore, after a failed attempt: the
// attempt the claim counted stays counted.
func RescheduleOutbox(ctx context.Context, db DB, id int64, notBefore time.Time, reason string) error {
	if _, err := db.Exec(ctx, `
		UPDATE outbox SET not_before = $2, last_error = $3 WHERE id = $1 AND status = 'pending'`,
		id, notBefore, outboxReason(reason)); err != nil {
		return fmt.Errorf("store: reschedule outbox %d: %w", id, err)
	}
	return nil
}

// ReleaseOutbox gives claimed rows back unsent, due at notBefore, and takes back the attempt
// their claim counted: nothing was tried (the sender stopped, or Telegram asked the whole bot
// to wait).
func ReleaseOutbox(ctx context.Context, db DB, ids []int64, notBefore time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	if _, err := db.Exec(ctx, `
		UPDATE outbox SET not_before = $2, attempts = greatest(attempts - 1, 0)
		WHERE id = ANY($1) AND status = 'pending'`, ids, notBefore); err != nil {
		return fmt.Errorf("store: release %d outbox rows: %w", len(ids), err)
	}
	return nil
}

// SetOutboxPayload replaces a pending row's payload: the sender records there how far a
// message of several parts got, so that a retry does not send the first parts twice.
func SetOutboxPayload(ctx context.Context, db DB, id int64, payload []byte) error {
	if _, err := db.Exec(ctx, `UPDATE outbox SET payload = $2 WHERE id = $1 AND status = 'pending'`, id, payload); err != nil {
		return fmt.Errorf("store: update outbox %d payload: %w", id, err)
	}
	return nil
}

// FailChatOutbox fails every pending row of the chat (Telegram answered 403: the owner blocked
// the bot or deleted their account) and returns how many.
func FailChatOutbox(ctx context.Context, db DB, chatID int64, reason string) (int64, error) {
	tag, err := db.Exec(ctx, `
		UPDATE outbox SET status = 'failed', last_error = $2 WHERE chat_id = $1 AND status = 'pending'`,
		chatID, outboxReason(reason))
	if err != nil {
		return 0, fmt.Errorf("store: fail outbox of chat %d: %w", chatID, err)
	}
	return tag.RowsAffected(), nil
}

// FailUnreachableOutbox fails the pending rows that ClaimOutbox skips because their owner is
// unreachable (reminders and broadcasts queued after the 403), so that they do not sit in the
// queue and its depth gauge for ever. It returns how many.
func FailUnreachableOutbox(ctx context.Context, db DB) (int64, error) {
	tag, err := db.Exec(ctx, `
		UPDATE outbox o SET status = 'failed', last_error = 'owner unreachable'
		FROM owners w
		WHERE w.unreachable_at IS NOT NULL AND w.chat_id = o.chat_id AND o.status = 'pending'
		  AND (o.priority > 0 OR o.created_at <= w.unreachable_at)`)
	if err != nil {
		return 0, fmt.Errorf("store: fail outbox of unreachable owners: %w", err)
	}
	return tag.RowsAffected(), nil
}

// PendingOutboxByPriority counts pending rows by priority, for the queue depth gauge.
func PendingOutboxByPriority(ctx context.Context, db DB) (map[int]int, error) {
	rows, err := db.Query(ctx, `SELECT priority, count(*) FROM outbox WHERE status = 'pending' GROUP BY priority`)
	if err != nil {
		return nil, fmt.Errorf("store: outbox depth: %w", err)
	}
	defer rows.Close()
	out := map[int]int{}
	for rows.Next() {
		var p, n int
		if err := rows.Scan(&p, &n); err != nil {
			return nil, fmt.Errorf("store: outbox depth: %w", err)
		}
		out[p] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: outbox depth: %w", err)
	}
	return out, nil
}

// FailUnreachableChat handles Telegram's 403 for a chat (the owner blocked the bot or deleted
// their account): the owner is marked unreachable at at, and every pending row of the chat is
// failed with reason. Give it a transaction so both happen together. It returns how many rows
// were failed.
func FailUnreachableChat(ctx context.Context, db DB, chatID int64, at time.Time, reason string) (int64, error) {
	if err := MarkOwnerUnreachable(ctx, db, chatID, at); err != nil {
		return 0, err
	}
	return FailChatOutbox(ctx, db, chatID, reason)
}

// outboxReason keeps an error text to a size fit for a column.
func outboxReason(s string) string {
	if len(s) > 2000 {
		return s[:2000]
	}
	return s
}
