package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"umkmbot/bot/telegramtest"
	"umkmbot/locales"
	"umkmbot/store"
)

// A fault test runs `umkmbot serve` children (the bench's machinery: bench.go) against the fake
// Telegram of the test process and a PostgreSQL of its own, lets simulated owners play the
// profile part of the real conversation (bench_owner.go's steps, some sent in bursts so that one
// chat has several updates waiting), does something bad to the bot while they do, and then reads
// the fake's record of calls: every owner finished, no message went twice to a chat beyond what
// the test allows, each chat's replies came in order, and the database holds each answer where
// the conversation asked for it.

const (
	faultOwners      = 40               // owners, all at once
	faultStepTimeout = 45 * time.Second // an owner waits this long for a reply: the 15s lease, a restart, and slack for a busy CI machine
	faultBound       = 90 * time.Second // the whole test
	faultSendWorkers = 8                // SEND_WORKERS of every serve: its sender holds at most twice as many reply queues, the window of a kill
)

// faultRun is one fault test in progress.
type faultRun struct {
	t      *testing.T
	ctx    context.Context
	r      *benchRun
	pg     *faultPG
	dsn    string
	db     *pgx.Conn
	serves []*benchChild

	// more, when set, is what each owner does after the script (question: the last message),
	// until it returns.
	more func(o *benchOwner, question seenCall) error

	played sync.WaitGroup
	mu     sync.Mutex
	errs   []error // owners that did not finish
}

// newFaultRun starts the test's PostgreSQL and makes the fake Telegram and the owners; the first
// serve migrates the database.
func newFaultRun(t *testing.T) *faultRun {
	t.Helper()
	return newFaultRunWith(t, faultOwners, faultBound, nil)
}

// newFaultRunWith is newFaultRun with this many owners, the whole test bounded by bound, and
// onCall, when set, told of every call the bot makes after the owners' own bookkeeping (the fake's
// Options.OnCall).
func newFaultRunWith(t *testing.T, owners int, bound time.Duration, onCall func(telegramtest.Call)) *faultRun {
	t.Helper()
	if testing.Short() {
		t.Skip("a fault test: starts the bot as child processes and kills them")
	}
	pg := startFaultPG(t)
	dsn := pg.DSN()
	ctx, cancel := context.WithTimeout(context.Background(), bound)
	t.Cleanup(cancel)
	dir, err := os.MkdirTemp("", "umkmbot-fault-")
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	r := &benchRun{log: slog.New(slog.DiscardHandler), dir: dir, msgs: msgs, pg: &benchDB{dsn: dsn},
		opts: benchOptions{stepTimeout: faultStepTimeout, sendRate: 1000, chatRate: 100, childEnv: []string{benchChildEnv},
			botEnv: []string{fmt.Sprintf("SEND_WORKERS=%d", faultSendWorkers)}}}
	r.base = 1_000_000_000_000
	observe := r.observe
	if onCall != nil {
		observe = func(c telegramtest.Call) { r.observe(c); onCall(c) }
	}
	r.fake = telegramtest.NewServer(telegramtest.Options{OnCall: observe})
	r.fake.User(r.base, "Admin", "id")
	for i := range owners {
		r.owners = append(r.owners, newBenchOwner(r, r.base+1+int64(i), i))
	}
	f := &faultRun{t: t, ctx: ctx, r: r, pg: pg, dsn: dsn}
	t.Cleanup(func() {
		for _, c := range f.serves {
			c.kill()
		}
		r.fake.Close()
		if f.db != nil {
			_ = f.db.Close(context.Background())
		}
		if t.Failed() {
			for i, c := range f.serves {
				t.Logf("serve %d's log ends:\n%s", i, tailOf(c.logPath, 3000))
			}
		}
		_ = os.RemoveAll(dir)
	})
	return f
}

// serve starts a serve child and waits until it is ready.
func (f *faultRun) serve(name string, env ...string) *benchChild {
	f.t.Helper()
	c, err := startServeChild(f.ctx, f.r, name+".log", env)
	if err != nil {
		f.t.Fatalf("serve %s: %v", name, err)
	}
	f.serves = append(f.serves, c)
	if f.db == nil {
		if f.db, err = pgx.Connect(f.ctx, f.dsn); err != nil {
			f.t.Fatal(err)
		}
	}
	return c
}

// reconnect replaces the test's own database connection, after PostgreSQL restarted.
func (f *faultRun) reconnect() {
	f.t.Helper()
	_ = f.db.Close(f.ctx)
	var err error
	if f.db, err = pgx.Connect(f.ctx, f.dsn); err != nil {
		f.t.Fatal(err)
	}
}

