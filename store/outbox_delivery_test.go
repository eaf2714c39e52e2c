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

// queueRow puts one row in the outbox, due at notBefore, and returns its id. Written in SQL so
// these tests depend only on the table.
func queueRow(t *testing.T, db store.DB, chatID int64, priority int, notBefore time.Time) int64 {
	t.Helper()
	var id int64
	if err := db.QueryRow(context.Background(), `
		INSERT INTO outbox (chat_id, priority, payload, not_before) VALUES ($1, $2, '{}', $3) RETURNING id`,
		chatID, priority, notBefore).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

func claimIDs(t *testing.T, db store.DB, now time.Time, limit int) []int64 {
	t.Helper()
	msgs, err := store.ClaimOutbox(context.Background(), db, now, limit, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, m := range msgs {
		ids = append(ids, m.ID)
	}
	return ids
}

func outboxState(t *testing.T, db store.DB, id int64) (status string, attempts int, notBefore time.Time) {
	t.Helper()
	if err := db.QueryRow(context.Background(), `SELECT status, attempts, not_before FROM outbox WHERE id = $1`, id).
		Scan(&status, &attempts, &notBefore); err != nil {
		t.Fatal(err)
	}
	return status, attempts, notBefore
}

func TestClaimOutboxPriorityThenAge(t *testing.T) {
	db := storetest.New(t).DB()
	now := time.Now()
	b := queueRow(t, db, 1, store.PriorityBroadcast, now.Add(-time.Minute))
	r := queueRow(t, db, 2, store.PriorityReminder, now.Add(-time.Minute))
	a := queueRow(t, db, 3, store.PriorityReply, now.Add(-time.Second))
	_ = queueRow(t, db, 4, store.PriorityReply, now.Add(time.Hour)) // not due
	if got, want := claimIDs(t, db, now, 10), []int64{a, r, b}; !slices.Equal(got, want) {
		t.Fatalf("claimed %v, want %v", got, want)
	}
	// Claimed rows are leased: not claimed again, attempts counted, due again after the lease.
	if got := claimIDs(t, db, now, 10); len(got) != 0 {
		t.Fatalf("claimed again %v", got)
	}
	status, attempts, nb := outboxState(t, db, a)
	if status != "pending" || attempts != 1 || !nb.Equal(now.Add(time.Minute).Truncate(time.Microsecond)) {
		t.Fatalf("claimed row: %s, %d attempts, not_before %v", status, attempts, nb)
	}
	if got := claimIDs(t, db, now.Add(2*time.Minute), 1); !slices.Equal(got, []int64{a}) {
		t.Fatalf("after the lease claimed %v, want [%d]", got, a)
	}
	if _, attempts, _ := outboxState(t, db, a); attempts != 2 {
		t.Fatalf("attempts = %d after a second claim", attempts)
	}
}

func TestClaimOutboxOnlyTheHeadOfEachChat(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t).DB()
	now := time.Now()
	past := now.Add(-time.Minute)
	x1 := queueRow(t, db, 10, store.PriorityReply, past)
	x2 := queueRow(t, db, 10, store.PriorityReply, past)
	y1 := queueRow(t, db, 11, store.PriorityReply, past)
	xb := queueRow(t, db, 10, store.PriorityBroadcast, past) // another priority: its own queue

	if got, want := claimIDs(t, db, now, 10), []int64{x1, y1, xb}; !slices.Equal(got, want) {
		t.Fatalf("claimed %v, want %v", got, want)
	}
	// x1 is in flight (leased): x2 waits behind it.
	if got := claimIDs(t, db, now, 10); len(got) != 0 {
		t.Fatalf("claimed %v while the chat's head is in flight", got)
	}
	// x1 fails for a passing reason and waits out a backoff: x2 still waits.
	if err := store.RescheduleOutbox(ctx, db, x1, now.Add(30*time.Second), "502"); err != nil {
		t.Fatal(err)
	}
	if got := claimIDs(t, db, now, 10); len(got) != 0 {
		t.Fatalf("claimed %v while the chat's head waits for a retry", got)
	}
	if got := claimIDs(t, db, now.Add(31*time.Second), 10); !slices.Equal(got, []int64{x1}) {
		t.Fatalf("after the backoff claimed %v, want the head %d", got, x1)
	}
	if err := store.MarkOutboxSent(ctx, db, x1, now); err != nil {
		t.Fatal(err)
	}
	if got := claimIDs(t, db, now, 10); !slices.Equal(got, []int64{x2}) {
		t.Fatalf("after the head was sent claimed %v, want [%d]", got, x2)
	}
}

func TestReleaseOutboxGivesTheAttemptBack(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t).DB()
	now := time.Now()
	id := queueRow(t, db, 1, store.PriorityReply, now)
	claimIDs(t, db, now, 1)
	at := now.Add(5 * time.Second)
	if err := store.ReleaseOutbox(ctx, db, []int64{id}, at); err != nil {
		t.Fatal(err)
	}
	status, attempts, nb := outboxState(t, db, id)
	if status != "pending" || attempts != 0 || !nb.Equal(at.Truncate(time.Microsecond)) {
		t.Fatalf("released row: %s, %d attempts, not_before %v", status, attempts, nb)
	}
	if err := store.MarkOutboxFailed(ctx, db, id, "Bad Request: chat not found"); err != nil {
		t.Fatal(err)
	}
	if got := claimIDs(t, db, now.Add(time.Hour), 10); len(got) != 0 {
		t.Fatalf("a failed row was claimed: %v", got)
	}
}

