package staff_test

import (
	"context"
	"strconv"
	"testing"

	"umkmbot/flows/flowtest"
)

// The card re-sends a document from its file id; a second officer's claim asks before taking
// over; unclaim releases; "payment received" has its own button.
func TestCardDocumentsAndClaims(t *testing.T) {
	h := flowtest.New(t)
	h.AddStaff(9001, "bbpom_kupang", "staff")
	h.AddStaff(9002, "bbpom_kupang", "staff")
	owner := h.Chat(201, "id")
	owner.CompleteProfile("Kopi Bajawa Mantap")
	number := owner.RegisterPath("md", "Kopi Bajawa")
	var id int64
	h.Query(&id, `SELECT id FROM applications WHERE number = $1`, number)
	exec(t, h, `UPDATE application_documents SET file_id = 'FILE-LABEL', file_name = 'label.pdf', mime_type = 'application/pdf', uploaded_at = now()
		WHERE application_id = $1 AND kind = 'label_design'`, id)

	a := h.Chat(9001, "id")
	a.Send("/cari " + number)
	a.Press(number + " · Kopi Bajawa · " + h.T("id", "Status_submitted"))
	a.Press("📎 " + h.T("id", "DocName_label_design"))
	if r := a.Last.Replies; len(r) != 1 || r[0].FileID != "FILE-LABEL" || r[0].Photo {
		t.Fatalf("the document is not sent again: %+v", r)
	}
	a.Send("/cari " + number)
	a.Press(number + " · Kopi Bajawa · " + h.T("id", "Status_submitted"))
	staleClaim, msg := a.ButtonData(h.T("id", "StaffClaimButton"))
	a.PressData(staleClaim, msg)
	a.ExpectMsg("StaffClaimed")

	b := h.Chat(9002, "id")
	b.PressData(staleClaim, 1) // a card opened before the first officer claimed it
	b.ExpectMsg("StaffClaimedBy", map[string]any{"Name": "Petugas", "Number": number})
	var holder int64
	h.Query(&holder, `SELECT s.telegram_user_id FROM applications a JOIN staff s ON s.id = a.claimed_by WHERE a.id = $1`, id)
	if holder != 9001 {
		t.Fatalf("the claim moved to %d without asking", holder)
	}
	b.PressMsg("StaffTakeOverButton")
	b.ExpectMsg("StaffClaimed")
	h.Query(&holder, `SELECT s.telegram_user_id FROM applications a JOIN staff s ON s.id = a.claimed_by WHERE a.id = $1`, id)
	if holder != 9002 {
		t.Fatalf("the take-over left the claim with %d", holder)
	}

	b.PressData("a:card:"+itoa(id), 1)
	b.PressMsg("StaffUnclaimButton")
	b.ExpectMsg("StaffUnclaimed")
	var claimed int
	h.Query(&claimed, `SELECT count(*) FROM applications WHERE claimed_by IS NOT NULL`)
	if claimed != 0 {
		t.Fatal("unclaim left a claim")
	}

	exec(t, h, `UPDATE applications SET status = 'awaiting_payment' WHERE id = $1`, id)
	b.PressData("a:card:"+itoa(id), 1)
	b.PressMsg("StaffActionPaymentReceived")
	b.ExpectMsg("StaffMoved", map[string]any{"Number": number, "Status": h.T("id", "Status_in_review")})
}

// With two documents or more on file, the card offers them all at once: one reply with every
// file as an album, photos as photos, each captioned with its name and the number.
func TestCardAllDocuments(t *testing.T) {
	h := flowtest.New(t)
	h.AddStaff(9001, "bbpom_kupang", "staff")
	owner := h.Chat(201, "id")
	owner.CompleteProfile("Kopi Bajawa Mantap")
	number := owner.RegisterPath("md", "Kopi Bajawa")
	var id int64
	h.Query(&id, `SELECT id FROM applications WHERE number = $1`, number)
	file := func(kind, fileID, name, mime string) {
		t.Helper()
		exec(t, h, `UPDATE application_documents SET file_id = $3, file_name = nullif($4, ''), mime_type = $5, uploaded_at = now()
			WHERE application_id = $1 AND kind = $2`, id, kind, fileID, name, mime)
	}
	var kinds []string
	rows, err := h.DB.DB().Query(context.Background(), `SELECT kind FROM application_documents WHERE application_id = $1 ORDER BY id`, id)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			t.Fatal(err)
		}
		kinds = append(kinds, k)
	}
	if rows.Err() != nil || len(kinds) < 3 {
		t.Fatalf("%d documents (%v), want 3 or more", len(kinds), rows.Err())
	}
	all := func(n int) string { return h.T("id", "StaffAllDocumentsButton", map[string]any{"Count": n}) }

	s := h.Chat(9001, "id")
	file(kinds[0], "FILE-PHOTO", "", "image/jpeg") // a compressed photo has no file name
	s.PressData("a:card:"+itoa(id), 1)
	if s.HasButton(all(1)) {
		t.Fatal("one document on file is offered as 'all documents'")
	}
	file(kinds[1], "FILE-PDF", "izin.pdf", "application/pdf")
	file(kinds[2], "FILE-SCAN", "scan.jpg", "image/jpeg") // an image sent as a file stays a document
	s.PressData("a:card:"+itoa(id), 1)
	s.Press(all(3))
	r := s.Last.Replies
	if len(r) != 1 || len(r[0].Media) != 3 {
		t.Fatalf("want one reply with 3 files: %+v", r)
	}
	for i, want := range []struct {
		fileID string
		photo  bool
	}{{"FILE-PHOTO", true}, {"FILE-PDF", false}, {"FILE-SCAN", false}} {
		m := r[0].Media[i]
		caption := h.T("id", "DocName_"+kinds[i]) + " — " + number
		if m.FileID != want.fileID || m.Photo != want.photo || m.Caption != caption {
			t.Errorf("file %d = %+v, want %s (photo %v) captioned %q", i+1, m, want.fileID, want.photo, caption)
		}
	}
}

func exec(t *testing.T, h *flowtest.Harness, sql string, args ...any) {
	t.Helper()
	if _, err := h.DB.DB().Exec(context.Background(), sql, args...); err != nil {
		t.Fatal(err)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
