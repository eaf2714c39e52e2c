package main

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"umkmbot/bot/telegramtest"
	"umkmbot/flows/staff"
	"umkmbot/store"
)

// The broadcast fault tests of issue 10: a staff member's broadcast to bcastOwners owners through
// the fake Telegram with Telegram's limits enforced, while a handful of owners chat (the fault
// harness's profile script, fault_harness_test.go); then the same killed with SIGKILL half-way and
// a new serve started, and cancelled half-way with the staff member's button. The owners are
// seeded straight into the database (COPY, in batches), as a province's UMKM registered long ago
// would be; the broadcast is stored as a confirmed /umumkan stores it (store.CreateBroadcast, to
// everyone, the admin's report chat) and serve's broadcaster fans it out and reports.
//
// Scale: Telegram allows about 30 messages/s to a bot overall, and at that pace 20,000 messages
// take eleven minutes. The fake enforces bcastScale times Telegram's overall limit (20 × 30 =
// 600 messages/s) and the bot runs with SEND_RATE and TELEGRAM_RATE scaled alike (500 and 600, for
// 25 and 30), so the shares of replies and broadcast within the budget are Telegram's; the
// per-chat limit stays Telegram's (1/s, bursts of 3; SEND_CHAT_RATE=1). Each test starts its own
// PostgreSQL; -short skips them.

const (
	bcastOwners   = 20_000
	bcastChatters = 8               // owners chatting meanwhile
	bcastScale    = 20              // Telegram's overall limit and the bot's rates ×20
	bcastSeedRows = 5_000           // owners per COPY
	bcastBound    = 3 * time.Minute // the whole test, on a busy machine; about a minute on an idle one
	bcastText     = "Pelatihan keamanan pangan (PKP) di Kupang, 12 Desember. Daftar lewat /pelatihan."
	bcastThink    = 3 * time.Second // a chatting owner's pause before each /menu after the profile, as the bench's
	// bcastStaffWait bounds the wait for a message to the staff member once it is due: the
	// broadcaster looks every 2s, the sender sends a reply at once.
	bcastStaffWait = 30 * time.Second
	// bcastHeldMax is how many broadcast queues one serve's sender holds at most (claimed, not yet
	// recorded): 2×SEND_WORKERS, the fault harness's. A kill may repeat at most these; a cancel
	// may be followed by at most these.
	bcastHeldMax = 2 * faultSendWorkers
)

// bcastRun is one broadcast fault test: the fault harness's run, the owners seeded at chat ids
// first.., and the broadcast.
type bcastRun struct {
	*faultRun
	first int64             // chat id of the first seeded owner
	texts map[string]string // the broadcast as owners see it, by language
	id    int64             // the broadcast

	delivered atomic.Int64 // broadcast messages to seeded owners the fake accepted so far

	over     chan struct{} // closed: the chatting owners stop
	overOnce sync.Once

	mu        sync.Mutex
	staffSeen []telegramtest.Call // the bot's calls to the staff member's chat
	staffWake chan struct{}
	menus     map[int64][]time.Time // when each chatting owner sent /menu after the script
}

func newBcastRun(t *testing.T) *bcastRun {
	t.Helper()
	b := &bcastRun{staffWake: make(chan struct{}, 1), over: make(chan struct{}), menus: map[int64][]time.Time{}}
	b.faultRun = newFaultRunWith(t, bcastChatters, bcastBound, b.observe)
	b.more = b.chat
	b.first = b.r.base + 1_000_000
	// Set before the limits (which take the fake's lock): the fake's handlers read it after.
	b.r.fake.SetGlobalRate(30 * bcastScale)
	b.r.fake.SetEnforceLimits(true)
	return b
}

// env is what every serve of the test gets over the fault harness's settings: the scaled rates.
func (b *bcastRun) env() []string {
	return []string{fmt.Sprintf("SEND_RATE=%d", 25*bcastScale), fmt.Sprintf("TELEGRAM_RATE=%d", 30*bcastScale),
		"SEND_CHAT_RATE=1"}
}