func TestClaimOutboxSkipsUnreachableOwners(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	db := s.DB()
	now := time.Now()
	if _, err := db.Exec(ctx, `INSERT INTO owners (telegram_user_id, chat_id) VALUES (20, 20), (21, 21)`); err != nil {
		t.Fatal(err)
	}
	early := queueRow(t, db, 20, store.PriorityReply, now.Add(-time.Minute))
	queueRow(t, db, 20, store.PriorityBroadcast, now.Add(-time.Minute))
	other := queueRow(t, db, 21, store.PriorityReminder, now.Add(-time.Minute))

	blockedAt := now.Add(-time.Hour) // created_at of the rows below is later
	n, err := store.FailUnreachableChat(ctx, db, 20, blockedAt, "forbidden: bot was blocked by the user")
	if err != nil || n != 2 {
		t.Fatalf("FailUnreachableChat = %d, %v; want 2 rows failed", n, err)
	}
	if status, _, _ := outboxState(t, db, early); status != "failed" {
		t.Fatalf("row of a blocked chat is %s", status)
	}
	// Queued after the 403: a reminder (skipped) and a reply (they wrote again: sent). A reply
	// from before the 403 that was somehow left pending stays skipped.
	if _, err := db.Exec(ctx, `INSERT INTO outbox (chat_id, priority, payload, not_before, created_at)
		VALUES (20, 0, '{}', $1, $1)`, blockedAt.Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	reminder := queueRow(t, db, 20, store.PriorityReminder, now.Add(-time.Second))
	reply := queueRow(t, db, 20, store.PriorityReply, now.Add(-time.Second))
	if got, want := claimIDs(t, db, now, 10), []int64{other}; !slices.Equal(got, want) {
		t.Fatalf("claimed %v, want %v (the stale reply heads chat 20's queue and is skipped)", got, want)
	}
	if n, err := store.FailUnreachableOutbox(ctx, db); err != nil || n != 2 {
		t.Fatalf("FailUnreachableOutbox = %d, %v; want the reminder and the stale reply failed", n, err)
	}
	if status, _, _ := outboxState(t, db, reminder); status != "failed" {
		t.Fatalf("reminder to an unreachable owner is %s", status)
	}
	if got := claimIDs(t, db, now, 10); !slices.Equal(got, []int64{reply}) {
		t.Fatalf("claimed %v, want the reply written after the 403 [%d]", got, reply)
	}
	depth, err := store.PendingOutboxByPriority(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if want := map[int]int{store.PriorityReply: 1, store.PriorityReminder: 1}; fmt.Sprint(depth) != fmt.Sprint(want) { // the leased reply and "other"
		t.Fatalf("depth %v, want %v", depth, want)
	}
}

// Many claimers at once, as several instances would: every row is claimed by exactly one, and
// never two rows of one chat at the same time.
func TestClaimOutboxConcurrentClaimers(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t).DB()
	now := time.Now()
	const chats, perChat = 20, 5
	for i := range chats * perChat {
		queueRow(t, db, int64(100+i%chats), store.PriorityReply, now.Add(-time.Minute))
	}
	var (
		mu       sync.Mutex
		claimed  = map[int64]int{}
		inFlight = map[int64]bool{} // chat → a row of it is claimed and not yet marked
		wg       sync.WaitGroup
	)
	for range 6 {
		wg.Go(func() {
			for idle := 0; idle < 20; {
				msgs, err := store.ClaimOutbox(ctx, db, time.Now(), 4, time.Minute)
				if err != nil {
					t.Error(err)
					return
				}
				if len(msgs) == 0 {
					idle++
					continue
				}
				idle = 0
				mu.Lock()
				for _, m := range msgs {
					claimed[m.ID]++
					if inFlight[m.ChatID] {
						t.Errorf("chat %d: row %d claimed while an earlier row is in flight", m.ChatID, m.ID)
					}
					inFlight[m.ChatID] = true
				}
				mu.Unlock()
				for _, m := range msgs {
					mu.Lock()
					inFlight[m.ChatID] = false // cleared before the mark commits: the check above stays strict
					mu.Unlock()
					if err := store.MarkOutboxSent(ctx, db, m.ID, time.Now()); err != nil {
						t.Error(err)
					}
				}
			}
		})
	}
	wg.Wait()
	if len(claimed) != chats*perChat {
		t.Fatalf("%d rows claimed, want %d", len(claimed), chats*perChat)
	}
	for id, n := range claimed {
		if n != 1 {
			t.Errorf("row %d claimed %d times", id, n)
		}
	}
}
