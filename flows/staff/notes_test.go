package staff_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"umkmbot/flows/flowtest"
)

// Office staff and admins write internal notes on an application's card; the card shows the
// latest with author and time (WITA); the owner never sees them, anywhere; staff of another
// office, a viewer, an owner with forged button data and a member removed mid-note are refused,
// and nothing is kept. The owner's /hapus_data deletes them.
func TestInternalNotes(t *testing.T) {
	h := flowtest.New(t)
	h.AddStaff(9000, "", "admin")
	h.AddStaff(9001, "bbpom_kupang", "staff") // Ngada's MD applications go to BBPOM Kupang
	h.AddStaff(9003, "loka_ende", "staff")
	h.AddStaff(9004, "bbpom_kupang", "viewer")
	owner := h.Chat(201, "id")
	owner.CompleteProfile("Kopi Bajawa Mantap")
	number := owner.RegisterPath("md", "Kopi Bajawa")
	var id int64
	h.Query(&id, `SELECT id FROM applications WHERE number = $1`, number)
	card, note := fmt.Sprintf("a:card:%d", id), fmt.Sprintf("a:note:%d", id)
	notes := func() int {
		t.Helper()
		var n int
		h.Query(&n, `SELECT count(*) FROM application_notes WHERE application_id = $1`, id)
		return n
	}
	l := h.Msgs.For("id")
	stamp := func() string { return l.ShortDate(h.Clock()) + " " + l.Clock(h.Clock()) }

	s := h.Chat(9001, "id")
	s.PressData(card, 1)
	s.Expect(number)
	s.ExpectNot(h.T("id", "StaffCardNotes", map[string]any{"Notes": ""})) // none yet
	s.PressMsg("StaffNoteButton")
	s.ExpectMsg("StaffNoteAsk", map[string]any{"Number": number})
	s.Send("x")
	s.ExpectMsg("CommonTooShort")
	s.Send("Label sudah dicek, tunggu hasil lab")
	s.ExpectMsg("StaffNoteSaved")
	first := "• " + stamp() + " — Petugas: Label sudah dicek, tunggu hasil lab"
	s.Expect("📝 Catatan internal:\n"+first, "3 Des 2026 09.00 WITA — Petugas") // the clock is 01:00 UTC
	if len(s.Last.Notices) != 0 {
		t.Fatalf("a note notified someone: %+v", s.Last.Notices)
	}
	var audited int
	h.Query(&audited, `SELECT count(*) FROM audit_log WHERE action = 'application.note' AND subject_id = $1
		AND detail::text NOT LIKE '%hasil lab%'`, id)
	if audited != 1 {
		t.Fatalf("%d audit rows for the note (without its text), want 1", audited)
	}

	// An admin notes too; the card shows the newest first, at most three of them.
	h.Advance(90 * time.Minute)
	admin := h.Chat(9000, "id")
	admin.PressData(note, 1)
	admin.Send("Pemilik minta ditelepon sore")
	admin.ExpectMsg("StaffNoteSaved")
	admin.Expect("• " + stamp() + " — Petugas: Pemilik minta ditelepon sore\n" + first)
	for i := range 2 {
		s.PressData(note, 1)
		s.Send(fmt.Sprintf("Catatan tambahan %d", i))
	}
	s.Expect("(3 terbaru dari 4)", "Catatan tambahan 1", "Catatan tambahan 0", "Pemilik minta ditelepon sore")
	s.ExpectNot("tunggu hasil lab")

	// A viewer reads the notes but writes none.
	viewer := h.Chat(9004, "id")
	viewer.PressData(card, 1)
	viewer.Expect("Catatan tambahan 1")
	if viewer.HasButton(h.T("id", "StaffNoteButton")) {
		t.Fatal("a viewer is offered to write a note")
	}
	viewer.PressData(note, 1)
	viewer.ExpectMsg("StaffForbidden")

	// Another office: as if the application did not exist.
	ende := h.Chat(9003, "id")
	for _, data := range []string{card, note} {
		ende.PressData(data, 1)
		ende.ExpectMsg("StaffNotFound")
		if strings.Contains(ende.Transcript(), "Catatan tambahan") {
			t.Fatalf("another office saw the notes:\n%s", ende.Transcript())
		}
	}

	// The owner: the button does not exist for them, and nothing they see shows a note.
	owner.PressData(note, 1)
	owner.ExpectMsg("CommonStaleButton")
	owner.Send("/status " + number)
	owner.Send("/pengajuan")
	for _, text := range []string{"tunggu hasil lab", "ditelepon sore", "Catatan tambahan", h.T("id", "StaffNoteButton")} {
		if strings.Contains(owner.Transcript(), text) {
			t.Fatalf("the owner saw %q:\n%s", text, owner.Transcript())
		}
	}
	if n := notes(); n != 4 {
		t.Fatalf("%d notes kept, want 4 (the refused tries kept none)", n)
	}

	// Removed while writing one: the text that follows is not taken as a note.
	s.PressData(note, 1)
	s.ExpectMsg("StaffNoteAsk", map[string]any{"Number": number})
	var kupangID int64
	h.Query(&kupangID, `SELECT id FROM staff WHERE telegram_user_id = 9001`)
	admin.PressData(fmt.Sprintf("a:stfrm:%d", kupangID), 1)
	admin.ExpectMsg("StaffRemoved", map[string]any{"Name": "Petugas"})
	s.Send("Catatan setelah dikeluarkan")
	s.ExpectNot(h.T("id", "StaffNoteSaved"))
	if n := notes(); n != 4 {
		t.Fatalf("%d notes after the removed member wrote, want 4", n)
	}

	// The owner deletes their data: the notes go with it (they may quote the owner).
	owner.Send("/hapus_data")
	owner.PressMsg("CommonYes")
	owner.ExpectMsg("DeleteDone")
	if n := notes(); n != 0 {
		t.Fatalf("%d notes after the owner's /hapus_data, want 0", n)
	}
	// The application stays with the office, its card saying whose data went (not an empty name).
	admin.PressData(fmt.Sprintf("a:card:%d", id), 1)
	admin.ExpectMsg("StaffOwnerDeleted")
	admin.ExpectNot("Kopi Bajawa Mantap")
}
