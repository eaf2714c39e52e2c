package jobs_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"umkmbot/bot"
	"umkmbot/flows"
	"umkmbot/flows/domain"
	"umkmbot/flows/flowtest"
	"umkmbot/flows/jobs"
	"umkmbot/flows/staff"
	"umkmbot/store"
)

// noticeRig runs the staff-notices job, through the real scheduler and outbox, on a flowtest
// harness's database and clock, on several schedulers at once.
type noticeRig struct {
	t      *testing.T
	h      *flowtest.Harness
	scheds []*bot.Scheduler
	seen   int64
}

func newNoticeRig(t *testing.T, h *flowtest.Harness, schedulers int) *noticeRig {
	t.Helper()
	rules, err := domain.LoadRules()
	if err != nil {
		t.Fatal(err)
	}
	js, err := jobs.New(jobs.Config{Messages: h.Msgs, Rules: rules})
	if err != nil {
		t.Fatal(err)
	}
	r := &noticeRig{t: t, h: h}
	for range schedulers {
		s, err := bot.NewScheduler(bot.SchedulerConfig{Now: h.Clock,
			Jobs: []bot.Job{bot.ReminderJob(h.DB, "staff-notices", "@every 20s", js.StaffNotices(time.Minute))}})
		if err != nil {
			t.Fatal(err)
		}
		r.scheds = append(r.scheds, s)
	}
	return r
}

// queued is a message the job put in the outbox.
type queued struct {
	chat     int64
	priority int
	reply    flows.Reply
}

// run runs the job on every scheduler at once and returns what they queued, by chat.
func (r *noticeRig) run() map[int64][]queued {
	r.t.Helper()
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make([]error, len(r.scheds))
	for i, s := range r.scheds {
		wg.Go(func() { _, errs[i] = s.RunJob(ctx, "staff-notices") })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			r.t.Fatal(err)
		}
	}
	rows, err := r.h.DB.DB().Query(ctx, `SELECT id, chat_id, priority, payload FROM outbox WHERE id > $1 ORDER BY id`, r.seen)
	if err != nil {
		r.t.Fatal(err)
	}
	defer rows.Close()
	out := map[int64][]queued{}
	for rows.Next() {
		var q queued
		var payload []byte
		if err := rows.Scan(&r.seen, &q.chat, &q.priority, &payload); err != nil {
			r.t.Fatal(err)
		}
		p, err := bot.DecodePayload(payload)
		if err != nil || p.Reply == nil {
			r.t.Fatalf("payload %s: %v", payload, err)
		}
		q.reply = *p.Reply
		out[q.chat] = append(out[q.chat], q)
	}
	if err := rows.Err(); err != nil {
		r.t.Fatal(err)
	}
	return out
}