// faultScript is what each owner does: the profile, with the name and business sent at once and
// then the phone and the NIB at once (one chat's updates waiting side by side, so order across
// workers and instances matters), made of bench_owner.go's steps; the NIB saves the profile. It also returns the
// checks of the bot's replies in the order they must come.
func faultScript(o *benchOwner) (script []benchStep, replies []func(seenCall) bool, err error) {
	steps := map[string]benchStep{}
	for _, st := range o.conversation() {
		if _, seen := steps[st.name]; !seen {
			steps[st.name] = st
		}
	}
	pick := func(names ...string) benchStep {
		var parts []benchStep
		for _, n := range names {
			st, ok := steps[n]
			if !ok {
				err = fmt.Errorf("the bench's conversation has no step %q", n)
				return benchStep{}
			}
			parts = append(parts, st)
			replies = append(replies, st.done)
		}
		last := parts[len(parts)-1]
		return benchStep{name: strings.Join(names, "+"), press: last.press, done: last.done,
			send: func(o *benchOwner, question seenCall) (int64, error) {
				var id int64
				for _, p := range parts {
					var err error
					if id, err = p.send(o, question); err != nil {
						return 0, err
					}
				}
				return id, nil
			}}
	}
	script = []benchStep{pick("start"), pick("name", "business"), pick("kabupaten"), pick("phone", "NIB")}
	return script, replies, err
}

// play releases every owner; wait waits for them.
func (f *faultRun) play() {
	f.t.Helper()
	for _, o := range f.r.owners {
		script, _, err := faultScript(o)
		if err != nil {
			f.t.Fatal(err)
		}
		f.played.Go(func() {
			var question seenCall
			for i, st := range script {
				last, err := o.step(f.ctx, st, question)
				if err != nil {
					f.mu.Lock()
					f.errs = append(f.errs, fmt.Errorf("owner %d, step %d (%s): %w", o.index, i+1, st.name, err))
					f.mu.Unlock()
					return
				}
				question = last
			}
			if f.more != nil {
				if err := f.more(o, question); err != nil {
					f.mu.Lock()
					f.errs = append(f.errs, fmt.Errorf("owner %d, after the script: %w", o.index, err))
					f.mu.Unlock()
				}
			}
		})
	}
	f.r.started.Store(time.Now().UnixNano())
}

func (f *faultRun) wait() {
	f.t.Helper()
	f.played.Wait()
	if len(f.errs) > 0 {
		f.t.Fatalf("%d of %d owners did not finish; the first: %v", len(f.errs), len(f.r.owners), f.errs[0])
	}
}

// waitSent waits until the bot has delivered n messages to owners: the moment to strike, with
// the owners mid-conversation.
func (f *faultRun) waitSent(n int) {
	f.t.Helper()
	err := f.r.fake.WaitFor(f.ctx, func() bool {
		sent := 0
		for _, c := range f.r.fake.Calls("") {
			if c.Status == http.StatusOK && isMessageCall(c.Method) && f.isOwner(c.ChatID()) {
				sent++
			}
		}
		return sent >= n
	})
	if err != nil {
		f.t.Fatalf("the bot did not deliver %d messages: %v", n, err)
	}
}

func (f *faultRun) isOwner(chat int64) bool {
	return chat > f.r.base && chat <= f.r.base+int64(len(f.r.owners))
}

// expectedMessages is about how many messages one owner's script brings (welcome, nine
// questions, the phone and profile saved, the menu).
const expectedMessages = 12

// sigkill kills a serve child outright; it returns when the process is gone.
func (f *faultRun) sigkill(c *benchChild) time.Time {
	f.t.Helper()
	if err := c.cmd.Process.Signal(os.Kill); err != nil {
		f.t.Fatal(err)
	}
	<-c.exited
	return time.Now()
}

// heldQueues are the chats whose reply queue is under a sender's lease now (claimed and not yet
// recorded): right after a SIGKILL and before anyone else could claim it, what the dead process
// held, the only place a message may go twice.
func (f *faultRun) heldQueues() map[int64]bool {
	f.t.Helper()
	return f.heldOf(store.PriorityReply)
}

// heldOf are the chats whose queue of this priority a sender holds now (claimed, its outcome not
// recorded).
func (f *faultRun) heldOf(priority int) map[int64]bool {
	f.t.Helper()
	rows, err := f.db.Query(f.ctx, `SELECT chat_id FROM outbox_queues WHERE priority = $1 AND claim > 0 AND not_before > now()`, priority)
	if err != nil {
		f.t.Fatal(err)
	}
	chats, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		f.t.Fatal(err)
	}
	held := map[int64]bool{}
	for _, c := range chats {
		held[c] = true
	}
	return held
}

