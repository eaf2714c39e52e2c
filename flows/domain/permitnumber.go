package domain

import (
	"fmt"
	"slices"
	"strings"
)

// PermitNumber is a permit number (nomor izin edar) read from a label or typed by an owner. A
// valid format proves only the format: it never shows that a product is registered.
type PermitNumber struct {
	Path         PathCode // which path issues numbers of this shape
	Canonical    string   // as printed on a label, e.g. "P-IRT No. 2065371010123-29"
	Digits       string   // the digits only, e.g. for search
	RegionLetter string   // kosmetik only: the region letter A–E (A for Indonesia)
}

// PIRTFields are the parts of a 15-digit P-IRT number.
type PIRTFields struct {
	Packaging  string // digit 1
	FoodType   string // digits 2–3
	Region     string // digits 4–7: province (4–5) and kabupaten/kota (6–7)
	Product    string // digits 8–9: product sequence of the business
	Business   string // digits 10–13: business sequence
	ExpiryYear int    // digits 14–15 as 20YY: the year the certificate lapses
}

// PIRT returns the fields of an SPP-IRT number; ok is false for the other paths.
func (p PermitNumber) PIRT() (f PIRTFields, ok bool) {
	if p.Path != PathSPPIRT || len(p.Digits) != 15 {
		return PIRTFields{}, false
	}
	d := p.Digits
	year := 2000 + int(d[13]-'0')*10 + int(d[14]-'0')
	return PIRTFields{d[0:1], d[1:3], d[3:7], d[7:9], d[9:13], year}, true
}

// minPIRTDigits: P-IRT numbers are 15 digits in the common layout, "at least 15" per sources.
const minPIRTDigits = 15

// permitFormat is the shape of one kind of permit number.
type permitFormat struct {
	path    PathCode
	name    string   // the format name requirements.toml refers to
	markers []string // what precedes the digits, spaces and dots removed, longest first
	digits  []int    // the accepted digit counts
	label   string   // printed before the digits
}

// permitFormats lists the number shapes. Kosmetik numbers are handled apart: the region letter sits
// between the marker and the digits.
func permitFormats() []permitFormat {
	return []permitFormat{
		{PathSPPIRT, "p_irt", []string{"SPPIRTNO", "SPPIRT", "PIRTNO", "PIRT"}, nil, "P-IRT No. "}, // at least 15 digits
		{PathMD, "bpom_md", []string{"MD"}, []int{12, 15}, "BPOM RI MD "},
		{PathKosmetik, "notifikasi_kosmetik", []string{"N"}, []int{11}, "N"},
		{PathObatTradisional, "pom_tr", []string{"TR"}, []int{9}, "POM TR "},
	}
}

// PermitFormatName returns the name of the number format of a path, as requirements.toml names it.
func PermitFormatName(path PathCode) (string, bool) {
	for _, f := range permitFormats() {
		if f.path == path {
			return f.name, true
		}
	}
	return "", false
}

// ParsePermitNumber recognises a permit number, detects its path and normalises it. It tolerates
// case, spaces, dots, hyphens and colons, the "BPOM RI" or "POM" before MD, TR and N numbers, and
// a P-IRT without "No.". It fails with ErrPermitFormat when the text is no known kind,
// ErrPermitDigits when the kind is clear but the digit count is wrong, and ErrPermitRegion for a
// kosmetik region letter outside A–E.
func ParsePermitNumber(s string) (PermitNumber, error) {
	c := strings.ToUpper(dropRunes(s, func(r rune) bool { return isSeparator(r) || r == ':' }))
	if !strings.HasPrefix(c, "PIRT") && !strings.HasPrefix(c, "SPPIRT") {
		for _, issuer := range []string{"BPOMRI", "BPOM", "POMRI", "POM"} {
			if rest, ok := strings.CutPrefix(c, issuer); ok {
				c = rest
				break
			}
		}
	}
	for _, f := range permitFormats() {
		for _, m := range f.markers {
			rest, ok := strings.CutPrefix(c, m)
			if !ok {
				continue
			}
			region := ""
			label := f.label
			if f.path == PathKosmetik {
				if rest == "" || !isUpperASCII(rest[0]) {
					break
				}
				region, rest = rest[:1], rest[1:]
				label += region
			}
			if !allDigits(rest) {
				break
			}
			if region != "" && (region < "A" || region > "E") {
				return PermitNumber{}, fmt.Errorf("%w: %q", ErrPermitRegion, region)
			}
			if f.path == PathSPPIRT && len(rest) < minPIRTDigits || f.path != PathSPPIRT && !slices.Contains(f.digits, len(rest)) {
				return PermitNumber{}, fmt.Errorf("%w: %s with %d digits", ErrPermitDigits, f.path, len(rest))
			}
			canonical := label + rest
			if f.path == PathSPPIRT {
				canonical = label + rest[:len(rest)-2] + "-" + rest[len(rest)-2:] // the last two: the year it lapses
			}
			return PermitNumber{Path: f.path, Canonical: canonical, Digits: rest, RegionLetter: region}, nil
		}
	}
	return PermitNumber{}, ErrPermitFormat
}

func isUpperASCII(b byte) bool { return b >= 'A' && b <= 'Z' }