// observe is told of every call (the fake's OnCall): it counts the broadcast's progress and keeps
// what the staff member's chat got.
func (b *bcastRun) observe(c telegramtest.Call) {
	chat := c.ChatID()
	switch {
	case chat >= b.first && chat < b.first+bcastOwners:
		if c.Status == http.StatusOK && isMessageCall(c.Method) {
			b.delivered.Add(1)
		}
	case chat == b.r.base && c.Status == http.StatusOK:
		b.mu.Lock()
		b.staffSeen = append(b.staffSeen, c)
		b.mu.Unlock()
		select {
		case b.staffWake <- struct{}{}:
		default:
		}
	}
}

// chat is what a chatting owner does once the profile is saved: /menu every bcastThink, until the
// test says the broadcast is over.
func (b *bcastRun) chat(o *benchOwner, _ seenCall) error {
	menu := o.tail()[0]
	for {
		select {
		case <-b.over:
			return nil
		case <-time.After(bcastThink): // the owner reads; not a wait for anything
		}
		b.mu.Lock()
		b.menus[o.user.ID()] = append(b.menus[o.user.ID()], time.Now())
		b.mu.Unlock()
		if _, err := o.step(b.ctx, menu, seenCall{}); err != nil {
			return err
		}
	}
}

// stopChatting ends the owners' /menu rounds.
func (b *bcastRun) stopChatting() { b.overOnce.Do(func() { close(b.over) }) }

// startChatting sets the owners going and waits until each has an owner row: they are among the
// broadcast's recipients, and get it while they chat.
func (b *bcastRun) startChatting() {
	b.t.Helper()
	b.play()
	b.until(func() string {
		var n int
		if err := b.db.QueryRow(b.ctx, `SELECT count(*) FROM owners WHERE telegram_user_id BETWEEN $1 AND $2`,
			b.r.base+1, b.r.base+bcastChatters).Scan(&n); err != nil {
			b.t.Fatal(err)
		}
		if n == bcastChatters {
			return ""
		}
		return fmt.Sprintf("%d of %d chatting owners have an owner row", n, bcastChatters)
	})
}

// until polls cond, which says what is still missing ("" once it holds), until it holds or the
// test's time is up.
func (b *bcastRun) until(cond func() (missing string)) {
	b.t.Helper()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		missing := cond()
		if missing == "" {
			return
		}
		select {
		case <-b.ctx.Done():
			b.t.Fatal(missing)
		case <-tick.C:
		}
	}
}

// menuDups takes the chatting owners' menus out of dups (the same menu again is no duplicate:
// the owner asked again) and checks them by count instead: each chat got a menu for each /menu,
// one more only where extra says so. It returns the other duplicates.
func (b *bcastRun) menuDups(dups []duplicate, extra func(chat int64) bool) []duplicate {
	b.t.Helper()
	menu := b.r.msgs.For("id").T("MenuText")
	var out []duplicate
	for _, d := range dups {
		if !strings.Contains(d.text, menu) {
			out = append(out, d)
		}
	}
	got := map[int64]int{}
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, c := range b.r.fake.Calls("") {
		chat := c.ChatID()
		if sent := b.menus[chat]; len(sent) > 0 && c.At.After(sent[0]) && c.Status == http.StatusOK && isMessageCall(c.Method) &&
			strings.Contains(c.Params.Get("text"), menu) {
			got[chat]++
		}
	}
	for chat, sent := range b.menus {
		if n := got[chat]; n != len(sent) && (n != len(sent)+1 || extra == nil || !extra(chat)) {
			b.t.Errorf("chat %d: %d menus for %d /menu", chat, n, len(sent))
		}
	}
	return out
}

// bcastLang is the language of seeded owner i: one in five English.
func bcastLang(i int) string {
	if i%5 == 4 {
		return "en"
	}
	return "id"
}

