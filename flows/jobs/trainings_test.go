package jobs_test

import (
	"fmt"
	"testing"
	"time"

	"umkmbot/flows/jobs"
	"umkmbot/store"
)

func trainingJob(j *jobs.Jobs) jobs.Due { return j.TrainingReminders }

// training creates a training starting at starts, with the given registrants (owner ids and
// when they registered), and returns its id.
func (h *harness) training(title string, starts time.Time, regs map[int64]time.Time) int64 {
	h.t.Helper()
	tr := store.Training{Title: title, Kind: "pkp", StartsAt: starts, DurationMinutes: 120, Place: "Aula Dinas Kesehatan Bajawa", Quota: 20}
	if err := store.CreateTraining(h.ctx, h.st.DB(), &tr); err != nil {
		h.t.Fatal(err)
	}
	for owner, when := range regs {
		if err := store.RegisterForTraining(h.ctx, h.st.DB(), tr.ID, owner, when); err != nil {
			h.t.Fatal(err)
		}
	}
	return tr.ID
}

// Across the end of November, every 10 minutes: the day before at 08:00 and 2 hours before, in
// the owner's language; a registration after the day-before moment gets only the last one; a
// cancelled training none; a training moved after its day-before reminder is reminded for its
// new day and hour. With two schedulers on one database at once, each reminder still goes once.
func TestTrainingRemindersAcrossMonthEnd(t *testing.T) {
	for _, schedulers := range []int{1, 2} {
		t.Run(fmt.Sprintf("%d schedulers", schedulers), func(t *testing.T) {
			h := newHarness(t, schedulers, trainingJob)
			early := at(2026, 11, 25, 9, 0)
			a, b, c, d := h.owner(101, "id"), h.owner(102, "en"), h.owner(103, "id"), h.owner(104, "id")
			starts := at(2026, 12, 1, 10, 0)
			h.training("PKP Bajawa", starts, map[int64]time.Time{a.ID: early, b.ID: early, c.ID: at(2026, 11, 30, 12, 0)})
			cancelled := h.training("PKP batal", at(2026, 12, 1, 11, 0), map[int64]time.Time{a.ID: early})
			h.exec(`UPDATE trainings SET cancelled_at = $2 WHERE id = $1`, cancelled, early)
			moved := h.training("Label kemasan", at(2026, 12, 1, 15, 0), map[int64]time.Time{d.ID: early})

			h.every(10*time.Minute, at(2026, 11, 29, 0, 0), at(2026, 11, 30, 20, 0))
			movedTo := at(2026, 12, 2, 9, 0)
			h.exec(`UPDATE trainings SET starts_at = $2 WHERE id = $1`, moved, movedTo)
			h.every(10*time.Minute, at(2026, 11, 30, 20, 0), at(2026, 12, 3, 0, 0))

			soon := fmt.Sprintf("soon:%d", starts.Unix())
			h.expect(
				want{chat: 101, keyEnd: "d1:2026-12-01", at: at(2026, 11, 30, 8, 0), contains: "besok ada pelatihan"},
				want{chat: 101, keyEnd: soon, at: at(2026, 12, 1, 8, 0), contains: "Aula Dinas Kesehatan Bajawa"},
				want{chat: 102, keyEnd: "d1:2026-12-01", at: at(2026, 11, 30, 8, 0), contains: "your training is tomorrow"},
				want{chat: 102, keyEnd: soon, at: at(2026, 12, 1, 8, 0), contains: "starts soon"},
				want{chat: 103, keyEnd: soon, at: at(2026, 12, 1, 8, 0)},
				want{chat: 104, keyEnd: "d1:2026-12-01", at: at(2026, 11, 30, 8, 0)},
				want{chat: 104, keyEnd: "d1:2026-12-02", at: at(2026, 12, 1, 8, 0), contains: "Rabu, 2 Desember 2026 pukul 09.00 WITA"},
				want{chat: 104, keyEnd: fmt.Sprintf("soon:%d", movedTo.Unix()), at: at(2026, 12, 2, 7, 0)},
			)
		})
	}
}

// A reminder carries a button that cancels the registration.
func TestTrainingReminderCancelButton(t *testing.T) {
	h := newHarness(t, 1, trainingJob)
	o := h.owner(101, "id")
	id := h.training("PKP Bajawa", at(2026, 12, 1, 10, 0), map[int64]time.Time{o.ID: at(2026, 11, 25, 9, 0)})
	msgs, err := h.jobs.TrainingReminders(h.ctx, h.st.DB(), at(2026, 11, 30, 8, 0))
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 1 || len(msgs[0].Reply.Buttons) != 1 || msgs[0].Reply.Buttons[0][0].Data != fmt.Sprintf("a:tr:cancel:%d", id) {
		t.Fatalf("reminder %+v, want one with a cancel button for training %d", msgs, id)
	}
}

// After downtime the next run catches up on a reminder whose window is still open, and skips one
// whose window has closed: the day-before reminder is not sent on the day itself.
func TestTrainingRemindersAfterDowntime(t *testing.T) {
	h := newHarness(t, 1, trainingJob)
	early := at(2026, 11, 25, 9, 0)
	a, b, c := h.owner(201, "id"), h.owner(202, "id"), h.owner(203, "id")
	first := at(2026, 12, 1, 10, 30)
	second := at(2026, 12, 2, 14, 0)
	afternoon := at(2026, 12, 1, 16, 0)
	h.training("PKP Ende", first, map[int64]time.Time{a.ID: early})
	h.training("PKP Sikka", second, map[int64]time.Time{b.ID: early})
	h.training("PKP Flores Timur", afternoon, map[int64]time.Time{c.ID: early})
	down, up := at(2026, 11, 30, 6, 0), at(2026, 12, 1, 9, 0)
	h.every(10*time.Minute, at(2026, 11, 29, 0, 0), at(2026, 12, 3, 0, 0), down, up)
	h.expect(
		want{chat: 201, keyEnd: fmt.Sprintf("soon:%d", first.Unix()), at: up},
		want{chat: 202, keyEnd: "d1:2026-12-02", at: up},
		want{chat: 202, keyEnd: fmt.Sprintf("soon:%d", second.Unix()), at: at(2026, 12, 2, 12, 0)},
		// Its day-before reminder would say "tomorrow" on the day: skipped.
		want{chat: 203, keyEnd: fmt.Sprintf("soon:%d", afternoon.Unix()), at: at(2026, 12, 1, 14, 0)},
	)
}
