package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tgbot "github.com/go-telegram/bot"
	"github.com/jackc/pgx/v5"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"umkmbot/bot/telegramtest"
	"umkmbot/flows"
	"umkmbot/store"
	"umkmbot/store/storetest"
)

// senderRig is a database, the fake Bot API and a clock that tests can move forward (real time
// plus an offset, so timers still work) for Senders under test.
type senderRig struct {
	t      testing.TB
	db     *store.Store
	dsn    string
	srv    *telegramtest.Server
	client *tgbot.Bot
	m      *Metrics
	offset atomic.Int64 // nanoseconds added to the real time
	fast   atomic.Bool  // every reading of the clock moves it 10s on
}

func newSenderRig(t testing.TB) *senderRig {
	t.Helper()
	db, dsn := storetest.NewWithDSN(t)
	srv, client := fakeTelegram(t)
	return &senderRig{t: t, db: db, dsn: dsn, srv: srv, client: client, m: NewMetrics(nil)}
}

func (r *senderRig) now() time.Time {
	if r.fast.Load() {
		return time.Now().Add(time.Duration(r.offset.Add(int64(10 * time.Second))))
	}
	return time.Now().Add(time.Duration(r.offset.Load()))
}

// fastClock makes the sender's time race (10s a reading), so retry backoffs of minutes pass in
// a few polls; the lease is made long enough that it never runs out under it.
func (r *senderRig) fastClock(c *SenderConfig) {
	r.fast.Store(true)
	c.Lease = 1000 * time.Hour
}

// sender makes a Sender on the rig, quick to poll, with cfg's changes.
func (r *senderRig) sender(change func(*SenderConfig)) *Sender {
	cfg := SenderConfig{Store: r.db, Client: r.client, Metrics: r.m, PollInterval: 20 * time.Millisecond, Now: r.now}
	if change != nil {
		change(&cfg)
	}
	return NewSender(cfg)
}

// run starts s.Run and returns a function that stops it and waits until it returned.
func (r *senderRig) run(s *Sender) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = s.Run(ctx); close(done) }()
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); <-done }) }
	r.t.Cleanup(stop)
	return stop
}

func (r *senderRig) flush(s *Sender) {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := s.Flush(ctx); err != nil {
		r.t.Fatalf("Flush: %v", err)
	}
}

// enqueue puts a payload in the outbox, due now by the rig's clock.
func (r *senderRig) enqueue(chatID int64, priority int, p Payload) int64 {
	r.t.Helper()
	b, err := EncodePayload(p)
	if err != nil {
		r.t.Fatal(err)
	}
	id, _, err := store.Enqueue(context.Background(), r.db.DB(), store.OutboxMessage{ChatID: chatID, Priority: priority,
		Payload: b, NotBefore: r.now()})
	if err != nil {
		r.t.Fatal(err)
	}
	return id
}

func (r *senderRig) text(chatID int64, priority int, text string) int64 {
	return r.enqueue(chatID, priority, reply(flows.Reply{Text: text}))
}

// rowState is what became of an outbox message: "pending" (still queued: Attempts are its
// queue's tries of its first message), "failed" (with the reason) or "sent" (gone from the outbox
// without a failure record).
type rowState struct {
	Status   string
	Attempts int
	Error    string
}

func (r *senderRig) row(id int64) rowState {
	r.t.Helper()
	ctx := context.Background()
	s := rowState{Status: "pending"}
	err := r.db.DB().QueryRow(ctx, `
		SELECT coalesce(o.last_error, ''), q.attempts FROM outbox o
		JOIN outbox_queues q ON q.chat_id = o.chat_id AND q.priority = o.priority WHERE o.id = $1`, id).Scan(&s.Error, &s.Attempts)
	if err == nil {
		return s
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		r.t.Fatal(err)
	}
	s = rowState{Status: "failed"}
	err = r.db.DB().QueryRow(ctx, `SELECT reason FROM outbox_failed WHERE id = $1`, id).Scan(&s.Error)
	if errors.Is(err, pgx.ErrNoRows) {
		return rowState{Status: "sent"}
	}
	if err != nil {
		r.t.Fatal(err)
	}
	return s
}

