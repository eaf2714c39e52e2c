package staff

import (
	"umkmbot/flows/domain"
	"umkmbot/store"
)

// OfficeShare is the part of the applications an office handles: a kabupaten health office its
// kabupaten's SPP-IRT, a BPOM unit every other path in its kabupaten; an unknown office (an admin
// has none) everything. The queue, the statistics and the weekly digest (flows/jobs) share it.
func OfficeShare(rules *domain.Rules, office string) store.QueueFilter {
	o, ok := rules.Office(office)
	if !ok {
		return store.QueueFilter{}
	}
	if o.Kind == domain.OfficeHealth {
		return store.QueueFilter{Paths: []string{string(domain.PathSPPIRT)}, Kabupaten: o.Kabupaten}
	}
	var paths []string
	for _, p := range rules.Paths() {
		if p.Code != domain.PathSPPIRT {
			paths = append(paths, string(p.Code))
		}
	}
	return store.QueueFilter{Paths: paths, Kabupaten: o.Kabupaten}
}
