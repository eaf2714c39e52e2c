package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"umkmbot/store"
	"umkmbot/store/storetest"
)

// seqScan makes the planner read the inbox as a production server may after autovacuum has
// analysed it: statistics gathered, no index to lean on. A query that relies on the physical
// order of rows, or on the planner happening to use the sorted partial index, instead of its own
// ORDER BY, then returns rows in the order they were written.
func seqScan(t *testing.T, ctx context.Context, tx pgx.Tx) {
	t.Helper()
	for _, q := range []string{
		`ANALYZE inbox`,
		`SET LOCAL enable_indexscan = off`,
		`SET LOCAL enable_indexonlyscan = off`,
		`SET LOCAL enable_bitmapscan = off`,
	} {
		if _, err := tx.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// A chat's updates written out of order (the poller's batches and webhook deliveries race) are
// still handed out oldest first, and the chat whose oldest pending update is oldest comes first,
// whatever plan the database picks.
func TestInboxOrderSurvivesSequentialScan(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	now := time.Now()

	// Chat 1 gets updates 1..300 written in a scrambled order (never starting with the oldest);
	// chats 2..9 get one update each, written in an order unlike both their chat ids and their
	// update ids, so neither the heap nor a sort by chat_id gives the right answer by accident.
	const n = 300
	for i := range n {
		id := int64((i*37+150)%n + 1) // 151, 188, ...: a permutation of 1..300 (37 and 300 are coprime)
		if _, err := store.StoreUpdate(ctx, s.DB(), id, 1, []byte(`{}`), now); err != nil {
			t.Fatal(err)
		}
	}
	for _, w := range []struct{ update, chat int64 }{
		{1005, 4}, {1001, 7}, {1008, 2}, {1003, 9}, {1002, 3}, {1007, 5}, {1004, 8}, {1006, 6},
	} {
		if _, err := store.StoreUpdate(ctx, s.DB(), w.update, w.chat, []byte(`{}`), now); err != nil {
			t.Fatal(err)
		}
	}

	// next is the chat's next update as the dispatcher takes it, marked handled at once.
	next := func(chat int64) int64 {
		t.Helper()
		var id int64
		err := s.Tx(ctx, func(tx pgx.Tx) error {
			seqScan(t, ctx, tx)
			u, err := store.NextPendingUpdate(ctx, tx, chat)
			if err != nil {
				return err
			}
			id = u.UpdateID
			return store.MarkHandled(ctx, tx, u.UpdateID)
		})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	for want := int64(1); want <= 5; want++ {
		if got := next(1); got != want {
			t.Fatalf("chat 1's next pending update = %d, want %d (the oldest)", got, want)
		}
	}

	var chats []int64
	err := s.Tx(ctx, func(tx pgx.Tx) error {
		seqScan(t, ctx, tx)
		var err error
		chats, err = store.PendingChats(ctx, tx, 5)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// Chat 1's oldest pending update is now 6; then chats by their one update: 1001 (7), 1002 (3)...
	if want := []int64{1, 7, 3, 9, 8}; !slices.Equal(chats, want) {
		t.Fatalf("pending chats = %v, want %v (oldest pending update first)", chats, want)
	}
}
