package jobs_test

import (
	"fmt"
	"testing"
	"time"

	"umkmbot/flows/jobs"
	"umkmbot/store"
)

func openingsJob(j *jobs.Jobs) jobs.Due { return j.TrainingOpenings }

// scheduled creates a training of a kind in a kabupaten and returns its id.
func (h *harness) scheduled(kind, kab string, starts time.Time) int64 {
	h.t.Helper()
	tr := store.Training{Title: "Pelatihan " + kind + " " + kab, Kind: kind, StartsAt: starts, DurationMinutes: 120,
		Place: "Aula", Kabupaten: kab, Quota: 20}
	if err := store.CreateTraining(h.ctx, h.st.DB(), &tr); err != nil {
		h.t.Fatal(err)
	}
	return tr.ID
}

// wants asks to be told of a kind in a kabupaten.
func (h *harness) wants(owner store.Owner, kind, kab string, at time.Time) {
	h.t.Helper()
	if _, err := store.AddTrainingInterest(h.ctx, h.st.DB(), owner.ID, kind, kab, at); err != nil {
		h.t.Fatal(err)
	}
}

// Across the end of November, every 10 minutes with a downtime gap: owners who asked to be told
// of PKP in Ngada hear of each PKP course that opens there once, in their language, the next run
// after it is scheduled (after the gap, when it opened during it); no one hears of a cancelled
// one, of another kind or another kabupaten; an owner who signed up for a PKP course is told of
// no more. With two schedulers on one database at once, each still goes once.
func TestTrainingOpeningsAcrossMonthEnd(t *testing.T) {
	for _, schedulers := range []int{1, 2} {
		t.Run(fmt.Sprintf("%d schedulers", schedulers), func(t *testing.T) {
			h := newHarness(t, schedulers, openingsJob)
			asked := at(2026, 11, 25, 9, 0)
			ana, ben, cory, dedi := h.owner(101, "id"), h.owner(102, "en"), h.owner(103, "id"), h.owner(104, "id")
			gone := h.owner(105, "id")
			h.wants(ana, "pkp", "ngada", asked)
			h.wants(ben, "pkp", "ngada", asked)
			h.wants(cory, "cppob", "ngada", asked)
			h.wants(dedi, "pkp", "ende", asked)
			h.wants(gone, "pkp", "ngada", asked)
			h.exec(`UPDATE owners SET deleted_at = $2 WHERE id = $1`, gone.ID, asked) // /hapus_data: nothing

			h.every(10*time.Minute, at(2026, 11, 29, 0, 0), at(2026, 11, 30, 10, 5))
			first := h.scheduled("pkp", "ngada", at(2026, 12, 10, 9, 0))
			h.scheduled("label", "ngada", at(2026, 12, 11, 9, 0))
			h.scheduled("pkp", "sikka", at(2026, 12, 11, 9, 0))
			h.every(10*time.Minute, at(2026, 11, 30, 10, 10), at(2026, 12, 1, 12, 0))

			// Ana signs up for the first; a second course is scheduled during the downtime, a third
			// is cancelled before any run sees it.
			if err := store.RegisterForTraining(h.ctx, h.st.DB(), first, ana.ID, at(2026, 12, 1, 11, 0)); err != nil {
				t.Fatal(err)
			}
			second := h.scheduled("pkp", "ngada", at(2026, 12, 20, 9, 0))
			cancelled := h.scheduled("pkp", "ngada", at(2026, 12, 21, 9, 0))
			h.exec(`UPDATE trainings SET cancelled_at = $2 WHERE id = $1`, cancelled, at(2026, 12, 1, 12, 0))
			down, up := at(2026, 12, 1, 12, 0), at(2026, 12, 1, 15, 0)
			h.every(10*time.Minute, at(2026, 12, 1, 12, 0), at(2026, 12, 3, 0, 0), down, up)

			key := func(tr int64, o store.Owner) string { return fmt.Sprintf("training:%d:owner:%d:opening", tr, o.ID) }
			h.expect(
				want{chat: 101, keyEnd: key(first, ana), at: at(2026, 11, 30, 10, 10), contains: "Ada jadwal baru: Penyuluhan Keamanan Pangan (PKP)"},
				want{chat: 102, keyEnd: key(first, ben), at: at(2026, 11, 30, 10, 10), contains: "New on the schedule"},
				want{chat: 102, keyEnd: key(second, ben), at: up, contains: "20 December 2026"},
			)
		})
	}
}

// The message carries a button to sign up and one to stop being told.
func TestTrainingOpeningButtons(t *testing.T) {
	h := newHarness(t, 1, openingsJob)
	o := h.owner(101, "id")
	h.wants(o, "pkp", "ngada", at(2026, 11, 25, 9, 0))
	id := h.scheduled("pkp", "ngada", at(2026, 12, 10, 9, 0))
	msgs, err := h.jobs.TrainingOpenings(h.ctx, h.st.DB(), at(2026, 11, 26, 9, 0))
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 1 || len(msgs[0].Reply.Buttons) != 2 || msgs[0].Reply.Buttons[0][0].Data != fmt.Sprintf("a:tr:reg:%d", id) ||
		msgs[0].Reply.Buttons[1][0].Data != "a:trn:off:pkp" {
		t.Fatalf("opening %+v", msgs)
	}
	// Once the training has started it is no longer told.
	if msgs, err := h.jobs.TrainingOpenings(h.ctx, h.st.DB(), at(2026, 12, 10, 9, 0)); err != nil || len(msgs) != 0 {
		t.Fatalf("after the start: %+v, %v", msgs, err)
	}
}

// A training scheduled long ahead is told once, even after its dedupe key is pruned
// (RETAIN_OUTBOX, 90 days by default) while it is still upcoming and the wish still open: the
// job remembers whom it told of what until the training starts, and forgets it then.
func TestTrainingOpeningsToldOnceAfterKeysPruned(t *testing.T) {
	h := newHarness(t, 1, openingsJob)
	ana := h.owner(101, "id")
	h.wants(ana, "pkp", "ngada", at(2026, 11, 25, 9, 0))
	id := h.scheduled("pkp", "ngada", at(2027, 6, 1, 9, 0))
	told := at(2026, 11, 30, 10, 0)
	h.every(10*time.Minute, told, at(2026, 11, 30, 11, 0))

	// The message went; 90 days later housekeeping prunes its key.
	h.exec(`DELETE FROM outbox`)
	h.exec(`UPDATE outbox_keys SET created_at = $1`, told)
	later := told.Add(91 * 24 * time.Hour)
	if _, err := store.PruneOutboxHistory(h.ctx, h.st.DB(), later.Add(-90*24*time.Hour), 0); err != nil {
		t.Fatal(err)
	}
	var keys int
	if err := h.st.DB().QueryRow(h.ctx, `SELECT count(*) FROM outbox_keys`).Scan(&keys); err != nil || keys != 0 {
		t.Fatalf("%d keys left after pruning (%v)", keys, err)
	}
	h.every(10*time.Minute, later, later.Add(2*time.Hour))
	h.expect(want{chat: 101, keyEnd: fmt.Sprintf("training:%d:owner:%d:opening", id, ana.ID), at: told})

	// Once the training has started, what was told of it is forgotten.
	h.runAt(at(2027, 6, 1, 9, 0))
	var left int
	if err := h.st.DB().QueryRow(h.ctx, `SELECT count(*) FROM training_openings_told`).Scan(&left); err != nil || left != 0 {
		t.Fatalf("%d told rows left after the training started (%v)", left, err)
	}
}