// Five applications submitted one after another reach each staff member of the office that
// handles them (and the admin) as one message, "5 pengajuan baru di Ngada", with a button to the
// queue filtered so; staff of another office get nothing; two schedulers running the job at once,
// and runs after, queue it once. A single application later is today's detailed notice.
func TestStaffNoticesGrouped(t *testing.T) {
	h := flowtest.New(t)
	h.AddStaff(9000, "", "admin")
	h.AddStaff(9001, "bbpom_kupang", "staff") // Ngada's MD applications go to BBPOM Kupang
	h.AddStaff(9002, "bbpom_kupang", "viewer")
	h.AddStaff(9003, "loka_ende", "staff")
	rig := newNoticeRig(t, h, 2)
	var numbers []string
	for i := range 5 {
		owner := h.Chat(int64(201+i), "id")
		owner.CompleteProfile(fmt.Sprintf("Kopi Bajawa %d", i))
		numbers = append(numbers, owner.RegisterPath("md", fmt.Sprintf("Kopi Bajawa %d", i)))
		if len(owner.Last.Notices) != 0 {
			t.Fatalf("a staff notice went out at once: %+v", owner.Last.Notices)
		}
		h.Advance(5 * time.Second)
	}
	if got := rig.run(); len(got) != 0 {
		t.Fatalf("sent before the first notice waited its minute: %+v", got)
	}

	h.Advance(time.Minute)
	got := rig.run()
	l := h.Msgs.For("id")
	line := l.N("StaffNoticesLine_submitted", 5, map[string]any{"Kabupaten": "Ngada"})
	if !strings.Contains(line, "5 pengajuan baru di Ngada") {
		t.Fatalf("the line reads %q", line)
	}
	for _, chat := range []int64{9000, 9001, 9002} {
		msgs := got[chat]
		if len(msgs) != 1 {
			t.Fatalf("%d messages to %d, want one: %+v", len(msgs), chat, got)
		}
		m := msgs[0]
		if !strings.Contains(m.reply.Text, line) || m.priority != store.PriorityReminder {
			t.Errorf("to %d (priority %d): %q, want the summary with %q", chat, m.priority, m.reply.Text, line)
		}
		if len(m.reply.Buttons) != 1 || m.reply.Buttons[0][0].Data != staff.QueueLink("submitted", "ngada") {
			t.Errorf("to %d: buttons %+v, want one to the new applications of Ngada", chat, m.reply.Buttons)
		}
	}
	if len(got[9003]) != 0 || len(got) != 3 {
		t.Fatalf("queued to %v; another office's staff must get nothing", slices.Collect(mapsKeys(got)))
	}
	if again := rig.run(); len(again) != 0 {
		t.Fatalf("queued again on the next run: %+v", again)
	}

	// The button opens the office's queue of those five.
	s := h.Chat(9001, "id")
	s.PressData(got[9001][0].reply.Buttons[0][0].Data, 1)
	s.Expect(h.T("id", "Status_submitted") + ": 5")
	for _, n := range numbers {
		if !s.Mentions(n) {
			t.Fatalf("the queue the button opens lacks %s:\n%s", n, s.Transcript())
		}
	}

	// One alone is the detailed notice, as it always was.
	owner := h.Chat(301, "id")
	owner.CompleteProfile("Keripik Pisang Ngada")
	number := owner.RegisterPath("md", "Keripik Pisang")
	h.Advance(time.Minute)
	got = rig.run()
	want := l.T("StaffNewApplication", map[string]any{"Number": number, "Product": "Keripik Pisang",
		"Path": l.T("PathName_md"), "Kabupaten": "Ngada"})
	for _, chat := range []int64{9000, 9001, 9002} {
		if len(got[chat]) != 1 || got[chat][0].reply.Text != want || len(got[chat][0].reply.Buttons) != 0 {
			t.Fatalf("to %d: %+v, want the detailed notice %q", chat, got[chat], want)
		}
	}
	if len(got) != 3 {
		t.Fatalf("queued to %v", slices.Collect(mapsKeys(got)))
	}
}

