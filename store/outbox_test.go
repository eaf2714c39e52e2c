package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"umkmbot/store"
	"umkmbot/store/storetest"
)

func TestEnqueue(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t).DB()

	id, inserted, err := store.Enqueue(ctx, db, store.OutboxMessage{ChatID: 5, Priority: store.PriorityReply,
		Payload: []byte(`{"kind":"reply"}`)})
	if err != nil || !inserted || id == 0 {
		t.Fatalf("reply: id=%d inserted=%v err=%v", id, inserted, err)
	}
	// Two replies without a key are two messages.
	if _, inserted, err := store.Enqueue(ctx, db, store.OutboxMessage{ChatID: 5, Payload: []byte(`{"kind":"reply"}`)}); err != nil || !inserted {
		t.Fatalf("second reply: inserted=%v err=%v", inserted, err)
	}
	later := t0.Add(time.Hour)
	reminder := store.OutboxMessage{ChatID: 5, Priority: store.PriorityReminder, Payload: []byte(`{"kind":"reply"}`),
		DedupeKey: "training:1:owner:2:h24", NotBefore: later, CreatedAt: t0}
	rid, inserted, err := store.Enqueue(ctx, db, reminder)
	if err != nil || !inserted {
		t.Fatalf("reminder: inserted=%v err=%v", inserted, err)
	}
	again, inserted, err := store.Enqueue(ctx, db, reminder)
	if err != nil || inserted || again != rid {
		t.Fatalf("reminder again: id=%d inserted=%v err=%v, want id %d not inserted", again, inserted, err, rid)
	}

	msgs, err := store.OutboxForChat(ctx, db, 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 3 {
		t.Fatalf("%d messages, want 3", len(msgs))
	}
	m := msgs[2]
	if m.ID != rid || m.Priority != store.PriorityReminder || m.DedupeKey != reminder.DedupeKey || m.Status != "pending" ||
		!m.NotBefore.Equal(later) || !m.CreatedAt.Equal(t0) || m.SentAt != nil || m.BroadcastID != 0 || m.Attempts != 0 ||
		string(m.Payload) != `{"kind": "reply"}` {
		t.Fatalf("reminder row = %+v", m)
	}
	if msgs[0].DedupeKey != "" || msgs[0].NotBefore.IsZero() {
		t.Fatalf("reply row = %+v", msgs[0])
	}
	if _, _, err := store.Enqueue(ctx, db, store.OutboxMessage{ChatID: 5}); err == nil {
		t.Fatal("an empty payload was accepted")
	}
}

// Every instance decides the same reminder at once: one row.
func TestEnqueueDedupeConcurrent(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	const n = 10
	var wg sync.WaitGroup
	var mu sync.Mutex
	inserted := 0
	ids := map[int64]bool{}
	for range n {
		wg.Go(func() {
			id, ok, err := store.Enqueue(ctx, s.DB(), store.OutboxMessage{ChatID: 9, Priority: store.PriorityReminder,
				Payload: []byte(`{}`), DedupeKey: "permit_expiry:7:d30"})
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			ids[id] = true
			if ok {
				inserted++
			}
		})
	}
	wg.Wait()
	if inserted != 1 || len(ids) != 1 {
		t.Fatalf("inserted %d times with ids %v, want once with one id", inserted, ids)
	}
}