// seed puts bcastOwners owners in the database, bcastSeedRows a COPY, and makes their chats at the
// fake.
func (b *bcastRun) seed() {
	b.t.Helper()
	for i := range bcastOwners {
		b.r.fake.User(b.first+int64(i), "Penerima", bcastLang(i))
	}
	for start := 0; start < bcastOwners; start += bcastSeedRows {
		var rows [][]any
		for i := start; i < min(start+bcastSeedRows, bcastOwners); i++ {
			chat := b.first + int64(i)
			rows = append(rows, []any{chat, chat, bcastLang(i)})
		}
		if _, err := b.db.CopyFrom(b.ctx, pgx.Identifier{"owners"}, []string{"telegram_user_id", "chat_id", "lang"},
			pgx.CopyFromRows(rows)); err != nil {
			b.t.Fatalf("seed owners: %v", err)
		}
	}
}

// start stores the broadcast as a confirmed /umumkan of the admin does: to everyone in the
// province, the text as owners see it in each language, the report to the admin's chat.
func (b *bcastRun) start() {
	b.t.Helper()
	var staffID int64
	if err := b.db.QueryRow(b.ctx, `SELECT id FROM staff WHERE telegram_user_id = $1`, b.r.base).Scan(&staffID); err != nil {
		b.t.Fatalf("the admin's staff row: %v", err)
	}
	b.texts = map[string]string{}
	for _, lang := range b.r.msgs.Languages() {
		l := b.r.msgs.For(lang)
		b.texts[lang] = l.T("BroadcastOwnerText", map[string]any{"From": l.T("BroadcastFromProvince"), "Text": bcastText})
	}
	bc := store.Broadcast{CreatedBy: staffID, StaffChat: b.r.base, Audience: store.Audience{Kind: store.AudienceAll}, Texts: b.texts}
	if err := store.CreateBroadcast(b.ctx, b.db, &bc); err != nil {
		b.t.Fatal(err)
	}
	b.id = bc.ID
}

// waitDelivered waits until the fake accepted n of the broadcast's messages to seeded owners.
func (b *bcastRun) waitDelivered(n int) {
	b.t.Helper()
	b.until(func() string {
		if got := b.delivered.Load(); got < int64(n) {
			return fmt.Sprintf("the broadcast reached %d owners, not %d", got, n)
		}
		return ""
	})
}

// waitStaff waits (up to bcastStaffWait) for a call to the staff member's chat that match accepts,
// made after since.
func (b *bcastRun) waitStaff(what string, since time.Time, match func(telegramtest.Call) bool) telegramtest.Call {
	b.t.Helper()
	bound := time.NewTimer(bcastStaffWait)
	defer bound.Stop()
	for {
		b.mu.Lock()
		i := slices.IndexFunc(b.staffSeen, func(c telegramtest.Call) bool { return c.At.After(since) && match(c) })
		var c telegramtest.Call
		var texts []string
		if i >= 0 {
			c = b.staffSeen[i]
		}
		for _, s := range b.staffSeen {
			texts = append(texts, s.Params.Get("text"))
		}
		b.mu.Unlock()
		if i >= 0 {
			return c
		}
		select {
		case <-b.staffWake:
		case <-bound.C:
			b.t.Fatalf("the staff member did not get %s within %s; their chat got %s", what, bcastStaffWait, quoteShort(texts))
		case <-b.ctx.Done():
			b.t.Fatalf("the staff member did not get %s; their chat got %s", what, quoteShort(texts))
		}
	}
}

// reportOf waits until the broadcast is over (done or cancelled), then for the staff member's
// message that is its report as the database has it (made after since), and returns the report.
func (b *bcastRun) reportOf(since time.Time) store.BroadcastReport {
	b.t.Helper()
	var r store.BroadcastReport
	b.until(func() string {
		var err error
		if r, err = store.BroadcastReportOf(b.ctx, b.db, b.id); err != nil {
			b.t.Fatal(err)
		}
		if r.Status == store.BroadcastDone || r.Status == store.BroadcastCancelled {
			return ""
		}
		return fmt.Sprintf("the broadcast is not over: %+v", r)
	})
	want := staff.BroadcastReportText(b.r.msgs.For("id"), b.id, r)
	b.waitStaff(fmt.Sprintf("the report %q", want), since, func(c telegramtest.Call) bool {
		return isMessageCall(c.Method) && c.Params.Get("text") == want
	})
	return r
}

// bcastTally is what the fake's record says of the broadcast: when each chat got it.
type bcastTally struct {
	at        map[int64][]time.Time
	total     int
	wrongLang []int64 // chats that got it in another language than theirs
	first     time.Time
	last      time.Time
}

