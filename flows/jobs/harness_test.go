package jobs_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"umkmbot/bot"
	"umkmbot/flows/domain"
	"umkmbot/flows/jobs"
	"umkmbot/locales"
	"umkmbot/store"
	"umkmbot/store/storetest"
)

var wita = time.FixedZone("WITA", 8*3600)

// at is a time in WITA.
func at(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, wita) }

// clock is the moved clock the schedulers read.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) set(t time.Time) { c.mu.Lock(); c.now = t; c.mu.Unlock() }

// sent is one message a job queued, and the clock's time at the run that queued it.
type sent struct {
	ChatID int64
	Key    string
	Text   string
	At     time.Time
}

// harness runs one job of flows/jobs through the real scheduler and outbox (bot.ReminderJob),
// on a private schema, with a clock the test moves.
type harness struct {
	t      *testing.T
	ctx    context.Context
	st     *store.Store
	jobs   *jobs.Jobs
	clock  *clock
	scheds []*bot.Scheduler
	name   string
	seen   int64 // the last outbox id read
	sent   []sent
}

// newHarness makes a harness with the given number of schedulers on one database, each running
// the job pick chooses.
func newHarness(t *testing.T, schedulers int, pick func(*jobs.Jobs) jobs.Due) *harness {
	t.Helper()
	msgs, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	rules, err := domain.LoadRules()
	if err != nil {
		t.Fatal(err)
	}
	js, err := jobs.New(jobs.Config{Messages: msgs, Rules: rules})
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, ctx: context.Background(), st: storetest.New(t), jobs: js, clock: &clock{}, name: "job"}
	for range schedulers {
		s, err := bot.NewScheduler(bot.SchedulerConfig{Now: h.clock.Now,
			Jobs: []bot.Job{bot.ReminderJob(h.st, h.name, "*/10 * * * *", pick(js))}})
		if err != nil {
			t.Fatal(err)
		}
		h.scheds = append(h.scheds, s)
	}
	return h
}

// runAt runs the job at t on every scheduler at once, and records what was queued.
func (h *harness) runAt(t time.Time) {
	h.t.Helper()
	h.clock.set(t)
	var wg sync.WaitGroup
	errs := make([]error, len(h.scheds))
	for i, s := range h.scheds {
		wg.Go(func() { _, errs[i] = s.RunJob(h.ctx, h.name) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			h.t.Fatalf("run at %v: %v", t, err)
		}
	}
	rows, err := h.st.DB().Query(h.ctx, `SELECT id, chat_id, dedupe_key, payload, priority FROM outbox WHERE id > $1 ORDER BY id`, h.seen)
	if err != nil {
		h.t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			id, chat int64
			key      string
			payload  []byte
			prio     int
		)
		if err := rows.Scan(&id, &chat, &key, &payload, &prio); err != nil {
			h.t.Fatal(err)
		}
		h.seen = id
		p, err := bot.DecodePayload(payload)
		if err != nil || p.Kind != bot.KindReply || p.Reply == nil {
			h.t.Fatalf("outbox %d: payload %s (%v)", id, payload, err)
		}
		if prio != store.PriorityReminder {
			h.t.Errorf("outbox %d: priority %d, want reminder", id, prio)
		}
		h.sent = append(h.sent, sent{ChatID: chat, Key: key, Text: p.Reply.Text, At: t})
	}
	if err := rows.Err(); err != nil {
		h.t.Fatal(err)
	}
}

// every runs the job every step from from (included) to to (excluded), except in the gaps
// (pairs of down-from, up-again).
func (h *harness) every(step time.Duration, from, to time.Time, gaps ...time.Time) {
	h.t.Helper()
	for t := from; t.Before(to); t = t.Add(step) {
		down := false
		for i := 0; i+1 < len(gaps); i += 2 {
			if !t.Before(gaps[i]) && t.Before(gaps[i+1]) {
				down = true
			}
		}
		if !down {
			h.runAt(t)
		}
	}
}

// want is an expected message: to whom, an occasion its key ends with, and when it is queued.
type want struct {
	chat     int64
	keyEnd   string
	at       time.Time
	contains string
}

// expect checks that exactly the wanted messages were queued, each once, at its time.
func (h *harness) expect(wants ...want) {
	h.t.Helper()
	got := append([]sent(nil), h.sent...)
	for _, w := range wants {
		found := -1
		for i, s := range got {
			if s.ChatID == w.chat && strings.HasSuffix(s.Key, w.keyEnd) {
				found = i
				break
			}
		}
		if found < 0 {
			h.t.Errorf("no message to chat %d with a key ending %q (want at %v)", w.chat, w.keyEnd, w.at)
			continue
		}
		s := got[found]
		got = append(got[:found], got[found+1:]...)
		if !s.At.Equal(w.at) {
			h.t.Errorf("%s queued at %v, want %v", s.Key, s.At.In(wita), w.at)
		}
		if w.contains != "" && !strings.Contains(s.Text, w.contains) {
			h.t.Errorf("%s: text %q does not say %q", s.Key, s.Text, w.contains)
		}
	}
	for _, s := range got {
		h.t.Errorf("unexpected message to chat %d at %v: %s", s.ChatID, s.At.In(wita), s.Key)
	}
}

// owner makes an owner whose chat id is their Telegram id.
func (h *harness) owner(id int64, lang string) store.Owner {
	h.t.Helper()
	o, _, err := store.UpsertOwner(h.ctx, h.st.DB(), id, id, lang)
	if err != nil {
		h.t.Fatal(err)
	}
	return o
}

func (h *harness) exec(sql string, args ...any) {
	h.t.Helper()
	if _, err := h.st.DB().Exec(h.ctx, sql, args...); err != nil {
		h.t.Fatal(err)
	}
}
