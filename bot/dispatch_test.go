package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/go-telegram/bot/models"

	"umkmbot/flows"
	"umkmbot/store"
	"umkmbot/store/storetest"
)

// echoHandler is a stand-in for the conversation engine: it writes an audit_log row and echoes
// the text. "panic" panics, "fail" writes and then fails.
type echoHandler struct {
	inFlight sync.Map // chat id → *atomic.Int32: handlers running for the chat
	overlap  atomic.Bool
	flaky    atomic.Int32 // "flaky" fails with a deadlock twice, then works; "stuck" always does
}

func (h *echoHandler) Handle(ctx context.Context, db store.DB, ev flows.Event) (flows.Result, error) {
	n, _ := h.inFlight.LoadOrStore(ev.ChatID, new(atomic.Int32))
	if n.(*atomic.Int32).Add(1) > 1 {
		h.overlap.Store(true)
	}
	defer n.(*atomic.Int32).Add(-1)
	text := ev.Text
	if ev.Kind == flows.EventButton {
		text = "button:" + ev.Data
	}
	if _, err := db.Exec(ctx, `INSERT INTO audit_log (actor_kind, actor_id, action, detail) VALUES ('system', $1, 'echo', jsonb_build_object('text', $2::text))`,
		ev.ChatID, text); err != nil {
		return flows.Result{}, err
	}
	switch ev.Text + ev.Data {
	case "panic":
		panic("boom")
	case "fail":
		return flows.Result{}, errors.New("engine failed")
	case "flaky":
		if h.flaky.Add(1) <= 2 {
			return flows.Result{}, &pgconn.PgError{Code: "40P01", Message: "deadlock detected"}
		}
	case "stuck":
		return flows.Result{}, &pgconn.PgError{Code: "40P01", Message: "deadlock detected"}
	case "slow":
		<-ctx.Done() // outlasts the handle timeout
		return flows.Result{}, ctx.Err()
	case "break":
		// A statement fails and the handler carries on as if not: the transaction is now
		// unusable, and what comes after the handler fails.
		_, _ = db.Exec(ctx, `SELECT no_such_column FROM audit_log`)
	}
	res := flows.Result{Replies: []flows.Reply{{Text: "echo: " + text}}}
	if ev.Kind == flows.EventButton && ev.Data == "toast" {
		res.Answer = "done"
	}
	return res, nil
}

func (h *echoHandler) InternalError(lang string) flows.Reply {
	return flows.Reply{Text: "internal error (" + lang + ")"}
}

// nudges collects the dispatcher's nudges, so a test waits for commits instead of sleeping.
type nudges chan struct{}

func (n nudges) nudge() {
	select {
	case n <- struct{}{}:
	default:
	}
}

// sent is one outbox row as a test reads it.
type sent struct {
	ChatID  int64
	Payload Payload
}

