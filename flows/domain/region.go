package domain

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
)

// BPOMUnit is one of BPOM's regional units (UPT) in NTT.
type BPOMUnit struct {
	Code string // e.g. "bbpom_kupang", "loka_ende"
	Name string // the official name, e.g. "Balai Besar POM di Kupang"
	Seat string // the town it sits in
}

// Kabupaten is one of the 22 kabupaten/kota of NTT.
type Kabupaten struct {
	Code    string   // e.g. "kota_kupang", "timor_tengah_selatan"
	Name    string   // e.g. "Kota Kupang", "Timor Tengah Selatan"
	Aliases []string // abbreviations and the seat town, e.g. "TTS", "Soe"
	Unit    string   // code of the BPOM unit that covers it
	// UnitDefaulted is true when the data names no unit and the default (Kupang) applies:
	// coverage is not published, so such an assignment is an assumption.
	UnitDefaulted bool
}

func (r *Rules) loadRegions(f *rulesFile) error {
	for _, u := range f.Units {
		if u.Code == "" || slices.ContainsFunc(r.units, func(x BPOMUnit) bool { return x.Code == u.Code }) {
			return fmt.Errorf("bpom_units: empty or repeated code %q", u.Code)
		}
		r.units = append(r.units, BPOMUnit{Code: u.Code, Name: u.Name, Seat: u.Seat})
	}
	if _, ok := r.Unit(f.Regions.DefaultUnit); !ok {
		return fmt.Errorf("regions.default_unit %q is not a unit", f.Regions.DefaultUnit)
	}
	r.kabupatenKeys = map[string]int{}
	for i, k := range f.Kabupaten {
		kab := Kabupaten{Code: k.Code, Name: k.Name, Aliases: k.Aliases, Unit: k.Unit}
		if kab.Unit == "" {
			kab.Unit, kab.UnitDefaulted = f.Regions.DefaultUnit, true
		}
		if _, ok := r.Unit(kab.Unit); !ok {
			return fmt.Errorf("kabupaten %q: unknown unit %q", k.Code, kab.Unit)
		}
		for _, name := range append([]string{k.Code, k.Name}, k.Aliases...) {
			key := regionKey(name)
			if j, dup := r.kabupatenKeys[key]; key == "" || (dup && j != i) {
				return fmt.Errorf("kabupaten %q: name %q is empty or already used", k.Code, name)
			}
			r.kabupatenKeys[key] = i
		}
		r.kabupaten = append(r.kabupaten, kab)
	}
	return nil
}

// regionKey normalises a place name for matching: lower case, apostrophes dropped, punctuation
// and underscores as spaces, a leading "kabupaten"/"kab" removed ("kota" is kept: Kota Kupang and
// Kupang are different places).
func regionKey(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\'' || r == '’':
			return -1
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			return unicode.ToLower(r)
		default:
			return ' '
		}
	}, s)
	words := strings.Fields(s)
	if len(words) > 1 && (words[0] == "kabupaten" || words[0] == "kab") {
		words = words[1:]
	}
	return strings.Join(words, " ")
}

// Kabupatens returns the 22 kabupaten/kota in the data's order.
func (r *Rules) Kabupatens() []Kabupaten {
	out := slices.Clone(r.kabupaten)
	for i := range out {
		out[i].Aliases = slices.Clone(out[i].Aliases)
	}
	return out
}

// Kabupaten returns the kabupaten/kota with the given code.
func (r *Rules) Kabupaten(code string) (Kabupaten, bool) {
	i := slices.IndexFunc(r.kabupaten, func(k Kabupaten) bool { return k.Code == code })
	if i < 0 {
		return Kabupaten{}, false
	}
	k := r.kabupaten[i]
	k.Aliases = slices.Clone(k.Aliases)
	return k, true
}

// FindKabupaten matches a name as an owner types it: "kota kupang", "Kab. Ende", "TTS", "Labuan
// Bajo", or a code. "Kupang" alone is Kabupaten Kupang; flows should confirm the full name.
func (r *Rules) FindKabupaten(name string) (Kabupaten, bool) {
	i, ok := r.kabupatenKeys[regionKey(name)]
	if !ok {
		return Kabupaten{}, false
	}
	return r.Kabupaten(r.kabupaten[i].Code)
}

// Units returns the BPOM units of NTT.
func (r *Rules) Units() []BPOMUnit { return slices.Clone(r.units) }

// Unit returns the BPOM unit with the given code.
func (r *Rules) Unit(code string) (BPOMUnit, bool) {
	i := slices.IndexFunc(r.units, func(u BPOMUnit) bool { return u.Code == code })
	if i < 0 {
		return BPOMUnit{}, false
	}
	return r.units[i], true
}

// UnitFor returns the BPOM unit that covers a kabupaten/kota (by code); see
// Kabupaten.UnitDefaulted for whether that is known or assumed.
func (r *Rules) UnitFor(kabupatenCode string) (BPOMUnit, bool) {
	k, ok := r.Kabupaten(kabupatenCode)
	if !ok {
		return BPOMUnit{}, false
	}
	return r.Unit(k.Unit)
}
