package store_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"umkmbot/store"
	"umkmbot/store/storetest"
)

// A full training's waiting list is first come, first served: a cancel gives the seat to the
// first in line (returned, to be told), who is then off the list and whose wish to be told of
// the kind is fulfilled; the others move up. Joining twice, joining while registered, and
// joining when a seat is free (registered at once) each say so.
func TestTrainingWaitlist(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t).DB()
	tr := newTraining(t, db, "ngada", 1, t0.Add(72*time.Hour))
	a, b, c := newOwner(t, db, 1), newOwner(t, db, 2), newOwner(t, db, 3)
	if err := store.RegisterForTraining(ctx, db, tr.ID, a.ID, t0); err != nil {
		t.Fatal(err)
	}
	if _, err := store.AddTrainingInterest(ctx, db, b.ID, "pkp", "ngada", t0); err != nil {
		t.Fatal(err)
	}
	for i, o := range []store.Owner{b, c} {
		registered, place, err := store.JoinTrainingWaitlist(ctx, db, tr.ID, o.ID, t0.Add(time.Duration(i+1)*time.Minute))
		if err != nil || registered || place != i+1 {
			t.Fatalf("owner %d joins: registered %v, place %d, %v", o.ID, registered, place, err)
		}
	}
	if _, place, err := store.JoinTrainingWaitlist(ctx, db, tr.ID, b.ID, t0.Add(time.Hour)); !errors.Is(err, store.ErrAlreadyWaiting) || place != 1 {
		t.Fatalf("joining twice: place %d, %v", place, err)
	}
	if _, _, err := store.JoinTrainingWaitlist(ctx, db, tr.ID, a.ID, t0); !errors.Is(err, store.ErrAlreadyRegistered) {
		t.Fatalf("registered owner joins: %v", err)
	}

	given, err := store.CancelTrainingRegistration(ctx, db, tr.ID, a.ID, t0.Add(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(given) != 1 || given[0].OwnerID != b.ID || given[0].ChatID != b.ChatID || !given[0].At.Equal(t0.Add(2*time.Hour)) {
		t.Fatalf("seats given %+v, want owner %d", given, b.ID)
	}
	seats, err := store.UpcomingTrainings(ctx, db, t0, c.ID, "ngada", 0)
	if err != nil {
		t.Fatal(err)
	}
	if seats[0].Registered != 1 || seats[0].Waiting != 1 || seats[0].Position != 1 || seats[0].Mine {
		t.Fatalf("as c sees it: %+v", seats[0])
	}
	kinds, err := store.OpenTrainingInterests(ctx, db, b.ID)
	if err != nil || len(kinds) != 0 {
		t.Fatalf("b's wishes after getting a seat: %v, %v", kinds, err)
	}
	// A cancel of someone not registered gives nothing; leaving the list frees no seat either.
	if _, err := store.CancelTrainingRegistration(ctx, db, tr.ID, a.ID, t0.Add(3*time.Hour)); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("second cancel: %v", err)
	}
	if err := store.LeaveTrainingWaitlist(ctx, db, tr.ID, c.ID); err != nil {
		t.Fatal(err)
	}
	if err := store.LeaveTrainingWaitlist(ctx, db, tr.ID, c.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("leaving twice: %v", err)
	}
	// A seat free when joining: registered at once.
	if _, err := store.CancelTrainingRegistration(ctx, db, tr.ID, b.ID, t0.Add(4*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if registered, _, err := store.JoinTrainingWaitlist(ctx, db, tr.ID, c.ID, t0.Add(5*time.Hour)); err != nil || !registered {
		t.Fatalf("joining with a seat free: registered %v, %v", registered, err)
	}
}

// Two registrants cancel at the same moment, each in a transaction of their own: the two freed
// seats go to the first two in line, each exactly once. The second cancel waits for the first's
// lock on the training row (the test waits until PostgreSQL shows it waiting), and then counts
// the seats as the first left them.
func TestTrainingTwoCancelsAtOnce(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	db := s.DB()
	tr := newTraining(t, db, "ngada", 2, t0.Add(72*time.Hour))
	a, b := newOwner(t, db, 1), newOwner(t, db, 2)
	waiting := []store.Owner{newOwner(t, db, 3), newOwner(t, db, 4), newOwner(t, db, 5)}
	for _, o := range []store.Owner{a, b} {
		if err := store.RegisterForTraining(ctx, db, tr.ID, o.ID, t0); err != nil {
			t.Fatal(err)
		}
	}
	for i, o := range waiting {
		if _, _, err := store.JoinTrainingWaitlist(ctx, db, tr.ID, o.ID, t0.Add(time.Duration(i+1)*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}

	var given1, given2 []store.SeatGiven
	holding, release := make(chan struct{}), make(chan struct{})
	done1, done2, pids := make(chan error, 1), make(chan error, 1), make(chan int32, 1)
	go func() {
		done1 <- s.Tx(ctx, func(tx pgx.Tx) error {
			var err error
			given1, err = store.CancelTrainingRegistration(ctx, tx, tr.ID, a.ID, t0.Add(time.Hour))
			close(holding)
			<-release
			return err
		})
	}()
	<-holding
	go func() {
		done2 <- s.Tx(ctx, func(tx pgx.Tx) error {
			var pid int32
			if err := tx.QueryRow(ctx, `SELECT pg_backend_pid()`).Scan(&pid); err != nil {
				return err
			}
			pids <- pid
			var err error
			given2, err = store.CancelTrainingRegistration(ctx, tx, tr.ID, b.ID, t0.Add(time.Hour))
			return err
		})
	}()
	waitForLock(t, db, <-pids, "the second cancel")
	close(release)
	if err := <-done1; err != nil {
		t.Fatal(err)
	}
	if err := <-done2; err != nil {
		t.Fatal(err)
	}
	var got []int64
	for _, g := range append(given1, given2...) {
		got = append(got, g.OwnerID)
	}
	slices.Sort(got)
	if want := []int64{waiting[0].ID, waiting[1].ID}; !slices.Equal(got, want) {
		t.Fatalf("seats given to %v, want %v (first %+v, second %+v)", got, want, given1, given2)
	}
	seats, err := store.UpcomingTrainings(ctx, db, t0, waiting[2].ID, "ngada", 0)
	if err != nil {
		t.Fatal(err)
	}
	if seats[0].Registered != 2 || seats[0].Position != 1 {
		t.Fatalf("after both cancels: %+v", seats[0])
	}
}

// An owner who deletes their data leaves no place on a waiting list, no wish to be told and no
// record of the openings they were told of.
func TestTrainingWaitlistAndInterestsGoWithOwnerData(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t).DB()
	tr := newTraining(t, db, "ngada", 1, t0.Add(72*time.Hour))
	a, b := newOwner(t, db, 1), newOwner(t, db, 2)
	if err := store.RegisterForTraining(ctx, db, tr.ID, a.ID, t0); err != nil {
		t.Fatal(err)
	}
	if _, _, err := store.JoinTrainingWaitlist(ctx, db, tr.ID, b.ID, t0); err != nil {
		t.Fatal(err)
	}
	if _, err := store.AddTrainingInterest(ctx, db, b.ID, "cppob", "ngada", t0); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(ctx, `INSERT INTO training_openings_told (training_id, owner_id, told_at) VALUES ($1, $2, $3)`, tr.ID, b.ID, t0); err != nil {
		t.Fatal(err)
	}
	if err := store.DeleteOwnerData(ctx, db, b.ID, 0, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	var left int
	if err := db.QueryRow(ctx, `SELECT (SELECT count(*) FROM training_waitlist) + (SELECT count(*) FROM training_interests)
		+ (SELECT count(*) FROM training_openings_told)`).Scan(&left); err != nil {
		t.Fatal(err)
	}
	if left != 0 {
		t.Fatalf("%d waiting-list and interest rows left after deleting the owner's data", left)
	}
}

// A seat freed without passing it on (the registrant deleted their data) is the waiting list's
// first: a newcomer is sent to the end of the line, the first in line may take it.
func TestTrainingFreeSeatBelongsToTheLine(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t).DB()
	tr := newTraining(t, db, "ngada", 1, t0.Add(72*time.Hour))
	a, b, c := newOwner(t, db, 1), newOwner(t, db, 2), newOwner(t, db, 3)
	if err := store.RegisterForTraining(ctx, db, tr.ID, a.ID, t0); err != nil {
		t.Fatal(err)
	}
	if _, _, err := store.JoinTrainingWaitlist(ctx, db, tr.ID, b.ID, t0); err != nil {
		t.Fatal(err)
	}
	if err := store.DeleteOwnerData(ctx, db, a.ID, 0, t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := store.RegisterForTraining(ctx, db, tr.ID, c.ID, t0.Add(2*time.Minute)); !errors.Is(err, store.ErrTrainingFull) {
		t.Fatalf("a newcomer takes the line's seat: %v", err)
	}
	if registered, place, err := store.JoinTrainingWaitlist(ctx, db, tr.ID, c.ID, t0.Add(3*time.Minute)); err != nil || registered || place != 2 {
		t.Fatalf("the newcomer joins: registered %v, place %d, %v", registered, place, err)
	}
	if err := store.RegisterForTraining(ctx, db, tr.ID, b.ID, t0.Add(4*time.Minute)); err != nil {
		t.Fatalf("the first in line takes the free seat: %v", err)
	}
}

// An owner leaves the waiting list while a registrant cancels, each in a transaction of their
// own: the freed seat goes to the next in line. The cancel waits for the leaver's lock on the
// training row (the test waits until PostgreSQL shows it waiting) and then finds the leaver gone;
// without that lock the cancel would pick the leaver, find their row deleted, and leave the seat
// empty while another waits.
func TestTrainingLeaveWaitlistWhileSeatFreed(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	db := s.DB()
	tr := newTraining(t, db, "ngada", 1, t0.Add(72*time.Hour))
	a, leaver, next := newOwner(t, db, 1), newOwner(t, db, 2), newOwner(t, db, 3)
	if err := store.RegisterForTraining(ctx, db, tr.ID, a.ID, t0); err != nil {
		t.Fatal(err)
	}
	for i, o := range []store.Owner{leaver, next} {
		if _, _, err := store.JoinTrainingWaitlist(ctx, db, tr.ID, o.ID, t0.Add(time.Duration(i+1)*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}

	var given []store.SeatGiven
	holding, release := make(chan struct{}), make(chan struct{})
	left, cancelled, pids := make(chan error, 1), make(chan error, 1), make(chan int32, 1)
	go func() {
		left <- s.Tx(ctx, func(tx pgx.Tx) error {
			err := store.LeaveTrainingWaitlist(ctx, tx, tr.ID, leaver.ID)
			close(holding)
			<-release
			return err
		})
	}()
	<-holding
	go func() {
		cancelled <- s.Tx(ctx, func(tx pgx.Tx) error {
			var pid int32
			if err := tx.QueryRow(ctx, `SELECT pg_backend_pid()`).Scan(&pid); err != nil {
				return err
			}
			pids <- pid
			var err error
			given, err = store.CancelTrainingRegistration(ctx, tx, tr.ID, a.ID, t0.Add(time.Hour))
			return err
		})
	}()
	waitForLock(t, db, <-pids, "the cancel")
	close(release)
	if err := <-left; err != nil {
		t.Fatal(err)
	}
	if err := <-cancelled; err != nil {
		t.Fatal(err)
	}
	if len(given) != 1 || given[0].OwnerID != next.ID {
		t.Fatalf("seats given %+v, want owner %d", given, next.ID)
	}
	var registered []int64
	rows, err := db.Query(ctx, `SELECT owner_id FROM training_registrations WHERE training_id = $1 ORDER BY owner_id`, tr.ID)
	if err != nil {
		t.Fatal(err)
	}
	if registered, err = pgx.CollectRows(rows, pgx.RowTo[int64]); err != nil {
		t.Fatal(err)
	}
	var waiting int
	if err := db.QueryRow(ctx, `SELECT count(*) FROM training_waitlist WHERE training_id = $1`, tr.ID).Scan(&waiting); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(registered, []int64{next.ID}) || waiting != 0 {
		t.Fatalf("registered %v and %d waiting, want only owner %d registered and no one waiting", registered, waiting, next.ID)
	}
}

// waitForLock waits until the backend pid waits for a lock; what names it in the failure.
func waitForLock(t *testing.T, db store.DB, pid int32, what string) {
	t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var wait string
		if err := db.QueryRow(ctx, `SELECT coalesce(wait_event_type, '') FROM pg_stat_activity WHERE pid = $1`, pid).Scan(&wait); err != nil {
			t.Fatal(err)
		}
		if wait == "Lock" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never waited for a lock", what)
		}
		time.Sleep(5 * time.Millisecond) // polling PostgreSQL for the condition, not a synchronisation sleep
	}
}
