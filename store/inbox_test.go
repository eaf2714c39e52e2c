package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"umkmbot/store"
	"umkmbot/store/storetest"
)

func TestInboxStoreIgnoresDuplicates(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	now := time.Now()
	for i, want := range []bool{true, false, false} {
		ok, err := store.StoreUpdate(ctx, s.DB(), 10, 7, []byte(`{"update_id":10}`), now)
		if err != nil {
			t.Fatal(err)
		}
		if ok != want {
			t.Fatalf("delivery %d: inserted=%v, want %v", i+1, ok, want)
		}
	}
	// No chat: kept for dedupe, nothing to dispatch.
	if ok, err := store.StoreUpdate(ctx, s.DB(), 11, 0, []byte(`{"update_id":11}`), now); err != nil || !ok {
		t.Fatalf("chatless update: %v %v", ok, err)
	}
	chats, err := store.PendingChats(ctx, s.DB(), 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(chats) != 1 || chats[0] != 7 {
		t.Fatalf("pending chats = %v, want [7]", chats)
	}
}

func TestInboxNextPendingInOrderAndMarks(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	now := time.Now()
	for _, id := range []int64{5, 3, 4} {
		if _, err := store.StoreUpdate(ctx, s.DB(), id, 1, []byte(`{}`), now); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := store.StoreUpdate(ctx, s.DB(), 2, 2, []byte(`{}`), now); err != nil {
		t.Fatal(err)
	}
	next := func(chat int64) int64 {
		var id int64
		err := s.Tx(ctx, func(tx pgx.Tx) error {
			u, err := store.NextPendingUpdate(ctx, tx, chat)
			if err != nil {
				return err
			}
			id = u.UpdateID
			return nil
		})
		if errors.Is(err, store.ErrNotFound) {
			return 0
		}
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	if got := next(1); got != 3 {
		t.Fatalf("first of chat 1 = %d, want 3", got)
	}
	if err := store.MarkHandled(ctx, s.DB(), 3); err != nil {
		t.Fatal(err)
	}
	if err := store.MarkFailed(ctx, s.DB(), 4, "panic: boom"); err != nil {
		t.Fatal(err)
	}
	if got := next(1); got != 5 {
		t.Fatalf("after 3 done and 4 failed: %d, want 5", got)
	}
	if err := store.MarkHandled(ctx, s.DB(), 5); err != nil {
		t.Fatal(err)
	}
	if got := next(1); got != 0 {
		t.Fatalf("chat 1 should have nothing pending, got %d", got)
	}
	chats, err := store.PendingChats(ctx, s.DB(), 10)
	if err != nil || len(chats) != 1 || chats[0] != 2 {
		t.Fatalf("pending chats = %v %v, want [2]", chats, err)
	}
	var status, reason string
	if err := s.DB().QueryRow(ctx, `SELECT status, last_error FROM inbox WHERE update_id = 4`).Scan(&status, &reason); err != nil {
		t.Fatal(err)
	}
	if status != "failed" || reason != "panic: boom" {
		t.Fatalf("update 4: %s %q", status, reason)
	}
}

// TestNextPendingUpdateKeepsChatOrderAcrossTransactions shows the guarantee the dispatcher relies on
// instead of an advisory lock: while one transaction handles a chat's update, a second one asking
// for the chat's next update waits on it, and once the first commits, the second gets the NEXT
// update, never the one being handled and never one past it.
func TestNextPendingUpdateKeepsChatOrderAcrossTransactions(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	for _, id := range []int64{7, 8, 9} {
		if _, err := store.StoreUpdate(ctx, s.DB(), id, 1, []byte(`{}`), time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	first, err := s.Pool().Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Rollback(ctx)
	u, err := store.NextPendingUpdate(ctx, first, 1)
	if err != nil || u.UpdateID != 7 || !u.More {
		t.Fatalf("first transaction got %+v, %v; want update 7 with more", u, err)
	}

	got, pids := make(chan int64, 1), make(chan int32, 1)
	go func() {
		var id int64
		err := s.Tx(ctx, func(tx pgx.Tx) error {
			var pid int32
			if err := tx.QueryRow(ctx, `SELECT pg_backend_pid()`).Scan(&pid); err != nil {
				return err
			}
			pids <- pid
			u, err := store.NextPendingUpdate(ctx, tx, 1)
			id = u.UpdateID
			return err
		})
		if err != nil {
			t.Error(err)
		}
		got <- id
	}()
	// The second transaction must be waiting for the first one's row lock, not past it.
	waitForLock(t, s.DB(), <-pids, "the second transaction")
	select {
	case id := <-got:
		t.Fatalf("second transaction got update %d while update 7 was being handled; it must wait", id)
	default:
	}
	if err := store.MarkHandled(ctx, first, 7); err != nil {
		t.Fatal(err)
	}
	if err := first.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if id := <-got; id != 8 {
		t.Fatalf("after update 7 was handled, the second transaction got %d; want 8", id)
	}
}

// TestStoreUpdatesKeepsAnyBytes: an update that jsonb would refuse (text holding \u0000) is kept
// like any other, and the rest of its batch with it.
func TestStoreUpdatesKeepsAnyBytes(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	poison := []byte(`{"update_id":20,"message":{"text":"a\u0000b"}}`)
	added, err := store.StoreUpdates(ctx, s.DB(), []store.InboxUpdate{
		{UpdateID: 21, ChatID: 3, Payload: []byte(`{"update_id":21}`)},
		{UpdateID: 20, ChatID: 3, Payload: poison},
		{UpdateID: 22, ChatID: 0, Payload: []byte(`{"update_id":22}`)},
	}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(added) != 3 || added[0].UpdateID != 20 || added[2].UpdateID != 22 {
		t.Fatalf("added = %+v; want 20, 21, 22 in order", added)
	}
	again, err := store.StoreUpdates(ctx, s.DB(), []store.InboxUpdate{{UpdateID: 20, ChatID: 3, Payload: poison}}, time.Now())
	if err != nil || len(again) != 0 {
		t.Fatalf("a redelivery was added again: %v %v", again, err)
	}
	err = s.Tx(ctx, func(tx pgx.Tx) error {
		u, err := store.NextPendingUpdate(ctx, tx, 3)
		if err != nil {
			return err
		}
		if u.UpdateID != 20 || string(u.Payload) != string(poison) {
			t.Errorf("next = %d %q; want update 20 byte for byte", u.UpdateID, u.Payload)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestInboxGapBelow(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	gap := func(id int64) bool {
		t.Helper()
		g, err := store.InboxGapBelow(ctx, s.DB(), 2, id, 5)
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	if !gap(100) {
		t.Error("nothing below 100 at all: an earlier update may be on its way")
	}
	for _, id := range []int64{95, 96, 97, 99} {
		if _, err := store.StoreUpdate(ctx, s.DB(), id, 1, []byte(`{}`), time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	if !gap(100) {
		t.Error("98 is missing below 100")
	}
	if gap(98) {
		t.Error("95-97 are all there below 98")
	}
	if _, err := store.StoreUpdate(ctx, s.DB(), 98, 1, []byte(`{}`), time.Now()); err != nil {
		t.Fatal(err)
	}
	if gap(100) {
		t.Error("95-99 are all there below 100")
	}
	if !gap(101) {
		t.Error("100 is missing below 101")
	}
	// An earlier update of the same chat, pending now (it came after the later one was picked):
	// the later one waits, even with no hole below it.
	if _, err := store.StoreUpdate(ctx, s.DB(), 94, 2, []byte(`{}`), time.Now()); err != nil {
		t.Fatal(err)
	}
	if !gap(100) {
		t.Error("update 94 of the same chat is pending: 100 must wait its turn")
	}
}

// A session lock is the schema's own: two deployments sharing one database on different schemas
// each hold theirs; within one schema it is held once.
func TestSessionLockPerSchema(t *testing.T) {
	ctx := context.Background()
	a, b := storetest.New(t), storetest.New(t)
	la, err := a.TryLock(ctx, "umkmbot.poller:1")
	if err != nil || la == nil {
		t.Fatalf("schema a: %v %v", la, err)
	}
	defer la.Release(ctx)
	lb, err := b.TryLock(ctx, "umkmbot.poller:1")
	if err != nil || lb == nil {
		t.Fatalf("schema b could not take its own lock: %v %v", lb, err)
	}
	defer lb.Release(ctx)
	again, err := a.TryLock(ctx, "umkmbot.poller:1")
	if err != nil || again != nil {
		t.Fatalf("schema a's lock taken twice: %v %v", again, err)
	}
	if err := la.Check(ctx); err != nil {
		t.Fatalf("Check: %v", err)
	}
}