// left counts the messages still queued and those failed.
func (r *senderRig) left() (queued, failed int) {
	r.t.Helper()
	if err := r.db.DB().QueryRow(context.Background(),
		`SELECT (SELECT count(*) FROM outbox), (SELECT count(*) FROM outbox_failed)`).Scan(&queued, &failed); err != nil {
		r.t.Fatal(err)
	}
	return queued, failed
}

// sentTexts is the text of every successful sendMessage, in the order the fake received them.
func (r *senderRig) sentTexts() []string {
	var out []string
	for _, c := range r.srv.Calls("sendMessage") {
		if c.Status == http.StatusOK {
			out = append(out, c.Params.Get("text"))
		}
	}
	return out
}

// deadline is a context for one wait of the test, ended with it.
func (r *senderRig) deadline() context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	r.t.Cleanup(cancel)
	return ctx
}

func (r *senderRig) waitFor(what string, cond func() bool) {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := r.srv.WaitFor(ctx, cond); err != nil {
		r.t.Fatalf("waiting for %s: %v", what, err)
	}
}

func counterValue(c prometheus.Collector) float64 {
	ch := make(chan prometheus.Metric, 1)
	c.Collect(ch)
	var m dto.Metric
	_ = (<-ch).Write(&m)
	if m.Gauge != nil {
		return m.Gauge.GetValue()
	}
	return m.Counter.GetValue()
}

func (r *senderRig) sends(result string) float64 {
	return counterValue(r.m.Sends.WithLabelValues(result))
}

func TestSenderPriorityOrder(t *testing.T) {
	r := newSenderRig(t)
	for _, id := range []int64{1, 2, 3} {
		r.srv.User(id, "Owner", "id")
	}
	b := r.text(1, store.PriorityBroadcast, "pengumuman")
	m := r.text(2, store.PriorityReminder, "pengingat")
	a := r.text(3, store.PriorityReply, "balasan")
	r.flush(r.sender(func(c *SenderConfig) { c.Workers = 1 }))
	if got, want := r.sentTexts(), []string{"balasan", "pengingat", "pengumuman"}; !slices.Equal(got, want) {
		t.Fatalf("sent %q, want %q", got, want)
	}
	for _, id := range []int64{a, m, b} {
		if s := r.row(id); s.Status != "sent" {
			t.Errorf("row %d: %+v", id, s)
		}
	}
	if got := r.sends("ok"); got != 3 {
		t.Errorf("ok sends = %v", got)
	}
}

// A broadcast running at the limit does not starve a reply enqueued now: it goes out within
// the next few sends, not after the broadcast.
func TestSenderReplyOvertakesBroadcast(t *testing.T) {
	r := newSenderRig(t)
	r.srv.SetEnforceLimits(false)
	const recipients, workers = 300, 4
	for i := range int64(recipients) {
		r.srv.User(1000+i, "Owner", "id")
		r.text(1000+i, store.PriorityBroadcast, "pengumuman "+strconv.FormatInt(i, 10))
	}
	// A slow broadcast (5/s): a reply that waited for it would come after all 300 (a minute),
	// one that goes ahead of it comes within a few of them, however slowly this machine schedules
	// goroutines. The bound below is counted in messages the rate lets through, not in time.
	s := r.sender(func(c *SenderConfig) { c.GlobalRate, c.Workers = 5, workers })
	r.run(s)
	r.waitFor("the broadcast to be under way", func() bool { return len(r.srv.Calls("sendMessage")) >= 2 })

	owner := r.srv.User(7, "Maria", "id")
	before := len(r.srv.Calls("sendMessage"))
	r.text(owner.ID(), store.PriorityReply, "balasan untuk Maria")
	s.Nudge()
	r.waitFor("the reply", func() bool { return len(owner.BotMessages()) == 1 })
	at := slices.IndexFunc(r.srv.Calls("sendMessage"), func(c telegramtest.Call) bool { return c.Params.Int("chat_id") == owner.ID() })
	// Replies are not paced by SEND_RATE and are claimed apart from the broadcast: whatever the
	// scheduling, at most a few seconds' worth of broadcast (5/s) can go first.
	if overtaken := at - before; overtaken > 25 {
		t.Errorf("the reply went out after %d more broadcast messages: it waited for the broadcast", overtaken)
	}
}

