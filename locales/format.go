package locales

import (
	"fmt"
	"strconv"
	"sync"
	"time"
	_ "time/tzdata" // the zone database, so WITA works in a scratch container
)

// zoneName is printed after clock times. NTT is in WITA (UTC+8) and has no daylight saving.
const zoneName = "WITA"

// location is computed once; the fixed zone is only a fallback if the database cannot be read.
var location = sync.OnceValue(func() *time.Location {
	loc, err := time.LoadLocation("Asia/Makassar")
	if err != nil {
		return time.FixedZone(zoneName, 8*60*60)
	}
	return loc
})

// Location returns Asia/Makassar (WITA, UTC+8), the zone every time is shown in. It never fails.
func Location() *time.Location { return location() }

// calendar holds the words and separators one language uses for dates, times and numbers.
type calendar struct {
	days        [7]string // Sunday first, as time.Weekday
	months      [12]string
	shortMonths [12]string
	at          string // between date and clock time
	clockSep    string
	thousands   string
}

// calendars is a read-only table by language.
var calendars = map[string]calendar{
	"id": {
		days:        [7]string{"Minggu", "Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu"},
		months:      [12]string{"Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober", "November", "Desember"},
		shortMonths: [12]string{"Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"},
		at:          "pukul",
		clockSep:    ".",
		thousands:   ".",
	},
	"en": {
		days:        [7]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"},
		months:      [12]string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
		shortMonths: [12]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"},
		at:          "at",
		clockSep:    ":",
		thousands:   ",",
	},
}

func (l *Localizer) calendar() calendar { return calendars[l.Lang()] }

// Date formats the day of t in WITA: "Kamis, 3 Desember 2026" or "Thursday, 3 December 2026".
func (l *Localizer) Date(t time.Time) string {
	c, t := l.calendar(), t.In(Location())
	return fmt.Sprintf("%s, %d %s %d", c.days[t.Weekday()], t.Day(), c.months[t.Month()-1], t.Year())
}

// DateTime formats t in WITA: "Kamis, 3 Desember 2026 pukul 09.00 WITA" or
// "Thursday, 3 December 2026 at 09:00 WITA".
func (l *Localizer) DateTime(t time.Time) string {
	return l.Date(t) + " " + l.calendar().at + " " + l.Clock(t)
}

// ShortDate formats the day of t in WITA: "3 Des 2026" or "3 Dec 2026".
func (l *Localizer) ShortDate(t time.Time) string {
	c, t := l.calendar(), t.In(Location())
	return fmt.Sprintf("%d %s %d", t.Day(), c.shortMonths[t.Month()-1], t.Year())
}

// Clock formats the time of day of t in WITA, 24-hour: "09.00 WITA" or "09:00 WITA".
func (l *Localizer) Clock(t time.Time) string {
	t = t.In(Location())
	return fmt.Sprintf("%02d%s%02d %s", t.Hour(), l.calendar().clockSep, t.Minute(), zoneName)
}

// Rupiah formats an amount of rupiah the currency's own way in every language: "Rp15.000",
// "-Rp15.000".
func (l *Localizer) Rupiah(n int64) string {
	s := group(n, calendars["id"].thousands)
	if n < 0 {
		return "-Rp" + s[1:]
	}
	return "Rp" + s
}

// Number formats n with the language's thousands separator: "1.250" or "1,250".
func (l *Localizer) Number(n int64) string { return group(n, l.calendar().thousands) }

// group writes n in decimal with sep between groups of three digits.
func group(n int64, sep string) string {
	u := uint64(n)
	sign := ""
	if n < 0 {
		u, sign = -u, "-" // unsigned negation also handles math.MinInt64
	}
	digits := strconv.FormatUint(u, 10)
	out := make([]byte, 0, len(sign)+len(digits)+len(digits)/3*len(sep))
	out = append(out, sign...)
	for i := range len(digits) {
		if i > 0 && (len(digits)-i)%3 == 0 {
			out = append(out, sep...)
		}
		out = append(out, digits[i])
	}
	return string(out)
}
