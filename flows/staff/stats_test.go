package staff_test

import (
	"testing"
	"time"

	"umkmbot/flows/flowtest"
)

// /statistik counts the office's applications by status, path and kabupaten, gives the median
// days to approval and lists what waits on staff past the service target; another office sees
// none of it.
func TestStatistics(t *testing.T) {
	h := flowtest.New(t)
	h.AddStaff(9001, "bbpom_kupang", "staff")
	h.AddStaff(9003, "loka_ende", "staff")
	owner := h.Chat(201, "id")
	owner.CompleteProfile("Kopi Bajawa Mantap")
	approved := owner.RegisterPath("md", "Kopi Bajawa")
	h.Advance(2 * 24 * time.Hour)
	waiting := owner.RegisterPath("md", "Teh Kelor")

	s := h.Chat(9001, "id")
	s.Send("/cari " + approved)
	s.Press(approved + " · Kopi Bajawa · " + h.T("id", "Status_submitted"))
	s.PressMsg("StaffAction_in_review")
	h.Advance(2 * 24 * time.Hour) // approved 4 days after it was submitted
	s.PressMsg("StaffAction_approved")
	s.Send("BPOM RI MD 224513001234")
	s.Send("2031-01-31")
	s.ExpectMsg("StaffMoved", map[string]any{"Number": approved, "Status": h.T("id", "Status_approved")})

	s.Send("/statistik")
	s.Expect("• Disetujui: 1", "• Diajukan: 1", "• BPOM MD (pangan olahan): 2", "• Ngada: 2", "(median): 4 hari, dari 1 pengajuan",
		"lebih dari 14 hari: 0 pengajuan")
	s.ExpectNot(waiting)

	h.Advance(13 * 24 * time.Hour) // the second has waited 15 days
	s.Send("/statistik")
	s.Expect("lebih dari 14 hari: 1 pengajuan", waiting+" · Teh Kelor · 15 hari")
	s.Press(waiting + " · Teh Kelor")
	s.Expect(waiting, "Maria Goreti")

	ende := h.Chat(9003, "id")
	ende.Send("/statistik")
	ende.Expect("Loka POM di Kabupaten Ende", "lebih dari 14 hari: 0 pengajuan")
	ende.ExpectNot("Kopi Bajawa")
	ende.ExpectNot("Ngada")

	owner.Send("/statistik")
	owner.ExpectMsg("MenuUnknownCommand")
}
