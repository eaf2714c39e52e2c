package staff_test

import (
	"testing"
	"time"

	"umkmbot/flows/flowtest"
)

// A staff member whose office is not in requirements.toml (an office renamed or removed, an old
// row) is not an admin: the queue, the statistics, the trainings, the broadcast history and the
// export show them nothing, and they cannot announce to anyone.
func TestUnknownOfficeSeesNothing(t *testing.T) {
	h := flowtest.New(t)
	seedOwners(t, h) // 104: an MD application in review in Sikka
	h.AddStaff(9000, "", "admin")
	h.AddStaff(7100, "dinkes_lama", "staff")
	owner := h.Chat(201, "id")
	owner.CompleteProfile("Kopi Bajawa Mantap")
	spp := owner.RegisterPath("spp_irt", "Keripik Ubi")
	md := owner.RegisterPath("md", "Kopi Bajawa")
	newTraining(t, h, "PKP Bajawa", "dinkes_ngada", "ngada", 30, 7*24*time.Hour)
	admin := h.Chat(9000, "id")
	compose(admin, "Pengumuman untuk semua, cukup panjang.", "BroadcastAudience_all")
	admin.PressMsg("BroadcastSendButton")

	s := h.Chat(7100, "id")
	none := func(words ...string) {
		t.Helper()
		for _, w := range words {
			if s.Mentions(w) {
				t.Errorf("a staff member of an unknown office is shown %q:\n%s", w, s.Text())
			}
		}
	}
	s.Send("/antrian")
	s.Expect("dinkes_lama")
	none(h.T("id", "StaffAllOffices"))
	none(spp, md, "NTT-TEST-0104")
	s.Send("/statistik")
	none("Ngada", "Sikka", "Kopi Bajawa", "Keripik Ubi")
	s.Send("/cari " + md)
	none(md+" · ", spp+" · ")
	s.Send("/pelatihan_kelola")
	none("PKP Bajawa")
	s.Send("/umumkan_riwayat")
	none("#1 ·")

	s.Send("/ekspor")
	s.PressMsg("ExportKind_applications")
	if s.HasButton(h.T("id", "ExportPersonalNo")) {
		s.PressMsg("ExportPersonalNo")
	}
	s.ExpectMsg("StaffForbidden")
	for _, r := range s.Last.Replies {
		if r.Upload != nil {
			t.Fatalf("a staff member of an unknown office got an export:\n%s", r.Upload.Data)
		}
	}

	// Refused at once, not after the whole form.
	s.Send("/umumkan")
	s.ExpectMsg("StaffForbidden")
	s.ExpectNot(h.T("id", "BroadcastAskText"))
	var n int
	h.Query(&n, `SELECT count(*) FROM broadcasts`)
	if n != 1 {
		t.Fatalf("a staff member of an unknown office made a broadcast (%d in all):\n%s", n, s.Transcript())
	}
}