func outbox(t *testing.T, s *store.Store) []sent {
	t.Helper()
	rows, err := s.DB().Query(context.Background(), `SELECT chat_id, payload FROM outbox ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []sent
	for rows.Next() {
		var m sent
		var raw []byte
		if err := rows.Scan(&m.ChatID, &raw); err != nil {
			t.Fatal(err)
		}
		if m.Payload, err = DecodePayload(raw); err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// replyTexts are the texts of the replies queued for a chat, in order.
func replyTexts(msgs []sent, chatID int64) []string {
	var out []string
	for _, m := range msgs {
		if m.ChatID == chatID && m.Payload.Kind == KindReply {
			out = append(out, m.Payload.Reply.Text)
		}
	}
	return out
}

// waitOutbox waits, nudge by nudge, until the outbox holds at least n rows.
func waitOutbox(t *testing.T, s *store.Store, n nudges, want int) []sent {
	t.Helper()
	deadline := time.After(60 * time.Second)
	for {
		if got := outbox(t, s); len(got) >= want {
			return got
		}
		select {
		case <-n:
		case <-deadline:
			t.Fatalf("outbox holds %d rows, want %d", len(outbox(t, s)), want)
		}
	}
}

func textUpdate(id, chatID int64, text string) []byte {
	u := models.Update{ID: id, Message: &models.Message{ID: int(id), Date: int(time.Now().Unix()),
		Chat: models.Chat{ID: chatID, Type: models.ChatTypePrivate},
		From: &models.User{ID: chatID, FirstName: "Maria", LanguageCode: "id"}, Text: text}}
	b, _ := json.Marshal(&u)
	return b
}

func pressUpdate(id, chatID int64, data string) []byte {
	u := models.Update{ID: id, CallbackQuery: &models.CallbackQuery{ID: "cb" + strconv.FormatInt(id, 10),
		From: models.User{ID: chatID, FirstName: "Maria"}, Data: data,
		Message: models.MaybeInaccessibleMessage{Type: models.MaybeInaccessibleMessageTypeMessage,
			Message: &models.Message{ID: 77, Date: 1, Chat: models.Chat{ID: chatID, Type: models.ChatTypePrivate}}}}}
	b, _ := json.Marshal(&u)
	return b
}

func put(t *testing.T, s *store.Store, id, chatID int64, payload []byte) {
	t.Helper()
	if _, err := store.StoreUpdate(context.Background(), s.DB(), id, chatID, payload, time.Now()); err != nil {
		t.Fatal(err)
	}
}

// startDispatcher runs a dispatcher until the test ends.
func startDispatcher(t *testing.T, s *store.Store, h Handler, workers int) (*Dispatcher, nudges) {
	t.Helper()
	n := make(nudges, 1)
	d := NewDispatcher(DispatcherConfig{Store: s, Handler: h, Workers: workers, Nudge: n.nudge, ScanInterval: 200 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = d.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	return d, n
}

func inboxStatus(t *testing.T, s *store.Store, id int64) string {
	t.Helper()
	var st string
	if err := s.DB().QueryRow(context.Background(), `SELECT status FROM inbox WHERE update_id = $1`, id).Scan(&st); err != nil {
		t.Fatal(err)
	}
	return st
}

func TestDispatchOneChatInOrder(t *testing.T) {
	s := storetest.New(t)
	h := &echoHandler{}
	d, n := startDispatcher(t, s, h, 4)
	var want []string
	for i := 1; i <= 10; i++ {
		put(t, s, int64(i), 42, textUpdate(int64(i), 42, strconv.Itoa(i)))
		d.Notify(42)
		want = append(want, "echo: "+strconv.Itoa(i))
	}
	got := replyTexts(waitOutbox(t, s, n, 10), 42)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("replies out of order:\n got %q\nwant %q", got, want)
	}
	if h.overlap.Load() {
		t.Fatal("two updates of one chat were handled at the same time")
	}
}

func TestDispatchManyChats(t *testing.T) {
	s := storetest.New(t)
	h := &echoHandler{}
	d, n := startDispatcher(t, s, h, 8)
	const chats = 200
	for c := int64(1); c <= chats; c++ {
		put(t, s, c, 1000+c, textUpdate(c, 1000+c, "halo"))
	}
	for c := int64(1); c <= chats; c++ {
		d.Notify(1000 + c)
	}
	msgs := waitOutbox(t, s, n, chats)
	for c := int64(1); c <= chats; c++ {
		if got := replyTexts(msgs, 1000+c); len(got) != 1 || got[0] != "echo: halo" {
			t.Fatalf("chat %d got %q", 1000+c, got)
		}
	}
}

// Updates left pending (a crash, another instance) are found by the scan, without Notify.
func TestDispatchPendingAtStart(t *testing.T) {
	s := storetest.New(t)
	put(t, s, 1, 5, textUpdate(1, 5, "left over"))
	_, n := startDispatcher(t, s, &echoHandler{}, 2)
	if got := replyTexts(waitOutbox(t, s, n, 1), 5); len(got) != 1 || got[0] != "echo: left over" {
		t.Fatalf("got %q", got)
	}
}

func TestDispatchPanicAndErrorAreContained(t *testing.T) {
	s := storetest.New(t)
	d, n := startDispatcher(t, s, &echoHandler{}, 2)
	for i, text := range []string{"a", "panic", "b", "fail", "c"} {
		put(t, s, int64(i+1), 9, textUpdate(int64(i+1), 9, text))
	}
	d.Notify(9)
	got := replyTexts(waitOutbox(t, s, n, 5), 9)
	want := []string{"echo: a", "internal error (id)", "echo: b", "internal error (id)", "echo: c"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("replies:\n got %q\nwant %q", got, want)
	}
	for id, st := range map[int64]string{1: "done", 2: "failed", 3: "done", 4: "failed", 5: "done"} {
		if got := inboxStatus(t, s, id); got != st {
			t.Errorf("update %d is %s, want %s", id, got, st)
		}
	}
	// What the failing handlers wrote was rolled back.
	var texts []string
	rows, _ := s.DB().Query(context.Background(), `SELECT detail->>'text' FROM audit_log ORDER BY id`)
	for rows.Next() {
		var x string
		_ = rows.Scan(&x)
		texts = append(texts, x)
	}
	if fmt.Sprint(texts) != "[a b c]" {
		t.Fatalf("handler writes that survived: %q, want [a b c]", texts)
	}
}

func TestDispatchButtonIsAlwaysAnswered(t *testing.T) {
	s := storetest.New(t)
	d, n := startDispatcher(t, s, &echoHandler{}, 2)
	put(t, s, 1, 3, pressUpdate(1, 3, "quiet"))
	put(t, s, 2, 3, pressUpdate(2, 3, "toast"))
	put(t, s, 3, 3, pressUpdate(3, 3, "panic"))
	d.Notify(3)
	msgs := waitOutbox(t, s, n, 6)
	var answers []string
	for _, m := range msgs {
		if m.Payload.Kind == KindCallbackAnswer {
			answers = append(answers, m.Payload.CallbackID+"="+m.Payload.Text)
		}
	}
	if fmt.Sprint(answers) != "[cb1= cb2=done cb3=]" {
		t.Fatalf("callback answers %q", answers)
	}
	if got := replyTexts(msgs, 3); fmt.Sprint(got) != "[echo: button:quiet echo: button:toast internal error (id)]" {
		t.Fatalf("replies %q", got)
	}
}

// Two instances on one database: each update handled once, each chat in order.
func TestTwoDispatchersShareOneDatabase(t *testing.T) {
	s, dsn := storetest.NewWithDSN(t)
	s2, err := store.Open(context.Background(), dsn, store.Options{MaxConns: 8})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s2.Close)
	h := &echoHandler{}
	d1, n1 := startDispatcher(t, s, h, 4)
	d2, n2 := startDispatcher(t, s2, h, 4)
	const chats, per = 10, 10
	id := int64(0)
	for i := 0; i < per; i++ {
		for c := int64(1); c <= chats; c++ {
			id++
			put(t, s, id, c, textUpdate(id, c, strconv.Itoa(i)))
			d1.Notify(c)
			d2.Notify(c)
		}
	}
	both := make(nudges, 1)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for {
			select {
			case <-n1:
			case <-n2:
			case <-stop:
				return
			}
			both.nudge()
		}
	}()
	waitOutbox(t, s, both, chats*per)
	// Everything handled: an update handled twice would now show as a reply too many.
	deadline := time.Now().Add(60 * time.Second)
	for {
		var pending int
		if err := s.DB().QueryRow(context.Background(), `SELECT count(*) FROM inbox WHERE status = 'pending'`).Scan(&pending); err != nil {
			t.Fatal(err)
		}
		if pending == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d updates still pending", pending)
		}
		select {
		case <-both:
		case <-time.After(50 * time.Millisecond):
		}
	}
	msgs := outbox(t, s)
	if len(msgs) != chats*per {
		t.Fatalf("%d replies, want %d", len(msgs), chats*per)
	}
	for c := int64(1); c <= chats; c++ {
		got := replyTexts(msgs, c)
		for i, text := range got {
			if text != "echo: "+strconv.Itoa(i) {
				t.Fatalf("chat %d: replies %q", c, got)
			}
		}
	}
	if h.overlap.Load() {
		t.Fatal("two updates of one chat were handled at the same time")
	}
}

func TestChatQueueNeverGivesOneChatTwice(t *testing.T) {
	var q chatQueue
	q.init()
	ctx := context.Background()
	q.push(1)
	q.push(2)
	q.push(1)
	if a, _ := q.pop(ctx); a != 1 {
		t.Fatalf("first %d", a)
	}
	q.push(1) // arrives while running
	if b, _ := q.pop(ctx); b != 2 {
		t.Fatalf("second %d", b)
	}
	q.done(2, false)
	q.done(1, false) // ran again: back in the queue
	if c, _ := q.pop(ctx); c != 1 {
		t.Fatalf("third %d", c)
	}
	q.done(1, false)
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, ok := q.pop(cctx); ok {
		t.Fatal("queue should be empty")
	}
}

// A passing database trouble (a deadlock) is tried again, not answered with an apology; one that
// does not pass is, after a few attempts, and the chat goes on.
func TestDispatcherRetriesTransientErrors(t *testing.T) {
	s := storetest.New(t)
	h := &echoHandler{}
	put(t, s, 1, 7, textUpdate(1, 7, "flaky"))
	put(t, s, 2, 7, textUpdate(2, 7, "after"))
	put(t, s, 3, 8, textUpdate(3, 8, "stuck"))
	put(t, s, 4, 8, textUpdate(4, 8, "next"))
	_, n := startDispatcher(t, s, h, 2)
	msgs := waitOutbox(t, s, n, 4)
	if got := replyTexts(msgs, 7); fmt.Sprint(got) != "[echo: flaky echo: after]" {
		t.Fatalf("chat 7 got %q, want the flaky update answered after its retries, then the next", got)
	}
	if got := replyTexts(msgs, 8); fmt.Sprint(got) != "[internal error (id) echo: next]" {
		t.Fatalf("chat 8 got %q", got)
	}
	var attempts int
	if err := s.DB().QueryRow(context.Background(), `SELECT attempts FROM inbox WHERE update_id = 3`).Scan(&attempts); err != nil {
		t.Fatal(err)
	}
	if attempts < maxAttempts || inboxStatus(t, s, 3) != "failed" {
		t.Fatalf("the stuck update: %d attempts, status %s", attempts, inboxStatus(t, s, 3))
	}
}
