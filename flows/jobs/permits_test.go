package jobs_test

import (
	"fmt"
	"testing"
	"time"

	"umkmbot/flows/domain"
	"umkmbot/flows/jobs"
	"umkmbot/store"
)

func permitJob(j *jobs.Jobs) jobs.Due { return j.PermitExpiry }

// approved creates an application on the path approved at when, with a permit valid until the
// given day.
func (h *harness) approved(number, path string, owner int64, when time.Time, permit string, validUntil time.Time) int64 {
	h.t.Helper()
	a := store.Application{Number: number, OwnerID: owner, Path: path, Status: "in_review", ProductName: "Tenun Sabun Kelor"}
	if err := store.CreateApplication(h.ctx, h.st.DB(), &a, nil, "owner", owner); err != nil {
		h.t.Fatal(err)
	}
	h.changeStatus(a.ID, "in_review", "approved", when, nil)
	if err := store.SetPermit(h.ctx, h.st.DB(), a.ID, permit, validUntil); err != nil {
		h.t.Fatal(err)
	}
	return a.ID
}

// Before a permit's last valid day, at its path's offsets: BPOM MD 12 months and 30 and 10
// working days before, SPP-IRT 180, 90 and 30 days before (across the ends of November and
// February). A daily run at 09:00 over more than a year, with downtime over the end of February
// (the 90-day reminder caught up) and over the MD's 30-working-day window (skipped, the
// 10-working-day one caught up); two schedulers at once change nothing.
func TestPermitExpiry(t *testing.T) {
	rules, err := domain.LoadRules()
	if err != nil {
		t.Fatal(err)
	}
	mdLast := at(2027, 6, 30, 8, 0)
	w30, w10 := rules.AddWorkingDays(mdLast, -30), rules.AddWorkingDays(mdLast, -10)
	day9 := func(t time.Time) time.Time { y, m, d := t.In(wita).Date(); return at(y, m, d, 9, 0) }
	for _, schedulers := range []int{1, 2} {
		t.Run(fmt.Sprintf("%d schedulers", schedulers), func(t *testing.T) {
			h := newHarness(t, schedulers, permitJob)
			approvedAt := at(2026, 3, 1, 10, 0)
			h.approved("NTT-MMMM-0001", "md", h.owner(901, "id").ID, approvedAt, "BPOM RI MD 123456789012", time.Date(2027, 6, 30, 0, 0, 0, 0, time.UTC))
			h.approved("NTT-MMMM-0002", "spp_irt", h.owner(902, "en").ID, approvedAt, "P-IRT No. 2065301010123-27", time.Date(2027, 5, 30, 0, 0, 0, 0, time.UTC))
			// Approved after its 180-day moment: the first reminder it gets is the 90-day one.
			h.approved("NTT-MMMM-0003", "spp_irt", h.owner(903, "id").ID, at(2026, 12, 5, 10, 0), "P-IRT No. 2065301010124-27", time.Date(2027, 5, 30, 0, 0, 0, 0, time.UTC))

			// Not approved (a record with a date but no permit in force): never reminded.
			other := store.Application{Number: "NTT-MMMM-0004", OwnerID: h.owner(904, "id").ID, Path: "spp_irt", Status: "rejected", ProductName: "Kopi"}
			if err := store.CreateApplication(h.ctx, h.st.DB(), &other, nil, "owner", other.OwnerID); err != nil {
				t.Fatal(err)
			}
			h.exec(`UPDATE applications SET permit_valid_until = '2027-05-30' WHERE id = $1`, other.ID)

			upFeb := at(2027, 3, 3, 9, 0)
			upMD := day9(w10).AddDate(0, 0, 1)
			h.every(24*time.Hour, at(2026, 6, 1, 9, 0), at(2027, 7, 3, 9, 0),
				at(2027, 2, 27, 0, 0), upFeb, day9(w30).AddDate(0, 0, -1), upMD)

			h.expect(
				want{chat: 901, keyEnd: "m12:2027-06-30", at: at(2026, 6, 30, 9, 0), contains: "e-registration BPOM"},
				want{chat: 901, keyEnd: "w10:2027-06-30", at: upMD, contains: "30 Juni 2027"},
				want{chat: 902, keyEnd: "d180:2027-05-30", at: at(2026, 12, 1, 9, 0), contains: "valid until"},
				want{chat: 902, keyEnd: "d90:2027-05-30", at: upFeb},
				want{chat: 902, keyEnd: "d30:2027-05-30", at: at(2027, 4, 30, 9, 0)},
				want{chat: 903, keyEnd: "d90:2027-05-30", at: upFeb},
				want{chat: 903, keyEnd: "d30:2027-05-30", at: at(2027, 4, 30, 9, 0)},
			)
		})
	}
}
