package domain

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

func mustRules(t *testing.T) *Rules {
	t.Helper()
	r, err := LoadRules()
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestDocumentsPerPath(t *testing.T) {
	r := mustRules(t)
	tests := []struct {
		path        PathCode
		issuer      string
		years       int
		required    []string
		recommended []string
	}{
		{PathSPPIRT, "bupati_walikota", 5,
			[]string{"nib", "product_photo", "label_design", "pkp_certificate", "production_site", "production_process", "composition"},
			[]string{"halal_certificate"}},
		{PathMD, "bpom", 5,
			[]string{"nib", "product_photo", "label_design", "composition_percent", "production_process", "lab_test", "premises_inspection", "shelf_life_info"},
			[]string{"nutrition_facts", "halal_certificate"}},
		{PathKosmetik, "bpom", 3,
			[]string{"nib", "product_photo", "label_design", "formula", "cpkb_evidence"}, nil},
		{PathObatTradisional, "bpom", 5,
			[]string{"nib", "product_photo", "label_design", "formula", "production_process", "lab_test", "umot_ukot_licence"}, nil},
	}
	for _, tt := range tests {
		t.Run(string(tt.path), func(t *testing.T) {
			p, ok := r.Path(tt.path)
			if !ok || p.Issuer != tt.issuer || p.ValidityYears != tt.years {
				t.Fatalf("Path(%q) = %+v, %v", tt.path, p, ok)
			}
			var req, rec []string
			for _, d := range r.Documents(tt.path) {
				if d.Need == NeedRequired {
					req = append(req, d.Code)
				} else {
					rec = append(rec, d.Code)
				}
				if d.MaxBytes != 20<<20 || !slices.Contains(d.MIMETypes, "image/jpeg") {
					t.Errorf("%s: MaxBytes %d, MIME %v", d.Code, d.MaxBytes, d.MIMETypes)
				}
				if strings.Contains(d.Code, "ktp") {
					t.Errorf("%s asks for an identity card", d.Code)
				}
			}
			if !slices.Equal(req, tt.required) || !slices.Equal(rec, tt.recommended) {
				t.Errorf("required %v recommended %v; want %v and %v", req, rec, tt.required, tt.recommended)
			}
		})
	}
	if got := len(r.Paths()); got != 4 {
		t.Errorf("%d paths, want 4", got)
	}
	if _, ok := r.Path("halal"); ok || r.Documents("halal") != nil {
		t.Error("unknown path found")
	}
	if md, _ := r.Path(PathMD); md.RenewalFromMonthsBefore != 12 || md.RenewalUntilWorkingDaysBefore != 10 {
		t.Errorf("md renewal window %+v", md)
	}
	if docs := r.Documents(PathSPPIRT); !docs[0].NumberAllowed || docs[1].NumberAllowed {
		t.Error("only the NIB may be given as a number")
	}
}

func TestDocumentsAreCopies(t *testing.T) {
	r := mustRules(t)
	docs := r.Documents(PathMD)
	docs[0].Code = "changed"
	docs[1].MIMETypes[0] = "changed"
	if again := r.Documents(PathMD); again[0].Code != "nib" || again[1].MIMETypes[0] == "changed" {
		t.Error("Documents shares memory with Rules")
	}
}

func TestCheckFile(t *testing.T) {
	r := mustRules(t)
	docs := r.Documents(PathSPPIRT)
	label := docs[slices.IndexFunc(docs, func(d DocumentRule) bool { return d.Code == "label_design" })]
	photo := docs[slices.IndexFunc(docs, func(d DocumentRule) bool { return d.Code == "product_photo" })]
	tests := []struct {
		name string
		doc  DocumentRule
		mime string
		size int64
		err  error
	}{
		{"jpeg", label, "image/jpeg", 1 << 20, nil},
		{"png", label, "image/png", 1 << 20, nil},
		{"pdf", label, "application/pdf", 1 << 20, nil},
		{"mime parameters and case", label, "Application/PDF; name=x.pdf", 1 << 20, nil},
		{"exactly 20 MB", label, "application/pdf", 20 << 20, nil},
		{"over 20 MB", label, "application/pdf", 20<<20 + 1, ErrFileTooLarge},
		{"word document", label, "application/msword", 1 << 20, ErrFileType},
		{"empty type", label, "", 1 << 20, ErrFileType},
		{"pdf for a photo", photo, "application/pdf", 1 << 20, ErrFileType},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := r.CheckFile(tt.doc, tt.mime, tt.size)
			if !errors.Is(err, tt.err) {
				t.Errorf("CheckFile = %v, want %v", err, tt.err)
			}
		})
	}
}

