package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"umkmbot/store"
	"umkmbot/store/storetest"
)

func newTraining(t *testing.T, db store.DB, kabupaten string, quota int, startsAt time.Time) store.Training {
	t.Helper()
	tr := store.Training{Title: "PKP " + kabupaten, Kind: "pkp", StartsAt: startsAt, DurationMinutes: 960,
		Place: "Aula Dinas Kesehatan", Kabupaten: kabupaten, Quota: quota, Organiser: "Dinkes"}
	if err := store.CreateTraining(context.Background(), db, &tr); err != nil {
		t.Fatal(err)
	}
	return tr
}

func TestCreateTrainingAndByID(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t).DB()
	tr := store.Training{Title: "Bimtek label", Kind: "label", StartsAt: t0.Add(72 * time.Hour), DurationMinutes: 120,
		Place: "Zoom", OnlineURL: "https://example.org/zoom", Quota: 100, Organiser: "BBPOM Kupang", Description: "Label pangan"}
	if err := store.CreateTraining(ctx, db, &tr); err != nil {
		t.Fatal(err)
	}
	if tr.ID == 0 || tr.CreatedAt.IsZero() {
		t.Fatalf("created = %+v", tr)
	}
	got, err := store.TrainingByID(ctx, db, tr.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Title != tr.Title || got.OnlineURL != tr.OnlineURL || got.Kabupaten != "" || got.CreatedBy != 0 ||
		!got.StartsAt.Equal(tr.StartsAt) || got.Quota != 100 || got.Description != "Label pangan" || got.CancelledAt != nil {
		t.Fatalf("training = %+v, want %+v", got, tr)
	}
	if _, err := store.TrainingByID(ctx, db, 404); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("missing training: %v, want ErrNotFound", err)
	}
}

func TestUpcomingTrainings(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t).DB()
	o := newOwner(t, db, 1)
	day := 24 * time.Hour
	past := newTraining(t, db, "ngada", 10, t0.Add(-day))
	sikka := newTraining(t, db, "sikka", 10, t0.Add(1*day))
	ngadaLate := newTraining(t, db, "ngada", 10, t0.Add(5*day))
	ngadaSoon := newTraining(t, db, "ngada", 10, t0.Add(3*day))
	online := store.Training{Title: "Klinik daring", Kind: "clinic", StartsAt: t0.Add(4 * day), DurationMinutes: 60,
		Place: "Online", OnlineURL: "https://example.org/meet", Quota: 3}
	if err := store.CreateTraining(ctx, db, &online); err != nil {
		t.Fatal(err)
	}
	cancelledAt := t0
	cancelled := store.Training{Title: "Batal", Kind: "pkp", StartsAt: t0.Add(2 * day), DurationMinutes: 60, Place: "x",
		Kabupaten: "ngada", Quota: 3, CancelledAt: &cancelledAt}
	if err := store.CreateTraining(ctx, db, &cancelled); err != nil {
		t.Fatal(err)
	}
	other := newOwner(t, db, 2)
	for _, reg := range []struct{ tr, owner int64 }{{ngadaLate.ID, o.ID}, {ngadaLate.ID, other.ID}, {online.ID, other.ID}} {
		if err := store.RegisterForTraining(ctx, db, reg.tr, reg.owner, t0); err != nil {
			t.Fatal(err)
		}
	}
	_ = past

	ids := func(seats []store.TrainingSeat) []int64 {
		var out []int64
		for _, s := range seats {
			out = append(out, s.ID)
		}
		return out
	}
	tests := []struct {
		kabupaten string
		limit     int
		want      []int64
	}{
		{"ngada", 0, []int64{ngadaSoon.ID, ngadaLate.ID, online.ID, sikka.ID}},
		{"ngada", 2, []int64{ngadaSoon.ID, ngadaLate.ID}},
		{"sikka", 0, []int64{sikka.ID, online.ID, ngadaSoon.ID, ngadaLate.ID}},
		{"", 0, []int64{sikka.ID, ngadaSoon.ID, online.ID, ngadaLate.ID}},
	}
	for _, tt := range tests {
		seats, err := store.UpcomingTrainings(ctx, db, t0, o.ID, tt.kabupaten, tt.limit)
		if err != nil {
			t.Fatal(err)
		}
		if got := ids(seats); fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("upcoming for %q limit %d = %v, want %v", tt.kabupaten, tt.limit, got, tt.want)
		}
	}
	seats, err := store.UpcomingTrainings(ctx, db, t0, o.ID, "ngada", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range seats {
		wantReg, wantMine := map[int64]int{ngadaLate.ID: 2, online.ID: 1}[s.ID], s.ID == ngadaLate.ID
		if s.Registered != wantReg || s.Mine != wantMine {
			t.Errorf("training %d: registered %d mine %v, want %d %v", s.ID, s.Registered, s.Mine, wantReg, wantMine)
		}
	}
}

