package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"umkmbot/store"
	"umkmbot/store/storetest"
)

// An invite makes its user staff once, within its 48 hours; a used, expired or unknown code
// changes nothing, and an admin is never demoted by one.
func TestInvites(t *testing.T) {
	db := storetest.New(t).DB()
	ctx := context.Background()
	now := time.Date(2026, 12, 3, 1, 0, 0, 0, time.UTC)
	mk := func(code string) {
		inv := store.Invite{Office: "loka_ende", Role: "staff", ExpiresAt: now.Add(48 * time.Hour), CreatedAt: now}
		if err := store.CreateInvite(ctx, db, code, &inv); err != nil {
			t.Fatal(err)
		}
	}
	mk("good")
	mk("late")
	s, inv, err := store.RedeemInvite(ctx, db, "good", 500, "Petugas", now.Add(time.Hour))
	if err != nil || !s.Active || s.Unit != "loka_ende" || s.Role != "staff" || inv.UsedBy != s.ID {
		t.Fatalf("redeem = %+v %+v %v", s, inv, err)
	}
	if _, _, err := store.RedeemInvite(ctx, db, "good", 501, "Lain", now.Add(2*time.Hour)); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("used invite: %v, want ErrNotFound", err)
	}
	if _, _, err := store.RedeemInvite(ctx, db, "late", 502, "Lain", now.Add(48*time.Hour)); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("expired invite: %v, want ErrNotFound", err)
	}
	if _, _, err := store.RedeemInvite(ctx, db, "nope", 503, "Lain", now); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown code: %v, want ErrNotFound", err)
	}
	for _, id := range []int64{501, 502, 503} {
		if _, err := store.StaffByTelegramID(ctx, db, id); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("user %d became staff: %v", id, err)
		}
	}
	if err := store.EnsureAdmins(ctx, db, []int64{600}); err != nil {
		t.Fatal(err)
	}
	mk("admin")
	if _, _, err := store.RedeemInvite(ctx, db, "admin", 600, "Admin", now); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("admin redeeming: %v, want ErrNotFound", err)
	}
	if a, _ := store.StaffByTelegramID(ctx, db, 600); a.Role != "admin" || !a.Active {
		t.Fatalf("admin demoted: %+v", a)
	}
}
