package staff_test

import (
	"testing"
	"time"

	"umkmbot/flows/flowtest"
)

// A kabupaten health office schedules a PKP course: each answer checked (too short, a past or
// unreadable start, a duration and a quota out of range), its own kabupaten without asking, the
// office as organiser by default, a summary, saved; an owner of Ngada then sees it in /pelatihan
// and signs up.
func TestTrainingNewTranscript(t *testing.T) {
	h := flowtest.New(t) // the clock: Thursday 3 December 2026, 09:00 WITA
	h.AddStaff(9010, "dinkes_ngada", "staff")
	s := h.Chat(9010, "id")
	s.Send("/pelatihan_baru")
	s.ExpectMsg("TrainingNewAskTitle")
	s.Send("PKP")
	s.ExpectMsg("CommonTooShort")
	s.Send("Penyuluhan Keamanan Pangan Bajawa")
	s.PressMsg("TrainingKind_pkp")
	s.ExpectMsg("TrainingNewAskStart")
	s.Send("2/12/2026 09.00")
	s.ExpectMsg("TrainingNewPastStart")
	s.Send("minggu depan")
	s.ExpectMsg("TrainingNewBadStart")
	s.Send("10/12/2026 pukul 08.30")
	s.ExpectMsg("TrainingNewAskDuration")
	s.Send("5 menit")
	s.ExpectMsg("TrainingNewBadDuration")
	s.Send("2 hari")
	s.ExpectMsg("TrainingNewAskPlace")
	s.Send("Aula Dinas Kesehatan, Bajawa")
	s.ExpectMsg("TrainingNewAskQuota") // a health office's kabupaten is its own: not asked
	s.Send("0")
	s.ExpectMsg("TrainingNewBadQuota")
	s.Send("30")
	s.PressMsg("TrainingNewOrganiserDefault")
	s.PressMsg("CommonSkip")
	s.Expect("Penyuluhan Keamanan Pangan Bajawa", "10 Desember 2026", "08.30", "16 jam", "Dinas Kesehatan Kabupaten Ngada", "30")
	s.PressMsg("TrainingNewSaveButton")
	s.Expect("tersimpan")

	var kab, organiser, kind string
	var starts time.Time
	var minutes, quota int
	h.Query(&kab, `SELECT kabupaten FROM trainings`)
	h.Query(&organiser, `SELECT organiser FROM trainings`)
	h.Query(&kind, `SELECT kind FROM trainings`)
	h.Query(&starts, `SELECT starts_at FROM trainings`)
	h.Query(&minutes, `SELECT duration_minutes FROM trainings`)
	h.Query(&quota, `SELECT quota FROM trainings`)
	if kab != "ngada" || organiser != "Dinas Kesehatan Kabupaten Ngada" || kind != "pkp" || minutes != 960 || quota != 30 ||
		!starts.Equal(time.Date(2026, 12, 10, 0, 30, 0, 0, time.UTC)) {
		t.Fatalf("saved %s %s %s %v %d %d", kab, organiser, kind, starts, minutes, quota)
	}
	var audited int
	h.Query(&audited, `SELECT count(*) FROM audit_log WHERE action = 'training.create'`)
	if audited != 1 {
		t.Fatal("the training is not in the audit log")
	}

	owner := h.Chat(201, "id")
	owner.CompleteProfile("Kopi Bajawa Mantap")
	owner.Send("/pelatihan")
	owner.Expect("Penyuluhan Keamanan Pangan Bajawa", "30")
	owner.PressMsg("TrainingRegisterButton")
	owner.Expect("Penyuluhan Keamanan Pangan Bajawa")
	var registered int
	h.Query(&registered, `SELECT count(*) FROM training_registrations`)
	if registered != 1 {
		t.Fatalf("%d registrations", registered)
	}
}

// Who may schedule: an owner has no /pelatihan_baru, a viewer is refused, a BPOM unit chooses
// among its own kabupaten only (Loka POM Manggarai Barat cannot type in Ngada).
func TestTrainingNewAuthorization(t *testing.T) {
	h := flowtest.New(t)
	h.AddStaff(9003, "loka_manggarai_barat", "staff")
	h.AddStaff(9004, "bbpom_kupang", "viewer")
	owner := h.Chat(201, "id")
	owner.Send("/pelatihan_baru")
	owner.ExpectMsg("MenuUnknownCommand")
	viewer := h.Chat(9004, "id")
	viewer.Send("/pelatihan_baru")
	viewer.ExpectMsg("StaffForbidden")

	mb := h.Chat(9003, "id")
	mb.Send("/pelatihan_baru")
	mb.Send("Klinik pendaftaran izin edar")
	mb.PressMsg("TrainingKind_clinic")
	mb.Send("10/12/2026 09.00")
	mb.Send("3 jam")
	mb.Send("https://meet.example.org/klinik")
	mb.ExpectMsg("TrainingNewAskKabupaten")
	if mb.HasButton("Ngada") || !mb.HasButton("Manggarai Timur") {
		t.Fatalf("Loka Manggarai Barat's kabupaten choices:\n%s", mb.Transcript())
	}
	mb.Send("Ngada")
	mb.ExpectMsg("TrainingNewAskKabupaten")
	mb.Press("Manggarai Timur")
	mb.Send("50")
	mb.PressMsg("TrainingNewOrganiserDefault")
	mb.PressMsg("CommonSkip")
	mb.PressMsg("TrainingNewSaveButton")
	var place, online, kab string
	h.Query(&place, `SELECT place FROM trainings`)
	h.Query(&online, `SELECT online_url FROM trainings`)
	h.Query(&kab, `SELECT kabupaten FROM trainings`)
	if place != h.T("id", "TrainingOnlinePlace") || online != "https://meet.example.org/klinik" || kab != "manggarai_timur" {
		t.Fatalf("saved place %q, link %q, kabupaten %q", place, online, kab)
	}
	var n int
	h.Query(&n, `SELECT count(*) FROM trainings`)
	if n != 1 {
		t.Fatalf("%d trainings", n)
	}
}
