package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
)

// The delivery side of the outbox. A sender claims queues, not messages: one outbox_queues row per
// (chat, priority) with something to send. Claiming a queue leases it (its not_before moves to the
// end of the lease, which the sender renews while it works) and returns the queue's first messages,
// which the sender then sends in order and reports back with RecordOutbox. A claim reads only the
// front of the due-queue index, so its cost does not grow with what waits behind it: 200,000
// broadcast messages queued are 200,000 queue rows due at various times, and a claim of 50 reads
// about 50 of them.
//
// Per-chat order: a chat's messages of one priority are sent in id order, one claim at a time,
// because the queue row is the unit of claiming (FOR UPDATE SKIP LOCKED, then the lease). Across
// priorities there is no order: a reply does not wait for a broadcast row of the same chat.
//
// Claim tokens: every claim gives the queue a new token (a sequence). An outcome is applied to the
// queue only if the token still matches: a sender whose lease ran out (it was stopped for a long
// time, the database was unreachable) can still delete the messages it did send, but it can no
// longer move the queue that another sender now holds.

// asyncCommit is a condition that is always true and, evaluated once before the statement's scan
// (an uncorrelated scalar subquery), turns synchronous_commit off for the statement's own
// transaction: a statement run outside a transaction then commits without waiting for its WAL to
// reach the disk. For writes whose loss in a crash of PostgreSQL is harmless (a lease).
const asyncCommit = `(SELECT set_config('synchronous_commit', 'off', true)) = 'off'`

// QueueKey names one queue: a chat and a priority.
type QueueKey struct {
	ChatID   int64
	Priority int
}

// ClaimedQueue is one claimed queue with its first messages, oldest first. Attempts counts the
// claims of its first message so far, this one included.
type ClaimedQueue struct {
	QueueKey
	Claim    int64
	Attempts int
	Pending  int // messages in the queue when it was claimed
	Messages []OutboxMessage
}

// ClaimOptions say what to claim.
type ClaimOptions struct {
	// MinPriority and MaxPriority bound the priorities claimed (replies only: 0 and 0).
	MinPriority, MaxPriority int
	// Limit is how many queues to claim at most.
	Limit int
	// Lease is how long the claimed queues are this sender's before another may take them.
	Lease time.Duration
	// PerReplyQueue is how many messages of a reply queue come with its claim (sent back to
	// back); reminder and broadcast queues give one message a claim, paced per chat.
	PerReplyQueue int
	// Held are queues this sender holds already (claimed, not yet recorded): never claimed again
	// by it, even if their lease ran out while, say, the database was unreachable.
	Held []QueueKey
}

