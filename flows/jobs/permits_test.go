package jobs_test

import (
	"fmt"
	"strings"
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

// held records a permit the owner already holds, as /izin_saya does, at when.
func (h *harness) held(owner int64, path, number string, validUntil time.Time, yearOnly bool, when time.Time) int64 {
	h.t.Helper()
	p := store.HeldPermit{OwnerID: owner, Path: path, Number: number, ProductName: "Kopi Bubuk Bajawa", ValidUntil: validUntil, YearOnly: yearOnly}
	if err := store.SaveHeldPermit(h.ctx, h.st.DB(), &p, when); err != nil {
		h.t.Fatal(err)
	}
	return p.ID
}

// Permits the owners recorded themselves get the same reminders as approved ones, with keys of
// their own: a P-IRT whose year only is known counts from 1 January of that year (none comes
// late); a cosmetics notification valid until 31 March 2027 at 180, 90 and 30 days, the 90-day
// one (31 December) missed in downtime over the end of the year and caught up after it; a permit
// recorded after its 180-day moment starts with the 90-day one; an approved permit beside them
// keeps its own. Daily runs at 09:00, one and two schedulers.
func TestHeldPermitExpiry(t *testing.T) {
	for _, schedulers := range []int{1, 2} {
		t.Run(fmt.Sprintf("%d schedulers", schedulers), func(t *testing.T) {
			h := newHarness(t, schedulers, permitJob)
			pirtOwner, kosOwner, lateOwner := h.owner(911, "en").ID, h.owner(912, "id").ID, h.owner(913, "id").ID
			h.held(pirtOwner, "spp_irt", "P-IRT No. 2065301010123-28", time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC), true, at(2026, 11, 10, 10, 0))
			h.held(kosOwner, "kosmetik", "NA18230101234", time.Date(2027, 3, 31, 0, 0, 0, 0, time.UTC), false, at(2026, 9, 1, 10, 0))
			h.held(lateOwner, "spp_irt", "P-IRT No. 2065301010124-27", time.Date(2027, 5, 30, 0, 0, 0, 0, time.UTC), false, at(2026, 12, 5, 10, 0))
			// The same owner's approved permit of the same day: its own reminders, its own keys.
			h.approved("NTT-HHHH-0001", "spp_irt", lateOwner, at(2026, 11, 1, 10, 0), "P-IRT No. 2065301010125-27", time.Date(2027, 5, 30, 0, 0, 0, 0, time.UTC))

			down, up := at(2026, 12, 30, 0, 0), at(2027, 1, 3, 9, 0)
			h.every(24*time.Hour, at(2026, 9, 1, 9, 0), at(2028, 1, 3, 9, 0), down, up)
			h.expect(
				want{chat: 911, keyEnd: "d180:2028-01-01", at: at(2027, 7, 5, 9, 0), contains: "valid until 2028"},
				want{chat: 911, keyEnd: "d90:2028-01-01", at: at(2027, 10, 3, 9, 0), contains: "OSS"},
				want{chat: 911, keyEnd: "d30:2028-01-01", at: at(2027, 12, 2, 9, 0)},
				want{chat: 912, keyEnd: "d180:2027-03-31", at: at(2026, 10, 2, 9, 0), contains: "berlaku sampai"},
				want{chat: 912, keyEnd: "d90:2027-03-31", at: up, contains: "notifkos"},
				want{chat: 912, keyEnd: "d30:2027-03-31", at: at(2027, 3, 1, 9, 0)},
				want{chat: 913, keyEnd: "d90:2027-05-30", at: at(2027, 3, 1, 9, 0)},
				want{chat: 913, keyEnd: "d30:2027-05-30", at: at(2027, 4, 30, 9, 0)},
				want{chat: 913, keyEnd: "d180:2027-05-30", at: at(2026, 12, 1, 9, 0)}, // the approved one
				want{chat: 913, keyEnd: "d90:2027-05-30", at: at(2027, 3, 1, 9, 0)},
				want{chat: 913, keyEnd: "d30:2027-05-30", at: at(2027, 4, 30, 9, 0)},
			)
			var held, approved int
			for _, s := range h.sent {
				switch {
				case strings.HasPrefix(s.Key, "heldpermit:"):
					held++
				case strings.HasPrefix(s.Key, "permit:"):
					approved++
				}
			}
			if held != 8 || approved != 3 {
				t.Errorf("%d reminders of recorded permits and %d of approved ones, want 8 and 3", held, approved)
			}
		})
	}
}

// A reminder missed in downtime goes out within 30 days of its moment, not later: the outbox's
// dedupe keys are pruned after RETAIN_OUTBOX, and a window open for months would send a reminder
// again once its key is gone.
func TestPermitReminderWindowIsBounded(t *testing.T) {
	h := newHarness(t, 1, permitJob)
	owner := h.owner(921, "id").ID
	h.approved("NTT-BBBB-0001", "md", owner, at(2026, 1, 5, 10, 0), "BPOM RI MD 123456789012", time.Date(2027, 6, 30, 0, 0, 0, 0, time.UTC))
	h.held(owner, "md", "BPOM RI MD 123456789013", time.Date(2027, 6, 30, 0, 0, 0, 0, time.UTC), false, at(2026, 1, 5, 10, 0))
	for _, c := range []struct {
		when time.Time
		want int
	}{
		{at(2026, 6, 30, 9, 0), 2},  // the 12-month moment
		{at(2026, 7, 29, 9, 0), 2},  // 29 days on: still useful
		{at(2026, 7, 31, 9, 0), 0},  // past its window, long before the next
		{at(2026, 10, 30, 9, 0), 0}, // months on: nothing, whatever the keys
	} {
		msgs, err := h.jobs.PermitExpiry(h.ctx, h.st.DB(), c.when)
		if err != nil {
			t.Fatal(err)
		}
		if len(msgs) != c.want {
			t.Errorf("at %v: %d reminders, want %d", c.when, len(msgs), c.want)
		}
	}
}

func TestParsePermitOffsets(t *testing.T) {
	for _, c := range []struct {
		in, want string
		ok       bool
	}{
		{"12mo,30wd,10wd", "12mo,30wd,10wd", true},
		{" 180d, 90D ,30d", "180d,90d,30d", true},
		{"18mo", "18mo", true},
		{"", "", false},
		{"19mo", "", false},
		{"0d", "", false},
		{"30", "", false},
		{"30d,30d", "", false},
		{"3w", "", false},
		{"551d", "", false},
		{"391wd", "", false},
	} {
		offs, err := jobs.ParsePermitOffsets(c.in)
		if (err == nil) != c.ok {
			t.Errorf("ParsePermitOffsets(%q) = %v, %v; want ok %v", c.in, offs, err, c.ok)
			continue
		}
		if got := jobs.FormatPermitOffsets(offs); c.ok && got != c.want {
			t.Errorf("ParsePermitOffsets(%q) = %s, want %s", c.in, got, c.want)
		}
	}
}