func mapsKeys(m map[int64][]queued) func(func(int64) bool) {
	return func(yield func(int64) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// A summary counts each kind in each kabupaten on a line of its own, new ones first, with a
// queue button for each but the withdrawn; a notice for someone removed meanwhile is dropped.
func TestStaffNoticesSummaryByKindAndKabupaten(t *testing.T) {
	h := flowtest.New(t)
	admin := h.AddStaff(9000, "", "admin")
	gone := h.AddStaff(9001, "bbpom_kupang", "staff")
	rig := newNoticeRig(t, h, 1)
	owner := h.Chat(201, "id")
	owner.CompleteProfile("Kopi Bajawa")
	owner.RegisterPath("md", "Kopi Bajawa")
	var appID int64
	h.Query(&appID, `SELECT id FROM applications`)
	ctx := context.Background()
	if _, err := h.DB.DB().Exec(ctx, `DELETE FROM staff_notices_pending`); err != nil {
		t.Fatal(err)
	}
	at := h.Clock()
	var held []store.PendingStaffNotice
	for i, k := range []struct{ kind, kab string }{
		{"withdrawn", "ngada"}, {"resubmit", "ngada"}, {"submitted", "kota_kupang"}, {"submitted", "ngada"}, {"submitted", "kota_kupang"},
	} {
		held = append(held, store.PendingStaffNotice{ChatID: 9000, StaffID: admin.ID, ApplicationID: appID, Kind: k.kind,
			Kabupaten: k.kab, Text: "satu", CreatedAt: at, DedupeKey: fmt.Sprintf("k%d", i)})
	}
	held = append(held, store.PendingStaffNotice{ChatID: 9001, StaffID: gone.ID, ApplicationID: appID, Kind: "submitted",
		Kabupaten: "ngada", Text: "satu", CreatedAt: at, DedupeKey: "gone"})
	if _, err := store.HoldStaffNotices(ctx, h.DB.DB(), held); err != nil {
		t.Fatal(err)
	}
	if err := store.DeactivateStaff(ctx, h.DB.DB(), gone.ID); err != nil {
		t.Fatal(err)
	}
	h.Advance(time.Minute)
	got := rig.run()
	if len(got) != 1 || len(got[9000]) != 1 {
		t.Fatalf("queued %+v, want one message to the admin only", got)
	}
	l := h.Msgs.For("id")
	kupang, ngada := map[string]any{"Kabupaten": "Kota Kupang"}, map[string]any{"Kabupaten": "Ngada"}
	wantText := l.N("StaffNoticesGrouped", 5, map[string]any{"Lines": strings.Join([]string{
		l.N("StaffNoticesLine_submitted", 2, kupang), l.N("StaffNoticesLine_submitted", 1, ngada),
		l.N("StaffNoticesLine_resubmit", 1, ngada), l.N("StaffNoticesLine_withdrawn", 1, ngada)}, "\n")})
	r := got[9000][0].reply
	if r.Text != wantText {
		t.Fatalf("summary:\n%s\nwant:\n%s", r.Text, wantText)
	}
	var data []string
	for _, row := range r.Buttons {
		data = append(data, row[0].Data)
	}
	wantData := []string{staff.QueueLink("submitted", "kota_kupang"), staff.QueueLink("submitted", "ngada"), staff.QueueLink("submitted", "ngada")}
	if !slices.Equal(data, wantData) {
		t.Fatalf("buttons %v, want %v", data, wantData)
	}
}

// A summary is written in the language its reader chose: an admin reading English gets the
// English lines, an office's staff member reading Indonesian the Indonesian ones.
func TestStaffNoticesSummaryInTheReadersLanguage(t *testing.T) {
	h := flowtest.New(t)
	admin := h.AddStaff(9000, "", "admin")
	kupang := h.AddStaff(9001, "bbpom_kupang", "staff")
	h.Chat(9000, "en").Send("/start")
	h.Chat(9001, "id").Send("/start")
	rig := newNoticeRig(t, h, 1)
	owner := h.Chat(201, "id")
	owner.CompleteProfile("Kopi Bajawa")
	owner.RegisterPath("md", "Kopi Bajawa")
	var appID int64
	h.Query(&appID, `SELECT id FROM applications`)
	ctx := context.Background()
	if _, err := h.DB.DB().Exec(ctx, `DELETE FROM staff_notices_pending`); err != nil {
		t.Fatal(err)
	}
	var held []store.PendingStaffNotice
	for _, s := range []store.Staff{admin, kupang} {
		for i := range 2 {
			held = append(held, store.PendingStaffNotice{ChatID: s.TelegramUserID, StaffID: s.ID, ApplicationID: appID, Kind: "submitted",
				Kabupaten: "ngada", Text: "satu", CreatedAt: h.Clock(), DedupeKey: fmt.Sprintf("k%d-%d", s.ID, i)})
		}
	}
	if _, err := store.HoldStaffNotices(ctx, h.DB.DB(), held); err != nil {
		t.Fatal(err)
	}
	h.Advance(time.Minute)
	got := rig.run()
	for chat, lang := range map[int64]string{9000: "en", 9001: "id"} {
		l := h.Msgs.For(lang)
		ngada := map[string]any{"Kabupaten": "Ngada"}
		want := l.N("StaffNoticesGrouped", 2, map[string]any{"Lines": l.N("StaffNoticesLine_submitted", 2, ngada)})
		if len(got[chat]) != 1 || got[chat][0].reply.Text != want || got[chat][0].reply.Buttons[0][0].Label != l.T("StaffNoticesOpen_submitted", ngada) {
			t.Errorf("to %d: %+v, want in %s %q", chat, got[chat], lang, want)
		}
	}
}

// A notice that came alone reaches each staff member in their own language too (it was written
// in Indonesian for everyone).
func TestStaffNoticeAloneInTheReadersLanguage(t *testing.T) {
	h := flowtest.New(t)
	h.AddStaff(9000, "", "admin")
	h.AddStaff(9001, "bbpom_kupang", "staff")
	h.Chat(9000, "en").Send("/start")
	h.Chat(9001, "id").Send("/start")
	rig := newNoticeRig(t, h, 1)
	owner := h.Chat(201, "id")
	owner.CompleteProfile("Kopi Bajawa")
	number := owner.RegisterPath("md", "Kopi Bajawa")
	h.Advance(time.Minute)
	got := rig.run()
	for chat, lang := range map[int64]string{9000: "en", 9001: "id"} {
		l := h.Msgs.For(lang)
		want := l.T("StaffNewApplication", map[string]any{"Number": number, "Product": "Kopi Bajawa",
			"Path": l.T("PathName_md"), "Kabupaten": "Ngada"})
		if len(got[chat]) != 1 || got[chat][0].reply.Text != want {
			t.Errorf("to %d: %+v, want in %s %q", chat, got[chat], lang, want)
		}
	}
}
