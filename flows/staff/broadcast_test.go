package staff_test

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

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

// seedTrainings adds, on the harness's clock: BBPOM Kupang's PKP course in Ngada next week with
// 101 and 105 (from Ende) registered and 102 on its waiting list; its CPPOB course of two months
// ago (too old to announce to) with 103; Loka Ende's clinic with 104; and "Beri tahu saya"
// interests: PKP for 102 (Ngada), 104 (Sikka), 105 (Ende), 103 (fulfilled already); CPPOB for 101.
func seedTrainings(t *testing.T, h *flowtest.Harness) {
	t.Helper()
	ctx := context.Background()
	db := h.DB.DB()
	now := h.Clock()
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO trainings (id, title, kind, starts_at, duration_minutes, place, kabupaten, quota, office)
			VALUES (1, 'PKP Bajawa', 'pkp', $1, 120, 'Aula', 'ngada', 2, 'bbpom_kupang'),
			       (2, 'CPPOB lama', 'cppob', $2, 120, 'Aula', 'ngada', 20, 'bbpom_kupang'),
			       (3, 'Klinik Ende', 'clinic', $1, 120, 'Aula', 'ende', 20, 'loka_ende')`,
			[]any{now.Add(7 * 24 * time.Hour), now.Add(-60 * 24 * time.Hour)}},
		{`INSERT INTO training_registrations (training_id, owner_id)
			SELECT t, o.id FROM (VALUES (1, 101), (1, 105), (2, 103), (3, 104)) v(t, u) JOIN owners o ON o.telegram_user_id = v.u`, nil},
		{`INSERT INTO training_waitlist (training_id, owner_id, joined_at) SELECT 1, id, $1 FROM owners WHERE telegram_user_id = 102`,
			[]any{now}},
		{`INSERT INTO training_interests (owner_id, kind, kabupaten, created_at, fulfilled_at)
			SELECT o.id, v.k, v.kab, $1, CASE WHEN v.done THEN $1::timestamptz END
			FROM (VALUES (102, 'pkp', 'ngada', false), (104, 'pkp', 'sikka', false), (105, 'pkp', 'ende', false),
				(103, 'pkp', 'ngada', true), (101, 'cppob', 'ngada', false)) v(u, k, kab, done)
			JOIN owners o ON o.telegram_user_id = v.u`, []any{now}},
	} {
		if _, err := db.Exec(ctx, q.sql, q.args...); err != nil {
			t.Fatalf("%s: %v", q.sql, err)
		}
	}
}

// compose starts /umumkan with text, no attachment, the audience choices (a message ID when it
// has an underscore, else a button's label) and "Sekarang", up to the confirmation.
func compose(s *flowtest.Chat, text string, choose ...string) {
	s.TB.Helper()
	s.Send("/umumkan")
	s.Send(text)
	s.PressMsg("BroadcastNoFile")
	for _, c := range choose {
		if strings.Contains(c, "_") || strings.HasPrefix(c, "Broadcast") {
			s.PressMsg(c)
		} else {
			s.Press(c)
		}
	}
	s.PressMsg("BroadcastNowButton")
}

// recipients fans the broadcast out two at a time, as the broadcaster does, and returns the
// telegram users it reached (queued or, having blocked the bot, counted), failing on anyone twice.
func recipients(t *testing.T, h *flowtest.Harness, id int64) []int64 {
	t.Helper()
	ctx := context.Background()
	db := h.DB.DB()
	for range 100 {
		_, done, err := store.FanOutBroadcast(ctx, db, id, map[string][]byte{"id": []byte(`{}`)}, 2)
		if err != nil {
			t.Fatal(err)
		}
		if done {
			break
		}
	}
	rows, err := db.Query(ctx, `SELECT chat_id FROM outbox WHERE broadcast_id = $1
		UNION ALL SELECT chat_id FROM outbox_failed WHERE broadcast_id = $1 ORDER BY 1`, id)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []int64
	for rows.Next() {
		var c int64
		if err := rows.Scan(&c); err != nil {
			t.Fatal(err)
		}
		if slices.Contains(got, c) {
			t.Fatalf("broadcast %d reaches %d twice", id, c)
		}
		got = append(got, c)
	}
	return got
}

// A BBPOM Kupang officer announces to Ngada: the steps numbered out of a total that holds, the
// count, the preview in both languages exactly as owners see it, the confirmation (named for the
// broadcaster's progress edits); the broadcast is stored for the broadcaster with its area; the
// report and the cancel work from its buttons, the cancel making the progress message the report.
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
	s.ExpectMsg("BroadcastAskFile")
	s.PressMsg("BroadcastNoFile")
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
	if !s.HasButton("✅ Ngada") || s.Last.Replies[0].EditMessageID == 0 {
		t.Fatalf("the toggle is not shown on, in the same message:\n%s", s.Transcript())
	}
	s.PressMsg("BroadcastKabupatenDone")
	s.ExpectMsg("BroadcastAskWhen")
	s.PressMsg("BroadcastNowButton")
	idText := h.T("id", "BroadcastOwnerText", map[string]any{"From": "Balai Besar POM di Kupang", "Text": text})
	enText := h.T("en", "BroadcastOwnerText", map[string]any{"From": "Balai Besar POM di Kupang", "Text": text})
	s.Expect("Ngada", "4 pelaku usaha", "1 di antaranya memblokir bot", idText, enText, "Waktu kirim: sekarang")
	s.PressMsg("BroadcastSendButton")
	s.ExpectMsg("BroadcastStarted", map[string]any{"ID": 1, "Count": 4})
	if r := s.Last.Replies[len(s.Last.Replies)-1]; r.Ref != "bc:1" {
		t.Fatalf("the confirmation is not named for the progress edits: %+v", r)
	}

	b, err := store.BroadcastByID(context.Background(), h.DB.DB(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if b.Status != store.BroadcastQueued || b.Audience.Kind != "kabupaten" || !slices.Equal(b.Audience.Kabupaten, []string{"ngada"}) ||
		b.StaffChat != 9001 || b.Texts["id"] != idText || b.Texts["en"] != enText || b.SendAt != nil || b.FileID != "" || b.Expected != 4 {
		t.Fatalf("stored %+v", b)
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
	if r := s.Last.Replies[0]; r.EditRef != "bc:1" || s.HasButton(h.T("id", "BroadcastCancelButton")) {
		t.Fatalf("the cancel does not turn the progress message into the report: %+v", r)
	}
	var status string
	h.Query(&status, `SELECT status FROM broadcasts WHERE id = 1`)
	if status != "cancelled" {
		t.Fatalf("status %q after cancel", status)
	}
}

var stepRE = regexp.MustCompile(`Langkah (\d+) dari (\d+)`)

// The step counter of /umumkan never changes its total under the staff member, whichever
// audience opens a further question (it once went "2 dari 3" → "3 dari 4"), and counts up by one.
func TestBroadcastStepCounterHolds(t *testing.T) {
	h := flowtest.New(t)
	seedOwners(t, h)
	seedTrainings(t, h)
	h.AddStaff(9001, "bbpom_kupang", "staff")
	for _, choose := range [][]string{
		{"BroadcastAudience_area"},
		{"BroadcastAudience_kabupaten", "Ngada", "BroadcastKabupatenDone"},
		{"BroadcastAudience_path", "PathName_md"},
		{"BroadcastAudience_status", "Status_in_review"},
		{"BroadcastAudience_training", "PKP Bajawa · 10 Des 2026"},
		{"BroadcastAudience_interest", "TrainingKind_pkp"},
	} {
		s := h.Chat(9001, "id")
		compose(s, "Pengumuman untuk diuji, cukup panjang.", choose...)
		if !s.HasButton(h.T("id", "BroadcastSendButton")) {
			t.Fatalf("%v: no confirmation:\n%s", choose, s.Transcript())
		}
		total, last := "", 0
		for _, m := range stepRE.FindAllStringSubmatch(s.Transcript(), -1) {
			if total == "" {
				total = m[2]
			}
			if m[2] != total {
				t.Fatalf("%v: the total changed from %s to %s:\n%s", choose, total, m[2], s.Transcript())
			}
			var n int
			fmt.Sscan(m[1], &n)
			if n != last+1 && n != last { // the same step again (a toggle) keeps its number
				t.Fatalf("%v: step %d after %d:\n%s", choose, n, last, s.Transcript())
			}
			last = n
		}
		if total != "5" || last != 5 {
			t.Fatalf("%v: steps went to %d of %s, want 5 of 5:\n%s", choose, last, total, s.Transcript())
		}
		s.Send("/batal")
		s.PressMsg("CommonCancelYes")
	}
}

// Each audience reaches whom it says — counted at the confirmation, and the very owners the
// fan-out queues, nobody twice — and an office's "everyone" is its own area.
func TestBroadcastAudiences(t *testing.T) {
	h := flowtest.New(t)
	seedOwners(t, h)
	seedTrainings(t, h)
	h.AddStaff(9000, "", "admin")
	h.AddStaff(9001, "bbpom_kupang", "staff")
	h.AddStaff(9003, "loka_ende", "staff")
	h.AddStaff(9005, "dinkes_ngada", "staff")
	id := int64(0)
	for _, tc := range []struct {
		who    int64
		choose []string
		want   []int64
	}{
		{9000, []string{"BroadcastAudience_all"}, []int64{101, 102, 103, 104, 105, 106}},
		{9001, []string{"BroadcastAudience_area"}, []int64{101, 102, 103, 104, 106}},
		{9003, []string{"BroadcastAudience_area"}, []int64{105}},
		{9001, []string{"BroadcastAudience_path", "PathName_md"}, []int64{104}},
		{9003, []string{"BroadcastAudience_path", "PathName_md"}, nil},
		{9001, []string{"BroadcastAudience_status", "Status_in_review"}, []int64{104}},
		{9001, []string{"BroadcastAudience_ovop"}, []int64{103}},
		{9000, []string{"BroadcastAudience_kabupaten", "Sikka", "BroadcastKabupatenDone"}, []int64{104}},
		// Several kabupaten; a second press turns one off again.
		{9000, []string{"BroadcastAudience_kabupaten", "Sikka", "Ende", "Ngada", "✅ Ngada", "BroadcastKabupatenDone"}, []int64{104, 105}},
		{9001, []string{"BroadcastAudience_kabupaten", "Ngada", "Sikka", "BroadcastKabupatenDone"}, []int64{101, 102, 103, 104, 106}},
		// A health office's own kabupaten is on from the start.
		{9005, []string{"BroadcastAudience_kabupaten", "BroadcastKabupatenDone"}, []int64{101, 102, 103, 106}},
		// A training's registrants wherever they live (105 is in Ende), not its waiting list (102).
		{9001, []string{"BroadcastAudience_training", "PKP Bajawa · 10 Des 2026"}, []int64{101, 105}},
		{9003, []string{"BroadcastAudience_training", "Klinik Ende · 10 Des 2026"}, []int64{104}},
		// Waiting for PKP within the area: not 105 (Ende), not 103 (signed up already).
		{9001, []string{"BroadcastAudience_interest", "TrainingKind_pkp"}, []int64{102, 104}},
		{9000, []string{"BroadcastAudience_interest", "TrainingKind_pkp"}, []int64{102, 104, 105}},
		{9000, []string{"BroadcastAudience_interest", "TrainingKind_cppob"}, []int64{101}},
	} {
		s := h.Chat(tc.who, "id")
		compose(s, "Pengumuman untuk diuji, cukup panjang.", tc.choose...)
		s.Expect(fmt.Sprintf("Akan dikirim ke %d pelaku usaha", len(tc.want)))
		s.PressMsg("BroadcastSendButton")
		id++
		s.ExpectMsg("BroadcastStarted", map[string]any{"ID": id, "Count": len(tc.want)})
		if got := recipients(t, h, id); !slices.Equal(got, tc.want) {
			t.Fatalf("%d %v reached %v, want %v", tc.who, tc.choose, got, tc.want)
		}
	}
}

// The training list holds the office's trainings, upcoming or of the last 30 days: not another
// office's, not an old one; Loka Ende's staff cannot reach BBPOM Kupang's registrants.
func TestBroadcastTrainingChoices(t *testing.T) {
	h := flowtest.New(t)
	seedOwners(t, h)
	seedTrainings(t, h)
	h.AddStaff(9001, "bbpom_kupang", "staff")
	h.AddStaff(9003, "loka_ende", "staff")
	s := h.Chat(9001, "id")
	s.Send("/umumkan")
	s.Send("Pengumuman untuk diuji, cukup panjang.")
	s.PressMsg("BroadcastNoFile")
	s.PressMsg("BroadcastAudience_training")
	if !s.HasButton("PKP Bajawa · 10 Des 2026") || s.HasButton("Klinik Ende · 10 Des 2026") || strings.Contains(s.Text(), "CPPOB lama") {
		t.Fatalf("the trainings offered:\n%s", s.Transcript())
	}
	kupangTraining, _ := s.ButtonData("PKP Bajawa · 10 Des 2026")
	e := h.Chat(9003, "id")
	e.Send("/umumkan")
	e.Send("Pengumuman untuk diuji, cukup panjang.")
	e.PressMsg("BroadcastNoFile")
	e.PressMsg("BroadcastAudience_training")
	if e.HasButton("PKP Bajawa · 10 Des 2026") {
		t.Fatalf("Loka Ende offered BBPOM Kupang's training:\n%s", e.Transcript())
	}
	// Kupang's training (s<seq>:1), forged into Ende's question: not one of its choices.
	own, msg := e.ButtonData("Klinik Ende · 10 Des 2026")
	seq, _, _ := strings.Cut(own, ":")
	_, value, _ := strings.Cut(kupangTraining, ":")
	e.PressData(seq+":"+value, msg)
	e.ExpectMsg("BroadcastAskTraining")
	var n int
	h.Query(&n, `SELECT count(*) FROM broadcasts`)
	if n != 0 {
		t.Fatal("a broadcast was made")
	}
}

// An office with more trainings than one message of buttons holds: the choices go on over pages,
// and one of the last page is announced to (the check at the confirmation reads that training,
// not a page of the list). A training cancelled, moved to another office or out of the window
// between the choice and the confirmation is refused there.
func TestBroadcastTrainingChoicesPaged(t *testing.T) {
	h := flowtest.New(t)
	seedOwners(t, h)
	h.AddStaff(9001, "bbpom_kupang", "staff")
	var last int64
	for i := 1; i <= 14; i++ {
		last = newTraining(t, h, fmt.Sprintf("Kursus %02d", i), "bbpom_kupang", "ngada", 20, time.Duration(i)*24*time.Hour)
	}
	exec(t, h, `INSERT INTO training_registrations (training_id, owner_id) SELECT $1, id FROM owners WHERE telegram_user_id = 101`, last)
	s := h.Chat(9001, "id")
	start := func() {
		t.Helper()
		s.Send("/umumkan")
		s.Send("Pengumuman untuk peserta, cukup panjang.")
		s.PressMsg("BroadcastNoFile")
		s.PressMsg("BroadcastAudience_training")
		if !s.Mentions("Kursus 01") || s.Mentions("Kursus 14") {
			t.Fatalf("the first page of trainings:\n%s", s.Transcript())
		}
		for !s.Mentions("Kursus 14") {
			if !s.HasButton(h.T("id", "CommonNextPage")) {
				t.Fatalf("Kursus 14 is on no page:\n%s", s.Transcript())
			}
			s.PressMsg("CommonNextPage")
		}
		label := ""
		for _, r := range s.Last.Replies {
			for _, row := range r.Buttons {
				for _, b := range row {
					if strings.HasPrefix(b.Label, "Kursus 14 · ") {
						label = b.Label
					}
				}
			}
		}
		s.Press(label)
		s.PressMsg("BroadcastNowButton")
		if !s.HasButton(h.T("id", "BroadcastSendButton")) {
			t.Fatalf("no confirmation:\n%s", s.Transcript())
		}
	}
	start()
	s.PressMsg("BroadcastSendButton")
	var n int
	h.Query(&n, `SELECT count(*) FROM broadcasts WHERE audience->>'kind' = 'training' AND audience->>'value' = $1`, fmt.Sprint(last))
	if n != 1 {
		t.Fatalf("no broadcast to the registrants of Kursus 14:\n%s", s.Transcript())
	}
	if got := recipients(t, h, 1); !slices.Equal(got, []int64{101}) {
		t.Fatalf("recipients %v, want [101]", got)
	}

	// Changed between the choice and the confirmation: refused there.
	for _, change := range []struct{ name, set, undo string }{
		{"cancelled", `cancelled_at = now()`, `cancelled_at = NULL`},
		{"another office's", `office = 'loka_ende'`, `office = 'bbpom_kupang'`},
		{"started too long ago", `starts_at = starts_at - interval '60 days'`, `starts_at = starts_at + interval '60 days'`},
	} {
		start()
		exec(t, h, `UPDATE trainings SET `+change.set+` WHERE id = $1`, last)
		s.PressMsg("BroadcastSendButton")
		s.ExpectMsg("StaffForbidden")
		h.Query(&n, `SELECT count(*) FROM broadcasts`)
		if n != 1 {
			t.Fatalf("a broadcast to the registrants of a training %s was made", change.name)
		}
		exec(t, h, `UPDATE trainings SET `+change.undo+` WHERE id = $1`, last)
	}
}

// A photo or a document goes with the text: shown in the preview as owners will get it, kept
// as its Telegram file id; skipping it keeps none.
func TestBroadcastAttachment(t *testing.T) {
	h := flowtest.New(t)
	seedOwners(t, h)
	h.AddStaff(9001, "bbpom_kupang", "staff")
	s := h.Chat(9001, "id")
	text := "Brosur pelatihan PKP terlampir, silakan dibaca."
	s.Send("/umumkan")
	s.Send(text)
	s.Photo()
	s.ExpectMsg("BroadcastAskAudience")
	s.PressMsg("BroadcastAudience_ovop")
	s.PressMsg("BroadcastNowButton")
	idText := h.T("id", "BroadcastOwnerText", map[string]any{"From": "Balai Besar POM di Kupang", "Text": text})
	preview := s.Last.Replies[0]
	if preview.FileID == "" || !preview.Photo || preview.Text != idText {
		t.Fatalf("the preview does not show the photo as owners get it: %+v", preview)
	}
	s.Expect(h.T("id", "DocPhotoReceived"))
	s.PressMsg("BroadcastSendButton")
	b, err := store.BroadcastByID(context.Background(), h.DB.DB(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if b.FileID != preview.FileID || !b.FilePhoto {
		t.Fatalf("stored file %q photo %v, want %q", b.FileID, b.FilePhoto, preview.FileID)
	}

	// A document, then changed back to none from the summary.
	s.Send("/umumkan")
	s.Send(text)
	s.Upload("brosur.pdf", "application/pdf", 200_000)
	s.PressMsg("BroadcastAudience_ovop")
	s.PressMsg("BroadcastNowButton")
	s.Expect("brosur.pdf")
	if s.Last.Replies[0].FileID == "" || s.Last.Replies[0].Photo {
		t.Fatalf("the preview does not show the document: %+v", s.Last.Replies[0])
	}
	s.PressMsg("CommonEditButton")
	s.PressMsg("BroadcastAskFileField")
	s.PressMsg("BroadcastNoFile")
	s.Expect("Pratinjau")
	if s.Last.Replies[0].FileID != "" {
		t.Fatal("the attachment is still previewed after removing it")
	}
	s.PressMsg("BroadcastSendButton")
	if b, err = store.BroadcastByID(context.Background(), h.DB.DB(), 2); err != nil || b.FileID != "" {
		t.Fatalf("stored %+v, %v", b, err)
	}
}

// A send time in WITA: one in the past or unreadable is asked again; a later one is kept and
// said; one that passed while the summary waited is asked again; the broadcast can be cancelled
// before it starts.
func TestBroadcastSendTime(t *testing.T) {
	h := flowtest.New(t)
	seedOwners(t, h)
	h.AddStaff(9001, "bbpom_kupang", "staff") // the clock: 3 December 2026 09.00 WITA
	s := h.Chat(9001, "id")
	s.Send("/umumkan")
	s.Send("Pengumuman terjadwal, cukup panjang.")
	s.PressMsg("BroadcastNoFile")
	s.PressMsg("BroadcastAudience_ovop")
	s.ExpectMsg("BroadcastAskWhen")
	s.Send("2/12/2026 10.00")
	s.ExpectMsg("BroadcastPastTime")
	s.Send("besok pagi")
	s.ExpectMsg("BroadcastBadTime")
	s.Send("3/12/2026 14.00")
	s.Expect("Waktu kirim: Kamis, 3 Desember 2026 pukul 14.00 WITA")
	h.Advance(6 * time.Hour) // 15.00: the time passed while the summary waited
	s.PressMsg("BroadcastSendButton")
	s.ExpectMsg("BroadcastPastTime")
	s.Send("4/12/2026 08.00")
	s.PressMsg("BroadcastSendButton")
	s.ExpectMsg("BroadcastScheduled", map[string]any{"ID": 1, "Count": 1, "When": "Jumat, 4 Desember 2026 pukul 08.00 WITA"})
	b, err := store.BroadcastByID(context.Background(), h.DB.DB(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC); b.SendAt == nil || !b.SendAt.Equal(want) {
		t.Fatalf("send at %v, want %v", b.SendAt, want)
	}
	s.PressMsg("BroadcastCancelButton")
	s.Expect(h.T("id", "BroadcastStatus_cancelled"))
	if got := recipients(t, h, 1); len(got) != 0 {
		t.Fatalf("a broadcast cancelled before its time reached %v", got)
	}
}

// /umumkan_riwayat: newest first, five to a page, with when, by whom, to whom and the report; an
// office's staff see their area's broadcasts only.
func TestBroadcastHistory(t *testing.T) {
	h := flowtest.New(t)
	seedOwners(t, h)
	h.AddStaff(9000, "", "admin")
	h.AddStaff(9001, "bbpom_kupang", "staff")
	h.AddStaff(9003, "loka_ende", "staff")
	if _, err := h.DB.DB().Exec(context.Background(), `UPDATE staff SET name = 'Yohanes' WHERE telegram_user_id = 9001`); err != nil {
		t.Fatal(err)
	}
	e := h.Chat(9003, "id")
	e.Send("/umumkan_riwayat")
	e.ExpectMsg("BroadcastHistoryEmpty")
	s := h.Chat(9001, "id")
	for range 6 {
		compose(s, "Pengumuman untuk Ngada, cukup panjang.", "BroadcastAudience_kabupaten", "Ngada", "BroadcastKabupatenDone")
		s.PressMsg("BroadcastSendButton")
		h.Advance(time.Hour)
	}
	compose(e, "Pengumuman dari Loka Ende, cukup panjang.", "BroadcastAudience_area")
	e.PressMsg("BroadcastSendButton") // #7
	recipients(t, h, 6)
	if _, err := store.CancelBroadcast(context.Background(), h.DB.DB(), 5, h.Clock()); err != nil {
		t.Fatal(err)
	}

	s.Send("/umumkan_riwayat")
	s.Expect("#6 ·", "#2 ·", "Oleh: Yohanes", "Penerima: Ngada", "Tidak terjangkau 1", h.T("id", "BroadcastStatus_cancelled"))
	s.ExpectNot("#1 ·")
	s.ExpectNot("#7 ·")
	if strings.Index(s.Text(), "#6 ·") > strings.Index(s.Text(), "#5 ·") {
		t.Fatalf("not newest first:\n%s", s.Text())
	}
	s.PressMsg("BroadcastHistoryOlder")
	s.Expect("#1 ·")
	s.ExpectNot("#2 ·")
	if s.HasButton(h.T("id", "BroadcastHistoryOlder")) || !s.HasButton(h.T("id", "BroadcastHistoryNewer")) {
		t.Fatalf("the last page's buttons:\n%s", s.Transcript())
	}
	e.Send("/umumkan_riwayat")
	e.Expect("#7 ·")
	e.ExpectNot("#6 ·")
	admin := h.Chat(9000, "id")
	admin.Send("/umumkan_riwayat")
	admin.Expect("#7 ·", "#6 ·")
}

// Who may announce: an owner has no /umumkan nor its history, a viewer is refused both, staff
// of another office are never offered a kabupaten not theirs and cannot type one in, and cannot
// see or cancel another office's broadcast outside their area. Within their area (Dinkes Ngada,
// of a BBPOM Kupang broadcast to Ngada) they read its report, as the history shows it to them,
// but only the sending office and admins cancel it, whatever button data is forged.
func TestBroadcastAuthorization(t *testing.T) {
	h := flowtest.New(t)
	seedOwners(t, h)
	h.AddStaff(9000, "", "admin")
	h.AddStaff(9001, "bbpom_kupang", "staff")
	h.AddStaff(9002, "bbpom_kupang", "staff")
	h.AddStaff(9003, "loka_ende", "staff")
	h.AddStaff(9004, "bbpom_kupang", "viewer")
	h.AddStaff(9005, "dinkes_ngada", "staff")
	h.AddStaff(9006, "", "staff") // a row without an office: its "" is not an admin's broadcast's
	none := func(who string) {
		t.Helper()
		var n int
		h.Query(&n, `SELECT count(*) FROM broadcasts`)
		if n != 0 {
			t.Fatalf("%s made a broadcast", who)
		}
	}
	owner := h.Chat(101, "id")
	for _, cmd := range []string{"/umumkan", "/umumkan_riwayat"} {
		owner.Send(cmd)
		owner.ExpectMsg("MenuUnknownCommand")
	}
	for _, data := range []string{"a:bcx:1", "a:bch:0"} {
		owner.PressData(data, 1)
		owner.ExpectMsg("CommonStaleButton")
	}
	none("an owner")

	viewer := h.Chat(9004, "id")
	for _, cmd := range []string{"/umumkan", "/umumkan_riwayat"} {
		viewer.Send(cmd)
		viewer.ExpectMsg("StaffForbidden")
	}
	none("a viewer")

	ende := h.Chat(9003, "id")
	ende.Send("/umumkan")
	ende.Send("Pengumuman dari Loka Ende untuk Ngada.")
	ende.PressMsg("BroadcastNoFile")
	ende.PressMsg("BroadcastAudience_kabupaten")
	if ende.HasButton("Ngada") || !ende.HasButton("✅ Ende") {
		t.Fatalf("Loka Ende offered Ngada, or not its own kabupaten first:\n%s", ende.Transcript())
	}
	ende.Send("Ngada")
	ende.ExpectMsg("BroadcastAskKabupaten")
	ende.Send("Ende") // off: none chosen
	ende.PressMsg("BroadcastKabupatenDone")
	ende.ExpectMsg("BroadcastKabupatenNone")
	none("another office")

	// A broadcast of BBPOM Kupang's: Loka Ende can neither read its report nor cancel it.
	s := h.Chat(9001, "id")
	compose(s, "Pengumuman untuk Ngada, cukup panjang.", "BroadcastAudience_kabupaten", "Ngada", "BroadcastKabupatenDone")
	s.PressMsg("BroadcastSendButton")
	for _, data := range []string{"a:bcr:1", "a:bcx:1"} {
		ende.PressData(data, 1)
		ende.ExpectMsg("StaffNotFound")
	}
	viewer.PressData("a:bcx:1", 1)
	viewer.ExpectMsg("StaffForbidden")
	statusOf := func(id int) string {
		t.Helper()
		var status string
		h.Query(&status, `SELECT status FROM broadcasts WHERE id = $1`, id)
		return status
	}
	if st := statusOf(1); st != "queued" {
		t.Fatalf("another office or a viewer changed the broadcast: %s", st)
	}

	// Dinkes Ngada: Ngada is its area, the broadcast is not its office's.
	dinkes := h.Chat(9005, "id")
	dinkes.PressData("a:bcx:1", 1)
	dinkes.ExpectMsg("StaffForbidden")
	if st := statusOf(1); st != "queued" {
		t.Fatalf("Dinkes Ngada cancelled BBPOM Kupang's broadcast: %s", st)
	}
	dinkes.PressData("a:bcr:1", 1)
	dinkes.Expect("Pengumuman #1", h.T("id", "BroadcastStatus_queued"))
	if dinkes.HasButton(h.T("id", "BroadcastCancelButton")) {
		t.Fatalf("Dinkes Ngada is offered the cancel of BBPOM Kupang's broadcast:\n%s", dinkes.Transcript())
	}
	var audited int
	h.Query(&audited, `SELECT count(*) FROM audit_log WHERE action = 'broadcast.cancel'`)
	if audited != 0 {
		t.Fatal("a refused cancel is in the audit log")
	}

	// An admin's broadcast to Ngada: BBPOM Kupang reads it, cannot cancel it.
	admin := h.Chat(9000, "id")
	compose(admin, "Pengumuman provinsi untuk Ngada.", "BroadcastAudience_kabupaten", "Ngada", "BroadcastKabupatenDone")
	admin.PressMsg("BroadcastSendButton")
	s.PressData("a:bcr:2", 1)
	s.Expect("Pengumuman #2")
	if s.HasButton(h.T("id", "BroadcastCancelButton")) {
		t.Fatalf("an office is offered the cancel of an admin's broadcast:\n%s", s.Transcript())
	}
	s.PressData("a:bcx:2", 1)
	s.ExpectMsg("StaffForbidden")
	nowhere := h.Chat(9006, "id")
	for _, data := range []string{"a:bcx:2", "a:bcr:2"} {
		nowhere.PressData(data, 1)
		nowhere.ExpectMsg("StaffForbidden")
		nowhere.ExpectNot("Pengumuman #2")
	}
	if st := statusOf(2); st != "queued" {
		t.Fatalf("an office cancelled an admin's broadcast: %s", st)
	}

	// The sending office: another of its staff members reads and cancels it; an admin cancels
	// any broadcast.
	kupang := h.Chat(9002, "id")
	kupang.PressData("a:bcr:1", 1)
	if !kupang.HasButton(h.T("id", "BroadcastCancelButton")) {
		t.Fatalf("the sending office is not offered the cancel:\n%s", kupang.Transcript())
	}
	kupang.PressData("a:bcx:1", 1)
	kupang.Expect(h.T("id", "BroadcastStatus_cancelled"))
	admin.PressData("a:bcx:2", 1)
	admin.Expect(h.T("id", "BroadcastStatus_cancelled"))
	if a, b := statusOf(1), statusOf(2); a != "cancelled" || b != "cancelled" {
		t.Fatalf("after the sending office's and the admin's cancels: %s, %s", a, b)
	}
}