// ClaimOutbox claims up to opts.Limit due queues, replies before reminders before broadcasts and
// each priority by due time, skipping queues another sender is claiming this instant.
func ClaimOutbox(ctx context.Context, db DB, now time.Time, opts ClaimOptions) ([]ClaimedQueue, error) {
	if opts.Limit <= 0 {
		return nil, nil
	}
	heldChats, heldPrios := make([]int64, len(opts.Held)), make([]int16, len(opts.Held))
	for i, k := range opts.Held {
		heldChats[i], heldPrios[i] = k.ChatID, int16(k.Priority)
	}
	// The claim commits without waiting for the WAL flush (synchronous_commit off for its own
	// transaction, set by the statement itself): a claim lost in a crash of PostgreSQL costs
	// nothing but the lease, and claims are frequent, so waiting for each one's fsync would cost
	// every reply a disk flush. What was sent is recorded with durable commits (RecordOutbox).
	rows, err := db.Query(ctx, `
		WITH due AS (
			SELECT chat_id, priority FROM outbox_queues
			WHERE `+asyncCommit+` AND priority BETWEEN $1 AND $2 AND not_before <= $3
			  AND (chat_id, priority) NOT IN (SELECT * FROM unnest($7::bigint[], $8::smallint[]))
			ORDER BY priority, not_before
			LIMIT $4
			FOR UPDATE SKIP LOCKED
		), claimed AS (
			UPDATE outbox_queues q SET not_before = $5, claim = nextval('outbox_claim_seq'), attempts = q.attempts + 1
			FROM due WHERE q.chat_id = due.chat_id AND q.priority = due.priority
			RETURNING q.chat_id, q.priority, q.claim, q.attempts, q.pending
		)
		SELECT c.chat_id, c.priority, c.claim, c.attempts, c.pending,
			coalesce(m.id, 0), coalesce(m.payload, ''::bytea), coalesce(m.dedupe_key, ''), coalesce(m.not_before, $3),
			coalesce(m.last_error, ''), coalesce(m.broadcast_id, 0), coalesce(m.created_at, $3)
		FROM claimed c LEFT JOIN LATERAL (
			SELECT o.id, o.payload, o.dedupe_key, o.not_before, o.last_error, o.broadcast_id, o.created_at
			FROM outbox o WHERE o.chat_id = c.chat_id AND o.priority = c.priority
			ORDER BY o.id LIMIT CASE WHEN c.priority = 0 THEN $6 ELSE 1 END
		) m ON true
		ORDER BY c.priority, c.chat_id, m.id`,
		opts.MinPriority, opts.MaxPriority, now, opts.Limit, now.Add(opts.Lease), max(1, opts.PerReplyQueue),
		heldChats, heldPrios)
	if err != nil {
		return nil, fmt.Errorf("store: claim outbox: %w", err)
	}
	defer rows.Close()
	var out []ClaimedQueue
	for rows.Next() {
		var q ClaimedQueue
		var m OutboxMessage
		if err := rows.Scan(&q.ChatID, &q.Priority, &q.Claim, &q.Attempts, &q.Pending, &m.ID, &m.Payload, &m.DedupeKey,
			&m.NotBefore, &m.LastError, &m.BroadcastID, &m.CreatedAt); err != nil {
			return nil, fmt.Errorf("store: claim outbox: %w", err)
		}
		if n := len(out); n == 0 || out[n-1].QueueKey != q.QueueKey {
			out = append(out, q)
		}
		if m.ID != 0 {
			m.ChatID, m.Priority = q.ChatID, q.Priority
			last := &out[len(out)-1]
			last.Messages = append(last.Messages, m)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: claim outbox: %w", err)
	}
	// Claims go in (priority, due) order; the statement returns them by chat, which is as good
	// for the sender: it orders what it holds by priority and id.
	return out, nil
}

// QueueNext says what becomes of a claimed queue once its outcome is recorded.
type QueueNext int

const (
	// QueueDone: the claim is over; the queue's next message is due at its own time, but not
	// before At (a bulk queue's per-chat gap).
	QueueDone QueueNext = iota
	// QueueRetry: the first unsent message failed for a passing reason; try again at At. The
	// attempt counts.
	QueueRetry
	// QueueRelease: nothing was tried (the sender stopped, Telegram asked the bot to wait); due
	// again at At. The attempt does not count.
	QueueRelease
)

// QueueOutcome is what became of one claimed queue.
type QueueOutcome struct {
	QueueKey
	Claim int64
	// Sent are the ids Telegram accepted: they leave the outbox.
	Sent []int64
	// FailedID, when not 0, is a message that will never be delivered (FailReason says why):
	// it moves to outbox_failed.
	FailedID   int64
	FailReason string
	Next       QueueNext
	At         time.Time
	// HeadID is the queue's first unsent message, which Reason and Progress belong to.
	HeadID int64
	// Reason is recorded on HeadID for a retry (never the message text).
	Reason string
	// Progress, when set, is HeadID's new payload (how far a message of several parts got).
	Progress []byte
	// Empty: the claim found the queue without messages (its count was off); the pending count
	// it saw is taken off, so that the queue goes.
	Empty bool
	// SeenPending is ClaimedQueue.Pending, for Empty.
	SeenPending int
	// Unreachable, when not "", is Telegram's 403 for the chat: once the rest is recorded, the
	// owner is marked unreachable and everything queued for the chat fails with this reason.
	Unreachable string
	// Refs are the messages sent with a name (flows.Reply.Ref), kept for later edits.
	Refs []MessageRef
}

// RecordOutbox applies the outcomes of claimed queues in one implicit transaction and one round
// trip: sent messages are deleted, failed ones moved to outbox_failed, each queue's count, due time
// and attempts set, emptied queues deleted. An outcome whose claim token no longer matches (another
// sender took the queue after this one's lease ran out) still deletes what was sent and moves what
// failed, but leaves the queue's timing to its new holder.
func RecordOutbox(ctx context.Context, db DB, outcomes []QueueOutcome) error {
	if len(outcomes) == 0 {
		return nil
	}
	// Rows are locked in (chat, priority) order, as everywhere else, so that two writers of
	// several queues wait for each other rather than deadlock.
	outcomes = slices.Clone(outcomes)
	slices.SortFunc(outcomes, func(a, b QueueOutcome) int {
		if c := cmp.Compare(a.ChatID, b.ChatID); c != 0 {
			return c
		}
		return cmp.Compare(a.Priority, b.Priority)
	})
	var sent, sentBulk, failIDs []int64
	var failReasons []string
	var chats, claims []int64
	var prios []int16
	var kinds []string
	var ats []time.Time
	var empties []int32
	var noteIDs []int64
	var noteReasons []*string
	var notePayloads [][]byte
	for _, o := range outcomes {
		sent = append(sent, o.Sent...)
		if o.Priority == PriorityBroadcast {
			sentBulk = append(sentBulk, o.Sent...)
		}
		if o.FailedID != 0 {
			failIDs = append(failIDs, o.FailedID)
			failReasons = append(failReasons, outboxReason(o.FailReason))
		}
		kind := "done"
		switch o.Next {
		case QueueRetry:
			kind = "retry"
		case QueueRelease:
			kind = "release"
		}
		chats, prios, claims, kinds, ats = append(chats, o.ChatID), append(prios, int16(o.Priority)), append(claims, o.Claim),
			append(kinds, kind), append(ats, o.At)
		empty := int32(0)
		if o.Empty {
			empty = int32(o.SeenPending)
		}
		empties = append(empties, empty)
		if o.FailedID == 0 && (o.Reason != "" || o.Progress != nil) {
			if id := o.HeadID; id != 0 {
				var r *string
				if o.Reason != "" {
					s := outboxReason(o.Reason)
					r = &s
				}
				noteIDs, noteReasons, notePayloads = append(noteIDs, id), append(noteReasons, r), append(notePayloads, o.Progress)
			}
		}
	}
	b := &pgx.Batch{}
	if len(noteIDs) > 0 {
		b.Queue(`
			UPDATE outbox o SET last_error = coalesce(n.reason, o.last_error), payload = coalesce(n.payload, o.payload)
			FROM unnest($1::bigint[], $2::text[], $3::bytea[]) AS n(id, reason, payload) WHERE o.id = n.id`,
			noteIDs, noteReasons, notePayloads)
	}
	b.Queue(`
		WITH sent AS (
			DELETE FROM outbox WHERE id = ANY($1::bigint[]) RETURNING id, chat_id, priority
		), failed AS (
			DELETE FROM outbox o USING unnest($2::bigint[], $3::text[]) AS f(id, reason) WHERE o.id = f.id
			RETURNING o.id, o.chat_id, o.priority, o.dedupe_key, o.broadcast_id, o.created_at, f.reason
		), moved AS (
			INSERT INTO outbox_failed (id, chat_id, priority, dedupe_key, broadcast_id, reason, created_at)
			SELECT id, chat_id, priority, dedupe_key, broadcast_id, reason, created_at FROM failed
		), gone AS (
			SELECT chat_id, priority, count(*) AS n, max(id) AS last
			FROM (SELECT id, chat_id, priority FROM sent UNION ALL SELECT id, chat_id, priority FROM failed) g
			GROUP BY chat_id, priority
		), outcome AS (
			SELECT * FROM unnest($4::bigint[], $5::smallint[], $6::bigint[], $7::text[], $8::timestamptz[], $9::int[])
				AS t(chat_id, priority, claim, kind, at, empty)
		)
		UPDATE outbox_queues q SET
			pending = greatest(q.pending - coalesce(g.n, 0) - t.empty, 0),
			not_before = CASE
				WHEN q.claim <> t.claim THEN q.not_before
				WHEN t.kind = 'done' THEN greatest(t.at, coalesce((
					SELECT o.not_before FROM outbox o
					WHERE o.chat_id = q.chat_id AND o.priority = q.priority AND o.id > coalesce(g.last, 0)
					ORDER BY o.id LIMIT 1), t.at))
				ELSE t.at END,
			attempts = CASE
				WHEN q.claim <> t.claim THEN q.attempts
				WHEN t.kind = 'done' THEN 0
				WHEN t.kind = 'retry' THEN CASE WHEN g.n > 0 THEN 1 ELSE q.attempts END
				ELSE CASE WHEN g.n > 0 THEN 0 ELSE greatest(q.attempts - 1, 0) END END
		FROM outcome t LEFT JOIN gone g ON g.chat_id = t.chat_id AND g.priority = t.priority
		WHERE q.chat_id = t.chat_id AND q.priority = t.priority`,
		sent, failIDs, failReasons, chats, prios, claims, kinds, ats, empties)
	b.Queue(`
		DELETE FROM outbox_queues q USING unnest($1::bigint[], $2::smallint[]) AS t(chat_id, priority)
		WHERE q.chat_id = t.chat_id AND q.priority = t.priority AND q.pending = 0`, chats, prios)
	if len(sentBulk) > 0 {
		// A broadcast cancelled while this sender held one of its messages: the cancel filed it
		// as cancelled, but Telegram took it, so it counts as delivered in the report.
		b.Queue(`DELETE FROM outbox_failed WHERE id = ANY($1::bigint[]) AND reason = $2`, sentBulk, reasonCancelled)
	}
	queueMessageRefs(b, outcomes)
	if err := db.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("store: record %d outbox outcomes: %w", len(outcomes), err)
	}
	for _, o := range outcomes {
		if o.Unreachable != "" {
			if _, err := FailUnreachableChat(ctx, db, o.ChatID, o.At, o.Unreachable); err != nil {
				return err
			}
		}
	}
	return nil
}

