package staff_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"strings"
	"testing"
	"time"

	"umkmbot/flows"
	"umkmbot/flows/flowtest"
	"umkmbot/flows/jobs"
	"umkmbot/store"
)

// newTraining schedules a training of an office directly in the store, starting in from the
// harness's clock, and returns its id.
func newTraining(t *testing.T, h *flowtest.Harness, title, office, kab string, quota int, in time.Duration) int64 {
	t.Helper()
	tr := store.Training{Title: title, Kind: "pkp", StartsAt: h.Clock().Add(in), DurationMinutes: 120, Place: "Aula Dinkes Bajawa",
		Kabupaten: kab, Quota: quota, Organiser: "Dinas Kesehatan Kabupaten Ngada", Office: office}
	if err := store.CreateTraining(context.Background(), h.DB.DB(), &tr); err != nil {
		t.Fatal(err)
	}
	return tr.ID
}

// signUp gives an owner a profile and registers them for the first training /pelatihan offers.
func signUp(t *testing.T, h *flowtest.Harness, user int64, lang string) *flowtest.Chat {
	t.Helper()
	o := h.Chat(user, lang)
	o.CompleteProfile("Kopi Bajawa Mantap")
	o.Send("/pelatihan")
	o.PressMsg("TrainingRegisterButton")
	if o.Last.Answer != h.T(lang, "TrainingRegisteredShort") {
		t.Fatalf("not registered:\n%s", o.Transcript())
	}
	return o
}

// noticeFor returns the notice of the last turn to that chat, failing when there is none.
func noticeFor(t *testing.T, c *flowtest.Chat, chat int64) flows.Notice {
	t.Helper()
	for _, n := range c.Last.Notices {
		if n.ChatID == chat {
			return n
		}
	}
	t.Fatalf("no notice to %d: %+v\n%s", chat, c.Last.Notices, c.Transcript())
	return flows.Notice{}
}

