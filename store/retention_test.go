package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"umkmbot/store"
	"umkmbot/store/storetest"
)

// count runs a count(*) query.
func count(t *testing.T, db store.DB, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := db.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// Rows older than the cutoff go, in batches smaller than the backlog; a row one minute younger
// stays.
func TestPruneLookupsAndAudit(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t).DB()
	cutoff := t0.Add(-24 * time.Hour)
	for i := range 5 {
		old := cutoff.Add(-time.Duration(i+1) * time.Minute)
		if err := store.RecordLookup(ctx, db, 7, true, old); err != nil {
			t.Fatal(err)
		}
		if err := store.Audit(ctx, db, store.AuditEntry{ActorKind: "system", Action: "test.old"}, old); err != nil {
			t.Fatal(err)
		}
	}
	young := cutoff.Add(time.Minute)
	if err := store.RecordLookup(ctx, db, 7, false, young); err != nil {
		t.Fatal(err)
	}
	if err := store.Audit(ctx, db, store.AuditEntry{ActorKind: "system", Action: "test.young"}, young); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		prune func(context.Context, store.DB, time.Time, int) (int64, error)
		left  string
	}{
		{"lookups", store.PruneLookups, `SELECT count(*) FROM lookups WHERE at = $1`},
		{"audit", store.PruneAudit, `SELECT count(*) FROM audit_log WHERE at = $1`},
	} {
		n, err := tc.prune(ctx, db, cutoff, 2)
		if err != nil || n != 5 {
			t.Errorf("%s: pruned %d (%v), want 5", tc.name, n, err)
		}
		if got := count(t, db, tc.left, young); got != 1 {
			t.Errorf("%s: %d young rows left, want 1", tc.name, got)
		}
	}
	if got := count(t, db, `SELECT count(*) FROM lookups`) + count(t, db, `SELECT count(*) FROM audit_log`); got != 2 {
		t.Errorf("%d rows left in all, want the 2 young ones", got)
	}
}

// Handled and failed updates past the window go; a pending one never does, however old.
func TestPruneHandledUpdates(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t).DB()
	cutoff := t0.Add(-7 * 24 * time.Hour)
	old, young := cutoff.Add(-time.Minute), cutoff.Add(time.Minute)
	for id, at := range map[int64]time.Time{1: old, 2: old, 3: old, 4: old, 5: young} {
		if _, err := store.StoreUpdate(ctx, db, id, 9, []byte(`{}`), at); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range []int64{1, 2, 5} {
		if err := store.MarkHandled(ctx, db, id); err != nil {
			t.Fatal(err)
		}
	}
	if err := store.MarkFailed(ctx, db, 3, "boom"); err != nil {
		t.Fatal(err)
	}
	n, err := store.PruneHandledUpdates(ctx, db, cutoff, 2)
	if err != nil || n != 3 {
		t.Fatalf("pruned %d (%v), want 3", n, err)
	}
	var left []int64
	rows, err := db.Query(ctx, `SELECT update_id FROM inbox ORDER BY update_id`)
	if err != nil {
		t.Fatal(err)
	}
	if left, err = pgx.CollectRows(rows, pgx.RowTo[int64]); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(left) != "[4 5]" {
		t.Errorf("left %v, want [4 5] (the old pending one and the young handled one)", left)
	}
}

