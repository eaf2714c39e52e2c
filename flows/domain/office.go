package domain

import (
	"fmt"
	"slices"
)

// OfficeKind is what kind of office a staff member works at.
type OfficeKind string

// The kinds of office.
const (
	OfficeBPOM   OfficeKind = "bpom"   // a BPOM unit (Balai Besar / Loka POM)
	OfficeHealth OfficeKind = "health" // a kabupaten/kota health office (Dinas Kesehatan)
)

// Office is where staff work: a BPOM unit or a kabupaten health office, with how owners reach it.
// Address, Phone, WhatsApp and Hours are "" until the operator fills them in (never guessed).
type Office struct {
	Code, Name                      string
	Kind                            OfficeKind
	Address, Phone, WhatsApp, Hours string
	Kabupaten                       []string // codes of the kabupaten/kota it covers
}

func (r *Rules) loadOffices(f *rulesFile) error {
	for _, u := range f.Units {
		o := Office{Code: u.Code, Name: u.Name, Kind: OfficeBPOM, Address: u.Address, Phone: u.Phone, WhatsApp: u.WhatsApp, Hours: u.Hours}
		for _, k := range r.kabupaten {
			if k.Unit == u.Code {
				o.Kabupaten = append(o.Kabupaten, k.Code)
			}
		}
		r.offices = append(r.offices, o)
	}
	covered := map[string]bool{}
	for _, h := range f.HealthOffices {
		if h.Code == "" || slices.ContainsFunc(r.offices, func(x Office) bool { return x.Code == h.Code }) {
			return fmt.Errorf("health_offices: empty or repeated code %q", h.Code)
		}
		if _, ok := r.Kabupaten(h.Kabupaten); !ok || covered[h.Kabupaten] {
			return fmt.Errorf("health_offices %q: unknown or already covered kabupaten %q", h.Code, h.Kabupaten)
		}
		covered[h.Kabupaten] = true
		r.offices = append(r.offices, Office{Code: h.Code, Name: h.Name, Kind: OfficeHealth, Address: h.Address,
			Phone: h.Phone, WhatsApp: h.WhatsApp, Hours: h.Hours, Kabupaten: []string{h.Kabupaten}})
	}
	for _, k := range r.kabupaten {
		if !covered[k.Code] {
			return fmt.Errorf("kabupaten %q has no health office", k.Code)
		}
	}
	return nil
}

// Offices returns every office: the BPOM units, then the health offices.
func (r *Rules) Offices() []Office {
	out := slices.Clone(r.offices)
	for i := range out {
		out[i].Kabupaten = slices.Clone(out[i].Kabupaten)
	}
	return out
}

// Office returns the office with the given code.
func (r *Rules) Office(code string) (Office, bool) {
	i := slices.IndexFunc(r.offices, func(o Office) bool { return o.Code == code })
	if i < 0 {
		return Office{}, false
	}
	o := r.offices[i]
	o.Kabupaten = slices.Clone(o.Kabupaten)
	return o, true
}

// OfficeFor returns the office that handles an application of the path from the kabupaten: the
// kabupaten's health office for SPP-IRT, the BPOM unit covering it for the other paths (DOMAIN.md,
// "Who reviews what").
func (r *Rules) OfficeFor(path PathCode, kabupatenCode string) (Office, bool) {
	k, ok := r.Kabupaten(kabupatenCode)
	if !ok {
		return Office{}, false
	}
	if path == PathSPPIRT {
		for _, o := range r.offices {
			if o.Kind == OfficeHealth && o.Kabupaten[0] == k.Code {
				return r.Office(o.Code)
			}
		}
		return Office{}, false
	}
	return r.Office(k.Unit)
}