// The organising office moves a training to another day and then cancels it: from the list to
// the card, the edit opens on the training as it is, a changed answer shows old → new, and each
// registrant is told at once in their language what changed; the cancel asks first, then tells
// everyone, and owners no longer see it. Both are audited.
func TestTrainingEditAndCancelTranscript(t *testing.T) {
	h := flowtest.New(t) // Thursday 3 December 2026, 09:00 WITA
	h.AddStaff(9010, "dinkes_ngada", "staff")
	id := newTraining(t, h, "PKP Bajawa", "dinkes_ngada", "ngada", 30, 7*24*time.Hour)
	newTraining(t, h, "PKP Ende", "dinkes_ende", "ende", 30, 7*24*time.Hour) // another office's
	ana := signUp(t, h, 201, "id")
	ben := signUp(t, h, 202, "en")

	s := h.Chat(9010, "id")
	s.Send("/pelatihan_kelola")
	if s.Mentions("PKP Ende") {
		t.Fatalf("another office's training is listed:\n%s", s.Transcript())
	}
	s.Press("10 Des 2026 · PKP Bajawa · 2/30")
	s.Expect("PKP Bajawa", "Peserta: 2 dari kuota 30", "Daftar tunggu: 0")
	s.PressMsg("TrainingManageEditButton")
	s.Expect("PKP Bajawa", "Aula Dinkes Bajawa")
	s.PressMsg("CommonEditButton")
	s.Press(h.T("id", "TrainingNewAskStartField"))
	s.ExpectMsg("TrainingNewAskStart")
	s.Send("1/12/2026 09.00")
	s.ExpectMsg("TrainingNewPastStart")
	s.Send("11/12/2026 13.00")
	s.Expect("Kamis, 10 Desember 2026 pukul 09.00 WITA → Jumat, 11 Desember 2026 pukul 13.00 WITA")
	s.PressMsg("CommonEditButton")
	s.Press(h.T("id", "TrainingNewAskQuotaField"))
	s.Send("1")
	s.ExpectMsg("TrainingEditQuotaBelow", map[string]any{"Registered": 2})
	s.Send("30")
	s.PressMsg("CommonEditButton")
	s.Press(h.T("id", "TrainingNewAskPlaceField"))
	s.Send("Gedung Koperasi, Bajawa")
	s.PressMsg("TrainingEditSaveButton")
	s.ExpectMsg("TrainingEditSaved", map[string]any{"Title": "PKP Bajawa", "Told": 2, "Seated": 0})

	a := noticeFor(t, s, 201)
	if !strings.Contains(a.Reply.Text, "Waktu: Kamis, 10 Desember 2026 pukul 09.00 WITA → Jumat, 11 Desember 2026 pukul 13.00 WITA") ||
		!strings.Contains(a.Reply.Text, "Tempat: Aula Dinkes Bajawa → Gedung Koperasi, Bajawa") {
		t.Fatalf("Indonesian registrant told %q", a.Reply.Text)
	}
	b := noticeFor(t, s, 202)
	if !strings.Contains(b.Reply.Text, "has changed") || !strings.Contains(b.Reply.Text, "When: Thursday") || b.DedupeKey == "" {
		t.Fatalf("English registrant told %q (key %q)", b.Reply.Text, b.DedupeKey)
	}
	var starts time.Time
	var place string
	h.Query(&starts, `SELECT starts_at FROM trainings WHERE id = $1`, id)
	h.Query(&place, `SELECT place FROM trainings WHERE id = $1`, id)
	if !starts.Equal(time.Date(2026, 12, 11, 5, 0, 0, 0, time.UTC)) || place != "Gedung Koperasi, Bajawa" {
		t.Fatalf("saved %v at %q", starts, place)
	}
	// The reminders follow the new time: two hours before it, each registrant's names the new start.
	js, err := jobs.New(jobs.Config{Messages: h.Msgs})
	if err != nil {
		t.Fatal(err)
	}
	reminders := func() []jobs.Message {
		t.Helper()
		msgs, err := js.TrainingReminders(context.Background(), h.DB.DB(), starts.Add(-2*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		return msgs
	}
	if msgs := reminders(); len(msgs) != 2 || !strings.HasSuffix(msgs[0].Key, fmt.Sprintf("soon:%d", starts.Unix())) {
		t.Fatalf("reminders at the new time: %+v", msgs)
	}
	var audited string
	h.Query(&audited, `SELECT detail->'after'->>'place' FROM audit_log WHERE action = 'training.edit' AND subject_id = $1`, id)
	if audited != "Gedung Koperasi, Bajawa" {
		t.Fatalf("audit after: %q", audited)
	}

	// Cancelled: asked first, then every registrant told at once.
	s.Send("/pelatihan_kelola")
	s.Press("11 Des 2026 · PKP Bajawa · 2/30")
	s.PressMsg("TrainingManageCancelButton")
	s.Expect("2 peserta")
	s.PressMsg("TrainingCancelNoButton") // back to the card: nothing happened
	var cancelled int
	h.Query(&cancelled, `SELECT count(*) FROM trainings WHERE cancelled_at IS NOT NULL`)
	if cancelled != 0 {
		t.Fatal("cancelled without the yes")
	}
	s.PressMsg("TrainingManageCancelButton")
	s.PressMsg("TrainingCancelYesButton")
	s.ExpectMsg("TrainingManageCancelled", map[string]any{"Title": "PKP Bajawa", "Told": 2})
	if n := noticeFor(t, s, 201); !strings.Contains(n.Reply.Text, "dibatalkan") {
		t.Fatalf("Indonesian registrant told %q", n.Reply.Text)
	}
	if n := noticeFor(t, s, 202); !strings.Contains(n.Reply.Text, "cancelled") {
		t.Fatalf("English registrant told %q", n.Reply.Text)
	}
	h.Query(&cancelled, `SELECT count(*) FROM audit_log WHERE action = 'training.cancel' AND subject_id = $1`, id)
	if cancelled != 1 {
		t.Fatal("the cancel is not audited")
	}
	if msgs := reminders(); len(msgs) != 0 {
		t.Fatalf("reminders for a cancelled training: %+v", msgs)
	}
	ana.Send("/pelatihan")
	ana.ExpectNot("PKP Bajawa")
	ben.Send("/trainings")
	ben.ExpectNot("PKP Bajawa")
	// The old card's buttons act no more.
	s.PressData(fmt.Sprintf("a:tre:%d", id), 1)
	s.ExpectMsg("CommonStaleButton")
	s.PressData(fmt.Sprintf("a:trxy:%d", id), 1)
	s.ExpectMsg("CommonStaleButton")
}

// A raised quota gives the new seats to the waiting list in order, each told once; a quota below
// the registrants is refused.
func TestTrainingEditQuotaSeatsWaitingList(t *testing.T) {
	h := flowtest.New(t)
	h.AddStaff(9010, "dinkes_ngada", "staff")
	id := newTraining(t, h, "PKP Bajawa", "dinkes_ngada", "ngada", 1, 7*24*time.Hour)
	signUp(t, h, 201, "id")
	for _, user := range []int64{202, 203} {
		o := h.Chat(user, "id")
		o.CompleteProfile("Tenun Ikat")
		o.Send("/pelatihan")
		o.PressMsg("TrainingJoinWaitlistButton")
		o.Expect("urutan ke-" + fmt.Sprint(user-201))
	}
	s := h.Chat(9010, "id")
	s.PressData(fmt.Sprintf("a:tre:%d", id), 1)
	s.PressMsg("CommonEditButton")
	s.Press(h.T("id", "TrainingNewAskQuotaField"))
	s.Send("0")
	s.ExpectMsg("TrainingNewBadQuota")
	s.Send("2")
	s.Expect("1 → 2")
	s.PressMsg("TrainingEditSaveButton")
	s.ExpectMsg("TrainingEditSaved", map[string]any{"Title": "PKP Bajawa", "Told": 0, "Seated": 1})
	n := noticeFor(t, s, 202)
	if !strings.Contains(n.Reply.Text, "Ada tempat kosong") || len(s.Last.Notices) != 1 {
		t.Fatalf("notices %+v", s.Last.Notices)
	}
	var registered, waiting int
	h.Query(&registered, `SELECT count(*) FROM training_registrations WHERE training_id = $1`, id)
	h.Query(&waiting, `SELECT count(*) FROM training_waitlist WHERE training_id = $1 AND owner_id = (SELECT id FROM owners WHERE telegram_user_id = 203)`, id)
	if registered != 2 || waiting != 1 {
		t.Fatalf("%d registered, 203 waiting %d", registered, waiting)
	}
}

// After the day, attendance is marked per registrant, page by page, in place; the owner's
// profile then shows the PKP course passed. The registrants go out as a list and as a CSV, with
// phones for the organising office only.
func TestTrainingAttendanceAndRegistrants(t *testing.T) {
	h := flowtest.New(t)
	h.AddStaff(9010, "dinkes_ngada", "staff")
	h.AddStaff(9000, "", "admin")
	id := newTraining(t, h, "PKP Bajawa", "dinkes_ngada", "ngada", 30, 2*24*time.Hour)
	ana := signUp(t, h, 201, "id")
	signUp(t, h, 202, "en")

	s := h.Chat(9010, "id")
	s.PressData(fmt.Sprintf("a:trr:%d", id), 1)
	s.Expect("1. Maria Goreti — Kopi Bajawa Mantap — Ngada — 0812-3456-7890", "2. Maria Goreti")
	s.PressMsg("TrainingManageCSVButton")
	up := s.Last.Replies[0].Upload
	if up == nil || !strings.HasSuffix(up.Name, ".csv") {
		t.Fatalf("no CSV document: %+v", s.Last.Replies)
	}
	rows, err := csv.NewReader(bytes.NewReader(up.Data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || strings.Join(rows[0], ",") != "no,status,nama,usaha,desa,kabupaten,telepon,terdaftar_pada,hadir" ||
		strings.Join(rows[1][:7], ",") != "1,terdaftar,Maria Goreti,Kopi Bajawa Mantap,,Ngada,+6281234567890" ||
		up.Name != fmt.Sprintf("peserta-pelatihan-%d.csv", id) {
		t.Fatalf("CSV %s:\n%s", up.Name, up.Data)
	}
	// A colleague reading English gets it in English, header, values and name.
	h.AddStaff(9011, "dinkes_ngada", "staff")
	en := h.Chat(9011, "en")
	en.PressData(fmt.Sprintf("a:trcsv:%d", id), 1)
	up = en.Last.Replies[0].Upload
	if rows, err = csv.NewReader(bytes.NewReader(up.Data)).ReadAll(); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || strings.Join(rows[0], ",") != "no,status,name,business,desa,kabupaten,phone,registered_at,attended" ||
		strings.Join(rows[1][:7], ",") != "1,registered,Maria Goreti,Kopi Bajawa Mantap,,Ngada,+6281234567890" ||
		up.Name != fmt.Sprintf("training-registrants-%d.csv", id) {
		t.Fatalf("CSV in English %s:\n%s", up.Name, up.Data)
	}
	admin := h.Chat(9000, "id")
	admin.PressData(fmt.Sprintf("a:trcsv:%d", id), 1)
	if data := string(admin.Last.Replies[0].Upload.Data); strings.Contains(data, "telepon") || strings.Contains(data, "6281234567890") {
		t.Fatalf("an admin of no office sees the organising office's phones:\n%s", data)
	}
	admin.PressData(fmt.Sprintf("a:trr:%d", id), 1)
	admin.ExpectNot("3456")

	// Not before the day.
	s.PressData(fmt.Sprintf("a:tra:%d:0", id), 1)
	s.ExpectMsg("TrainingAttendanceNotYet", map[string]any{"When": h.Msgs.For("id").DateTime(h.Clock().Add(2 * 24 * time.Hour))})

	var anaID int64
	h.Query(&anaID, `SELECT id FROM owners WHERE telegram_user_id = 201`)
	s.PressData(fmt.Sprintf("a:tram:%d:%d:1:0", id, anaID), 1) // an attendance button before the day
	s.ExpectMsg("CommonStaleButton")
	var early int
	h.Query(&early, `SELECT count(*) FROM training_registrations WHERE attended IS NOT NULL`)
	if early != 0 {
		t.Fatal("attendance marked before the training")
	}

	h.Advance(3 * 24 * time.Hour)
	s.PressData(fmt.Sprintf("a:trc:%d", id), 1)
	s.PressMsg("TrainingManageAttendanceButton")
	s.Expect("⬜ 1. Maria Goreti", "⬜ 2. Maria Goreti")
	s.PressMsg("TrainingAttendedButton", map[string]any{"N": 1, "Name": "Maria Goreti"})
	if s.Last.Replies[0].EditMessageID == 0 {
		t.Fatal("the attendance page is not edited in place")
	}
	s.Expect("✅ 1. Maria Goreti", "1 hadir, 0 tidak hadir")
	s.PressMsg("TrainingAbsentButton", map[string]any{"N": 2})
	s.Expect("❌ 2. Maria Goreti", "1 hadir, 1 tidak hadir")
	var marks int
	h.Query(&marks, `SELECT count(*) FROM audit_log WHERE action = 'training.attendance'`)
	if marks != 2 {
		t.Fatalf("%d attendance audits", marks)
	}

	// The certificate, an optional document: only for who attended, sent on to them at once.
	if s.HasButton(h.T("id", "TrainingCertificateButton", map[string]any{"N": 2})) {
		t.Fatalf("a certificate is offered for an absent registrant:\n%s", s.Transcript())
	}
	ana.Send("/profil")
	ana.ExpectMsg("ProfileTrainingPKP", map[string]any{"Date": h.Msgs.For("id").Date(h.Clock().Add(-24 * time.Hour)), "Certificate": false})
	s.PressMsg("TrainingCertificateButton", map[string]any{"N": 1})
	s.ExpectMsg("TrainingCertificateAsk", map[string]any{"Name": "Maria Goreti", "Title": "PKP Bajawa"})
	s.Upload("sertifikat.exe", "application/x-msdownload", 1000)
	s.ExpectMsg("CommonFileWrongType")
	s.Upload("sertifikat.pdf", "application/pdf", 200_000)
	s.ExpectMsg("TrainingCertificateSaved", map[string]any{"Name": "Maria Goreti"})
	if n := noticeFor(t, s, 201); n.Reply.FileID == "" || !strings.Contains(n.Reply.Text, "PKP Bajawa") {
		t.Fatalf("certificate notice %+v", n)
	}
	ana.Send("/profil")
	ana.ExpectMsg("ProfileTrainingPKP", map[string]any{"Date": h.Msgs.For("id").Date(h.Clock().Add(-24 * time.Hour)), "Certificate": true})
	ben := h.Chat(202, "en")
	ben.Send("/profile")
	ben.ExpectNot("PKP: passed")
	// The attendance marked, in the CSV in each reader's language.
	s.PressData(fmt.Sprintf("a:trc:%d", id), 1)
	s.PressMsg("TrainingManageCSVButton")
	if rows, _ := csv.NewReader(bytes.NewReader(s.Last.Replies[0].Upload.Data)).ReadAll(); rows[1][8] != "ya" || rows[2][8] != "tidak" {
		t.Fatalf("attendance in the CSV: %v", rows)
	}
	en.PressData(fmt.Sprintf("a:trcsv:%d", id), 1)
	if rows, _ := csv.NewReader(bytes.NewReader(en.Last.Replies[0].Upload.Data)).ReadAll(); rows[1][8] != "yes" || rows[2][8] != "no" {
		t.Fatalf("attendance in the English CSV: %v", rows)
	}
}

// Every training action by someone who may not take it is refused and changes nothing: an owner
// (commands unknown, forged buttons stale), another office's staff (as if it did not exist), a
// viewer (forbidden), a member removed a moment before (stale), forged data (stale or not found).
func TestTrainingAuthorizationMatrix(t *testing.T) {
	h := flowtest.New(t)
	h.AddStaff(9000, "", "admin")
	h.AddStaff(9010, "dinkes_ngada", "staff")
	h.AddStaff(9011, "dinkes_ngada", "viewer")
	h.AddStaff(9003, "loka_ende", "staff")
	h.AddStaff(9012, "dinkes_ngada", "staff")
	id := newTraining(t, h, "PKP Bajawa", "dinkes_ngada", "ngada", 30, 2*24*time.Hour)
	signUp(t, h, 201, "id")
	var ownerID int64
	h.Query(&ownerID, `SELECT id FROM owners WHERE telegram_user_id = 201`)
	actions := []string{
		fmt.Sprintf("a:trc:%d", id), fmt.Sprintf("a:tre:%d", id), fmt.Sprintf("a:trx:%d", id), fmt.Sprintf("a:trxy:%d", id),
		fmt.Sprintf("a:trr:%d", id), fmt.Sprintf("a:trcsv:%d", id), fmt.Sprintf("a:tra:%d:0", id),
		fmt.Sprintf("a:tram:%d:%d:1:0", id, ownerID), fmt.Sprintf("a:trcert:%d:%d", id, ownerID), "a:trl:0",
	}
	unchanged := func(who string, c *flowtest.Chat) {
		t.Helper()
		var cancelled, marked, audits int
		h.Query(&cancelled, `SELECT count(*) FROM trainings WHERE cancelled_at IS NOT NULL`)
		h.Query(&marked, `SELECT count(*) FROM training_registrations WHERE attended IS NOT NULL`)
		h.Query(&audits, `SELECT count(*) FROM audit_log WHERE action LIKE 'training.%'`)
		if cancelled != 0 || marked != 0 || audits != 0 {
			t.Fatalf("%s changed something: cancelled %d, marked %d, audited %d", who, cancelled, marked, audits)
		}
		if c.Mentions("PKP Bajawa") || c.Mentions("3456") {
			t.Fatalf("%s saw the training:\n%s", who, c.Transcript())
		}
		for _, r := range c.Last.Replies {
			if r.Upload != nil {
				t.Fatalf("%s got a file", who)
			}
		}
	}
	// Removed a moment before, with the edit open: the save and every button act no more.
	gone := h.Chat(9012, "id")
	gone.PressData(actions[1], 1)
	gone.Expect("PKP Bajawa")
	save, msg := gone.ButtonData(h.T("id", "TrainingEditSaveButton"))
	var goneID int64
	h.Query(&goneID, `SELECT id FROM staff WHERE telegram_user_id = 9012`)
	h.Chat(9000, "id").PressData(fmt.Sprintf("a:stfrm:%d", goneID), 1)
	gone.PressData(save, msg)
	gone.ExpectNot(h.T("id", "TrainingEditNothing"))
	unchanged("a removed member", gone)
	for _, data := range actions {
		gone.PressData(data, 1)
		gone.ExpectMsg("CommonStaleButton")
		unchanged("a removed member", gone)
	}

	h.Advance(3 * 24 * time.Hour) // attendance is open: every action has something to do

	owner := h.Chat(201, "id")
	owner.Send("/pelatihan_kelola")
	owner.ExpectMsg("MenuUnknownCommand")
	for _, data := range actions {
		owner.PressData(data, 1)
		owner.ExpectMsg("CommonStaleButton")
		unchanged("an owner", owner)
	}
	ende := h.Chat(9003, "id")
	for _, data := range actions[:len(actions)-1] {
		ende.PressData(data, 1)
		ende.ExpectMsg("StaffTrainingNotFound")
		unchanged("another office", ende)
	}
	ende.Send("/pelatihan_kelola")
	ende.ExpectMsg("TrainingManageNone")
	viewer := h.Chat(9011, "id")
	for _, data := range actions {
		viewer.PressData(data, 1)
		viewer.ExpectMsg("StaffForbidden")
		unchanged("a viewer", viewer)
	}
	// Forged data: a training that does not exist, an owner not registered, a mark that is no mark.
	ngada := h.Chat(9010, "id")
	for _, data := range []string{"a:trc:999999", "a:trxy:999999", fmt.Sprintf("a:tram:%d:999999:1:0", id), fmt.Sprintf("a:tram:%d:%d:7:0", id, ownerID), "a:trcsv:x",
		fmt.Sprintf("a:trcert:%d:%d", id, ownerID)} { // not marked as attended
		ngada.PressData(data, 1)
		if !ngada.Mentions(h.T("id", "StaffTrainingNotFound")) && !ngada.Mentions(h.T("id", "CommonStaleButton")) {
			t.Fatalf("forged %s:\n%s", data, ngada.Transcript())
		}
		unchanged("forged data", ngada)
	}
}

// A new start checked when typed is checked again at save: the summary may wait past it.
func TestTrainingEditStartPassedWhileWaiting(t *testing.T) {
	h := flowtest.New(t) // Thursday 3 December 2026, 09:00 WITA
	h.AddStaff(9010, "dinkes_ngada", "staff")
	id := newTraining(t, h, "PKP Bajawa", "dinkes_ngada", "ngada", 30, 7*24*time.Hour)
	s := h.Chat(9010, "id")
	s.PressData(fmt.Sprintf("a:tre:%d", id), 1)
	s.PressMsg("CommonEditButton")
	s.Press(h.T("id", "TrainingNewAskStartField"))
	s.Send("4/12/2026 09.00")
	s.Expect("→ Jumat, 4 Desember 2026")
	h.Advance(2 * 24 * time.Hour)
	s.PressMsg("TrainingEditSaveButton")
	s.ExpectMsg("TrainingNewPastStart")
	var starts time.Time
	h.Query(&starts, `SELECT starts_at FROM trainings WHERE id = $1`, id)
	if !starts.Equal(time.Date(2026, 12, 10, 1, 0, 0, 0, time.UTC)) {
		t.Fatalf("saved a start already past: %v", starts)
	}
}