func TestRegisterForTraining(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	db := s.DB()
	a, b, c := newOwner(t, db, 1), newOwner(t, db, 2), newOwner(t, db, 3)
	tr := newTraining(t, db, "ende", 2, t0.Add(time.Hour))
	cancelledAt := t0
	cancelled := store.Training{Title: "Batal", Kind: "pkp", StartsAt: t0.Add(time.Hour), DurationMinutes: 60, Place: "x",
		Quota: 3, CancelledAt: &cancelledAt}
	if err := store.CreateTraining(ctx, db, &cancelled); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name            string
		training, owner int64
		at              time.Time
		want            error
	}{
		{"first", tr.ID, a.ID, t0, nil},
		{"again", tr.ID, a.ID, t0, store.ErrAlreadyRegistered},
		{"second", tr.ID, b.ID, t0.Add(time.Minute), nil},
		{"full", tr.ID, c.ID, t0, store.ErrTrainingFull},
		{"registered and full", tr.ID, b.ID, t0, store.ErrAlreadyRegistered},
		{"cancelled", cancelled.ID, c.ID, t0, store.ErrTrainingClosed},
		{"started", tr.ID, c.ID, t0.Add(time.Hour), store.ErrTrainingClosed},
		{"no training", 404, c.ID, t0, store.ErrNotFound},
		{"no owner", cancelled.ID + 1000, 404, t0, store.ErrNotFound},
	}
	for _, tt := range tests {
		err := store.RegisterForTraining(ctx, db, tt.training, tt.owner, tt.at)
		if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.want)
		}
	}
	open := newTraining(t, db, "ende", 5, t0.Add(time.Hour))
	if err := store.RegisterForTraining(ctx, db, open.ID, 404, t0); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown owner: %v, want ErrNotFound", err)
	}

	regs, err := store.TrainingRegistrations(ctx, db, tr.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(regs) != 2 || regs[0].ID != a.ID || regs[1].ID != b.ID {
		t.Fatalf("registrations = %+v, want a then b", regs)
	}

	// A refusal inside the caller's transaction leaves it usable.
	err = s.Tx(ctx, func(tx pgx.Tx) error {
		if err := store.RegisterForTraining(ctx, tx, tr.ID, c.ID, t0); !errors.Is(err, store.ErrTrainingFull) {
			t.Errorf("full in a transaction: %v", err)
		}
		if _, err := store.CancelTrainingRegistration(ctx, tx, tr.ID, a.ID, t0); err != nil {
			return err
		}
		return store.RegisterForTraining(ctx, tx, tr.ID, c.ID, t0.Add(2*time.Minute))
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.CancelTrainingRegistration(ctx, db, tr.ID, a.ID, t0); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("cancel when not registered: %v, want ErrNotFound", err)
	}
	regs, err = store.TrainingRegistrations(ctx, db, tr.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(regs) != 2 || regs[0].ID != b.ID || regs[1].ID != c.ID {
		t.Fatalf("registrations after the swap = %+v, want b then c", regs)
	}
}

// Twenty owners register for five seats at once, each in a transaction of their own (as each
// chat's update is): exactly five get a seat.
func TestRegisterForTrainingQuotaUnderConcurrency(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	const owners, quota = 20, 5
	tr := newTraining(t, s.DB(), "kupang", quota, t0.Add(24*time.Hour))
	ids := make([]int64, owners)
	for i := range ids {
		ids[i] = newOwner(t, s.DB(), int64(1000+i)).ID
	}

	start := make(chan struct{})
	errs := make([]error, owners)
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Go(func() {
			<-start
			errs[i] = s.Tx(ctx, func(tx pgx.Tx) error {
				if _, err := store.OwnerByID(ctx, tx, id); err != nil { // some other work in the same transaction
					return err
				}
				return store.RegisterForTraining(ctx, tx, tr.ID, id, t0)
			})
		})
	}
	close(start)
	wg.Wait()

	ok, full := 0, 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case errors.Is(err, store.ErrTrainingFull):
			full++
		default:
			t.Errorf("unexpected error: %v", err)
		}
	}
	if ok != quota || full != owners-quota {
		t.Fatalf("%d registered and %d refused as full, want %d and %d", ok, full, quota, owners-quota)
	}
	regs, err := store.TrainingRegistrations(ctx, s.DB(), tr.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(regs) != quota {
		t.Fatalf("%d rows registered, want %d", len(regs), quota)
	}
}

// Given the pool rather than a transaction, RegisterForTraining makes its own, so the quota
// still holds.
func TestRegisterForTrainingQuotaOnPool(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	tr := newTraining(t, s.DB(), "kupang", 3, t0.Add(24*time.Hour))
	const owners = 12
	ids := make([]int64, owners)
	for i := range ids {
		ids[i] = newOwner(t, s.DB(), int64(2000+i)).ID
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok := 0
	for _, id := range ids {
		wg.Go(func() {
			err := store.RegisterForTraining(ctx, s.DB(), tr.ID, id, t0)
			if err != nil && !errors.Is(err, store.ErrTrainingFull) {
				t.Errorf("unexpected error: %v", err)
			}
			if err == nil {
				mu.Lock()
				ok++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if ok != 3 {
		t.Fatalf("%d registered, want 3", ok)
	}
}