func TestFoodLists(t *testing.T) {
	r := mustRules(t)
	want := []string{"dairy", "frozen_meat_fish_poultry", "low_acid_canned", "infant_food", "alcoholic_drink", "bottled_water", "mandatory_sni"}
	if got := r.NotEligibleForSPPIRT(); !slices.Equal(got, want) {
		t.Errorf("NotEligibleForSPPIRT = %v", got)
	}
	if got := r.NoPermitNeeded(); len(got) != 3 {
		t.Errorf("NoPermitNeeded = %v", got)
	}
	if got := r.MicroSmallFeePercent(); got != 50 {
		t.Errorf("MicroSmallFeePercent = %d", got)
	}
}

// TestParseRulesRejects checks that a staff edit breaking the data is refused at start-up.
func TestParseRulesRejects(t *testing.T) {
	base := string(requirementsTOML)
	tests := []struct{ name, old, new string }{
		{"typo in a key", `need = "recommended"`, `nede = "recommended"`},
		{"unknown need", `need = "recommended"`, `need = "optional"`},
		{"unknown kind", `kinds = ["photo"]`, `kinds = ["video"]`},
		{"identity card", `code = "composition"`, `code = "ktp_owner"`},
		{"wrong number format", `number_format = "pom_tr"`, `number_format = "tr"`},
		{"common document missing", `code = "product_photo"`, `code = "product_picture"`},
		{"unknown unit", `unit = "loka_ende"`, `unit = "loka_flores"`},
		{"repeated alias", `aliases = ["TTU", "Kefamenanu"]`, `aliases = ["TTS", "Kefamenanu"]`},
		{"bad holiday", `"2027-12-25"`, `"2028-12-25"`},
		{"due date for a final status", `[due_dates.needs_fix]`, `[due_dates.approved]`},
		{"not TOML", `[files]`, `[files`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(base, tt.old) {
				t.Fatalf("requirements.toml no longer holds %q", tt.old)
			}
			if _, err := parseRules([]byte(strings.Replace(base, tt.old, tt.new, 1))); err == nil {
				t.Error("parseRules accepted the broken data")
			}
		})
	}
}

func date(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := time.ParseInLocation("2006-01-02 15:04", s, wita())
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestAddWorkingDays(t *testing.T) {
	r := mustRules(t)
	tests := []struct {
		name, from string
		n          int
		want       string
	}{
		{"next day", "2026-07-06 09:00", 1, "2026-07-07 09:00"},         // Mon → Tue
		{"over a weekend", "2026-07-10 09:00", 1, "2026-07-13 09:00"},   // Fri → Mon
		{"from a Saturday", "2026-07-11 09:00", 1, "2026-07-13 09:00"},  // Sat → Mon
		{"ten days", "2026-07-06 09:00", 10, "2026-07-20 09:00"},        // two weeks
		{"Independence Day", "2026-08-14 09:00", 1, "2026-08-18 09:00"}, // Fri, Mon 17 Aug off
		{"Christmas 2026", "2026-12-24 09:00", 1, "2026-12-28 09:00"},   // Fri 25 Dec off
		{"New Year 2027", "2026-12-31 09:00", 1, "2027-01-04 09:00"},    // Fri 1 Jan off
		{"backwards", "2026-08-18 09:00", -1, "2026-08-14 09:00"},
		{"zero", "2026-07-11 09:00", 0, "2026-07-11 09:00"},
		{"payment in December", "2026-12-18 10:00", 10, "2027-01-07 10:00"}, // 24 Dec (cuti bersama), 25 Dec, 1 Jan, 5 Jan skipped
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := r.AddWorkingDays(date(t, tt.from), tt.n)
			if want := date(t, tt.want); !got.Equal(want) {
				t.Errorf("AddWorkingDays(%s, %d) = %s, want %s", tt.from, tt.n, got.Format(time.DateTime), tt.want)
			}
		})
	}
}

