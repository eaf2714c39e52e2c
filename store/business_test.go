package store_test

import (
	"context"
	"errors"
	"testing"

	"umkmbot/store"
	"umkmbot/store/storetest"
)

func TestBusinessSaveAndPrimary(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t).DB()
	o := newOwner(t, db, 1)

	if _, err := store.PrimaryBusiness(ctx, db, o.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("no business yet: %v, want ErrNotFound", err)
	}
	first := store.Business{OwnerID: o.ID, Name: "Madu Hutan Sumba", Kabupaten: "sumba_timur"}
	if err := store.SaveBusiness(ctx, db, &first); err != nil {
		t.Fatal(err)
	}
	if first.ID == 0 || first.CreatedAt.IsZero() {
		t.Fatalf("insert did not set id and times: %+v", first)
	}
	second := store.Business{OwnerID: o.ID, Name: "Kelor Kupang"}
	if err := store.SaveBusiness(ctx, db, &second); err != nil {
		t.Fatal(err)
	}

	first.NIB, first.Desa, first.OVOPProduct, first.Kabupaten = "9120001234567", "Prailiu", "madu", ""
	if err := store.SaveBusiness(ctx, db, &first); err != nil {
		t.Fatal(err)
	}
	got, err := store.PrimaryBusiness(ctx, db, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := first
	if got.ID != want.ID || got.Name != want.Name || got.NIB != want.NIB || got.Desa != want.Desa ||
		got.OVOPProduct != want.OVOPProduct || got.Kabupaten != "" || got.OwnerID != o.ID {
		t.Fatalf("primary business = %+v, want %+v", got, want)
	}
	if got.UpdatedAt.Before(got.CreatedAt) {
		t.Fatalf("updated_at %v before created_at %v", got.UpdatedAt, got.CreatedAt)
	}

	missing := store.Business{ID: 404, Name: "x"}
	if err := store.SaveBusiness(ctx, db, &missing); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("update of a missing business: %v, want ErrNotFound", err)
	}
}
