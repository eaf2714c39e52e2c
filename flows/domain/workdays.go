package domain

import (
	"fmt"
	"slices"
	"time"
)

// wita is NTT's time zone, Asia/Makassar: UTC+8 without daylight saving. A fixed zone avoids
// depending on the host's time zone database.
func wita() *time.Location { return time.FixedZone("WITA", 8*60*60) }

const dateLayout = "2006-01-02"

func (r *Rules) loadHolidays(f *rulesFile) error {
	r.holidays = map[string]bool{}
	r.holidaySource = map[int]string{}
	r.holidayFirm = map[int]bool{}
	for _, y := range f.Holidays {
		if _, dup := r.holidaySource[y.Year]; dup {
			return fmt.Errorf("holidays for %d listed twice", y.Year)
		}
		if y.Source == "" {
			return fmt.Errorf("holidays for %d name no source", y.Year)
		}
		r.holidaySource[y.Year] = y.Source
		r.holidayFirm[y.Year] = y.Verified
		for _, s := range append(slices.Clone(y.Dates), y.CutiBersama...) {
			d, err := time.Parse(dateLayout, s)
			if err != nil || d.Year() != y.Year {
				return fmt.Errorf("holidays %d: bad date %q", y.Year, s)
			}
			r.holidays[s] = true
		}
	}
	return nil
}

// HolidaySource names where the holidays of year come from (the decree, or "estimate…"); "" when
// the year is missing.
func (r *Rules) HolidaySource(year int) string { return r.holidaySource[year] }

// MissingHolidayYears lists, of the year of t and the next, those without holidays in the data:
// the engine logs them as a warning (and the staff digest may show them), since working days in
// such a year count only weekends.
func (r *Rules) MissingHolidayYears(t time.Time) []int {
	var out []int
	y := t.In(wita()).Year()
	for _, year := range []int{y, y + 1} {
		if !r.HolidaysKnown(year) {
			out = append(out, year)
		}
	}
	return out
}

// HolidaysEstimated reports whether the holidays of year are in the data as estimates only (its
// decree not out yet).
func (r *Rules) HolidaysEstimated(year int) bool {
	return r.HolidaysKnown(year) && !r.holidayFirm[year]
}

// EndOfDay is the last minute of t's day in WITA (23:59:59): a due date ends there.
func EndOfDay(t time.Time) time.Time {
	t = t.In(wita())
	return time.Date(t.Year(), t.Month(), t.Day(), 23, 59, 59, 0, wita())
}

// HolidaysKnown reports whether the national holidays of year are in the data. Working days in
// a year without them count only weekends: the staff digest should warn.
func (r *Rules) HolidaysKnown(year int) bool { return r.holidaySource[year] != "" }

// IsWorkingDay reports whether t falls, in WITA, on a weekday that is not a national holiday.
func (r *Rules) IsWorkingDay(t time.Time) bool {
	t = t.In(wita())
	if wd := t.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return false
	}
	return !r.holidays[t.Format(dateLayout)]
}

// AddWorkingDays returns the n-th working day (hari kerja) after t, at the same WITA clock time;
// a negative n counts back. The day of t itself never counts. For n = 0 it returns t in WITA.
func (r *Rules) AddWorkingDays(t time.Time, n int) time.Time {
	t = t.In(wita())
	step := 1
	if n < 0 {
		step, n = -1, -n
	}
	for n > 0 {
		t = t.AddDate(0, 0, step)
		if r.IsWorkingDay(t) {
			n--
		}
	}
	return t
}
