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
			if err := store.LockChat(ctx, tx, chat); err != nil {
				return err
			}
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

func TestPruneInboxKeepsPendingAndRecent(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	old := time.Now().Add(-8 * 24 * time.Hour)
	for _, id := range []int64{1, 2} {
		if _, err := store.StoreUpdate(ctx, s.DB(), id, 1, []byte(`{}`), old); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := store.StoreUpdate(ctx, s.DB(), 3, 1, []byte(`{}`), time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := store.MarkHandled(ctx, s.DB(), 1); err != nil {
		t.Fatal(err)
	}
	if err := store.MarkHandled(ctx, s.DB(), 3); err != nil {
		t.Fatal(err)
	}
	n, err := store.PruneInbox(ctx, s.DB(), time.Now().Add(-7*24*time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("pruned %d, %v; want 1", n, err)
	}
	// After the prune, update id 1 may come again (Telegram restarted its numbering).
	if ok, err := store.StoreUpdate(ctx, s.DB(), 1, 1, []byte(`{}`), time.Now()); err != nil || !ok {
		t.Fatalf("reused id after prune: %v %v", ok, err)
	}
}