// RenewOutboxLeases extends the lease of queues this sender holds to until; a queue whose claim
// changed (or that is gone) is left alone, and so is one whose row is locked this instant (its
// outcome is being recorded, or a message enqueued): waiting for it could deadlock with the
// recorder, and the next renewal comes a third of a lease later. It returns how many were renewed.
func RenewOutboxLeases(ctx context.Context, db DB, held []ClaimedQueue, until time.Time) (int64, error) {
	if len(held) == 0 {
		return 0, nil
	}
	chats, prios, claims := make([]int64, len(held)), make([]int16, len(held)), make([]int64, len(held))
	for i, q := range held {
		chats[i], prios[i], claims[i] = q.ChatID, int16(q.Priority), q.Claim
	}
	tag, err := db.Exec(ctx, `
		UPDATE outbox_queues q SET not_before = $4
		WHERE (q.chat_id, q.priority) IN (
			SELECT l.chat_id, l.priority FROM outbox_queues l
			JOIN unnest($1::bigint[], $2::smallint[], $3::bigint[]) AS t(chat_id, priority, claim)
				ON l.chat_id = t.chat_id AND l.priority = t.priority AND l.claim = t.claim
			WHERE `+asyncCommit+`
			FOR UPDATE OF l SKIP LOCKED)`,
		chats, prios, claims, until)
	if err != nil {
		return 0, fmt.Errorf("store: renew %d outbox leases: %w", len(held), err)
	}
	return tag.RowsAffected(), nil
}