// Many chats with several replies each: every chat sees its replies in the order enqueued.
func TestSenderPerChatOrder(t *testing.T) {
	r := newSenderRig(t)
	r.srv.SetEnforceLimits(false)
	const chats, each = 25, 6
	for c := range int64(chats) {
		r.srv.User(100+c, "Owner", "id")
	}
	for i := range each {
		for c := range int64(chats) {
			r.text(100+c, store.PriorityReply, fmt.Sprintf("%d/%d", 100+c, i))
		}
	}
	r.flush(r.sender(func(c *SenderConfig) { c.GlobalRate, c.ChatRate, c.ChatBurst = 1000, 1000, 10 }))
	for c := range int64(chats) {
		var got []string
		for _, m := range r.srv.User(100+c, "", "").BotMessages() {
			got = append(got, m.Text)
		}
		var want []string
		for i := range each {
			want = append(want, fmt.Sprintf("%d/%d", 100+c, i))
		}
		if !slices.Equal(got, want) {
			t.Errorf("chat %d got %q, want %q", 100+c, got, want)
		}
	}
}

func TestSender429PausesEverythingAndLosesNothing(t *testing.T) {
	r := newSenderRig(t)
	var ids []int64
	for c := range int64(3) {
		r.srv.User(10+c, "Owner", "id")
		ids = append(ids, r.text(10+c, store.PriorityReply, "halo "+strconv.FormatInt(c, 10)))
	}
	r.srv.FailNext("sendMessage", 1, telegramtest.RetryAfter(1))
	r.flush(r.sender(func(c *SenderConfig) { c.Workers = 1 }))

	calls := r.srv.Calls("sendMessage")
	if len(calls) != 4 || calls[0].Status != http.StatusTooManyRequests {
		t.Fatalf("calls: %d, first %d; want a 429 then 3 sends", len(calls), calls[0].Status)
	}
	for _, c := range calls[1:] {
		if c.Status != http.StatusOK {
			t.Errorf("call to %s: %d %s", c.Params.Get("chat_id"), c.Status, c.Description)
		}
		// Timers never fire early: nothing may go before retry_after has passed.
		if c.At.Before(calls[0].At.Add(time.Second)) {
			t.Errorf("sent %v after the 429, within its retry_after of 1s", c.At.Sub(calls[0].At))
		}
	}
	if got := r.sentTexts(); len(got) != 3 || len(slices.Compact(slices.Sorted(slices.Values(got)))) != 3 {
		t.Errorf("sent %q: want each message once", got)
	}
	for _, id := range ids {
		if s := r.row(id); s.Status != "sent" {
			t.Errorf("row %d: %+v", id, s)
		}
	}
	if got := counterValue(r.m.TooManyRequests); got != 1 {
		t.Errorf("TooManyRequests = %v", got)
	}
	if got := counterValue(r.m.RetryAfterMax); got != 1 {
		t.Errorf("RetryAfterMax = %v", got)
	}
	if got := r.sends("rate_limited"); got != 1 {
		t.Errorf("rate_limited sends = %v", got)
	}
}

