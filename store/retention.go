package store

import (
	"context"
	"fmt"
	"time"
)

// Retention: the rows that have served their purpose are deleted after a window (bot.Housekeeper
// runs these hourly). Each function deletes in batches of at most batch rows a statement
// (DefaultPruneBatch when batch <= 0), so a large backlog never holds a long lock; given the pool,
// each batch commits on its own. Each returns how many rows it removed. A row changed while it is
// being pruned is judged again as it is now (the condition is repeated on the row the statement
// locks), so nothing younger than its window is ever removed.

// DefaultPruneBatch is how many rows one pruning statement removes at most.
const DefaultPruneBatch = 10_000

// PruneLookups deletes status lookups made before olderThan: they only count towards the
// lookups-per-hour limit.
func PruneLookups(ctx context.Context, db DB, olderThan time.Time, batch int) (int64, error) {
	return pruneBatches(ctx, db, "lookups", batch, `
		DELETE FROM lookups WHERE id IN (SELECT id FROM lookups WHERE at < $1 LIMIT $2) AND at < $1`, olderThan)
}

// PruneAudit deletes audit_log entries written before olderThan.
func PruneAudit(ctx context.Context, db DB, olderThan time.Time, batch int) (int64, error) {
	return pruneBatches(ctx, db, "audit log", batch, `
		DELETE FROM audit_log WHERE id IN (SELECT id FROM audit_log WHERE at < $1 LIMIT $2) AND at < $1`, olderThan)
}

// PruneHandledUpdates deletes inbox rows handled or failed, received before olderThan; pending
// ones are never pruned. Telegram may number updates from scratch after a week without any, so
// the inbox recognises a redelivery by update_id only within a window (7 days is the usual one).
// No recheck is needed on the rows found: a handled update never becomes pending again, and its
// received_at never changes.
func PruneHandledUpdates(ctx context.Context, db DB, olderThan time.Time, batch int) (int64, error) {
	return pruneBatches(ctx, db, "inbox", batch, `
		DELETE FROM inbox WHERE update_id IN (
			SELECT update_id FROM inbox WHERE status <> 'pending' AND received_at < $1 LIMIT $2)`, olderThan)
}

// PruneSessions deletes the conversations untouched since olderThan: the flow running in them and
// every draft kept in them are older than that (a draft is set aside while its chat is touched),
// so a session untouched that long holds nothing younger.
func PruneSessions(ctx context.Context, db DB, olderThan time.Time, batch int) (int64, error) {
	return pruneBatches(ctx, db, "sessions", batch, `
		DELETE FROM sessions WHERE chat_id IN (SELECT chat_id FROM sessions WHERE updated_at < $1 LIMIT $2)
		  AND updated_at < $1`, olderThan)
}

// PruneDrafts drops, from conversations touched since, the drafts set aside before olderThan,
// and returns how many sessions lost a draft. It reads the session state's format of package
// flows (drafts under "parked", each with its "at"), a stored format whose field names never
// change; the flows tests check the two agree. The session's updated_at stays: it says when the
// person last wrote.
func PruneDrafts(ctx context.Context, db DB, olderThan time.Time, batch int) (int64, error) {
	const oldDraft = `jsonb_typeof(s.state->'parked') = 'object' AND EXISTS (
		SELECT 1 FROM jsonb_each(s.state->'parked') AS p(flow, draft)
		WHERE jsonb_typeof(p.draft) = 'object' AND (p.draft->>'at')::timestamptz < $1)`
	// The new state is computed from the row being updated (not from a join), so a session
	// saved meanwhile is pruned as it now is, never overwritten with what it was.
	return pruneBatches(ctx, db, "drafts", batch, `
		UPDATE sessions s SET state = coalesce(
			jsonb_set(s.state, '{parked}', (
				SELECT jsonb_object_agg(p.flow, p.draft) FROM jsonb_each(s.state->'parked') AS p(flow, draft)
				WHERE NOT (jsonb_typeof(p.draft) = 'object' AND (p.draft->>'at')::timestamptz < $1))),
			s.state - 'parked')
		WHERE s.chat_id IN (SELECT s.chat_id FROM sessions s WHERE `+oldDraft+` LIMIT $2)
		  AND `+oldDraft, olderThan)
}

// pruneBatches runs stmt (with $1 = cutoff, $2 = the batch size) until a run removes fewer rows
// than a batch, and returns how many it removed in all. It stops after maxPruneRounds runs: what
// is left waits for the next round, and a statement that kept matching the rows it had just
// pruned could never spin for ever.
func pruneBatches(ctx context.Context, db DB, what string, batch int, stmt string, cutoff time.Time) (int64, error) {
	if batch <= 0 {
		batch = DefaultPruneBatch
	}
	var total int64
	for range maxPruneRounds {
		tag, err := db.Exec(ctx, stmt, cutoff, batch)
		if err != nil {
			return total, fmt.Errorf("store: prune %s: %w", what, err)
		}
		total += tag.RowsAffected()
		if tag.RowsAffected() < int64(batch) {
			break
		}
		if err := ctx.Err(); err != nil {
			return total, fmt.Errorf("store: prune %s: %w", what, err)
		}
	}
	return total, nil
}

// maxPruneRounds bounds the statements of one prune (a million rows at the default batch).
const maxPruneRounds = 100