// duplicate is a call made again with the same content to the same chat.
type duplicate struct {
	chat          int64
	method        string
	text          string
	first, second time.Time
}

// callKey is what makes two calls the same message: the method, the message it edits, the text
// and the buttons; for an answer to a button, the query it answers.
func callKey(c telegramtest.Call) string {
	if strings.EqualFold(c.Method, "answerCallbackQuery") {
		return "answer " + c.Params.Get("callback_query_id")
	}
	return strings.Join([]string{strings.ToLower(c.Method), c.Params.Get("message_id"), c.Params.Get("text"),
		c.Params.Get("caption"), c.Params.Get("reply_markup")}, "\x00")
}

// check reads the fake's record once every owner finished: nothing left undelivered or failed,
// each chat's replies in the conversation's order, each answer stored where it was asked for.
// It returns the calls made twice (every owner's script brings no message twice, so any is a
// duplicate), for the test to judge. A button's answer made twice is refused by Telegram the
// second time ("query is too old"), and that message then counts as failed: the only failures
// allowed.
func (f *faultRun) check() (dups []duplicate) {
	f.t.Helper()
	f.wait()
	failedAnswers := f.settled()
	defer func() {
		answers := 0
		for _, d := range dups {
			if strings.EqualFold(d.method, "answerCallbackQuery") {
				answers++
			}
		}
		if failedAnswers != answers {
			f.t.Errorf("%d answers to buttons failed; %d were made twice", failedAnswers, answers)
		}
	}()
	byChat := map[int64][]telegramtest.Call{}
	for _, c := range f.r.fake.Calls("") {
		if chat := c.ChatID(); f.isOwner(chat) {
			byChat[chat] = append(byChat[chat], c)
		}
	}
	for _, o := range f.r.owners {
		chat := o.user.ID()
		seen := map[string]time.Time{}
		var texts []string
		for _, c := range byChat[chat] {
			answer := strings.EqualFold(c.Method, "answerCallbackQuery")
			if !answer && (!isMessageCall(c.Method) || c.Status != http.StatusOK) {
				continue // a second answer to a button is refused by the fake, and still a second call
			}
			k := callKey(c)
			if first, ok := seen[k]; ok {
				dups = append(dups, duplicate{chat: chat, method: c.Method, text: c.Params.Get("text"), first: first, second: c.At})
				continue
			}
			seen[k] = c.At
			if !answer {
				texts = append(texts, c.Params.Get("text"))
			}
		}
		_, replies, _ := faultScript(o)
		at := -1
		for i, want := range replies {
			j := slices.IndexFunc(texts, func(t string) bool { return want(seenCall{text: t}) })
			if j <= at {
				f.t.Errorf("chat %d: the conversation's reply %d is message %d of the chat (-1: none), not after message %d, the reply before it: out of order:\n%s",
					chat, i+1, j, at, quoteShort(texts))
				break
			}
			at = j
		}
		f.checkProfile(o)
	}
	return dups
}

// settled waits until the outbox and the inbox hold nothing left to do and the fake nothing left
// to deliver. It fails on an update that failed or a message that failed for another reason than a
// button answered twice (or a broadcast cancelled by staff), and returns how many of those there
// were.
func (f *faultRun) settled() (failedAnswers int) {
	f.t.Helper()
	var outbox, pending, failedIn, failedOut int
	for {
		err := f.db.QueryRow(f.ctx, `SELECT (SELECT count(*) FROM outbox), (SELECT count(*) FROM inbox WHERE status = 'pending'),
			(SELECT count(*) FROM inbox WHERE status = 'failed'),
			(SELECT count(*) FROM outbox_failed WHERE reason NOT LIKE '%query is too old%' AND reason <> 'cancelled'),
			(SELECT count(*) FROM outbox_failed WHERE reason LIKE '%query is too old%')`).Scan(&outbox, &pending, &failedIn, &failedOut, &failedAnswers)
		if err != nil {
			f.t.Fatal(err)
		}
		if outbox == 0 && pending == 0 && f.r.fake.PendingUpdates() == 0 {
			break
		}
		select {
		case <-f.ctx.Done():
			f.t.Fatalf("not settled: %d messages in the outbox, %d updates pending in the inbox, %d at the fake", outbox, pending, f.r.fake.PendingUpdates())
		case <-time.After(100 * time.Millisecond):
		}
	}
	if failedIn > 0 || failedOut > 0 {
		f.t.Errorf("%d updates failed (answered with the apology), %d messages failed", failedIn, failedOut)
	}
	return failedAnswers
}

