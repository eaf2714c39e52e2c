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

func TestDeleteOwnerData(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	db := s.DB()
	o := newOwner(t, db, 7)
	other := newOwner(t, db, 8)
	if err := store.SetOwnerContact(ctx, db, o.ID, "Yohanes", "+6281111111111"); err != nil {
		t.Fatal(err)
	}
	b := store.Business{OwnerID: o.ID, Name: "Kopi Bajawa Yohanes", NIB: "1234567890123", Kabupaten: "ngada",
		Desa: "Beiposo", OVOPProduct: "kopi"}
	if err := store.SaveBusiness(ctx, db, &b); err != nil {
		t.Fatal(err)
	}
	app := newApplication(t, db, o, b, "NTT-AAAA-AAA1", nil)
	tr := newTraining(t, db, "ngada", 5, t0.Add(48*time.Hour))
	for _, id := range []int64{o.ID, other.ID} {
		if err := store.RegisterForTraining(ctx, db, tr.ID, id, t0); err != nil {
			t.Fatal(err)
		}
	}
	if err := store.SaveSession(ctx, db, 7, 7, []byte(`{"flow":"register"}`), t0); err != nil {
		t.Fatal(err)
	}
	if err := store.SaveSession(ctx, db, 8, 8, []byte(`{}`), t0); err != nil {
		t.Fatal(err)
	}

	at := t0.Add(time.Hour)
	err := s.Tx(ctx, func(tx pgx.Tx) error { return store.DeleteOwnerData(ctx, tx, o.ID, at) })
	if err != nil {
		t.Fatal(err)
	}

	got, err := store.OwnerByID(ctx, db, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "" || got.Phone != "" || got.DeletedAt == nil || !got.DeletedAt.Equal(at) {
		t.Errorf("owner after deletion = %+v", got)
	}
	gotB, err := store.PrimaryBusiness(ctx, db, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	if gotB.Name != "(dihapus)" || gotB.NIB != "" || gotB.Desa != "" || gotB.Kabupaten != "ngada" || gotB.OVOPProduct != "kopi" {
		t.Errorf("business after deletion = %+v", gotB)
	}
	regs, err := store.TrainingRegistrations(ctx, db, tr.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(regs) != 1 || regs[0].ID != other.ID {
		t.Errorf("registrations after deletion = %v, want only the other owner", regs)
	}
	if _, _, err := store.LoadSession(ctx, db, 7); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("session after deletion: %v, want ErrNotFound", err)
	}
	if _, _, err := store.LoadSession(ctx, db, 8); err != nil {
		t.Errorf("the other owner's session: %v", err)
	}
	gotApp, err := store.ApplicationByID(ctx, db, app.ID)
	if err != nil {
		t.Fatal(err)
	}
	if gotApp.OwnerID != o.ID || gotApp.ProductName != app.ProductName || gotApp.Product["brand"] != "Mantap" {
		t.Errorf("application after deletion = %+v, want it kept", gotApp)
	}
	var n int
	if err := db.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE action = 'owner.delete_data' AND subject_id = $1
		AND actor_kind = 'owner' AND at = $2`, o.ID, at).Scan(&n); err != nil || n != 1 {
		t.Errorf("audit rows = %d (%v), want 1", n, err)
	}

	if err := store.DeleteOwnerData(ctx, db, 404, at); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("deleting a missing owner: %v, want ErrNotFound", err)
	}
}
