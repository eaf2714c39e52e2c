package jobs_test

import (
	"fmt"
	"testing"
	"time"

	"umkmbot/flows/jobs"
	"umkmbot/store"
)

func correctionJob(j *jobs.Jobs) jobs.Due { return j.CorrectionDeadlines }

// needsFix creates a submitted application of the owner and, at asked, asks for corrections due
// at due; it returns the application's id.
func (h *harness) needsFix(number string, owner int64, asked, due time.Time) int64 {
	h.t.Helper()
	a := store.Application{Number: number, OwnerID: owner, Path: "spp_irt", Status: "submitted", ProductName: "Kopi Bajawa",
		CreatedAt: asked.Add(-24 * time.Hour)}
	if err := store.CreateApplication(h.ctx, h.st.DB(), &a, nil, "owner", owner); err != nil {
		h.t.Fatal(err)
	}
	h.changeStatus(a.ID, "submitted", "needs_fix", asked, &due)
	return a.ID
}

func (h *harness) changeStatus(id int64, from, to string, at time.Time, due *time.Time) {
	h.t.Helper()
	if err := store.ChangeStatus(h.ctx, h.st.DB(), id, from, to, "staff", 0, "Label belum mencantumkan berat bersih", due, at); err != nil {
		h.t.Fatal(err)
	}
}

// Across the end of November, hourly: 3 days and 1 day before the due date at 08:00 and on its
// day, in the owner's language; corrections asked after the 3-day moment get only the later ones;
// an application sent back for review is reminded no more, and one awaiting payment is not one. Two schedulers at once change nothing.
func TestCorrectionDeadlinesAcrossMonthEnd(t *testing.T) {
	for _, schedulers := range []int{1, 2} {
		t.Run(fmt.Sprintf("%d schedulers", schedulers), func(t *testing.T) {
			h := newHarness(t, schedulers, correctionJob)
			a, b, c := h.owner(301, "id"), h.owner(302, "en"), h.owner(303, "id")
			due := at(2026, 12, 2, 23, 59)
			h.needsFix("NTT-AAAA-0001", a.ID, at(2026, 11, 20, 10, 0), due)
			h.needsFix("NTT-AAAA-0002", b.ID, at(2026, 11, 30, 10, 0), due)
			resent := h.needsFix("NTT-AAAA-0003", c.ID, at(2026, 11, 20, 10, 0), due)
			gone := h.owner(305, "id")
			h.needsFix("NTT-AAAA-0005", gone.ID, at(2026, 11, 20, 10, 0), due)
			h.exec(`UPDATE owners SET deleted_at = $2 WHERE id = $1`, gone.ID, at(2026, 11, 21, 0, 0)) // /hapus_data
			// Awaiting payment with the same due date: not a correction.
			paying := store.Application{Number: "NTT-AAAA-0004", OwnerID: h.owner(304, "id").ID, Path: "md", Status: "in_review", ProductName: "Madu"}
			if err := store.CreateApplication(h.ctx, h.st.DB(), &paying, nil, "owner", paying.OwnerID); err != nil {
				t.Fatal(err)
			}
			h.changeStatus(paying.ID, "in_review", "awaiting_payment", at(2026, 11, 20, 10, 0), &due)

			h.every(time.Hour, at(2026, 11, 25, 0, 0), at(2026, 12, 1, 12, 0))
			h.changeStatus(resent, "needs_fix", "submitted", at(2026, 12, 1, 12, 0), nil)
			h.every(time.Hour, at(2026, 12, 1, 12, 0), at(2026, 12, 4, 0, 0))

			h.expect(
				want{chat: 301, keyEnd: "d3:2026-12-02", at: at(2026, 11, 29, 8, 0), contains: "3 hari lagi"},
				want{chat: 301, keyEnd: "d1:2026-12-02", at: at(2026, 12, 1, 8, 0), contains: "Catatan petugas: Label belum"},
				want{chat: 301, keyEnd: "d0:2026-12-02", at: at(2026, 12, 2, 8, 0), contains: "Hari ini batas terakhir"},
				want{chat: 302, keyEnd: "d1:2026-12-02", at: at(2026, 12, 1, 8, 0), contains: "1 day left"},
				want{chat: 302, keyEnd: "d0:2026-12-02", at: at(2026, 12, 2, 8, 0), contains: "Today is the last day"},
				want{chat: 303, keyEnd: "d3:2026-12-02", at: at(2026, 11, 29, 8, 0), contains: "NTT-AAAA-0003"},
				want{chat: 303, keyEnd: "d1:2026-12-02", at: at(2026, 12, 1, 8, 0)},
			)
		})
	}
}

// After downtime the next run sends the reminder whose window is open and skips the one past:
// down over the 3-day moment and the day after, the owner gets the 1-day reminder late in its
// window, then the last day's. A new due date brings its own reminders.
func TestCorrectionDeadlinesAfterDowntime(t *testing.T) {
	h := newHarness(t, 1, correctionJob)
	a, b := h.owner(401, "id"), h.owner(402, "id")
	due := at(2026, 12, 2, 23, 59)
	h.needsFix("NTT-BBBB-0001", a.ID, at(2026, 11, 20, 10, 0), due)
	extended := h.needsFix("NTT-BBBB-0002", b.ID, at(2026, 11, 20, 10, 0), due)
	down, up := at(2026, 11, 28, 20, 0), at(2026, 12, 1, 10, 0)
	h.every(time.Hour, at(2026, 11, 25, 0, 0), at(2026, 12, 1, 12, 0), down, up)
	later := at(2026, 12, 9, 23, 59)
	h.exec(`UPDATE applications SET due_at = $2 WHERE id = $1`, extended, later)
	h.every(time.Hour, at(2026, 12, 1, 12, 0), at(2026, 12, 11, 0, 0))
	h.expect(
		want{chat: 401, keyEnd: "d1:2026-12-02", at: up},
		want{chat: 401, keyEnd: "d0:2026-12-02", at: at(2026, 12, 2, 8, 0)},
		want{chat: 402, keyEnd: "d1:2026-12-02", at: up},
		want{chat: 402, keyEnd: "d3:2026-12-09", at: at(2026, 12, 6, 8, 0)},
		want{chat: 402, keyEnd: "d1:2026-12-09", at: at(2026, 12, 8, 8, 0)},
		want{chat: 402, keyEnd: "d0:2026-12-09", at: at(2026, 12, 9, 8, 0)},
	)
}
