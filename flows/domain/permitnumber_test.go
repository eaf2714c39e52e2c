package domain

import (
	"errors"
	"testing"
)

func TestParsePermitNumber(t *testing.T) {
	tests := []struct {
		input     string
		path      PathCode
		canonical string
		region    string
		err       error
	}{
		{"P-IRT No. 2065371010123-29", PathSPPIRT, "P-IRT No. 2065371010123-29", "", nil},
		{"pirt 2065371010123 29", PathSPPIRT, "P-IRT No. 2065371010123-29", "", nil},
		{"P-IRT NO: 2.06.5371.01.0123.29", PathSPPIRT, "P-IRT No. 2065371010123-29", "", nil},
		{"P-IRT No. 206537101012329", PathSPPIRT, "P-IRT No. 2065371010123-29", "", nil},
		{"P-IRT No. 20653710101-29", "", "", "", ErrPermitDigits},
		{"SPP-IRT No. 2065371010123-29", PathSPPIRT, "P-IRT No. 2065371010123-29", "", nil},
		{"SPP-IRT 2065371010123-29", PathSPPIRT, "P-IRT No. 2065371010123-29", "", nil},
		{"P-IRT No. 20653710101234-29", PathSPPIRT, "P-IRT No. 20653710101234-29", "", nil}, // "at least 15 digits"
		{"P-IRT No. 2065371010123-2", "", "", "", ErrPermitDigits},
		{"P-IRT No. 2065371010123-2A", "", "", "", ErrPermitFormat},
		{"BPOM RI MD 224513001234", PathMD, "BPOM RI MD 224513001234", "", nil},
		{"bpom ri md 224513001234567", PathMD, "BPOM RI MD 224513001234567", "", nil},
		{"MD 2245 1300 1234", PathMD, "BPOM RI MD 224513001234", "", nil},
		{"BPOM RI MD 2245130012345", "", "", "", ErrPermitDigits},
		{"NA18191200123", PathKosmetik, "NA18191200123", "A", nil},
		{"BPOM NE 181 912 001 23", PathKosmetik, "NE18191200123", "E", nil},
		{"na1819120012", "", "", "", ErrPermitDigits},
		{"NF18191200123", "", "", "", ErrPermitRegion},
		{"POM TR 123456789", PathObatTradisional, "POM TR 123456789", "", nil},
		{"POM TR123456789", PathObatTradisional, "POM TR 123456789", "", nil},
		{"BPOM RI TR 123 456 789", PathObatTradisional, "POM TR 123456789", "", nil},
		{"POM TR 12345678", "", "", "", ErrPermitDigits},
		{"BPOM RI ML 224513001234", "", "", "", ErrPermitFormat},
		{"halal", "", "", "", ErrPermitFormat},
		{"", "", "", "", ErrPermitFormat},
	}
	for _, tt := range tests {
		t.Run(tt.input, func(t *testing.T) {
			got, err := ParsePermitNumber(tt.input)
			if !errors.Is(err, tt.err) {
				t.Fatalf("error = %v, want %v", err, tt.err)
			}
			if got.Path != tt.path || got.Canonical != tt.canonical || got.RegionLetter != tt.region {
				t.Errorf("got %+v, want path %q canonical %q region %q", got, tt.path, tt.canonical, tt.region)
			}
			if err == nil {
				again, err := ParsePermitNumber(got.Canonical)
				if err != nil || again != got {
					t.Errorf("canonical form does not parse back: %+v, %v", again, err)
				}
			}
		})
	}
}

func TestPIRTFields(t *testing.T) {
	p, err := ParsePermitNumber("P-IRT No. 2065371010123-29")
	if err != nil {
		t.Fatal(err)
	}
	got, ok := p.PIRT()
	want := PIRTFields{Packaging: "2", FoodType: "06", Region: "5371", Product: "01", Business: "0123", ExpiryYear: 2029}
	if !ok || got != want {
		t.Errorf("PIRT() = %+v, %v; want %+v", got, ok, want)
	}
	md, _ := ParsePermitNumber("BPOM RI MD 224513001234")
	if _, ok := md.PIRT(); ok {
		t.Error("PIRT() of an MD number reported ok")
	}
}

func TestPermitFormatName(t *testing.T) {
	for _, p := range []PathCode{PathSPPIRT, PathMD, PathKosmetik, PathObatTradisional} {
		if name, ok := PermitFormatName(p); !ok || name == "" {
			t.Errorf("PermitFormatName(%q) = %q, %v", p, name, ok)
		}
	}
	if _, ok := PermitFormatName("halal"); ok {
		t.Error("PermitFormatName of an unknown path reported ok")
	}
}
