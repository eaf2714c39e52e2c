package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
)

// PendingStaffNotice is a notice to one staff chat held a moment, so that several arriving
// together go as one message. Kind is what happened ("submitted", "docs", "resubmit",
// "withdrawn"); Text is the notice as it goes when it is alone; DedupeKey keeps one decided twice
// from being held twice. Active (on a taken notice) says whether its staff member still is.
type PendingStaffNotice struct {
	ID, ChatID, StaffID, ApplicationID int64
	Kind, Kabupaten, Text, DedupeKey   string
	CreatedAt                          time.Time
	Active                             bool
}

// HoldStaffNotices keeps notices until TakeStaffNotices takes them, in their order, and returns
// how many were new (a notice whose dedupe key is held already is left out).
func HoldStaffNotices(ctx context.Context, db DB, ns []PendingStaffNotice) (int, error) {
	if len(ns) == 0 {
		return 0, nil
	}
	chats, staff, apps := make([]int64, len(ns)), make([]int64, len(ns)), make([]int64, len(ns))
	kinds, kabs, texts, keys := make([]string, len(ns)), make([]string, len(ns)), make([]string, len(ns)), make([]string, len(ns))
	at := make([]time.Time, len(ns))
	for i, n := range ns {
		if n.DedupeKey == "" || n.Text == "" {
			return 0, fmt.Errorf("store: hold staff notice to chat %d: no text or dedupe key", n.ChatID)
		}
		chats[i], staff[i], apps[i], kinds[i], kabs[i], texts[i], keys[i], at[i] =
			n.ChatID, n.StaffID, n.ApplicationID, n.Kind, n.Kabupaten, n.Text, n.DedupeKey, n.CreatedAt
	}
	tag, err := db.Exec(ctx, `
		INSERT INTO staff_notices_pending (chat_id, staff_id, application_id, kind, kabupaten, text, dedupe_key, created_at)
		SELECT chat_id, staff_id, application_id, kind, kabupaten, text, dedupe_key, created_at
		FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::timestamptz[])
			WITH ORDINALITY AS t(chat_id, staff_id, application_id, kind, kabupaten, text, dedupe_key, created_at, ord)
		ORDER BY ord
		ON CONFLICT (dedupe_key) DO NOTHING`, chats, staff, apps, kinds, kabs, texts, keys, at)
	if err != nil {
		return 0, fmt.Errorf("store: hold %d staff notices: %w", len(ns), err)
	}
	return int(tag.RowsAffected()), nil
}

// TakeStaffNotices deletes and returns every held notice of each chat whose first held notice
// was held at or before firstBefore, ordered by chat and then as they were held. Rows another
// transaction is taking are skipped, not waited for, and a notice taken is gone: run in the
// transaction that queues what they become, each notice is queued once, however many run at once.
func TakeStaffNotices(ctx context.Context, db DB, firstBefore time.Time) ([]PendingStaffNotice, error) {
	rows, err := db.Query(ctx, `
		WITH due AS (
			SELECT chat_id FROM staff_notices_pending GROUP BY chat_id HAVING min(created_at) <= $1
		), taken AS (
			SELECT id FROM staff_notices_pending WHERE chat_id IN (SELECT chat_id FROM due)
			ORDER BY id FOR UPDATE SKIP LOCKED
		)
		DELETE FROM staff_notices_pending p USING taken t
		WHERE p.id = t.id
		RETURNING p.id, p.chat_id, p.staff_id, p.application_id, p.kind, p.kabupaten, p.text, p.dedupe_key, p.created_at,
			EXISTS (SELECT 1 FROM staff s WHERE s.id = p.staff_id AND s.active)`, firstBefore)
	if err != nil {
		return nil, fmt.Errorf("store: take staff notices: %w", err)
	}
	ns, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (PendingStaffNotice, error) {
		var n PendingStaffNotice
		err := r.Scan(&n.ID, &n.ChatID, &n.StaffID, &n.ApplicationID, &n.Kind, &n.Kabupaten, &n.Text, &n.DedupeKey,
			&n.CreatedAt, &n.Active)
		return n, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: take staff notices: %w", err)
	}
	slices.SortFunc(ns, func(a, b PendingStaffNotice) int {
		if c := cmp.Compare(a.ChatID, b.ChatID); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return ns, nil
}