// tally reads the fake's record once: every message accepted that is the broadcast's text.
func (b *bcastRun) tally() bcastTally {
	b.t.Helper()
	tl := bcastTally{at: map[int64][]time.Time{}}
	isText := map[string]string{}
	for lang, text := range b.texts {
		isText[text] = lang
	}
	for _, c := range b.r.fake.Calls("") {
		lang, ok := isText[c.Params.Get("text")]
		if !ok || c.Status != http.StatusOK || !isMessageCall(c.Method) {
			continue
		}
		chat := c.ChatID()
		tl.at[chat] = append(tl.at[chat], c.At)
		tl.total++
		if tl.first.IsZero() {
			tl.first = c.At
		}
		tl.last = c.At
		want := "id" // the chatting owners write in Indonesian
		if i := chat - b.first; i >= 0 && i < bcastOwners {
			want = bcastLang(int(i))
		}
		if lang != want {
			tl.wrongLang = append(tl.wrongLang, chat)
		}
	}
	return tl
}

// recipients are the chats the fan-out queued the broadcast for (the dedupe key of each owner's
// message stays after it is sent).
func (b *bcastRun) recipients() map[int64]bool {
	b.t.Helper()
	rows, err := b.db.Query(b.ctx, `SELECT id, chat_id FROM owners`)
	if err != nil {
		b.t.Fatal(err)
	}
	type owner struct{ id, chat int64 }
	owners, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (owner, error) {
		var o owner
		err := r.Scan(&o.id, &o.chat)
		return o, err
	})
	if err != nil {
		b.t.Fatal(err)
	}
	chatOf := map[string]int64{}
	var keys []string
	for _, o := range owners {
		k := store.BroadcastDedupeKey(b.id, o.id)
		chatOf[k] = o.chat
		keys = append(keys, k)
	}
	rows, err = b.db.Query(b.ctx, `SELECT dedupe_key FROM outbox_keys WHERE dedupe_key = ANY($1::text[])`, keys)
	if err != nil {
		b.t.Fatal(err)
	}
	queued, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		b.t.Fatal(err)
	}
	out := map[int64]bool{}
	for _, k := range queued {
		out[chatOf[k]] = true
	}
	return out
}

// checkOnce holds the fake's record to the recipients: every seeded owner was queued, nobody else
// got the broadcast, nobody got it in another language, and each recipient got it once; twice
// only when twice says so of the chat and its two times, never at all only when missing allows.
// It returns the chats that got it twice.
func (b *bcastRun) checkOnce(tl bcastTally, rcpts map[int64]bool, twice func(chat int64, at []time.Time) bool, missing bool) (doubled []int64) {
	b.t.Helper()
	var notQueued, never, strangers, tooMany []int64
	for i := range int64(bcastOwners) {
		if !rcpts[b.first+i] {
			notQueued = append(notQueued, b.first+i)
		}
	}
	for chat := range rcpts {
		switch n := len(tl.at[chat]); {
		case n == 0 && !missing:
			never = append(never, chat)
		case n == 2 && twice != nil && twice(chat, tl.at[chat]):
			doubled = append(doubled, chat)
		case n >= 2:
			tooMany = append(tooMany, chat)
		}
	}
	for chat := range tl.at {
		if !rcpts[chat] {
			strangers = append(strangers, chat)
		}
	}
	for _, c := range []struct {
		what  string
		chats []int64
	}{
		{"seeded owners the fan-out never queued", notQueued},
		{"recipients who never got the broadcast", never},
		{"recipients who got it more than once (outside the window)", tooMany},
		{"chats that got it without being queued", strangers},
		{"chats that got it in another language", tl.wrongLang},
	} {
		if len(c.chats) > 0 {
			slices.Sort(c.chats)
			b.t.Errorf("%d %s, the first %v", len(c.chats), c.what, c.chats[:min(5, len(c.chats))])
		}
	}
	return doubled
}