// dropOutbox moves the queued messages that cond selects (a condition on outbox o, with args
// from $2 on) to outbox_failed with reason, keeps their queues' counts right and deletes the
// queues it emptied. It returns how many messages it moved. Give it a transaction to make it
// atomic; without one it is still safe, only not all-or-nothing.
func dropOutbox(ctx context.Context, db DB, reason, cond string, args ...any) (int64, error) {
	rows, err := db.Query(ctx, `
		WITH gone AS (
			DELETE FROM outbox o WHERE `+cond+`
			RETURNING o.id, o.chat_id, o.priority, o.dedupe_key, o.broadcast_id, o.created_at
		), moved AS (
			INSERT INTO outbox_failed (id, chat_id, priority, dedupe_key, broadcast_id, reason, created_at)
			SELECT id, chat_id, priority, dedupe_key, broadcast_id, $1, created_at FROM gone
		), counts AS (
			SELECT chat_id, priority, count(*) AS n FROM gone GROUP BY chat_id, priority
		)
		UPDATE outbox_queues q SET pending = greatest(q.pending - counts.n, 0)
		FROM counts WHERE q.chat_id = counts.chat_id AND q.priority = counts.priority
		RETURNING q.chat_id, q.priority, counts.n`, append([]any{outboxReason(reason)}, args...)...)
	if err != nil {
		return 0, fmt.Errorf("store: drop outbox messages: %w", err)
	}
	var chats []int64
	var prios []int16
	var total int64
	for rows.Next() {
		var c, n int64
		var p int16
		if err := rows.Scan(&c, &p, &n); err != nil {
			rows.Close()
			return 0, fmt.Errorf("store: drop outbox messages: %w", err)
		}
		chats, prios, total = append(chats, c), append(prios, p), total+n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("store: drop outbox messages: %w", err)
	}
	if len(chats) == 0 {
		return 0, nil
	}
	// A queue emptied here goes; one that got a message meanwhile has pending > 0 when this
	// DELETE gets to its row (the enqueue locked and counted it), and stays.
	if _, err := db.Exec(ctx, `
		DELETE FROM outbox_queues q USING unnest($1::bigint[], $2::smallint[]) AS t(chat_id, priority)
		WHERE q.chat_id = t.chat_id AND q.priority = t.priority AND q.pending = 0`, chats, prios); err != nil {
		return 0, fmt.Errorf("store: drop emptied outbox queues: %w", err)
	}
	return total, nil
}