func TestSender403MarksTheOwnerUnreachable(t *testing.T) {
	r := newSenderRig(t)
	ctx := context.Background()
	if _, err := r.db.DB().Exec(ctx, `INSERT INTO owners (telegram_user_id, chat_id) VALUES (50, 50)`); err != nil {
		t.Fatal(err)
	}
	r.srv.User(50, "Blocked", "id")
	other := r.srv.User(51, "Fine", "id")
	r.srv.Block(50)
	first := r.text(50, store.PriorityReply, "satu")
	second := r.text(50, store.PriorityReply, "dua")
	ok := r.text(51, store.PriorityReply, "halo")
	s := r.sender(nil)
	r.flush(s)

	var toBlocked int
	for _, c := range r.srv.Calls("") {
		if c.Params.Int("chat_id") == 50 {
			toBlocked++
		}
	}
	if toBlocked != 1 {
		t.Errorf("%d calls to the blocked chat, want 1", toBlocked)
	}
	for _, id := range []int64{first, second} {
		if st := r.row(id); st.Status != "failed" || !strings.Contains(st.Error, "blocked") {
			t.Errorf("row %d of the blocked chat: %+v", id, st)
		}
	}
	if st := r.row(ok); st.Status != "sent" || len(other.BotMessages()) != 1 {
		t.Errorf("other chat: %+v", st)
	}
	var unreachable bool
	if err := r.db.DB().QueryRow(ctx, `SELECT unreachable_at IS NOT NULL FROM owners WHERE chat_id = 50`).Scan(&unreachable); err != nil || !unreachable {
		t.Fatalf("owner unreachable = %v, %v", unreachable, err)
	}
	if got := r.sends("blocked"); got != 1 {
		t.Errorf("blocked sends = %v", got)
	}

	// Later bulk messages to them are not sent: they fail at once, counted.
	reminder := r.text(50, store.PriorityReminder, "pengingat")
	broadcast := r.text(50, store.PriorityBroadcast, "pengumuman")
	r.flush(s)
	if n := len(r.srv.Calls("")); n != 2 {
		t.Errorf("%d calls after bulk messages to the unreachable owner, want still 2", n)
	}
	if reminder != 0 || broadcast != 0 {
		t.Errorf("bulk messages to an unreachable owner were queued: %d %d", reminder, broadcast)
	}
	failed, err := store.FailedOutboxForChat(ctx, r.db.DB(), 50)
	if err != nil || len(failed) != 4 || failed[3].Reason != "owner unreachable" {
		t.Errorf("failed for the unreachable owner: %+v %v", failed, err)
	}
}

func TestSender400FailsWithoutRetry(t *testing.T) {
	r := newSenderRig(t)
	id := r.text(404, store.PriorityReply, "ke chat yang tidak ada") // the fake does not know chat 404
	r.flush(r.sender(nil))
	if n := len(r.srv.Calls("sendMessage")); n != 1 {
		t.Fatalf("%d calls, want 1", n)
	}
	if st := r.row(id); st.Status != "failed" || !strings.Contains(st.Error, "chat not found") {
		t.Fatalf("row: %+v", st)
	}
	if got := r.sends("failed"); got != 1 {
		t.Errorf("failed sends = %v", got)
	}
}

func TestSender5xxRetriedWithBackoff(t *testing.T) {
	r := newSenderRig(t)
	owner := r.srv.User(60, "Owner", "id")
	id := r.text(60, store.PriorityReply, "halo")
	r.srv.FailNext("sendMessage", 2, telegramtest.ServerError(http.StatusBadGateway))
	stop := r.run(r.sender(r.fastClock))
	if _, err := owner.WaitBotMessages(r.deadline(), 1); err != nil {
		t.Fatal(err)
	}
	stop()
	if n := len(r.srv.Calls("sendMessage")); n != 3 {
		t.Errorf("%d calls, want 2 failed and 1 sent", n)
	}
	if st := r.row(id); st.Status != "sent" {
		t.Fatalf("row: %+v", st)
	}
	if got := r.sends("retry"); got != 2 {
		t.Errorf("retry sends = %v", got)
	}
}

func TestSenderGivesUpAfterMaxAttempts(t *testing.T) {
	r := newSenderRig(t)
	r.srv.User(61, "Owner", "id")
	id := r.text(61, store.PriorityReply, "halo")
	r.srv.FailNext("sendMessage", 5, telegramtest.ServerError(http.StatusInternalServerError))
	stop := r.run(r.sender(func(c *SenderConfig) { r.fastClock(c); c.MaxAttempts = 2 }))
	r.waitFor("two calls", func() bool { return len(r.srv.Calls("sendMessage")) >= 2 })
	stop() // lets the second attempt record its outcome
	if n := len(r.srv.Calls("sendMessage")); n != 2 {
		t.Errorf("%d calls, want MaxAttempts = 2", n)
	}
	if st := r.row(id); st.Status != "failed" || !strings.Contains(st.Error, "Internal Server Error") {
		t.Errorf("row: %+v", st)
	}
}

