package domain

import (
	"fmt"
	"time"
)

// wita is NTT's time zone, Asia/Makassar: UTC+8 without daylight saving. A fixed zone avoids
// depending on the host's time zone database.
func wita() *time.Location { return time.FixedZone("WITA", 8*60*60) }

const dateLayout = "2006-01-02"

func (r *Rules) loadHolidays(f *rulesFile) error {
	r.holidays = map[string]bool{}
	r.holidayYears = map[int]bool{}
	for _, y := range f.Holidays {
		if r.holidayYears[y.Year] {
			return fmt.Errorf("holidays for %d listed twice", y.Year)
		}
		r.holidayYears[y.Year] = true
		for _, s := range y.Dates {
			d, err := time.Parse(dateLayout, s)
			if err != nil || d.Year() != y.Year {
				return fmt.Errorf("holidays %d: bad date %q", y.Year, s)
			}
			r.holidays[s] = true
		}
	}
	return nil
}

// HolidaysKnown reports whether the national holidays of year are in the data. Working days in
// a year without them count only weekends: the staff digest should warn.
func (r *Rules) HolidaysKnown(year int) bool { return r.holidayYears[year] }

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