// replyDups are the duplicates of the chatting owners' chats that are replies (a broadcast
// message twice is the tally's to judge).
func (b *bcastRun) replyDups(dups []duplicate) []duplicate {
	var out []duplicate
	for _, d := range dups {
		if !slices.Contains(slices.Collect(maps.Values(b.texts)), d.text) {
			out = append(out, d)
		}
	}
	return out
}

// chatWaits are the chatting owners' waits for their replies' first message and whole reply,
// for the updates sent from from to to.
func (b *bcastRun) chatWaits(from, to time.Time) (first, whole []time.Duration) {
	for _, o := range b.r.owners {
		for _, s := range o.samples {
			if !s.at.Before(from) && !s.at.After(to) {
				first, whole = append(first, s.first), append(whole, s.last)
			}
		}
	}
	return first, whole
}

func (b *bcastRun) logWaits(from, to time.Time) string {
	first, whole := b.chatWaits(from, to)
	return fmt.Sprintf("the %d chatting owners' %d updates meanwhile: first answer p50 %s p99 %s max %s, whole reply p50 %s p99 %s max %s; %s",
		len(b.r.owners), len(first), fmtDur(quantile(first, 0.5)), fmtDur(quantile(first, 0.99)), fmtDur(quantile(first, 1)),
		fmtDur(quantile(whole, 0.5)), fmtDur(quantile(whole, 0.99)), fmtDur(quantile(whole, 1)), b.stages(from, to))
}

// stages splits the slowest first answers (over 500 ms) of the chatting owners between from and
// to into where the time went, from the inbox's record of the update: the intake (sent → kept in
// the inbox), the wait for the dispatcher (→ its transaction began) and the rest (handling,
// commit, the sender's claim, Telegram's limits → the first call).
func (b *bcastRun) stages(from, to time.Time) string {
	b.t.Helper()
	type slow struct{ total, intake, dispatch, send time.Duration }
	var slows []slow
	for _, o := range b.r.owners {
		rows, err := b.db.Query(b.ctx, `SELECT received_at, coalesce(handled_at, received_at) FROM inbox WHERE chat_id = $1 ORDER BY update_id`, o.user.ID())
		if err != nil {
			b.t.Fatal(err)
		}
		type kept struct{ received, handled time.Time }
		ups, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (kept, error) {
			var k kept
			err := r.Scan(&k.received, &k.handled)
			return k, err
		})
		if err != nil {
			b.t.Fatal(err)
		}
		for _, s := range o.samples {
			if s.at.Before(from) || s.at.After(to) || s.first < 500*time.Millisecond {
				continue
			}
			i := slices.IndexFunc(ups, func(k kept) bool { return !k.received.Before(s.at) })
			if i < 0 {
				continue
			}
			k := ups[i]
			slows = append(slows, slow{s.first, k.received.Sub(s.at), k.handled.Sub(k.received), s.at.Add(s.first).Sub(k.handled)})
		}
	}
	if len(slows) == 0 {
		return "no first answer over 500 ms"
	}
	slices.SortFunc(slows, func(x, y slow) int { return int(y.total - x.total) })
	var parts []string
	for _, x := range slows[:min(5, len(slows))] {
		parts = append(parts, fmt.Sprintf("%s = intake %s + dispatcher wait %s + handling and sending %s",
			fmtDur(x.total), fmtDur(x.intake), fmtDur(x.dispatch), fmtDur(x.send)))
	}
	return fmt.Sprintf("%d first answers over 500 ms, the slowest: %s", len(slows), strings.Join(parts, "; "))
}

// rate is the broadcast's messages per second from its first to its last.
func (tl bcastTally) rate() float64 {
	if d := tl.last.Sub(tl.first).Seconds(); d > 0 {
		return float64(tl.total-1) / d
	}
	return 0
}