// FailChatOutbox fails every queued message of the chat (Telegram answered 403: the owner blocked
// the bot or deleted their account) and returns how many.
func FailChatOutbox(ctx context.Context, db DB, chatID int64, reason string) (int64, error) {
	return dropOutbox(ctx, db, reason, `o.chat_id = $2`, chatID)
}

// DropChatOutbox removes every message still queued for the chat (the owner asked for their data
// to be deleted: payloads may hold their name and phone) and returns how many. Only the reason is
// kept, in outbox_failed.
func DropChatOutbox(ctx context.Context, db DB, chatID int64) (int64, error) {
	return dropOutbox(ctx, db, "dropped: the owner's data was deleted", `o.chat_id = $2`, chatID)
}

// DropBroadcastOutbox removes every message of the broadcast still queued (staff cancelled it)
// and returns how many; each is kept in outbox_failed as "cancelled", which the report counts.
func DropBroadcastOutbox(ctx context.Context, db DB, broadcastID int64) (int64, error) {
	return dropOutbox(ctx, db, reasonCancelled, `o.broadcast_id = $2`, broadcastID)
}

// FailUnreachableOutbox fails the messages queued for owners who blocked the bot: reminders and
// broadcasts queued after the 403, and anything queued before it. A reply queued after it exists
// only because the owner wrote again, so it stays. It returns how many were failed.
func FailUnreachableOutbox(ctx context.Context, db DB) (int64, error) {
	return dropOutbox(ctx, db, reasonUnreachable, `o.chat_id IN (
			SELECT q.chat_id FROM outbox_queues q JOIN owners w ON w.chat_id = q.chat_id
			WHERE w.unreachable_at IS NOT NULL)
		AND EXISTS (SELECT 1 FROM owners w WHERE w.chat_id = o.chat_id AND w.unreachable_at IS NOT NULL
			AND (o.priority > 0 OR o.created_at <= w.unreachable_at))`)
}

// FailUnreachableChat handles Telegram's 403 for a chat (the owner blocked the bot or deleted
// their account): the owner is marked unreachable at at, and every queued message of the chat is
// failed with reason. Give it a transaction so both happen together. It returns how many messages
// were failed.
func FailUnreachableChat(ctx context.Context, db DB, chatID int64, at time.Time, reason string) (int64, error) {
	if err := MarkOwnerUnreachable(ctx, db, chatID, at); err != nil {
		return 0, err
	}
	return FailChatOutbox(ctx, db, chatID, reason)
}

// PendingOutboxByPriority counts queued messages by priority, for the queue depth gauge. It reads
// the queues, not the messages.
func PendingOutboxByPriority(ctx context.Context, db DB) (map[int]int, error) {
	rows, err := db.Query(ctx, `SELECT priority, sum(pending) FROM outbox_queues GROUP BY priority`)
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

// PruneOutboxHistory deletes failed-message records, dedupe keys and message refs older than
// before, in batches as the other prunes do (pruneBatches), and returns how many went. A dedupe key must outlive the time its job could decide
// the same message again; the window is the caller's.
func PruneOutboxHistory(ctx context.Context, db DB, before time.Time, batch int) (int64, error) {
	// A broadcast's report is counted from outbox_failed: keep it before its rows go.
	if _, err := FreezeBroadcastReports(ctx, db); err != nil {
		return 0, err
	}
	var total int64
	for _, q := range []struct{ what, stmt string }{
		{"outbox history", `DELETE FROM outbox_failed WHERE id IN (SELECT id FROM outbox_failed WHERE failed_at < $1 LIMIT $2)`},
		{"outbox keys", `DELETE FROM outbox_keys WHERE dedupe_key IN (SELECT dedupe_key FROM outbox_keys WHERE created_at < $1 LIMIT $2)`},
		{"message refs", `DELETE FROM message_refs WHERE (chat_id, ref) IN (SELECT chat_id, ref FROM message_refs WHERE updated_at < $1 LIMIT $2)
			AND updated_at < $1`},
	} {
		n, err := pruneBatches(ctx, db, q.what, batch, q.stmt, before)
		total += n
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// outboxReason keeps an error text to a size fit for a column.
func outboxReason(s string) string {
	if len(s) > 2000 {
		return s[:2000]
	}
	return s
}
