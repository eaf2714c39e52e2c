package bot

import (
	"context"
	"fmt"
	"testing"
	"time"

	"umkmbot/store"
	"umkmbot/store/storetest"
)

// seedRetention puts in each pruned table one row just past its default window and one a
// minute inside it, as of now.
func seedRetention(t *testing.T, db store.DB, now time.Time) {
	t.Helper()
	ctx := context.Background()
	past := func(w time.Duration) time.Time { return now.Add(-w - time.Minute) }
	inside := func(w time.Duration) time.Time { return now.Add(-w + time.Minute) }
	for i, at := range []time.Time{past(DefaultRetainInbox), inside(DefaultRetainInbox)} {
		id := int64(i + 1)
		if _, err := store.StoreUpdate(ctx, db, id, 5, []byte(`{}`), at); err != nil {
			t.Fatal(err)
		}
		if err := store.MarkHandled(ctx, db, id); err != nil {
			t.Fatal(err)
		}
	}
	for _, at := range []time.Time{past(DefaultRetainLookups), inside(DefaultRetainLookups)} {
		if err := store.RecordLookup(ctx, db, 5, true, at); err != nil {
			t.Fatal(err)
		}
	}
	for _, at := range []time.Time{past(DefaultRetainAudit), inside(DefaultRetainAudit)} {
		if err := store.Audit(ctx, db, store.AuditEntry{ActorKind: "system", Action: "test"}, at); err != nil {
			t.Fatal(err)
		}
	}
	draft := func(at time.Time) string {
		return fmt.Sprintf(`{"flow":"register","step":"brand","at":%q}`, at.Format(time.RFC3339Nano))
	}
	sessions := map[int64]struct {
		state string
		at    time.Time
	}{
		1: {`{"flow":"profile"}`, past(DefaultRetainDrafts)},
		2: {`{"flow":"profile"}`, inside(DefaultRetainDrafts)},
		3: {`{"parked":{"register":` + draft(past(DefaultRetainDrafts)) + `}}`, now},
		4: {`{"parked":{"register":` + draft(inside(DefaultRetainDrafts)) + `}}`, now},
	}
	for chat, s := range sessions {
		if err := store.SaveSession(ctx, db, chat, chat, []byte(s.state), s.at); err != nil {
			t.Fatal(err)
		}
	}
}

// One round removes exactly the rows past their windows, says how many of each, and finds
// nothing more to do the second time.
func TestHousekeeperRunOnce(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	now := time.Date(2026, 12, 3, 1, 0, 0, 0, time.UTC)
	seedRetention(t, s.DB(), now)
	h := NewHousekeeper(HousekeeperConfig{Store: s, Now: func() time.Time { return now }, Batch: 1})
	p, err := h.RunOnce(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := (Pruned{Inbox: 1, Lookups: 1, Sessions: 1, Drafts: 1, Audit: 1}); p != want {
		t.Errorf("pruned %+v, want %+v", p, want)
	}
	for table, want := range map[string]int{"inbox": 1, "lookups": 1, "audit_log": 1, "sessions": 3} {
		var n int
		if err := s.DB().QueryRow(ctx, `SELECT count(*) FROM `+table).Scan(&n); err != nil || n != want {
			t.Errorf("%s has %d rows (%v), want %d", table, n, err, want)
		}
	}
	var drafts int
	if err := s.DB().QueryRow(ctx, `SELECT count(*) FROM sessions WHERE state ? 'parked'`).Scan(&drafts); err != nil || drafts != 1 {
		t.Errorf("%d sessions keep a draft (%v), want 1 (the one a minute inside its window)", drafts, err)
	}
	if p, err := h.RunOnce(ctx); err != nil || p != (Pruned{}) {
		t.Errorf("second round pruned %+v (%v), want nothing", p, err)
	}
}

// A negative window keeps the table; the inbox's window never goes past a week.
func TestHousekeeperWindows(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	now := time.Date(2026, 12, 3, 1, 0, 0, 0, time.UTC)
	seedRetention(t, s.DB(), now)
	h := NewHousekeeper(HousekeeperConfig{Store: s, Now: func() time.Time { return now },
		RetainAudit: -1, RetainInbox: 30 * 24 * time.Hour, RetainLookups: 2 * time.Hour})
	p, err := h.RunOnce(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := (Pruned{Inbox: 1, Lookups: 2, Sessions: 1, Drafts: 1}); p != want {
		t.Errorf("pruned %+v, want %+v", p, want)
	}
}
