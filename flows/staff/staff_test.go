package staff_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"umkmbot/flows/flowtest"
)

// office staff review an MD application: the queue shows it, the card opens, review starts and
// corrections are asked; each move reaches the owner in their language with the next step, and
// /status shows it.
func TestReviewTranscript(t *testing.T) {
	h := flowtest.New(t)
	h.AddStaff(9001, "bbpom_kupang", "staff") // Ngada's MD applications go to BBPOM Kupang
	owner := h.Chat(201, "en")
	owner.CompleteProfile("Kopi Bajawa Mantap")
	number := owner.RegisterPath("md", "Kopi Bajawa")
	var id int64
	h.Query(&id, `SELECT id FROM applications WHERE number = $1`, number)

	s := h.Chat(9001, "id")
	s.Send("/start")
	s.ExpectMsg("StaffMenuText", map[string]any{"Office": "Balai Besar POM di Kupang"})
	s.Send("/antrian")
	s.Expect("Diajukan: 1")
	s.Press(number + " · Kopi Bajawa · " + h.T("id", "Status_submitted"))
	s.Expect(number, "Maria Goreti", "+6281234567890") // the office sees the phone
	s.PressMsg("StaffAction_in_review")
	s.ExpectMsg("StaffMoved", map[string]any{"Number": number, "Status": h.T("id", "Status_in_review")})
	noticeTo(t, s, 201, h.T("en", "Status_in_review"))

	s.PressMsg("StaffAction_needs_fix")
	s.ExpectMsg("StaffAskFixNote")
	s.Send("Foto label kurang jelas")
	s.Expect("17 Desember 2026") // corrections: 14 days by default
	s.PressMsg("StaffDueDefault")
	n := noticeTo(t, s, 201, "Foto label kurang jelas")
	if !strings.Contains(n, h.T("en", "Status_needs_fix")) {
		t.Fatalf("owner's notice is not in English: %q", n)
	}
	// Due at the end of that day in WITA, not in the server's zone.
	var due time.Time
	h.Query(&due, `SELECT due_at FROM applications WHERE id = $1`, id)
	if want := time.Date(2026, 12, 17, 23, 59, 0, 0, time.FixedZone("WITA", 8*3600)); !due.Equal(want) {
		t.Fatalf("due_at %v, want %v", due, want)
	}
	var status, actor string
	h.Query(&status, `SELECT status FROM applications WHERE id = $1`, id)
	h.Query(&actor, `SELECT detail->'after'->>'status' FROM audit_log WHERE action = 'application.status' ORDER BY id DESC LIMIT 1`)
	if status != "needs_fix" || actor != "needs_fix" {
		t.Fatalf("status %q, audit %q; want needs_fix", status, actor)
	}
	owner.Send("/status " + number)
	owner.Expect(h.T("en", "Status_needs_fix"), "Foto label kurang jelas")

	s.PressMsg("StaffClaimButton")
	s.ExpectMsg("StaffClaimed")
}

// noticeTo returns the notice of the last turn to that chat that contains want.
func noticeTo(t *testing.T, c *flowtest.Chat, chat int64, want string) string {
	t.Helper()
	for _, n := range c.Last.Notices {
		if n.ChatID == chat && strings.Contains(n.Reply.Text, want) {
			return n.Reply.Text
		}
	}
	t.Fatalf("no notice to %d with %q: %+v\n%s", chat, want, c.Last.Notices, c.Transcript())
	return ""
}

