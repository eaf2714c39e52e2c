package store_test

import (
	"context"
	"testing"
	"time"

	"umkmbot/store"
	"umkmbot/store/storetest"
)

func TestLookups(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t).DB()
	for _, l := range []struct {
		user  int64
		found bool
		at    time.Time
	}{
		{1, false, t0.Add(-2 * time.Hour)}, // before the window
		{1, true, t0},                      // at its start: counted
		{1, false, t0.Add(time.Minute)},
		{1, false, t0.Add(2 * time.Minute)},
		{2, false, t0.Add(time.Minute)}, // someone else
	} {
		if err := store.RecordLookup(ctx, db, l.user, l.found, l.at); err != nil {
			t.Fatal(err)
		}
	}
	total, failed, err := store.CountLookups(ctx, db, 1, t0)
	if err != nil || total != 3 || failed != 2 {
		t.Fatalf("lookups of user 1 = %d total, %d failed (%v), want 3 and 2", total, failed, err)
	}
	if total, failed, err := store.CountLookups(ctx, db, 3, t0); err != nil || total != 0 || failed != 0 {
		t.Fatalf("lookups of nobody = %d %d %v", total, failed, err)
	}
}