// checkProfile compares what the database holds with what the owner typed, in the order typed:
// an update handled before an earlier one of its chat puts an answer in another's place.
func (f *faultRun) checkProfile(o *benchOwner) {
	f.t.Helper()
	var typed []string
	for _, e := range o.user.Transcript() {
		if !e.FromBot && e.Text != "" && !strings.HasPrefix(e.Text, "/") {
			typed = append(typed, e.Text)
		}
	}
	var got [3]string
	err := f.db.QueryRow(f.ctx, `SELECT coalesce(o.name, ''), b.name, coalesce(b.nib, '')
		FROM owners o JOIN businesses b ON b.owner_id = o.id WHERE o.telegram_user_id = $1`, o.user.ID()).
		Scan(&got[0], &got[1], &got[2])
	if err != nil {
		f.t.Errorf("chat %d: the profile: %v", o.user.ID(), err)
		return
	}
	if !slices.Equal(got[:], typed) {
		f.t.Errorf("chat %d: the database holds name, business, NIB = %q; the owner typed %q", o.user.ID(), got, typed)
	}
}

// firstSendAfter is the first message delivered to an owner (or to one of chats, when given)
// after t.
func (f *faultRun) firstSendAfter(t time.Time, chats map[int64]bool) (time.Time, bool) {
	for _, c := range f.r.fake.Calls("") {
		if c.At.After(t) && c.Status == http.StatusOK && (isMessageCall(c.Method) || strings.EqualFold(c.Method, "answerCallbackQuery")) &&
			f.isOwner(c.ChatID()) && (chats == nil || chats[c.ChatID()]) {
			return c.At, true
		}
	}
	return time.Time{}, false
}

// heldDelivered is, for the chats whose queues a dead process held, how long after t each got
// its next delivery: the first and the last of them.
func (f *faultRun) heldDelivered(t time.Time, held map[int64]bool) (first, last time.Duration) {
	next := map[int64]time.Time{}
	for _, c := range f.r.fake.Calls("") {
		chat := c.ChatID()
		if !held[chat] || !c.At.After(t) || c.Status != http.StatusOK {
			continue
		}
		if _, ok := next[chat]; !ok {
			next[chat] = c.At
		}
	}
	first = -1
	for _, at := range next {
		d := at.Sub(t)
		if first < 0 || d < first {
			first = d
		}
		last = max(last, d)
	}
	if len(next) < len(held) {
		last = -1 // some never got anything after t (their queue was recorded after all)
	}
	return first, last
}

// longestWait is the longest an owner waited for a whole reply.
func (f *faultRun) longestWait() time.Duration {
	var longest time.Duration
	for _, o := range f.r.owners {
		for _, s := range o.samples {
			longest = max(longest, s.last)
		}
	}
	return longest
}

// metric reads one series of a serve child's /metrics.
func (f *faultRun) metric(c *benchChild, series string) float64 {
	f.t.Helper()
	b, err := c.fetch(f.ctx, "/metrics")
	if err != nil {
		f.t.Fatalf("metrics: %v", err)
	}
	return parseMetrics(b)[series]
}

// roundRobin is a reverse proxy that hands each request to the next of its backends: the one
// webhook URL the fake posts to, in front of two serve instances.
type roundRobin struct {
	srv *httptest.Server

	mu      sync.Mutex
	targets []*url.URL
	next    int
	counts  []int // requests handed to each backend
}

func newRoundRobin(t *testing.T) *roundRobin {
	rr := &roundRobin{}
	proxy := &httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) {
		rr.mu.Lock()
		defer rr.mu.Unlock()
		if len(rr.targets) == 0 {
			pr.Out.URL.Host = "127.0.0.1:1" // nobody yet: the fake retries later
			return
		}
		i := rr.next % len(rr.targets)
		rr.next++
		rr.counts[i]++
		pr.SetURL(rr.targets[i])
	}}
	rr.srv = httptest.NewServer(proxy)
	t.Cleanup(rr.srv.Close)
	return rr
}

// add adds a backend.
func (rr *roundRobin) add(addr string) {
	rr.mu.Lock()
	defer rr.mu.Unlock()
	rr.targets = append(rr.targets, &url.URL{Scheme: "http", Host: addr})
	rr.counts = append(rr.counts, 0)
}

func (rr *roundRobin) handed() []int {
	rr.mu.Lock()
	defer rr.mu.Unlock()
	return slices.Clone(rr.counts)
}
