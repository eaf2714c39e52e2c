package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"umkmbot/store"
	"umkmbot/store/storetest"
)

// t0 is the fixed "now" of the data tests (10:00 WITA).
var t0 = time.Date(2025, 7, 14, 2, 0, 0, 0, time.UTC)

func newOwner(t *testing.T, db store.DB, tgID int64) store.Owner {
	t.Helper()
	o, _, err := store.UpsertOwner(context.Background(), db, tgID, tgID, "id")
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func TestUpsertOwner(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t).DB()

	o, created, err := store.UpsertOwner(ctx, db, 100, 200, "en")
	if err != nil || !created {
		t.Fatalf("first upsert: created=%v err=%v", created, err)
	}
	if o.ID == 0 || o.TelegramUserID != 100 || o.ChatID != 200 || o.Lang != "en" || o.CreatedAt.IsZero() {
		t.Fatalf("first upsert returned %+v", o)
	}

	// Writing again changes nothing, and the language given then is ignored.
	again, created, err := store.UpsertOwner(ctx, db, 100, 200, "id")
	if err != nil || created {
		t.Fatalf("second upsert: created=%v err=%v", created, err)
	}
	if again.ID != o.ID || again.Lang != "en" {
		t.Fatalf("second upsert returned %+v, want id %d lang en", again, o.ID)
	}

	// Blocked, then they write again from another chat: reachable, new chat.
	if err := store.MarkOwnerUnreachable(ctx, db, 200, t0); err != nil {
		t.Fatal(err)
	}
	if err := store.MarkOwnerUnreachable(ctx, db, 999, t0); err != nil { // no one's chat: no error
		t.Fatal(err)
	}
	got, err := store.OwnerByID(ctx, db, o.ID)
	if err != nil || got.UnreachableAt == nil || !got.UnreachableAt.Equal(t0) {
		t.Fatalf("after 403: %+v %v", got, err)
	}
	back, created, err := store.UpsertOwner(ctx, db, 100, 201, "id")
	if err != nil || created || back.ChatID != 201 || back.UnreachableAt != nil {
		t.Fatalf("returning owner: %+v created=%v err=%v", back, created, err)
	}

	// Default language.
	if o2, _, err := store.UpsertOwner(ctx, db, 101, 101, ""); err != nil || o2.Lang != "id" {
		t.Fatalf("empty lang: %+v %v", o2, err)
	}
}

func TestOwnerLookupsAndUpdates(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t).DB()
	o := newOwner(t, db, 5)

	if err := store.SetOwnerLang(ctx, db, o.ID, "en"); err != nil {
		t.Fatal(err)
	}
	if err := store.SetOwnerContact(ctx, db, o.ID, "Maria Goreti", "+6281234567890"); err != nil {
		t.Fatal(err)
	}
	got, err := store.OwnerByTelegramID(ctx, db, 5)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != o.ID || got.Lang != "en" || got.Name != "Maria Goreti" || got.Phone != "+6281234567890" {
		t.Fatalf("owner = %+v", got)
	}

	for name, err := range map[string]error{
		"OwnerByID":       func() error { _, err := store.OwnerByID(ctx, db, 404); return err }(),
		"OwnerByTelegram": func() error { _, err := store.OwnerByTelegramID(ctx, db, 404); return err }(),
		"SetOwnerLang":    store.SetOwnerLang(ctx, db, 404, "id"),
		"SetOwnerContact": store.SetOwnerContact(ctx, db, 404, "x", ""),
	} {
		if !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s of a missing owner: %v, want ErrNotFound", name, err)
		}
	}
}

// An owner who deleted their data and then gives a name and phone again has data again: no
// longer marked deleted.
func TestOwnerContactAfterDeletionClearsTheMark(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t).DB()
	o, _, err := store.UpsertOwner(ctx, db, 77, 77, "id")
	if err != nil {
		t.Fatal(err)
	}
	if err := store.DeleteOwnerData(ctx, db, o.ID, 0, time.Now()); err != nil {
		t.Fatal(err)
	}
	if o, err = store.OwnerByID(ctx, db, o.ID); err != nil || o.DeletedAt == nil {
		t.Fatalf("after the deletion: %+v %v", o, err)
	}
	if err := store.SetOwnerContact(ctx, db, o.ID, "Maria", "+6281234567890"); err != nil {
		t.Fatal(err)
	}
	if o, err = store.OwnerByID(ctx, db, o.ID); err != nil || o.DeletedAt != nil || o.Phone != "+6281234567890" {
		t.Fatalf("after giving the contact again: %+v %v", o, err)
	}
}

// The engine learns who writes, owner and staff, from UpsertOwner alone: the staff row comes
// with the owner's, active or not, and only for staff.
func TestUpsertOwnerBringsTheStaffRow(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t).DB()
	if err := store.EnsureAdmins(ctx, db, []int64{900}); err != nil {
		t.Fatal(err)
	}
	o, created, err := store.UpsertOwner(ctx, db, 900, 900, "id")
	if err != nil || !created || o.Staff == nil || o.Staff.Role != "admin" || !o.Staff.Active || o.Staff.TelegramUserID != 900 {
		t.Fatalf("admin's first message: %+v %v %v", o.Staff, created, err)
	}
	if o, _, err = store.UpsertOwner(ctx, db, 900, 900, "id"); err != nil || o.Staff == nil || o.Staff.Role != "admin" {
		t.Fatalf("admin again (nothing changed): %+v %v", o.Staff, err)
	}
	if err := store.EnsureAdmins(ctx, db, nil); err != nil { // removed from ADMIN_TELEGRAM_IDS
		t.Fatal(err)
	}
	if o, _, err = store.UpsertOwner(ctx, db, 900, 900, "id"); err != nil || o.Staff == nil || o.Staff.Active {
		t.Fatalf("a removed admin: %+v %v; want the row, inactive", o.Staff, err)
	}
	if o, _, err = store.UpsertOwner(ctx, db, 901, 901, "id"); err != nil || o.Staff != nil {
		t.Fatalf("an owner: staff %+v %v; want none", o.Staff, err)
	}
}
