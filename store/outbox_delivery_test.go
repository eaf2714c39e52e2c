package store_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"umkmbot/store"
	"umkmbot/store/storetest"
)

// put enqueues one message due at notBefore and returns its id.
func put(t testing.TB, db store.DB, chatID int64, priority int, notBefore time.Time) int64 {
	t.Helper()
	id, _, err := store.Enqueue(context.Background(), db, store.OutboxMessage{ChatID: chatID, Priority: priority,
		Payload: []byte(`{}`), NotBefore: notBefore})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func claim(t testing.TB, db store.DB, now time.Time, opts store.ClaimOptions) []store.ClaimedQueue {
	t.Helper()
	if opts.Limit == 0 {
		opts.Limit = 10
	}
	if opts.MaxPriority == 0 {
		opts.MaxPriority = store.PriorityBroadcast
	}
	if opts.Lease == 0 {
		opts.Lease = time.Minute
	}
	qs, err := store.ClaimOutbox(context.Background(), db, now, opts)
	if err != nil {
		t.Fatal(err)
	}
	return qs
}

// ids lists the claimed messages' ids, queue by queue.
func ids(qs []store.ClaimedQueue) []int64 {
	var out []int64
	for _, q := range qs {
		for _, m := range q.Messages {
			out = append(out, m.ID)
		}
	}
	return out
}

func record(t testing.TB, db store.DB, o ...store.QueueOutcome) {
	t.Helper()
	if err := store.RecordOutbox(context.Background(), db, o); err != nil {
		t.Fatal(err)
	}
}

func TestClaimOutboxPriorityThenDue(t *testing.T) {
	db := storetest.New(t).DB()
	now := time.Now()
	b := put(t, db, 1, store.PriorityBroadcast, now.Add(-time.Minute))
	r := put(t, db, 2, store.PriorityReminder, now.Add(-time.Minute))
	a := put(t, db, 3, store.PriorityReply, now.Add(-time.Second))
	_ = put(t, db, 4, store.PriorityReply, now.Add(time.Hour)) // not due
	qs := claim(t, db, now, store.ClaimOptions{})
	slices.SortFunc(qs, func(x, y store.ClaimedQueue) int { return x.Priority - y.Priority })
	if got, want := ids(qs), []int64{a, r, b}; !slices.Equal(got, want) {
		t.Fatalf("claimed %v, want %v", got, want)
	}
	// Claimed queues are leased: not claimed again until the lease ends, attempts counted.
	if again := claim(t, db, now, store.ClaimOptions{}); len(again) != 0 {
		t.Fatalf("claimed again during the lease: %v", ids(again))
	}
	if qs[0].Attempts != 1 || qs[0].Claim == 0 {
		t.Fatalf("claim = %+v", qs[0])
	}
	after := claim(t, db, now.Add(2*time.Minute), store.ClaimOptions{})
	if len(after) != 3 || after[0].Attempts != 2 || after[0].Claim == qs[0].Claim {
		t.Fatalf("after the lease: %+v", after)
	}
	// Replies only, when asked.
	only, err := store.ClaimOutbox(context.Background(), db, now.Add(2*time.Hour), store.ClaimOptions{
		MinPriority: store.PriorityReply, MaxPriority: store.PriorityReply, Limit: 10, Lease: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if len(only) != 2 || only[0].Priority != 0 || only[1].Priority != 0 {
		t.Fatalf("reply-only claim = %+v", only)
	}
}

// A chat's messages go in order, a claim at a time: a reply queue brings its first messages (sent
// back to back), a bulk queue one.
func TestClaimOutboxAQueueAtATime(t *testing.T) {
	db := storetest.New(t).DB()
	now := time.Now()
	x1, x2, x3 := put(t, db, 10, 0, now), put(t, db, 10, 0, now), put(t, db, 10, 0, now)
	y1, y2 := put(t, db, 11, 2, now), put(t, db, 11, 2, now)
	qs := claim(t, db, now, store.ClaimOptions{PerReplyQueue: 2})
	if got, want := ids(qs), []int64{x1, x2, y1}; !slices.Equal(got, want) {
		t.Fatalf("claimed %v, want %v", got, want)
	}
	// Both sent; the reply queue goes on with x3 at once, the bulk queue after its gap.
	record(t, db,
		store.QueueOutcome{QueueKey: qs[0].QueueKey, Claim: qs[0].Claim, Sent: []int64{x1, x2}, At: now},
		store.QueueOutcome{QueueKey: qs[1].QueueKey, Claim: qs[1].Claim, Sent: []int64{y1}, At: now.Add(time.Second)})
	if got := ids(claim(t, db, now, store.ClaimOptions{})); !slices.Equal(got, []int64{x3}) {
		t.Fatalf("next claim %v, want x3 only (y2 waits for its gap)", got)
	}
	if got := ids(claim(t, db, now.Add(time.Second), store.ClaimOptions{})); !slices.Equal(got, []int64{y2}) {
		t.Fatalf("after the gap: %v, want y2", got)
	}
	if got := queues(t, db); len(got) != 2 || got[0].Pending != 1 || got[1].Pending != 1 {
		t.Fatalf("queues = %+v", got)
	}
}

func TestRecordOutboxOutcomes(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t).DB()
	now := time.Now()
	a1, a2 := put(t, db, 20, 0, now), put(t, db, 20, 0, now)
	b1 := put(t, db, 21, 0, now)
	c1 := put(t, db, 22, 0, now)
	qs := claim(t, db, now, store.ClaimOptions{PerReplyQueue: 5})
	byChat := map[int64]store.ClaimedQueue{}
	for _, q := range qs {
		byChat[q.ChatID] = q
	}
	retryAt := now.Add(30 * time.Second)
	record(t, db,
		// a1 sent, a2 failed for a passing reason: a2 is the head, its first attempt counted.
		store.QueueOutcome{QueueKey: byChat[20].QueueKey, Claim: byChat[20].Claim, Sent: []int64{a1},
			Next: store.QueueRetry, At: retryAt, HeadID: a2, Reason: "502 Bad Gateway", Progress: []byte(`{"sent":1}`)},
		// b1 refused: it moves to outbox_failed, the queue goes.
		store.QueueOutcome{QueueKey: byChat[21].QueueKey, Claim: byChat[21].Claim, FailedID: b1, FailReason: "Bad Request: chat not found"},
		// c1 never tried: given back, the attempt not counted.
		store.QueueOutcome{QueueKey: byChat[22].QueueKey, Claim: byChat[22].Claim, Next: store.QueueRelease, At: now})
	got := queues(t, db)
	if len(got) != 2 || got[0] != (queueState{20, 0, 1, 1}) || got[1] != (queueState{22, 0, 1, 0}) {
		t.Fatalf("queues = %+v", got)
	}
	msgs, err := store.OutboxForChat(ctx, db, 20)
	if err != nil || len(msgs) != 1 || msgs[0].ID != a2 || msgs[0].LastError != "502 Bad Gateway" || string(msgs[0].Payload) != `{"sent":1}` {
		t.Fatalf("chat 20 = %+v %v", msgs, err)
	}
	failed, err := store.FailedOutboxForChat(ctx, db, 21)
	if err != nil || len(failed) != 1 || failed[0].ID != b1 || failed[0].Reason != "Bad Request: chat not found" {
		t.Fatalf("failed = %+v %v", failed, err)
	}
	if got := ids(claim(t, db, retryAt.Add(-time.Second), store.ClaimOptions{})); !slices.Equal(got, []int64{c1}) {
		t.Fatalf("before the retry time: %v, want c1 only", got)
	}
	if got := claim(t, db, retryAt, store.ClaimOptions{}); len(got) != 1 || got[0].Attempts != 2 {
		t.Fatalf("at the retry time: %+v, want a2 on its second attempt", got)
	}
}

// A sender whose lease ran out and whose queue another sender now holds can still delete what it
// sent, but cannot move the queue under the new holder.
func TestRecordOutboxLateOutcome(t *testing.T) {
	db := storetest.New(t).DB()
	now := time.Now()
	m1, m2 := put(t, db, 30, 0, now), put(t, db, 30, 0, now)
	old := claim(t, db, now, store.ClaimOptions{PerReplyQueue: 1})[0]
	fresh := claim(t, db, now.Add(2*time.Minute), store.ClaimOptions{PerReplyQueue: 1})[0] // the lease ran out
	record(t, db, store.QueueOutcome{QueueKey: old.QueueKey, Claim: old.Claim, Sent: []int64{m1}, At: now})
	var notBefore time.Time
	if err := db.QueryRow(context.Background(), `SELECT not_before FROM outbox_queues WHERE chat_id = 30`).Scan(&notBefore); err != nil {
		t.Fatal(err)
	}
	if !notBefore.Equal(now.Add(3 * time.Minute).Truncate(time.Microsecond)) {
		t.Fatalf("the late outcome moved the new holder's lease: %v", notBefore)
	}
	// The new holder's outcome for m1 (sent twice: the documented window) counts it once.
	record(t, db, store.QueueOutcome{QueueKey: fresh.QueueKey, Claim: fresh.Claim, Sent: []int64{m1}, At: now})
	if got := queues(t, db); len(got) != 1 || got[0].Pending != 1 {
		t.Fatalf("queues = %+v, want m2 still queued", got)
	}
	if got := ids(claim(t, db, now.Add(3*time.Minute), store.ClaimOptions{})); !slices.Equal(got, []int64{m2}) {
		t.Fatalf("next = %v, want m2", got)
	}
}

func TestClaimOutboxSkipsHeldQueues(t *testing.T) {
	db := storetest.New(t).DB()
	now := time.Now()
	put(t, db, 40, 0, now)
	b := put(t, db, 41, 0, now)
	qs := claim(t, db, now, store.ClaimOptions{Held: []store.QueueKey{{ChatID: 40, Priority: 0}}})
	if got := ids(qs); !slices.Equal(got, []int64{b}) {
		t.Fatalf("claimed %v, want only the queue not held", got)
	}
}

func TestRenewOutboxLeases(t *testing.T) {
	db := storetest.New(t).DB()
	now := time.Now()
	put(t, db, 50, 0, now)
	q := claim(t, db, now, store.ClaimOptions{})
	if n, err := store.RenewOutboxLeases(context.Background(), db, q, now.Add(time.Hour)); err != nil || n != 1 {
		t.Fatalf("renewed %d, %v", n, err)
	}
	if got := claim(t, db, now.Add(2*time.Minute), store.ClaimOptions{}); len(got) != 0 {
		t.Fatalf("a renewed lease was claimed: %+v", got)
	}
	stale := q[0]
	stale.Claim++ // another claim's token
	if n, err := store.RenewOutboxLeases(context.Background(), db, []store.ClaimedQueue{stale}, now.Add(2*time.Hour)); err != nil || n != 0 {
		t.Fatalf("renewed someone else's claim: %d, %v", n, err)
	}
}

func TestUnreachableOwners(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	db := s.DB()
	now := time.Now()
	if _, _, err := store.UpsertOwner(ctx, db, 60, 60, "id"); err != nil {
		t.Fatal(err)
	}
	put(t, db, 60, 0, now)
	put(t, db, 60, 2, now)
	put(t, db, 61, 2, now) // another chat, reachable for now
	// Blocked a second ago: whatever is queued from here on was queued after the 403.
	n, err := store.FailUnreachableChat(ctx, db, 60, now.Add(-time.Second), "forbidden: bot was blocked by the user")
	if err != nil || n != 2 {
		t.Fatalf("FailUnreachableChat = %d, %v; want 2 messages failed", n, err)
	}
	// Queued after the 403: a broadcast is refused at once (it would only earn another 403), a
	// reply (they wrote again) is queued.
	if id := put(t, db, 60, 2, now); id != 0 {
		t.Fatalf("a broadcast to an unreachable owner was queued as %d", id)
	}
	reply := put(t, db, 60, 0, now)
	// The sweep fails what was queued before an owner was found unreachable another way.
	if _, _, err := store.UpsertOwner(ctx, db, 61, 61, "id"); err != nil {
		t.Fatal(err)
	}
	if err := store.MarkOwnerUnreachable(ctx, db, 61, now); err != nil {
		t.Fatal(err)
	}
	if n, err := store.FailUnreachableOutbox(ctx, db); err != nil || n != 1 {
		t.Fatalf("FailUnreachableOutbox = %d, %v; want chat 61's broadcast failed", n, err)
	}
	put(t, db, 62, 2, now)
	if got := queues(t, db); len(got) != 2 || got[0] != (queueState{60, 0, 1, 0}) || got[1].ChatID != 62 {
		t.Fatalf("queues = %+v", got)
	}
	if msgs, _ := store.OutboxForChat(ctx, db, 60); len(msgs) != 1 || msgs[0].ID != reply {
		t.Fatalf("chat 60 = %+v", msgs)
	}
	depth, err := store.PendingOutboxByPriority(ctx, db)
	if err != nil || depth[0] != 1 || depth[2] != 1 || depth[1] != 0 {
		t.Fatalf("depth = %v %v", depth, err)
	}
	if failed, _ := store.FailedOutboxForChat(ctx, db, 60); len(failed) != 3 || failed[2].Reason != "owner unreachable" {
		t.Fatalf("failed = %+v, want 3", failed)
	}
}

// Several senders claim, and the dispatcher enqueues, all at once: every message goes exactly
// once, each chat's in order, and every queue's count stays true (no message is ever left without
// its queue, which would strand it).
func TestOutboxConcurrentClaimersAndEnqueuers(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	db := s.DB()
	const chats, perChat = 12, 20
	var wg sync.WaitGroup
	for c := range int64(chats) {
		wg.Go(func() {
			for i := range perChat {
				p := []byte(fmt.Sprintf(`%d`, i))
				if _, _, err := store.Enqueue(ctx, db, store.OutboxMessage{ChatID: c, Priority: int(c % 3), Payload: p}); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	var mu sync.Mutex
	seen := map[int64][]string{}
	var sent int
	done := make(chan struct{})
	var finish sync.Once
	for range 4 {
		wg.Go(func() {
			for {
				qs, err := store.ClaimOutbox(ctx, db, time.Now(), store.ClaimOptions{MaxPriority: 2, Limit: 3,
					Lease: time.Minute, PerReplyQueue: 3})
				if err != nil {
					t.Error(err)
					return
				}
				var outs []store.QueueOutcome
				mu.Lock()
				for _, q := range qs {
					o := store.QueueOutcome{QueueKey: q.QueueKey, Claim: q.Claim, At: time.Now()}
					for _, m := range q.Messages {
						seen[m.ChatID] = append(seen[m.ChatID], string(m.Payload))
						o.Sent = append(o.Sent, m.ID)
						sent++
					}
					outs = append(outs, o)
				}
				finished := sent == chats*perChat
				mu.Unlock()
				if err := store.RecordOutbox(ctx, db, outs); err != nil {
					t.Error(err)
					return
				}
				if finished {
					finish.Do(func() { close(done) })
				}
				select {
				case <-done:
					return
				default:
				}
			}
		})
	}
	wg.Wait()
	for c := range int64(chats) {
		if len(seen[c]) != perChat {
			t.Fatalf("chat %d got %d messages, want %d: %v", c, len(seen[c]), perChat, seen[c])
		}
		for i, p := range seen[c] {
			if p != fmt.Sprint(i) {
				t.Fatalf("chat %d out of order: %v", c, seen[c])
			}
		}
	}
	if got := queues(t, db); len(got) != 0 {
		t.Fatalf("queues left: %+v", got)
	}
}

// BenchmarkClaimOutboxDepth shows that a claim costs the same whatever waits behind: a queue of
// 1,000 messages and one of 200,000 spread over 50,000 chats. Each op claims 50 queues and records
// their outcome, giving them back due at once, so the depth stays what it was for every op (a
// claim that found the queue empty would be cheap and prove nothing).
//
//	go test -run '^$' -bench ClaimOutboxDepth -benchtime 2000x ./store/
func BenchmarkClaimOutboxDepth(b *testing.B) {
	for _, depth := range []struct{ messages, chats int }{{1000, 1000}, {200000, 50000}} {
		b.Run(fmt.Sprintf("pending=%d/chats=%d", depth.messages, depth.chats), func(b *testing.B) {
			ctx := context.Background()
			db := storetest.New(b).DB()
			if _, err := db.Exec(ctx, `
				WITH added AS (
					INSERT INTO outbox (chat_id, priority, payload, not_before)
					SELECT 1000000 + g % $2, 2, '{}', now() - interval '1 minute' FROM generate_series(0, $1 - 1) g
					RETURNING chat_id, priority, not_before)
				INSERT INTO outbox_queues (chat_id, priority, pending, not_before)
				SELECT chat_id, priority, count(*), min(not_before) FROM added GROUP BY 1, 2`, depth.messages, depth.chats); err != nil {
				b.Fatal(err)
			}
			if _, err := db.Exec(ctx, `ANALYZE outbox; ANALYZE outbox_queues`); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				qs, err := store.ClaimOutbox(ctx, db, time.Now(), store.ClaimOptions{MaxPriority: 2, Limit: 50, Lease: time.Minute})
				if err != nil {
					b.Fatal(err)
				}
				if len(qs) != 50 {
					b.Fatalf("claimed %d queues, want 50", len(qs))
				}
				outs := make([]store.QueueOutcome, 0, len(qs))
				for _, q := range qs {
					outs = append(outs, store.QueueOutcome{QueueKey: q.QueueKey, Claim: q.Claim, Next: store.QueueRelease,
						At: time.Now()})
				}
				if err := store.RecordOutbox(ctx, db, outs); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N), "µs/claim+record")
		})
	}
}

// A name sent twice in one batch of outcomes keeps the later message (one statement may not
// write a row twice), and names are per chat.
func TestRecordOutboxRefSentTwiceInOneBatch(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t).DB()
	now := time.Now()
	put(t, db, 5, store.PriorityReply, now.Add(-time.Second))
	put(t, db, 6, store.PriorityReply, now.Add(-time.Second))
	var outcomes []store.QueueOutcome
	for _, q := range claim(t, db, now, store.ClaimOptions{}) {
		refs := []store.MessageRef{{Ref: "progress", MessageID: 10}, {Ref: "progress", MessageID: 11}}
		if q.ChatID == 6 {
			refs = []store.MessageRef{{Ref: "progress", MessageID: 20}}
		}
		outcomes = append(outcomes, store.QueueOutcome{QueueKey: q.QueueKey, Claim: q.Claim, Sent: ids([]store.ClaimedQueue{q}),
			At: now, Refs: refs})
	}
	if len(outcomes) != 2 {
		t.Fatalf("claimed %d queues, want 2", len(outcomes))
	}
	record(t, db, outcomes...)
	for chat, want := range map[int64]int{5: 11, 6: 20} {
		if id, ok, err := store.MessageRefID(ctx, db, chat, "progress"); err != nil || !ok || id != want {
			t.Errorf("chat %d: ref message %d (%v, %v), want %d", chat, id, ok, err, want)
		}
	}
}
