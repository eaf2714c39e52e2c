package store_test

import (
	"context"
	"testing"

	"umkmbot/store"
	"umkmbot/store/storetest"
)

// DetachOwnerApplications lets go of the owner's applications, by owner or by business, and of
// no one else's; the applications themselves, their number and history, stay.
func TestDetachOwnerApplications(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t).DB()
	o := newOwner(t, db, 7)
	other := newOwner(t, db, 8)
	b := store.Business{OwnerID: o.ID, Name: "Kopi Bajawa", Kabupaten: "ngada"}
	otherB := store.Business{OwnerID: other.ID, Name: "Tenun Sikka", Kabupaten: "sikka"}
	for _, x := range []*store.Business{&b, &otherB} {
		if err := store.SaveBusiness(ctx, db, x); err != nil {
			t.Fatal(err)
		}
	}
	mine := newApplication(t, db, o, b, "NTT-AAAA-AAA1", nil)
	byBusiness := newApplication(t, db, store.Owner{}, b, "NTT-AAAA-AAA3", nil) // made for the business only
	theirs := newApplication(t, db, other, otherB, "NTT-AAAA-AAA2", nil)

	n, err := store.DetachOwnerApplications(ctx, db, o.ID)
	if err != nil || n != 2 {
		t.Fatalf("detached %d (%v), want 2", n, err)
	}
	if apps, err := store.ApplicationsByOwner(ctx, db, o.ID); err != nil || len(apps) != 0 {
		t.Fatalf("the owner still has %d applications (%v)", len(apps), err)
	}
	for _, a := range []store.Application{mine, byBusiness} {
		got, err := store.ApplicationByNumber(ctx, db, a.Number)
		if err != nil {
			t.Fatalf("%s is gone: %v", a.Number, err)
		}
		if got.OwnerID != 0 || got.BusinessID != 0 || got.ProductName != a.ProductName {
			t.Errorf("%s after detaching: %+v", a.Number, got)
		}
		if hist, err := store.StatusHistory(ctx, db, a.ID); err != nil || len(hist) == 0 {
			t.Errorf("%s lost its history (%v)", a.Number, err)
		}
	}
	got, err := store.ApplicationByNumber(ctx, db, theirs.Number)
	if err != nil || got.OwnerID != other.ID || got.BusinessID != otherB.ID {
		t.Errorf("another owner's application was touched: %+v (%v)", got, err)
	}
}