// A long text whose second part fails goes on from the second part: the first is not repeated.
func TestSenderResumesAMultiPartMessage(t *testing.T) {
	r := newSenderRig(t)
	owner := r.srv.User(62, "Owner", "id")
	text := strings.Repeat("a", 4000) + "\n\n" + strings.Repeat("b", 100)
	r.text(62, store.PriorityReply, text)
	r.srv.FailNext("sendMessage", 1, telegramtest.Slow(time.Millisecond)) // answers normally
	r.srv.FailNext("sendMessage", 1, telegramtest.ServerError(http.StatusServiceUnavailable))
	stop := r.run(r.sender(r.fastClock))
	if _, err := owner.WaitBotMessages(r.deadline(), 2); err != nil {
		t.Fatal(err)
	}
	stop()
	msgs := owner.BotMessages()
	if len(msgs) != 2 || msgs[0].Text != strings.Repeat("a", 4000) || msgs[1].Text != strings.Repeat("b", 100) {
		t.Fatalf("%d messages:\n%.300s", len(msgs), owner.Transcript())
	}
	if n := len(r.srv.Calls("sendMessage")); n != 3 {
		t.Errorf("%d calls, want 3 (part 1, part 2 failed, part 2)", n)
	}
}

func TestSenderEditsAndButtonAnswers(t *testing.T) {
	r := newSenderRig(t)
	owner := r.srv.User(70, "Maria", "id")
	buttons := [][]flows.Button{{{Label: "Lanjut", Data: "next"}}}
	r.enqueue(70, store.PriorityReply, reply(flows.Reply{Text: "Pilih", Buttons: buttons}))
	r.flush(r.sender(nil))
	if _, err := owner.Press("Lanjut"); err != nil {
		t.Fatal(err)
	}
	queryID := pendingCallbackID(t, r.srv)

	r.enqueue(70, store.PriorityReply, Payload{Kind: KindCallbackAnswer, CallbackID: queryID, Text: "Oke"})
	r.enqueue(70, store.PriorityReply, reply(flows.Reply{Text: "Pilih", Buttons: buttons, EditMessageID: 1})) // not modified
	r.enqueue(70, store.PriorityReply, reply(flows.Reply{Text: "Sudah lama", EditMessageID: 99}))             // gone: sent new
	r.enqueue(70, store.PriorityReply, reply(flows.Reply{Text: "Dipilih", EditMessageID: 1}))
	r.flush(r.sender(nil))

	if got, want := owner.Transcript().String(), "bot (edited): Dipilih\nbot: Sudah lama\n"; got != want {
		t.Errorf("transcript:\n%s\nwant:\n%s", got, want)
	}
	if a := r.srv.CallbackAnswers(); len(a) != 1 || a[0].QueryID != queryID || a[0].Text != "Oke" {
		t.Errorf("callback answers: %+v", a)
	}
	if got := r.sends("failed"); got != 0 {
		t.Errorf("failed sends = %v", got)
	}
	if queued, failed := r.left(); queued != 0 || failed != 0 {
		t.Errorf("%d messages still queued, %d failed; want all sent", queued, failed)
	}
}

