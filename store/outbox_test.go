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
	later := time.Now().Add(time.Hour).Truncate(time.Microsecond)
	reminder := store.OutboxMessage{ChatID: 5, Priority: store.PriorityReminder, Payload: []byte(`{"kind":"reply"}`),
		DedupeKey: "training:1:owner:2:h24", NotBefore: later}
	rid, inserted, err := store.Enqueue(ctx, db, reminder)
	if err != nil || !inserted {
		t.Fatalf("reminder: inserted=%v err=%v", inserted, err)
	}
	again, inserted, err := store.Enqueue(ctx, db, reminder)
	if err != nil || inserted || again != 0 {
		t.Fatalf("reminder again: id=%d inserted=%v err=%v, want nothing inserted", again, inserted, err)
	}

	msgs, err := store.OutboxForChat(ctx, db, 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 3 {
		t.Fatalf("%d messages, want 3", len(msgs))
	}
	m := msgs[2]
	if m.ID != rid || m.Priority != store.PriorityReminder || m.DedupeKey != reminder.DedupeKey ||
		!m.NotBefore.Equal(later) || m.BroadcastID != 0 || string(m.Payload) != `{"kind":"reply"}` {
		t.Fatalf("reminder row = %+v", m)
	}
	if msgs[0].DedupeKey != "" || msgs[0].NotBefore.IsZero() {
		t.Fatalf("reply row = %+v", msgs[0])
	}
	// Each (chat, priority) has its queue, knowing how many messages it holds and when its first
	// is due.
	if got := queues(t, db); len(got) != 2 || got[0] != (queueState{5, 0, 2, 0}) || got[1] != (queueState{5, 1, 1, 0}) {
		t.Fatalf("queues = %+v", got)
	}
	if _, _, err := store.Enqueue(ctx, db, store.OutboxMessage{ChatID: 5}); err == nil {
		t.Fatal("an empty payload was accepted")
	}
	// The key is remembered after its message is gone: the reminder is not decided twice.
	if _, err := db.Exec(ctx, `DELETE FROM outbox WHERE id = $1`, rid); err != nil {
		t.Fatal(err)
	}
	if _, inserted, err := store.Enqueue(ctx, db, reminder); err != nil || inserted {
		t.Fatalf("reminder after it was sent: inserted=%v err=%v", inserted, err)
	}
}

func TestEnqueueManyKeepsOrderAndSkipsKnownKeys(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t).DB()
	if _, _, err := store.Enqueue(ctx, db, store.OutboxMessage{ChatID: 1, Priority: 1, Payload: []byte(`"k"`), DedupeKey: "k"}); err != nil {
		t.Fatal(err)
	}
	var msgs []store.OutboxMessage
	for i := range 30 {
		msgs = append(msgs, store.OutboxMessage{ChatID: int64(i % 3), Payload: []byte{'"', byte('a' + i), '"'}})
	}
	msgs = append(msgs, store.OutboxMessage{ChatID: 1, Priority: 1, Payload: []byte(`"dup"`), DedupeKey: "k"})
	ids, err := store.EnqueueMany(ctx, db, msgs)
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 30 {
		t.Fatalf("%d added, want 30 (the known key left out)", len(ids))
	}
	for chat := range int64(3) {
		got, err := store.OutboxForChat(ctx, db, chat)
		if err != nil {
			t.Fatal(err)
		}
		var want []byte
		for i := int(chat); i < 30; i += 3 {
			want = append(want, byte('a'+i))
		}
		var have []byte
		for _, m := range got {
			if m.Priority == 0 {
				have = append(have, m.Payload[1])
			}
		}
		if string(have) != string(want) {
			t.Fatalf("chat %d messages in id order: %q, want %q", chat, have, want)
		}
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
	for range n {
		wg.Go(func() {
			_, ok, err := store.Enqueue(ctx, s.DB(), store.OutboxMessage{ChatID: 9, Priority: store.PriorityReminder,
				Payload: []byte(`{}`), DedupeKey: "permit_expiry:7:d30"})
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			if ok {
				inserted++
			}
		})
	}
	wg.Wait()
	if inserted != 1 {
		t.Fatalf("inserted %d times, want once", inserted)
	}
	if got := queues(t, s.DB()); len(got) != 1 || got[0].Pending != 1 {
		t.Fatalf("queues = %+v, want one with one message", got)
	}
}

type queueState struct {
	ChatID   int64
	Priority int
	Pending  int
	Attempts int
}

// queues lists the outbox's queues and checks each one's count against its messages.
func queues(t testing.TB, db store.DB) []queueState {
	t.Helper()
	rows, err := db.Query(context.Background(), `
		SELECT q.chat_id, q.priority, q.pending, q.attempts,
			(SELECT count(*) FROM outbox o WHERE o.chat_id = q.chat_id AND o.priority = q.priority)
		FROM outbox_queues q ORDER BY q.chat_id, q.priority`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []queueState
	for rows.Next() {
		var q queueState
		var n int
		if err := rows.Scan(&q.ChatID, &q.Priority, &q.Pending, &q.Attempts, &n); err != nil {
			t.Fatal(err)
		}
		if n != q.Pending {
			t.Errorf("queue %d/%d counts %d messages, holds %d", q.ChatID, q.Priority, q.Pending, n)
		}
		out = append(out, q)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	var strays int
	if err := db.QueryRow(context.Background(), `
		SELECT count(*) FROM outbox o WHERE NOT EXISTS (
			SELECT 1 FROM outbox_queues q WHERE q.chat_id = o.chat_id AND q.priority = o.priority)`).Scan(&strays); err != nil {
		t.Fatal(err)
	}
	if strays != 0 {
		t.Errorf("%d messages have no queue: they would never be sent", strays)
	}
	return out
}
