package jobs_test

import (
	"testing"

	"umkmbot/flows/jobs"
)

// A staff member whose office is not in requirements.toml (renamed, removed, an old row) is no
// admin: no corrections-lapsed notice and no weekly digest of the whole province; the admin and
// the handling office still get theirs.
func TestUnknownOfficeGetsNoLists(t *testing.T) {
	h := newHarness(t, 1, lapsedJob)
	h.staff(9501, "dinkes_ngada", "staff")
	h.staff(9502, "dinkes_lama", "staff")
	h.staff(9503, "", "admin")
	h.lapsedApp("NTT-LLLL-0001", "spp_irt", "Kopi Sikka Jaya", at(2026, 11, 30, 23, 59))

	chats := func(what string, msgs []jobs.Message) map[int64]bool {
		t.Helper()
		got := map[int64]bool{}
		for _, m := range msgs {
			got[m.ChatID] = true
		}
		if !got[9501] || !got[9503] {
			t.Errorf("%s: the handling office or the admin was not told: %v", what, got)
		}
		if got[9502] {
			t.Errorf("%s: a staff member of an unknown office was told: %v", what, got)
		}
		return got
	}
	lapsed, err := h.jobs.CorrectionsLapsed(h.ctx, h.st.DB(), at(2026, 12, 1, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	chats("corrections lapsed", lapsed)
	digest, err := h.jobs.StaffDigest(h.ctx, h.st.DB(), at(2026, 12, 7, 8, 0))
	if err != nil {
		t.Fatal(err)
	}
	chats("digest", digest)
}
