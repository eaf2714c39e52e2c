package staff_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"umkmbot/flows/flowtest"
	"umkmbot/store"
)

// seedOwners puts owners straight into the database: users 101-103 in Ngada (102 in English, 103
// makes the village's OVOP product), 104 in Sikka with an MD application in review, 105 in Ende,
// 106 in Ngada but blocked the bot.
func seedOwners(t *testing.T, h *flowtest.Harness) {
	t.Helper()
	ctx := context.Background()
	db := h.DB.DB()
	for _, o := range []struct {
		user      int64
		lang, kab string
	}{{101, "id", "ngada"}, {102, "en", "ngada"}, {103, "id", "ngada"}, {104, "id", "sikka"}, {105, "id", "ende"}, {106, "id", "ngada"}} {
		var id int64
		if err := db.QueryRow(ctx, `INSERT INTO owners (telegram_user_id, chat_id, lang) VALUES ($1, $1, $2) RETURNING id`,
			o.user, o.lang).Scan(&id); err != nil {
			t.Fatal(err)
		}
		b := store.Business{OwnerID: id, Name: "Usaha", Kabupaten: o.kab}
		if o.user == 103 {
			b.OVOPProduct = "kopi"
		}
		if err := store.SaveBusiness(ctx, db, &b); err != nil {
			t.Fatal(err)
		}
		if o.user == 104 {
			if _, err := db.Exec(ctx, `INSERT INTO applications (number, owner_id, business_id, path, status, product_name, kabupaten)
				VALUES ('NTT-TEST-0104', $1, $2, 'md', 'in_review', 'Kopi', 'sikka')`, id, b.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := db.Exec(ctx, `UPDATE owners SET unreachable_at = now() WHERE telegram_user_id = 106`); err != nil {
		t.Fatal(err)
	}
}

// A BBPOM Kupang officer announces to Ngada: the count, the preview in both languages exactly as
// owners see it, the confirmation; the broadcast is stored for the runner with its area; the
// report and the cancel work from its buttons.
func TestBroadcastTranscript(t *testing.T) {
	h := flowtest.New(t)
	seedOwners(t, h)
	h.AddStaff(9001, "bbpom_kupang", "staff")
	s := h.Chat(9001, "id")
	s.Send("/umumkan")
	s.ExpectMsg("BroadcastAskText")
	s.Send("Pendek")
	s.ExpectMsg("CommonTooShort")
	text := "Pelatihan PKP di Bajawa, 10 Desember, gratis. Daftar lewat /pelatihan."
	s.Send(text)
	s.ExpectMsg("BroadcastAskAudience")
	if !s.HasButton(h.T("id", "BroadcastAudience_area")) || s.HasButton(h.T("id", "BroadcastAudience_all")) {
		t.Fatalf("an office's staff should be offered their area, not the province:\n%s", s.Transcript())
	}
	s.PressMsg("BroadcastAudience_kabupaten")
	s.ExpectMsg("BroadcastAskKabupaten")
	if s.HasButton("Ende") {
		t.Fatalf("BBPOM Kupang offered Ende, which is Loka Ende's:\n%s", s.Transcript())
	}
	s.Press("Ngada")
	idText := h.T("id", "BroadcastOwnerText", map[string]any{"From": "Balai Besar POM di Kupang", "Text": text})
	enText := h.T("en", "BroadcastOwnerText", map[string]any{"From": "Balai Besar POM di Kupang", "Text": text})
	s.Expect("Ngada", "4 pelaku usaha", "1 di antaranya memblokir bot", idText, enText)
	s.PressMsg("BroadcastSendButton")
	s.ExpectMsg("BroadcastStarted", map[string]any{"ID": 1, "Count": 4})

	b, err := store.BroadcastByID(context.Background(), h.DB.DB(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if b.Status != store.BroadcastQueued || b.Audience.Kind != "kabupaten" || b.Audience.Value != "ngada" ||
		b.StaffChat != 9001 || b.Texts["id"] != idText || b.Texts["en"] != enText {
		t.Fatalf("stored %+v", b)
	}
	if !slices.Contains(b.Audience.Kabupaten, "ngada") || slices.Contains(b.Audience.Kabupaten, "ende") {
		t.Fatalf("the area is not BBPOM Kupang's: %v", b.Audience.Kabupaten)
	}
	var audited int
	h.Query(&audited, `SELECT count(*) FROM audit_log WHERE action = 'broadcast.create' AND subject_id = 1`)
	if audited != 1 {
		t.Fatal("the broadcast is not in the audit log")
	}

	s.PressMsg("BroadcastReportButton")
	s.Expect("Pengumuman #1", h.T("id", "BroadcastStatus_queued"))
	s.PressMsg("BroadcastCancelButton")
	s.Expect(h.T("id", "BroadcastStatus_cancelled"))
	var status string
	h.Query(&status, `SELECT status FROM broadcasts WHERE id = 1`)
	if status != "cancelled" {
		t.Fatalf("status %q after cancel", status)
	}
}

// Each audience reaches whom it says, and an office's "everyone" is its own area.
func TestBroadcastAudiences(t *testing.T) {
	h := flowtest.New(t)
	seedOwners(t, h)
	h.AddStaff(9000, "", "admin")
	h.AddStaff(9001, "bbpom_kupang", "staff")
	h.AddStaff(9003, "loka_ende", "staff")
	for _, tc := range []struct {
		who    int64
		choose []string
		count  int
	}{
		{9000, []string{"BroadcastAudience_all"}, 6},
		{9001, []string{"BroadcastAudience_area"}, 5},
		{9003, []string{"BroadcastAudience_area"}, 1},
		{9001, []string{"BroadcastAudience_path", "PathName_md"}, 1},
		{9003, []string{"BroadcastAudience_path", "PathName_md"}, 0},
		{9001, []string{"BroadcastAudience_status", "Status_in_review"}, 1},
		{9001, []string{"BroadcastAudience_ovop"}, 1},
		{9000, []string{"BroadcastAudience_kabupaten", "Sikka"}, 1},
	} {
		s := h.Chat(tc.who, "id")
		s.Send("/umumkan")
		s.Send("Pengumuman untuk diuji, cukup panjang.")
		for _, c := range tc.choose {
			if strings.Contains(c, "_") {
				s.PressMsg(c)
			} else {
				s.Press(c)
			}
		}
		s.Expect(fmt.Sprintf("Akan dikirim ke %d pelaku usaha", tc.count))
		s.Send("/batal")
	}
}

// Who may announce: an owner has no /umumkan, a viewer is refused, staff of another office are
// never offered a kabupaten not theirs and cannot type one in, and cannot see or cancel another
// office's broadcast.
func TestBroadcastAuthorization(t *testing.T) {
	h := flowtest.New(t)
	seedOwners(t, h)
	h.AddStaff(9001, "bbpom_kupang", "staff")
	h.AddStaff(9003, "loka_ende", "staff")
	h.AddStaff(9004, "bbpom_kupang", "viewer")
	none := func(who string) {
		t.Helper()
		var n int
		h.Query(&n, `SELECT count(*) FROM broadcasts`)
		if n != 0 {
			t.Fatalf("%s made a broadcast", who)
		}
	}
	owner := h.Chat(101, "id")
	owner.Send("/umumkan")
	owner.ExpectMsg("MenuUnknownCommand")
	owner.PressData("a:bcx:1", 1)
	owner.ExpectMsg("CommonStaleButton")
	none("an owner")

	viewer := h.Chat(9004, "id")
	viewer.Send("/umumkan")
	viewer.ExpectMsg("StaffForbidden")
	none("a viewer")

	ende := h.Chat(9003, "id")
	ende.Send("/umumkan")
	ende.Send("Pengumuman dari Loka Ende untuk Ngada.")
	ende.PressMsg("BroadcastAudience_kabupaten")
	if ende.HasButton("Ngada") {
		t.Fatalf("Loka Ende offered Ngada:\n%s", ende.Transcript())
	}
	ende.Send("Ngada")
	ende.ExpectMsg("BroadcastAskKabupaten")
	none("another office")

	// A broadcast of BBPOM Kupang's: Loka Ende can neither read its report nor cancel it.
	s := h.Chat(9001, "id")
	s.Send("/umumkan")
	s.Send("Pengumuman untuk Ngada, cukup panjang.")
	s.PressMsg("BroadcastAudience_kabupaten")
	s.Press("Ngada")
	s.PressMsg("BroadcastSendButton")
	for _, data := range []string{"a:bcr:1", "a:bcx:1"} {
		ende.PressData(data, 1)
		ende.ExpectMsg("StaffNotFound")
	}
	viewer.PressData("a:bcx:1", 1)
	viewer.ExpectMsg("StaffForbidden")
	var status string
	h.Query(&status, `SELECT status FROM broadcasts WHERE id = 1`)
	if status != "queued" {
		t.Fatalf("another office or a viewer changed the broadcast: %s", status)
	}
}
