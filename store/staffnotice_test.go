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

// newStaff adds an active staff member of the office.
func newStaff(t *testing.T, db store.DB, tgID int64, name, unit string) store.Staff {
	t.Helper()
	s := store.Staff{TelegramUserID: tgID, Name: name, Unit: unit, Role: "staff", Active: true}
	if err := store.SaveStaff(context.Background(), db, &s); err != nil {
		t.Fatal(err)
	}
	return s
}

// notesFixture is a submitted application of an owner and a staff member.
func notesFixture(t *testing.T, db store.DB) (store.Application, store.Staff) {
	t.Helper()
	o := newOwner(t, db, 7)
	b := store.Business{OwnerID: o.ID, Name: "Kopi Bajawa", Kabupaten: "ngada"}
	if err := store.SaveBusiness(context.Background(), db, &b); err != nil {
		t.Fatal(err)
	}
	return newApplication(t, db, o, b, "NTT-AAAA-AAA1", nil), newStaff(t, db, 9001, "Yuliana", "dinkes_ngada")
}

func hold(app store.Application, s store.Staff, kind string, at time.Time) store.PendingStaffNotice {
	return store.PendingStaffNotice{ChatID: s.TelegramUserID, StaffID: s.ID, ApplicationID: app.ID, Kind: kind,
		Kabupaten: "ngada", Text: kind + " " + app.Number, CreatedAt: at,
		DedupeKey: fmt.Sprintf("staff:%s:%s:%d:%d", kind, app.Number, s.ID, at.Unix())}
}

// A chat's notices are taken together once its first has waited: not a moment before, then all
// of them (the ones held since too), in order, once; another chat's wait on their own first.
func TestTakeStaffNotices(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t).DB()
	app, yuli := notesFixture(t, db)
	other := newStaff(t, db, 9002, "Markus", "dinkes_ngada")
	n, err := store.HoldStaffNotices(ctx, db, []store.PendingStaffNotice{
		hold(app, yuli, "submitted", t0), hold(app, yuli, "docs", t0.Add(50*time.Second)),
		hold(app, other, "submitted", t0.Add(30*time.Second)),
	})
	if err != nil || n != 3 {
		t.Fatalf("held %d (%v), want 3", n, err)
	}
	// The same notice decided again is held once.
	if n, err := store.HoldStaffNotices(ctx, db, []store.PendingStaffNotice{hold(app, yuli, "submitted", t0)}); err != nil || n != 0 {
		t.Fatalf("a notice held again: %d (%v), want 0", n, err)
	}

	if got, err := store.TakeStaffNotices(ctx, db, t0.Add(-time.Second)); err != nil || len(got) != 0 {
		t.Fatalf("taken before the first waited: %+v (%v)", got, err)
	}
	got, err := store.TakeStaffNotices(ctx, db, t0)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Kind != "submitted" || got[1].Kind != "docs" || got[0].ChatID != 9001 || got[1].ChatID != 9001 ||
		!got[0].Active || got[0].Text != "submitted "+app.Number || got[0].Kabupaten != "ngada" || got[0].ApplicationID != app.ID {
		t.Fatalf("taken at the first's time: %+v, want Yuliana's two in order", got)
	}
	if got, err := store.TakeStaffNotices(ctx, db, t0); err != nil || len(got) != 0 {
		t.Fatalf("taken twice: %+v (%v)", got, err)
	}
	if err := store.DeactivateStaff(ctx, db, other.ID); err != nil {
		t.Fatal(err)
	}
	got, err = store.TakeStaffNotices(ctx, db, t0.Add(time.Minute))
	if err != nil || len(got) != 1 || got[0].ChatID != 9002 || got[0].Active {
		t.Fatalf("Markus's, after he was removed: %+v (%v), want one, not active", got, err)
	}
}

// Several transactions taking at once each get what the others did not: every notice is taken
// exactly once (DELETE … RETURNING alone would give that).
func TestTakeStaffNoticesConcurrently(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	db := s.DB()
	app, yuli := notesFixture(t, db)
	var ns []store.PendingStaffNotice
	for i := range 40 {
		st := yuli
		if i%2 == 1 {
			st = newStaff(t, db, 9100+int64(i), "Staf", "dinkes_ngada")
		}
		ns = append(ns, hold(app, st, "submitted", t0.Add(time.Duration(i)*time.Second)))
	}
	if _, err := store.HoldStaffNotices(ctx, db, ns); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	seen := map[int64]int{}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			err := s.Tx(ctx, func(tx pgx.Tx) error {
				got, err := store.TakeStaffNotices(ctx, tx, t0.Add(time.Hour))
				mu.Lock()
				defer mu.Unlock()
				for _, n := range got {
					seen[n.ID]++
				}
				return err
			})
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if len(seen) != len(ns) {
		t.Fatalf("%d notices taken, want %d", len(seen), len(ns))
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("notice %d taken %d times", id, n)
		}
	}
}