// Every staff action tried by someone who may not take it is refused, changes nothing and shows
// nothing of the application: an owner by command, by forged button data and by a stale button;
// staff of another office; a member removed a moment before, also in the middle of an action.
func TestAuthorizationMatrix(t *testing.T) {
	h := flowtest.New(t)
	h.AddStaff(9000, "", "admin")
	h.AddStaff(9001, "bbpom_kupang", "staff")
	h.AddStaff(9003, "loka_ende", "staff")
	h.AddStaff(9004, "bbpom_kupang", "viewer")
	h.AddStaff(9005, "dinkes_ngada", "staff")
	owner := h.Chat(201, "id")
	owner.CompleteProfile("Kopi Bajawa Mantap")
	number := owner.RegisterPath("md", "Kopi Bajawa")
	var id int64
	h.Query(&id, `SELECT id FROM applications WHERE number = $1`, number)
	// Documents on file, so that a button that sends them has something to leak.
	exec(t, h, `UPDATE application_documents SET file_id = 'FILE-' || kind, mime_type = 'application/pdf', uploaded_at = now()
		WHERE application_id = $1`, id)
	// A broadcast of BBPOM Kupang's to Ngada, waiting to be sent: its report and its cancel.
	var bc int64
	h.Query(&bc, `INSERT INTO broadcasts (created_by, staff_chat, text, audience, texts, office)
		VALUES ((SELECT id FROM staff WHERE telegram_user_id = 9001), 9001, 'Halo',
			'{"kind": "kabupaten", "kabupaten": ["ngada"]}', '{"id": "Halo"}', 'bbpom_kupang') RETURNING id`)
	actions := []string{
		fmt.Sprintf("a:do:%d:submitted:in_review", id),
		fmt.Sprintf("a:card:%d", id),
		fmt.Sprintf("a:claim:%d", id),
		"a:q:0:::",
		"a:stfrm:2",
		"a:bch:0",
		fmt.Sprintf("a:docall:%d", id),
		fmt.Sprintf("a:bcx:%d", bc),
		fmt.Sprintf("a:bcr:%d", bc),
	}
	unchanged := func(who string) {
		t.Helper()
		var status string
		var claimed, removed int
		h.Query(&status, `SELECT status FROM applications WHERE id = $1`, id)
		h.Query(&claimed, `SELECT count(*) FROM applications WHERE claimed_by IS NOT NULL`)
		h.Query(&removed, `SELECT count(*) FROM staff WHERE NOT active`)
		if status != "submitted" || claimed != 0 {
			t.Fatalf("%s changed the application: %s, claimed %d", who, status, claimed)
		}
		if who != "removed member" && removed != 0 {
			t.Fatalf("%s removed a staff member", who)
		}
		var broadcast string
		h.Query(&broadcast, `SELECT status FROM broadcasts WHERE id = $1`, bc)
		if broadcast != "queued" {
			t.Fatalf("%s changed the broadcast: %s", who, broadcast)
		}
	}
	noLeak := func(c *flowtest.Chat, who string) {
		t.Helper()
		if c.Mentions("Kopi Bajawa") && c.User != 201 || c.Mentions("+6281234567890") {
			t.Fatalf("%s saw the application:\n%s", who, c.Transcript())
		}
	}

	// An owner: the staff commands do not exist, forged and old buttons are stale.
	for _, cmd := range []string{"/antrian", "/cari Kopi", "/staf", "/staf_undang", "/impor", "/ekspor", "/umumkan", "/umumkan_riwayat"} {
		owner.Send(cmd)
		owner.ExpectMsg("MenuUnknownCommand")
		unchanged("owner by command")
	}
	for _, data := range actions {
		owner.PressData(data, 1)
		owner.ExpectMsg("CommonStaleButton")
		noFileSent(t, owner, "owner by forged button")
		unchanged("owner by forged button")
	}

	// Staff of another office: as if the application did not exist.
	ende := h.Chat(9003, "id")
	ende.Send("/cari " + number)
	ende.ExpectMsg("StaffSearchNone", map[string]any{"Query": number})
	for _, data := range actions[:3] {
		ende.PressData(data, 1)
		ende.ExpectMsg("StaffNotFound")
		noLeak(ende, "another office")
		unchanged("another office")
	}
	ende.PressData(fmt.Sprintf("a:docall:%d", id), 1)
	ende.ExpectMsg("StaffNotFound")
	noFileSent(t, ende, "another office")
	ende.PressData(actions[4], 1)
	ende.ExpectMsg("StaffForbidden")
	unchanged("staff removing staff")
	for _, data := range actions[7:] {
		ende.PressData(data, 1)
		ende.ExpectMsg("StaffNotFound")
		unchanged("another office's broadcast")
	}

	// Staff whose area the broadcast reached, of another office: they read its report (the
	// history lists it to them) but cannot cancel it, nor are they offered to.
	dinkes := h.Chat(9005, "id")
	dinkes.PressData(actions[7], 1)
	dinkes.ExpectMsg("StaffForbidden")
	unchanged("another office in the broadcast's area")
	dinkes.PressData(actions[8], 1)
	dinkes.Expect(fmt.Sprintf("#%d", bc))
	if dinkes.HasButton(h.T("id", "BroadcastCancelButton")) {
		t.Fatalf("another office is offered the cancel of a broadcast:\n%s", dinkes.Transcript())
	}

	// A viewer sees but does not act.
	viewer := h.Chat(9004, "id")
	viewer.PressData(actions[1], 1)
	viewer.Expect(number)
	if viewer.HasButton(h.T("id", "StaffAction_in_review")) {
		t.Fatal("a viewer is offered an action")
	}
	viewer.PressData(actions[0], 1)
	viewer.ExpectMsg("StaffForbidden")
	unchanged("viewer")

	// A stale button: the card was opened, the application moved on, the old button is pressed.
	kupang := h.Chat(9001, "id")
	kupang.PressData(actions[1], 1)
	review, msg := kupang.ButtonData(h.T("id", "StaffAction_in_review"))
	kupang.PressData(review, msg)
	kupang.ExpectMsg("StaffMoved", map[string]any{"Number": number, "Status": h.T("id", "Status_in_review")})
	kupang.PressData(review, msg)
	kupang.ExpectMsg("CommonStaleButton")
	var history int
	h.Query(&history, `SELECT count(*) FROM application_status_history WHERE application_id = $1`, id)
	if history != 2 {
		t.Fatalf("%d history rows, want 2 (the stale press added one)", history)
	}

	// Removed a moment before, in the middle of asking for corrections: the next message is not
	// taken as the note, the button no longer works.
	kupang.PressData(actions[1], 1)
	kupang.PressMsg("StaffAction_needs_fix")
	kupang.ExpectMsg("StaffAskFixNote")
	reject, rmsg := kupang.ButtonData(h.T("id", "CommonCancelButton"))
	admin := h.Chat(9000, "id")
	admin.Send("/staf")
	var kupangID int64
	h.Query(&kupangID, `SELECT id FROM staff WHERE telegram_user_id = 9001`)
	admin.PressData(fmt.Sprintf("a:stfrm:%d", kupangID), 1)
	admin.ExpectMsg("StaffRemoved", map[string]any{"Name": "Petugas"})
	kupang.Send("Foto label kurang jelas")
	kupang.ExpectNot(h.T("id", "StaffMoved", map[string]any{"Number": number, "Status": h.T("id", "Status_needs_fix")}))
	kupang.PressData(reject, rmsg)
	for _, data := range actions {
		kupang.PressData(data, 1)
		kupang.ExpectMsg("CommonStaleButton")
		noFileSent(t, kupang, "removed member")
	}
	kupang.Send("/antrian")
	kupang.ExpectMsg("MenuUnknownCommand")
	var status string
	h.Query(&status, `SELECT status FROM applications WHERE id = $1`, id)
	if status != "in_review" {
		t.Fatalf("status %s after the removed member's tries, want in_review", status)
	}
}