// sessionState reads a chat's stored conversation.
func sessionState(t *testing.T, db store.DB, chatID int64) map[string]any {
	t.Helper()
	raw, _, err := store.LoadSession(context.Background(), db, chatID)
	if err != nil {
		t.Fatalf("session %d: %v", chatID, err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// draft is a draft set aside at, as package flows stores it.
func draft(flow string, at time.Time) string {
	return fmt.Sprintf(`{"flow":%q,"step":"x","data":{"name":"Maria"},"at":%q}`, flow, at.Format(time.RFC3339Nano))
}

// A conversation untouched past the window goes; one a minute younger stays whole. In one
// touched since, drafts set aside before the window go and younger ones stay.
func TestPruneSessionsAndDrafts(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t).DB()
	window := 90 * 24 * time.Hour
	cutoff := t0.Add(-window)
	old, young := cutoff.Add(-time.Minute), cutoff.Add(time.Minute)
	for chat, s := range map[int64]struct {
		state string
		at    time.Time
	}{
		// untouched since before the window
		1: {`{"flow":"register","step":"brand","seq":4}`, old},
		// touched a minute inside the window: stays, but its draft set aside earlier goes
		2: {`{"flow":"register","step":"brand","seq":4,"parked":{"profile":` + draft("profile", old) + `}}`, young},
		3: {`{"seq":9,"parked":{"register":` + draft("register", old) + `,"profile":` + draft("profile", young) + `}}`, t0},
		4: {`{"seq":2,"resume_offered":"register","parked":{"register":` + draft("register", old) + `}}`, t0},
		5: {`{"seq":1}`, t0},
	} {
		if err := store.SaveSession(ctx, db, chat, chat, []byte(s.state), s.at); err != nil {
			t.Fatal(err)
		}
	}

	n, err := store.PruneSessions(ctx, db, cutoff, 1)
	if err != nil || n != 1 {
		t.Fatalf("sessions pruned %d (%v), want 1", n, err)
	}
	if _, _, err := store.LoadSession(ctx, db, 1); err == nil {
		t.Error("a conversation untouched past its window is still there")
	}
	n, err = store.PruneDrafts(ctx, db, cutoff, 1)
	if err != nil || n != 3 {
		t.Fatalf("sessions with drafts pruned %d (%v), want 3 (chats 2, 3, 4)", n, err)
	}
	if s := sessionState(t, db, 2); s["flow"] != "register" || s["parked"] != nil {
		t.Errorf("chat 2 = %v, want the running flow kept and the old draft gone", s)
	}
	s3 := sessionState(t, db, 3)
	parked, _ := s3["parked"].(map[string]any)
	if len(parked) != 1 || parked["profile"] == nil || s3["seq"] != float64(9) {
		t.Errorf("chat 3 = %v, want only the young profile draft, and the rest as it was", s3)
	}
	if s := sessionState(t, db, 4); s["parked"] != nil || s["seq"] != float64(2) {
		t.Errorf("chat 4 = %v, want no drafts left", s)
	}
	if s := sessionState(t, db, 5); len(s) != 1 || s["seq"] != float64(1) {
		t.Errorf("chat 5 = %v, want it untouched", s)
	}
	var touched time.Time
	if err := db.QueryRow(ctx, `SELECT updated_at FROM sessions WHERE chat_id = 3`).Scan(&touched); err != nil || !touched.Equal(t0) {
		t.Errorf("chat 3 updated_at = %v (%v), want %v: pruning is not the person writing", touched, err, t0)
	}
}

// waitBlocked waits until some statement waits for the transaction tx's row locks.
func waitBlocked(t *testing.T, db store.DB, tx pgx.Tx) {
	t.Helper()
	ctx := context.Background()
	var xid string
	if err := tx.QueryRow(ctx, `SELECT pg_current_xact_id()::text`).Scan(&xid); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for count(t, db, `SELECT count(*) FROM pg_locks WHERE locktype = 'transactionid' AND transactionid::text = $1 AND NOT granted`, xid) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the prune never waited for the session being handled")
		}
		time.Sleep(5 * time.Millisecond) // polling for a condition, not timing
	}
}

// A conversation being handled while it is pruned is judged as it is once handled: a chat that
// was stale and got a message is not deleted, and a draft set aside meanwhile is not lost.
func TestPruneSeesTheSessionAsItIsNow(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	db := s.DB()
	cutoff := t0.Add(-90 * 24 * time.Hour)
	old := cutoff.Add(-time.Hour)
	if err := store.SaveSession(ctx, db, 1, 1, []byte(`{"flow":"register"}`), old); err != nil {
		t.Fatal(err)
	}
	if err := store.SaveSession(ctx, db, 2, 2, []byte(`{"parked":{"register":`+draft("register", old)+`}}`), t0); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		chat     int64
		newState string
		prune    func(context.Context, store.DB, time.Time, int) (int64, error)
	}{
		{"stale chat written to", 1, `{"flow":"register","seq":1}`, store.PruneSessions},
		{"draft set aside meanwhile", 2, `{"parked":{"register":` + draft("register", old) + `,"profile":` + draft("profile", t0) + `}}`, store.PruneDrafts},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tx, err := s.Pool().Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback(ctx)
			if _, _, err := store.LoadSession(ctx, tx, tc.chat); err != nil { // locks the row, as the engine does
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() {
				_, err := tc.prune(ctx, db, cutoff, 0)
				done <- err
			}()
			waitBlocked(t, db, tx)
			if err := store.SaveSession(ctx, tx, tc.chat, tc.chat, []byte(tc.newState), t0); err != nil {
				t.Fatal(err)
			}
			if err := tx.Commit(ctx); err != nil {
				t.Fatal(err)
			}
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			got := sessionState(t, db, tc.chat)
			if tc.chat == 1 && got["seq"] != float64(1) {
				t.Errorf("session = %v, want the one just saved", got)
			}
			if parked, _ := got["parked"].(map[string]any); tc.chat == 2 && (len(parked) != 1 || parked["profile"] == nil) {
				t.Errorf("session = %v, want the draft set aside meanwhile kept, the old one gone", got)
			}
		})
	}
}