// What SKIP LOCKED adds: while one transaction holds the notices it took (not yet committed), a
// second taker does not wait for it — it returns at once, without those notices, and takes the
// ones nobody holds. Waiting would end in the second's lock_timeout, an error; the timeout is
// only there to end a broken run, a right one never waits at all.
func TestTakeStaffNoticesSkipsHeldRows(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	db := s.DB()
	app, yuli := notesFixture(t, db)
	other := newStaff(t, db, 9002, "Markus", "dinkes_ngada")
	if _, err := store.HoldStaffNotices(ctx, db, []store.PendingStaffNotice{
		hold(app, yuli, "submitted", t0), hold(app, yuli, "docs", t0.Add(time.Second))}); err != nil {
		t.Fatal(err)
	}
	first, err := s.Pool().Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Rollback(ctx)
	held, err := store.TakeStaffNotices(ctx, first, t0.Add(time.Hour))
	if err != nil || len(held) != 2 {
		t.Fatalf("first take: %+v (%v), want Yuliana's two", held, err)
	}
	// Held after the first took its rows: free for the second.
	if _, err := store.HoldStaffNotices(ctx, db, []store.PendingStaffNotice{hold(app, other, "submitted", t0)}); err != nil {
		t.Fatal(err)
	}
	err = s.Tx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SET LOCAL lock_timeout = '5s'`); err != nil {
			return err
		}
		got, err := store.TakeStaffNotices(ctx, tx, t0.Add(time.Hour))
		if err != nil {
			return err
		}
		if len(got) != 1 || got[0].ChatID != 9002 {
			t.Errorf("second take while the first holds its rows: %+v, want Markus's one only", got)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("the second taker waited for the first's rows: %v", err)
	}
	if err := first.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if got, err := store.TakeStaffNotices(ctx, db, t0.Add(time.Hour)); err != nil || len(got) != 0 {
		t.Fatalf("left after both: %+v (%v), want none", got, err)
	}
}

func TestNotes(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t).DB()
	app, yuli := notesFixture(t, db)
	if notes, total, err := store.LatestNotes(ctx, db, app.ID, 3); err != nil || len(notes) != 0 || total != 0 {
		t.Fatalf("notes of a new application: %+v %d (%v)", notes, total, err)
	}
	for i := range 4 {
		n := store.Note{ApplicationID: app.ID, StaffID: yuli.ID, Body: fmt.Sprintf("catatan %d", i), CreatedAt: t0.Add(time.Duration(i) * time.Minute)}
		if err := store.AddNote(ctx, db, &n); err != nil || n.ID == 0 {
			t.Fatalf("add note: %v (id %d)", err, n.ID)
		}
	}
	notes, total, err := store.LatestNotes(ctx, db, app.ID, 3)
	if err != nil || total != 4 || len(notes) != 3 {
		t.Fatalf("latest notes: %d of %d (%v), want 3 of 4", len(notes), total, err)
	}
	if notes[0].Body != "catatan 3" || notes[2].Body != "catatan 1" || notes[0].StaffName != "Yuliana" ||
		notes[0].StaffID != yuli.ID || !notes[0].CreatedAt.Equal(t0.Add(3*time.Minute)) {
		t.Fatalf("latest notes: %+v, want the newest three, newest first, with the author", notes)
	}
	if err := store.AddNote(ctx, db, &store.Note{ApplicationID: app.ID, StaffID: yuli.ID, Body: "", CreatedAt: t0}); err == nil {
		t.Error("an empty note was kept")
	}
	if err := store.AddNote(ctx, db, &store.Note{ApplicationID: 404, StaffID: yuli.ID, Body: "x", CreatedAt: t0}); err == nil ||
		errors.Is(err, store.ErrNotFound) {
		t.Errorf("a note on no application: %v", err)
	}
}

// /hapus_data deletes the internal notes on the owner's applications (they may quote the
// owner), and leaves another owner's.
func TestDeleteOwnerDataDeletesNotes(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t).DB()
	app, yuli := notesFixture(t, db)
	other := newOwner(t, db, 8)
	ob := store.Business{OwnerID: other.ID, Name: "Tenun Sikka", Kabupaten: "sikka"}
	if err := store.SaveBusiness(ctx, db, &ob); err != nil {
		t.Fatal(err)
	}
	otherApp := newApplication(t, db, other, ob, "NTT-AAAA-AAA2", nil)
	for _, a := range []int64{app.ID, app.ID, otherApp.ID} {
		if err := store.AddNote(ctx, db, &store.Note{ApplicationID: a, StaffID: yuli.ID, Body: "Pak Yohanes 0812", CreatedAt: t0}); err != nil {
			t.Fatal(err)
		}
	}
	if err := store.DeleteOwnerData(ctx, db, app.OwnerID, 0, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	for a, want := range map[int64]int{app.ID: 0, otherApp.ID: 1} {
		if _, total, err := store.LatestNotes(ctx, db, a, 3); err != nil || total != want {
			t.Errorf("application %d has %d notes (%v), want %d", a, total, err, want)
		}
	}
	var count float64
	if err := db.QueryRow(ctx, `SELECT (detail->>'application_notes')::float FROM audit_log WHERE action = 'owner.delete_data'`).Scan(&count); err != nil || count != 2 {
		t.Errorf("audit counts %v notes deleted (%v), want 2", count, err)
	}
}
