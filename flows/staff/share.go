package staff

import (
	"umkmbot/flows"
	"umkmbot/flows/domain"
	"umkmbot/store"
)

// OfficeShare is the part of the applications an office handles: a kabupaten health office its
// kabupaten's SPP-IRT, a BPOM unit every other path in its kabupaten; an unknown office (renamed
// or removed from requirements.toml, an old row, "") none at all. It is never everything: an
// admin's share is Share's to give.
func OfficeShare(rules *domain.Rules, office string) store.QueueFilter {
	o, ok := rules.Office(office)
	if !ok {
		return store.QueueFilter{Paths: []string{}, Kabupaten: []string{}}
	}
	var paths []string
	if o.Kind == domain.OfficeHealth {
		paths = []string{string(domain.PathSPPIRT)}
	} else {
		for _, p := range rules.Paths() {
			if p.Code != domain.PathSPPIRT {
				paths = append(paths, string(p.Code))
			}
		}
	}
	return store.QueueFilter{Paths: nonNil(paths), Kabupaten: nonNil(o.Kabupaten)}
}

// Share is the part of the applications a person's staff powers reach, decided by the role
// only: an admin everything (the zero filter, ok), a staff member their office's share
// (OfficeShare, ok), and a staff member whose office is unknown nothing (ok false, and a filter
// that lets no application through). The queue, the statistics, the search, the export, the
// weekly digest and the corrections-lapsed notices (flows/jobs) all take it from here.
func Share(rules *domain.Rules, admin bool, office string) (store.QueueFilter, bool) {
	if admin {
		return store.QueueFilter{}, true
	}
	_, ok := rules.Office(office)
	return OfficeShare(rules, office), ok
}

// actorShare is Share for the person of this update.
func actorShare(c *flows.Ctx) (store.QueueFilter, bool) {
	return Share(c.Engine().Rules(), c.Actor.Role == flows.RoleAdmin, c.Actor.Office())
}