func TestWorkingDaysUseWITADates(t *testing.T) {
	r := mustRules(t)
	// 16 Aug 2026 17:00 UTC is already Mon 17 Aug 01:00 in WITA: a holiday, not a working day.
	if r.IsWorkingDay(time.Date(2026, 8, 16, 17, 0, 0, 0, time.UTC)) {
		t.Error("the UTC date decided the working day")
	}
	if !r.HolidaysKnown(2026) || !r.HolidaysKnown(2027) || r.HolidaysKnown(2028) {
		t.Error("HolidaysKnown does not match the data")
	}
}

func TestDefaultDue(t *testing.T) {
	r := mustRules(t)
	from := date(t, "2026-07-06 09:00")
	tests := []struct {
		status Status
		want   string
		ok     bool
	}{
		{StatusNeedsFix, "2026-07-20 23:59", true},        // 14 calendar days, to the end of the day
		{StatusAwaitingPayment, "2026-07-20 23:59", true}, // 10 working days
		{StatusInReview, "", false},
	}
	for _, tt := range tests {
		got, ok := r.DefaultDue(tt.status, from)
		if ok != tt.ok || (ok && !got.Truncate(time.Minute).Equal(date(t, tt.want))) {
			t.Errorf("DefaultDue(%s) = %s, %v; want %s", tt.status, got, ok, tt.want)
		}
	}
	// Calendar days across a holiday do not stretch; working days do.
	dec := date(t, "2026-12-14 09:00")
	if got, _ := r.DefaultDue(StatusNeedsFix, dec); !got.Truncate(time.Minute).Equal(date(t, "2026-12-28 23:59")) {
		t.Errorf("needs_fix from 14 Dec = %s", got)
	}
	// Idul Fitri 2026 and its cuti bersama (18–24 March) and Good Friday: a payment order of
	// 17 March is due on 8 April, at the end of the day.
	if got, _ := r.DefaultDue(StatusAwaitingPayment, date(t, "2026-03-17 14:30")); !got.Truncate(time.Minute).Equal(date(t, "2026-04-08 23:59")) {
		t.Errorf("payment from 17 Mar 2026 = %s, want 8 Apr 23:59", got)
	}
}

// Each year of holidays names its source; a year missing from the data is reported, so the
// engine can warn instead of counting weekdays silently.
func TestHolidayYears(t *testing.T) {
	r := mustRules(t)
	if src := r.HolidaySource(2026); !strings.Contains(src, "1497") {
		t.Errorf("2026 source = %q, want the SKB named", src)
	}
	for _, d := range []string{"2026-03-18 09:00", "2026-03-20 09:00", "2026-03-23 09:00", "2026-03-24 09:00", "2026-05-15 09:00", "2026-05-28 09:00", "2026-12-24 09:00", "2026-03-19 09:00"} {
		if r.IsWorkingDay(date(t, d)) {
			t.Errorf("%s is a holiday or cuti bersama in 2026", d)
		}
	}
	if got := r.MissingHolidayYears(date(t, "2026-06-01 09:00")); len(got) != 0 {
		t.Errorf("missing years in 2026 = %v", got)
	}
	if got := r.MissingHolidayYears(date(t, "2027-06-01 09:00")); len(got) != 1 || got[0] != 2028 {
		t.Errorf("missing years in 2027 = %v, want [2028]", got)
	}
}