// A broadcast to 20,000 owners while a handful chat: each owner gets it exactly once, in their
// language, with no 429 from Telegram; the owners' replies go on; the staff member gets the final
// report (done, everyone delivered).
func TestFaultBroadcast(t *testing.T) {
	b := newBcastRun(t)
	a := b.serve("a", b.env()...)
	b.seed()
	b.startChatting() // the owners chat while it goes, and get it too
	created := time.Now()
	b.start()
	b.waitDelivered(bcastOwners)
	b.stopChatting()

	for _, d := range b.menuDups(b.check(), nil) { // every owner finished, the outbox is empty: the broadcast is out
		t.Errorf("chat %d: %s twice (at %s and %s): %.60q", d.chat, d.method, clock(d.first), clock(d.second), d.text)
	}
	r := b.reportOf(created)
	tl := b.tally()
	rcpts := b.recipients()
	b.checkOnce(tl, rcpts, nil, false)
	if r.Status != store.BroadcastDone || r.Queued != len(rcpts) || r.Delivered != len(rcpts) || r.Waiting+r.Unreachable+r.Failed+r.Cancelled != 0 {
		t.Errorf("the final report: %+v; want done, %d queued and delivered", r, len(rcpts))
	}
	if n := b.r.fake.TooManyRequestsCount(); n != 0 {
		t.Errorf("Telegram answered 429 %d times", n)
	}
	t.Logf("broadcast to %d owners (%d of them chatting): %d delivered at %.0f messages/s (SEND_RATE %d) in %.1fs; 429s: %d; %v sends in all; %s",
		len(rcpts), len(rcpts)-bcastOwners, tl.total, tl.rate(), 25*bcastScale, tl.last.Sub(tl.first).Seconds(),
		b.r.fake.TooManyRequestsCount(), b.metric(a, `umkmbot_sends_total{result="ok"}`), b.logWaits(tl.first, tl.last))
}

// The broadcast's serve is killed with SIGKILL half-way and a new one started: every owner still
// gets it, and once, but for the documented window: a message Telegram accepted and the dead
// process had not recorded goes again (at most the broadcast queues it held, 2×SEND_WORKERS: a
// copy before the kill and one after the restart). The staff member gets the final report.
func TestFaultBroadcastKilled(t *testing.T) {
	b := newBcastRun(t)
	a := b.serve("a", b.env()...)
	b.seed()
	b.startChatting()
	created := time.Now()
	b.start()
	b.waitDelivered(bcastOwners / 2)
	killed := b.sigkill(a)
	heldReplies, heldBulk := b.heldOf(store.PriorityReply), b.heldOf(store.PriorityBroadcast)
	restarted := time.Now()
	nb := b.serve("b", b.env()...)
	b.waitDelivered(bcastOwners)
	b.stopChatting()

	dups := b.menuDups(b.check(), func(chat int64) bool { return heldReplies[chat] })
	checkWindow(t, b.replyDups(dups), heldReplies, 1, func(d duplicate) bool { return d.first.Before(restarted) && d.second.After(restarted) })
	r := b.reportOf(created)
	tl := b.tally()
	rcpts := b.recipients()
	doubled := b.checkOnce(tl, rcpts, func(chat int64, at []time.Time) bool {
		return heldBulk[chat] && at[0].Before(killed) && at[1].After(restarted)
	}, false)
	if len(heldBulk) > bcastHeldMax {
		t.Errorf("%d broadcast queues held at the kill, more than the %d a sender may hold", len(heldBulk), bcastHeldMax)
	}
	if r.Status != store.BroadcastDone || r.Delivered != len(rcpts) || r.Waiting+r.Unreachable+r.Failed+r.Cancelled != 0 {
		t.Errorf("the final report: %+v; want done, %d delivered", r, len(rcpts))
	}
	if n := b.r.fake.TooManyRequestsCount(); n != 0 {
		t.Errorf("Telegram answered 429 %d times", n)
	}
	var resumed time.Time
	before := 0
	for _, ats := range tl.at {
		for _, at := range ats {
			if at.Before(killed) {
				before++
			}
			if at.After(restarted) && (resumed.IsZero() || at.Before(resumed)) {
				resumed = at
			}
		}
	}
	t.Logf("broadcast to %d owners, SIGKILL after %d: %d broadcast queues and %d reply queues held by the dead process; "+
		"%d owners got the broadcast twice (the window), %d replies went twice; the broadcast went on %.2fs after the kill; "+
		"%d delivered in all; %s; the new serve sent %v",
		len(rcpts), before, len(heldBulk), len(heldReplies),
		len(doubled), len(b.replyDups(dups)), resumed.Sub(killed).Seconds(), tl.total, b.logWaits(tl.first, tl.last),
		b.metric(nb, `umkmbot_sends_total{result="ok"}`))
}

