package locales

import (
	"math"
	"testing"
	"time"
)

func TestLocation(t *testing.T) {
	loc := Location()
	if loc.String() != "Asia/Makassar" {
		t.Errorf("Location() = %s, want Asia/Makassar", loc)
	}
	if _, offset := time.Date(2026, 7, 1, 0, 0, 0, 0, loc).Zone(); offset != 8*60*60 {
		t.Errorf("WITA offset = %ds, want UTC+8", offset)
	}
}

func TestDateAndTime(t *testing.T) {
	wib := time.FixedZone("WIB", 7*60*60)
	tests := []struct {
		name                             string
		in                               time.Time
		lang                             string
		date, dateTime, shortDate, clock string
	}{
		{"morning", time.Date(2026, 12, 3, 1, 0, 0, 0, time.UTC), "id",
			"Kamis, 3 Desember 2026", "Kamis, 3 Desember 2026 pukul 09.00 WITA", "3 Des 2026", "09.00 WITA"},
		{"morning", time.Date(2026, 12, 3, 1, 0, 0, 0, time.UTC), "en",
			"Thursday, 3 December 2026", "Thursday, 3 December 2026 at 09:00 WITA", "3 Dec 2026", "09:00 WITA"},
		{"UTC evening is next day in WITA", time.Date(2026, 12, 2, 16, 30, 0, 0, time.UTC), "id",
			"Kamis, 3 Desember 2026", "Kamis, 3 Desember 2026 pukul 00.30 WITA", "3 Des 2026", "00.30 WITA"},
		{"UTC evening is next day in WITA", time.Date(2026, 12, 2, 16, 30, 0, 0, time.UTC), "en",
			"Thursday, 3 December 2026", "Thursday, 3 December 2026 at 00:30 WITA", "3 Dec 2026", "00:30 WITA"},
		{"last minute before WITA midnight", time.Date(2026, 12, 2, 15, 59, 0, 0, time.UTC), "id",
			"Rabu, 2 Desember 2026", "Rabu, 2 Desember 2026 pukul 23.59 WITA", "2 Des 2026", "23.59 WITA"},
		{"new year in WITA, not yet in UTC", time.Date(2026, 12, 31, 17, 5, 0, 0, time.UTC), "id",
			"Jumat, 1 Januari 2027", "Jumat, 1 Januari 2027 pukul 01.05 WITA", "1 Jan 2027", "01.05 WITA"},
		{"new year in WITA, not yet in UTC", time.Date(2026, 12, 31, 17, 5, 0, 0, time.UTC), "en",
			"Friday, 1 January 2027", "Friday, 1 January 2027 at 01:05 WITA", "1 Jan 2027", "01:05 WITA"},
		{"WIB input (BPOM headquarters hours)", time.Date(2026, 8, 17, 8, 0, 0, 0, wib), "id",
			"Senin, 17 Agustus 2026", "Senin, 17 Agustus 2026 pukul 09.00 WITA", "17 Agu 2026", "09.00 WITA"},
		{"WIB input (BPOM headquarters hours)", time.Date(2026, 8, 17, 8, 0, 0, 0, wib), "en",
			"Monday, 17 August 2026", "Monday, 17 August 2026 at 09:00 WITA", "17 Aug 2026", "09:00 WITA"},
		{"already WITA, afternoon", time.Date(2026, 5, 1, 13, 45, 0, 0, Location()), "id",
			"Jumat, 1 Mei 2026", "Jumat, 1 Mei 2026 pukul 13.45 WITA", "1 Mei 2026", "13.45 WITA"},
	}
	b := mustLoad(t)
	for _, tt := range tests {
		l := b.For(tt.lang)
		for _, c := range []struct{ fn, got, want string }{
			{"Date", l.Date(tt.in), tt.date},
			{"DateTime", l.DateTime(tt.in), tt.dateTime},
			{"ShortDate", l.ShortDate(tt.in), tt.shortDate},
			{"Clock", l.Clock(tt.in), tt.clock},
		} {
			if c.got != c.want {
				t.Errorf("%s (%s) %s(%s) = %q, want %q", tt.name, tt.lang, c.fn, tt.in, c.got, c.want)
			}
		}
	}
}

func TestRupiahAndNumber(t *testing.T) {
	tests := []struct {
		n              int64
		rupiah, id, en string
	}{
		{0, "Rp0", "0", "0"},
		{5, "Rp5", "5", "5"},
		{999, "Rp999", "999", "999"},
		{1000, "Rp1.000", "1.000", "1,000"},
		{1250, "Rp1.250", "1.250", "1,250"},
		{15000, "Rp15.000", "15.000", "15,000"},
		{100000, "Rp100.000", "100.000", "100,000"},
		{1500000, "Rp1.500.000", "1.500.000", "1,500,000"},
		{-1, "-Rp1", "-1", "-1"},
		{-15000, "-Rp15.000", "-15.000", "-15,000"},
		{-2750000, "-Rp2.750.000", "-2.750.000", "-2,750,000"},
		{math.MaxInt64, "Rp9.223.372.036.854.775.807", "9.223.372.036.854.775.807", "9,223,372,036,854,775,807"},
		{math.MinInt64, "-Rp9.223.372.036.854.775.808", "-9.223.372.036.854.775.808", "-9,223,372,036,854,775,808"},
	}
	b := mustLoad(t)
	id, en := b.For("id"), b.For("en")
	for _, tt := range tests {
		if got := id.Rupiah(tt.n); got != tt.rupiah {
			t.Errorf("id Rupiah(%d) = %q, want %q", tt.n, got, tt.rupiah)
		}
		if got := en.Rupiah(tt.n); got != tt.rupiah {
			t.Errorf("en Rupiah(%d) = %q, want %q", tt.n, got, tt.rupiah)
		}
		if got := id.Number(tt.n); got != tt.id {
			t.Errorf("id Number(%d) = %q, want %q", tt.n, got, tt.id)
		}
		if got := en.Number(tt.n); got != tt.en {
			t.Errorf("en Number(%d) = %q, want %q", tt.n, got, tt.en)
		}
	}
}