// noFileSent fails the test when the last turn sent the chat a file.
func noFileSent(t *testing.T, c *flowtest.Chat, who string) {
	t.Helper()
	for _, r := range c.Last.Replies {
		if r.FileID != "" || len(r.Media) > 0 {
			t.Fatalf("%s was sent a file: %+v", who, r)
		}
	}
}

var startRE = regexp.MustCompile(`staf_[a-z0-9]+`)

// An admin's invite makes one person staff of the chosen office; used or expired, it does nothing.
func TestInvite(t *testing.T) {
	h := flowtest.New(t)
	h.AddStaff(9000, "", "admin")
	admin := h.Chat(9000, "id")
	invite := func() string {
		t.Helper()
		admin.Send("/staf_undang")
		admin.ExpectMsg("StaffInviteAskOffice")
		admin.Press("Loka POM di Kabupaten Ende")
		admin.PressMsg("StaffRole_staff")
		code := startRE.FindString(admin.Text())
		if code == "" || !strings.Contains(admin.Text(), "https://t.me/umkm_test_bot?start="+code) {
			t.Fatalf("no link to this bot:\n%s", admin.Transcript())
		}
		return code
	}
	code := invite()
	newbie := h.Chat(7000, "id")
	newbie.Send("/start " + code)
	newbie.ExpectMsg("StaffWelcome", map[string]any{"Office": "Loka POM di Kabupaten Ende", "Role": "petugas"})
	newbie.Send("/antrian")
	newbie.Expect("Loka POM di Kabupaten Ende")

	other := h.Chat(7001, "id")
	other.Send("/start " + code) // used
	other.ExpectMsg("StaffInviteInvalid")
	late := invite()
	h.Advance(48*time.Hour + time.Minute)
	other.Send("/start " + late) // expired
	other.ExpectMsg("StaffInviteInvalid")
	other.Send("/antrian")
	other.ExpectMsg("MenuUnknownCommand")
	var n int
	h.Query(&n, `SELECT count(*) FROM staff WHERE telegram_user_id = 7001`)
	if n != 0 {
		t.Fatal("a used or expired invite made someone staff")
	}
	h.Query(&n, `SELECT count(*) FROM audit_log WHERE action IN ('staff.invite', 'staff.join')`)
	if n != 3 {
		t.Fatalf("%d audit rows for invites and joins, want 3", n)
	}
}

// A staff member switches to owner mode for their own business, and back.
func TestOwnerModeSwitch(t *testing.T) {
	h := flowtest.New(t)
	h.AddStaff(9001, "bbpom_kupang", "staff")
	s := h.Chat(9001, "id")
	s.Send("/daftar")
	s.ExpectMsg("MenuUnknownCommand") // staff are staff by default
	s.Send("/mode_pemilik")
	s.ExpectMsg("StaffModeOwner")
	s.Send("/daftar")
	s.ExpectMsg("RegisterProfileFirst")
	s.Send("/mode_petugas")
	s.ExpectMsg("StaffModeStaff")
	s.Send("/antrian")
	s.Expect("Balai Besar POM di Kupang")
}