// The staff member cancels the broadcast half-way (its Batalkan button): once the cancel has
// committed (the button's answer is the bot's proof: it is sent after the commit), no broadcast
// message goes out but those a sender held at that instant (claimed before the cancel: dropped as
// cancelled, sent all the same; at most 2×SEND_WORKERS); the staff member's report says cancelled,
// with the numbers; nobody got it twice.
func TestFaultBroadcastCancelled(t *testing.T) {
	b := newBcastRun(t)
	a := b.serve("a", b.env()...)
	b.seed()
	b.startChatting()
	b.start()
	b.waitDelivered(bcastOwners / 2)
	heldBefore := b.heldOf(store.PriorityBroadcast)
	pressed := time.Now()
	b.r.fake.User(b.r.base, "Admin", "id").PressData(0, "a:bcx:"+strconv.FormatInt(b.id, 10))
	ack := b.waitStaff("the answer to the cancel button", pressed, func(c telegramtest.Call) bool {
		return strings.EqualFold(c.Method, "answerCallbackQuery")
	})
	b.stopChatting()

	for _, d := range b.menuDups(b.check(), nil) {
		t.Errorf("chat %d: %s twice (at %s and %s): %.60q", d.chat, d.method, clock(d.first), clock(d.second), d.text)
	}
	r := b.reportOf(pressed)
	if err := a.stop(30 * time.Second); err != nil { // no call after this
		t.Errorf("serve's stop: %v", err)
	}
	tl := b.tally()
	rcpts := b.recipients()
	b.checkOnce(tl, rcpts, nil, true)

	rows, err := b.db.Query(b.ctx, `SELECT chat_id FROM outbox_failed WHERE broadcast_id = $1 AND reason = 'cancelled'`, b.id)
	if err != nil {
		t.Fatal(err)
	}
	dropped, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		t.Fatal(err)
	}
	var after, droppedDelivered []int64
	for chat, ats := range tl.at {
		if ats[0].After(ack.At) {
			after = append(after, chat)
		}
		if slices.Contains(dropped, chat) {
			droppedDelivered = append(droppedDelivered, chat)
		}
	}
	for _, chat := range after {
		if !slices.Contains(dropped, chat) {
			t.Errorf("chat %d got the broadcast after the cancel, and not from a queue a sender held then (its message was not dropped by the cancel)", chat)
		}
	}
	if len(droppedDelivered) > bcastHeldMax {
		t.Errorf("%d messages the cancel dropped were delivered (%d of them after the cancel's answer): more than the %d queues a sender may hold",
			len(droppedDelivered), len(after), bcastHeldMax)
	}
	if r.Status != store.BroadcastCancelled || r.Cancelled != len(dropped) || r.Cancelled == 0 || r.Delivered == 0 ||
		r.Waiting != 0 || r.Delivered+r.Cancelled != r.Queued || r.Queued != len(rcpts) {
		t.Errorf("the report after the cancel: %+v; want cancelled, %d recipients queued, %d dropped, none waiting", r, len(rcpts), len(dropped))
	}
	if got := tl.total - r.Delivered; got != len(droppedDelivered) {
		t.Errorf("the fake took %d broadcast messages, the report says %d delivered and %d of the dropped ones went: %d unaccounted for",
			tl.total, r.Delivered, len(droppedDelivered), got-len(droppedDelivered))
	}
	if n := b.r.fake.TooManyRequestsCount(); n != 0 {
		t.Errorf("Telegram answered 429 %d times", n)
	}
	t.Logf("broadcast to %d owners cancelled after %d (button pressed %s, answered %s): %d broadcast queues held just before; "+
		"%d messages after the answer, %d of the %d dropped ones delivered all the same (held by a sender at the cancel: the settled report counts them delivered); report: %+v; %s",
		len(rcpts), tl.total-len(after), clock(pressed), clock(ack.At), len(heldBefore), len(after), len(droppedDelivered), len(dropped), r,
		b.logWaits(tl.first, ack.At))
}
