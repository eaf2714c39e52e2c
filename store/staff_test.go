package store_test

import (
	"context"
	"errors"
	"testing"

	"umkmbot/store"
	"umkmbot/store/storetest"
)

func TestStaff(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t).DB()

	s := store.Staff{TelegramUserID: 10, Name: "Petugas Ende", Unit: "ende", Active: true}
	if err := store.SaveStaff(ctx, db, &s); err != nil {
		t.Fatal(err)
	}
	if s.ID == 0 || s.Role != "staff" || s.CreatedAt.IsZero() {
		t.Fatalf("saved staff = %+v", s)
	}
	s.Active = false
	if err := store.SaveStaff(ctx, db, &s); err != nil {
		t.Fatal(err)
	}
	got, err := store.StaffByTelegramID(ctx, db, 10)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != s.ID || got.Name != "Petugas Ende" || got.Unit != "ende" || got.Role != "staff" || got.Active {
		t.Fatalf("staff = %+v", got)
	}

	// Added again by an admin (ID 0): the known row is overwritten, not duplicated.
	readd := store.Staff{TelegramUserID: 10, Name: "Petugas Ende", Unit: "ende", Active: true}
	if err := store.SaveStaff(ctx, db, &readd); err != nil || readd.ID != s.ID {
		t.Fatalf("re-added staff = %+v %v, want id %d", readd, err, s.ID)
	}

	// Admins from the configuration: one new, one promoted, listed twice.
	if err := store.EnsureAdmins(ctx, db, []int64{20, 10, 20}); err != nil {
		t.Fatal(err)
	}
	if err := store.EnsureAdmins(ctx, db, []int64{10, 20}); err != nil { // the same list at the next start
		t.Fatal(err)
	}
	active, err := store.ActiveStaff(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if len(active) != 2 || active[0].TelegramUserID != 10 || active[0].Role != "admin" || active[0].Name != "Petugas Ende" ||
		active[1].TelegramUserID != 20 || active[1].Role != "admin" || !active[1].Active {
		t.Fatalf("active staff = %+v", active)
	}

	// An id taken out of ADMIN_TELEGRAM_IDS: at the next start that admin is one no more; an empty
	// list leaves no admin at all. Staff who were never admins stay.
	plain := store.Staff{TelegramUserID: 30, Name: "Petugas Kupang", Unit: "bbpom_kupang", Active: true}
	if err := store.SaveStaff(ctx, db, &plain); err != nil {
		t.Fatal(err)
	}
	if err := store.EnsureAdmins(ctx, db, []int64{20}); err != nil {
		t.Fatal(err)
	}
	if got, _ := store.StaffByTelegramID(ctx, db, 10); got.Active {
		t.Fatalf("admin removed from the list is still active: %+v", got)
	}
	if got, _ := store.StaffByTelegramID(ctx, db, 20); !got.Active || got.Role != "admin" {
		t.Fatalf("admin still listed: %+v", got)
	}
	if err := store.EnsureAdmins(ctx, db, nil); err != nil {
		t.Fatal(err)
	}
	active, err = store.ActiveStaff(ctx, db)
	if err != nil || len(active) != 1 || active[0].TelegramUserID != 30 {
		t.Fatalf("after an empty list, active staff = %+v %v; want only the plain staff member", active, err)
	}

	if _, err := store.StaffByTelegramID(ctx, db, 404); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("missing staff: %v, want ErrNotFound", err)
	}
	missing := store.Staff{ID: 404, TelegramUserID: 404}
	if err := store.SaveStaff(ctx, db, &missing); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("update of a missing staff member: %v, want ErrNotFound", err)
	}
}