// pendingCallbackID reads the id of the callback query the fake has queued, as getUpdates
// would deliver it.
func pendingCallbackID(t *testing.T, srv *telegramtest.Server) string {
	t.Helper()
	resp, err := http.Post(srv.URL()+"/bot"+srv.Token()+"/getUpdates", "application/json", strings.NewReader(`{"timeout":0}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var env struct {
		Result []struct {
			CallbackQuery *struct {
				ID string `json:"id"`
			} `json:"callback_query"`
		} `json:"result"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil {
		t.Fatal(err)
	}
	for _, u := range env.Result {
		if u.CallbackQuery != nil {
			return u.CallbackQuery.ID
		}
	}
	t.Fatal("no callback query queued")
	return ""
}

// Two instances on one database: each row is sent exactly once, each chat's rows in order.
func TestSenderTwoInstancesSendEachRowOnce(t *testing.T) {
	r := newSenderRig(t)
	r.srv.SetEnforceLimits(false)
	second, err := store.Open(context.Background(), r.dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(second.Close)
	const chats, each = 40, 5
	for c := range int64(chats) {
		r.srv.User(200+c, "Owner", "id")
	}
	for i := range each {
		for c := range int64(chats) {
			prio := store.PriorityReply
			if c%2 == 1 {
				prio = store.PriorityBroadcast
			}
			r.text(200+c, prio, fmt.Sprintf("%d/%d", 200+c, i))
		}
	}
	fast := func(c *SenderConfig) { c.GlobalRate, c.ChatRate, c.ChatBurst, c.Workers = 2000, 1000, 10, 4 }
	a := r.sender(fast)
	b := r.sender(func(c *SenderConfig) { fast(c); c.Store = second })
	stopA, stopB := r.run(a), r.run(b)
	r.waitFor("every row", func() bool { return len(r.srv.Calls("sendMessage")) >= chats*each })
	stopA()
	stopB()

	texts := r.sentTexts()
	if len(texts) != chats*each {
		t.Fatalf("%d messages sent, want %d", len(texts), chats*each)
	}
	seen := map[string]bool{}
	for _, x := range texts {
		if seen[x] {
			t.Errorf("%q sent twice", x)
		}
		seen[x] = true
	}
	for c := range int64(chats) {
		var got []string
		for _, m := range r.srv.User(200+c, "", "").BotMessages() {
			got = append(got, m.Text)
		}
		for i, x := range got {
			if want := fmt.Sprintf("%d/%d", 200+c, i); x != want {
				t.Errorf("chat %d message %d is %q, want %q", 200+c, i, x, want)
			}
		}
	}
	if queued, failed := r.left(); queued != 0 || failed != 0 {
		t.Errorf("%d messages still queued, %d failed; want all sent", queued, failed)
	}
}

func TestClassifySendError(t *testing.T) {
	cases := []struct {
		err  error
		kind outcomeKind
	}{
		{nil, outSentOK},
		{&tgbot.TooManyRequestsError{Message: "too many requests", RetryAfter: 3}, outRateLimited},
		{fmt.Errorf("%w, %s", tgbot.ErrorForbidden, "Forbidden: user is deactivated"), outBlocked},
		{fmt.Errorf("%w, %s", tgbot.ErrorBadRequest, "Bad Request: message is not modified: specified new message content"), outSentOK},
		{fmt.Errorf("%w, %s", tgbot.ErrorBadRequest, "Bad Request: message to edit not found"), outEditGone},
		{fmt.Errorf("%w, %s", tgbot.ErrorBadRequest, "Bad Request: message can't be edited"), outEditGone},
		{fmt.Errorf("%w, %s", tgbot.ErrorBadRequest, "Bad Request: chat not found"), outRejected},
		{fmt.Errorf("%w, %s", tgbot.ErrorUnauthorized, "Unauthorized"), outUnauthorized},
		{fmt.Errorf("error response from telegram for method sendMessage, 502 Bad Gateway"), outTransient},
		{context.DeadlineExceeded, outTransient},
	}
	for _, tc := range cases {
		if got := classifySendError(tc.err); got.kind != tc.kind {
			t.Errorf("classify(%v) = %v, want %v", tc.err, got.kind, tc.kind)
		}
	}
}

// BenchmarkSenderThroughput pushes b.N rows, one per chat as in a broadcast, through the fake
// with every limit off: the cost of the sender itself (claiming, marking, HTTP) per message.
func BenchmarkSenderThroughput(b *testing.B) {
	r := newSenderRig(b)
	r.srv.SetEnforceLimits(false)
	ctx := context.Background()
	payload, _ := EncodePayload(reply(flows.Reply{Text: "Pengumuman: pelatihan PIRT di Bajawa, 12 Maret."}))
	for i := range int64(b.N) {
		r.srv.User(100000+i, "Owner", "id")
	}
	msgs := make([]store.OutboxMessage, b.N)
	for i := range msgs {
		msgs[i] = store.OutboxMessage{ChatID: 100000 + int64(i), Priority: store.PriorityBroadcast, Payload: payload,
			NotBefore: time.Now().Add(-time.Second)}
	}
	if _, err := store.EnqueueMany(ctx, r.db.DB(), msgs); err != nil {
		b.Fatal(err)
	}
	s := r.sender(func(c *SenderConfig) { c.GlobalRate, c.PaidRate, c.Workers = 1e6, 1e6, 16 })
	b.ResetTimer()
	start := time.Now()
	fctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	if err := s.Flush(fctx); err != nil {
		b.Fatal(err)
	}
	elapsed := time.Since(start)
	b.StopTimer()
	if n := len(r.srv.Calls("sendMessage")); n != b.N {
		b.Fatalf("%d sent, want %d", n, b.N)
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "msgs/s")
}
