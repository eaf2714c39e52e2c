package bot_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	tgbot "github.com/go-telegram/bot"

	"umkmbot/bot"
	"umkmbot/bot/telegramtest"
	"umkmbot/flows"
	"umkmbot/flows/domain"
	"umkmbot/flows/owner"
	"umkmbot/flows/staff"
	"umkmbot/locales"
	"umkmbot/store"
	"umkmbot/store/storetest"
)

// e2e is the whole edge — intake, dispatcher with the real conversation engine, sender — against
// the fake Bot API and a real PostgreSQL, the way `umkmbot serve` wires it.
type e2e struct {
	t      *testing.T
	db     *store.Store
	srv    *telegramtest.Server
	msgs   *locales.Bundle
	engine *flows.Engine
	mode   string // "polling" or "webhook"

	cancel context.CancelFunc
	wg     sync.WaitGroup
}

func newE2E(t *testing.T, mode string) *e2e {
	t.Helper()
	msgs, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	rules, err := domain.LoadRules()
	if err != nil {
		t.Fatal(err)
	}
	engine, err := flows.New(flows.Config{Messages: msgs, Rules: rules, LookupLimit: 1000, LookupFailLimit: 1000}, owner.Flowset(), staff.Flowset())
	if err != nil {
		t.Fatal(err)
	}
	return &e2e{t: t, db: storetest.New(t), srv: telegramtest.New(t), msgs: msgs, engine: engine, mode: mode}
}

// start runs the edge; withSender false leaves replies in the outbox (a crash before sending).
func (e *e2e) start(withSender bool) {
	e.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	e.cancel = cancel
	tg, err := tgbot.New(e.srv.Token(), tgbot.WithServerURL(e.srv.URL()), tgbot.WithSkipGetMe())
	if err != nil {
		e.t.Fatal(err)
	}
	nudge := func() {}
	var sender *bot.Sender
	if withSender {
		// Telegram's rates are the sender's own tests' business; here they would only slow the conversation.
		sender = bot.NewSender(bot.SenderConfig{Store: e.db, Client: tg, PollInterval: 50 * time.Millisecond,
			GlobalRate: 10000, ChatRate: 1000, ChatBurst: 100})
		nudge = sender.Nudge
		e.wg.Go(func() { _ = sender.Run(ctx) })
	}
	disp := bot.NewDispatcher(bot.DispatcherConfig{Store: e.db, Handler: e.engine, Workers: 8, Nudge: nudge,
		ScanInterval: 100 * time.Millisecond})
	e.wg.Go(func() { _ = disp.Run(ctx) })
	switch e.mode {
	case "polling":
		p := bot.NewPoller(bot.PollerConfig{APIURL: e.srv.URL(), Token: e.srv.Token(), Store: e.db, Notify: disp.Notify,
			PollTimeout: time.Second})
		e.wg.Go(func() { _ = p.Run(ctx) })
	case "webhook":
		wh := bot.NewWebhook(bot.WebhookConfig{Secret: "s3cret_token", Store: e.db, Notify: disp.Notify})
		hs := httptest.NewServer(wh)
		e.t.Cleanup(hs.Close)
		if err := wh.Register(ctx, tg, hs.URL+"/telegram/webhook"); err != nil {
			e.t.Fatal(err)
		}
	}
	e.t.Cleanup(e.stop)
}

// stop ends the edge and waits for it: like a process that dies, minus the kill -9 (what the
// database holds is exactly what was committed).
func (e *e2e) stop() {
	if e.cancel != nil {
		e.cancel()
		e.wg.Wait()
		e.cancel = nil
	}
}

// idle waits until every update Telegram holds is in the inbox and handled, and every outbox row
// of the chat is sent (or failed).
func (e *e2e) idle(chatID int64) { e.idleAfter(chatID, 0) }

// idleAfter is idle, and also waits until the update with that id (when not 0) is in the inbox
// and handled: a webhook delivery is no longer queued at Telegram a moment before its commit.
func (e *e2e) idleAfter(chatID, updateID int64) {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		var inbox, outbox, handled int
		if err := e.db.DB().QueryRow(ctx, `SELECT
			(SELECT count(*) FROM inbox WHERE status = 'pending'),
			(SELECT count(*) FROM outbox WHERE chat_id = $1),
			(SELECT count(*) FROM inbox WHERE update_id = $2 AND status <> 'pending')`, chatID, updateID).Scan(&inbox, &outbox, &handled); err != nil {
			e.t.Fatal(err)
		}
		if e.srv.PendingUpdates() == 0 && inbox == 0 && outbox == 0 && (updateID == 0 || handled == 1) {
			return
		}
		select {
		case <-ctx.Done():
			e.t.Fatalf("not idle: %d updates at Telegram, %d in the inbox, %d in the outbox", e.srv.PendingUpdates(), inbox, outbox)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

func (e *e2e) T(id string, data ...map[string]any) string { return e.msgs.For("id").T(id, data...) }

// person is an owner typing in Telegram, waiting after each action for the bot to be done.
type person struct {
	e *e2e
	u *telegramtest.User
}

func (p *person) send(text string) {
	p.e.t.Helper()
	p.e.idleAfter(p.u.ID(), p.u.Send(text))
}

func (p *person) press(id string) {
	p.e.t.Helper()
	uid, err := p.u.Press(p.e.T(id))
	if err != nil {
		p.e.t.Fatalf("%v\n%s", err, p.u.Transcript())
	}
	p.e.idleAfter(p.u.ID(), uid)
}

func (p *person) last() string {
	msgs := p.u.BotMessages()
	if len(msgs) == 0 {
		return ""
	}
	return msgs[len(msgs)-1].Text
}

// lastButtons are the labels of the inline buttons on the newest bot message that has any.
func (p *person) lastButtons() map[string]bool {
	msgs := p.u.BotMessages()
	for i := len(msgs) - 1; i >= 0; i-- {
		if len(msgs[i].Buttons) == 0 || msgs[i].Deleted {
			continue
		}
		out := map[string]bool{}
		for _, row := range msgs[i].Buttons {
			for _, b := range row {
				out[b.Label] = true
			}
		}
		return out
	}
	return nil
}

func (p *person) expect(fragment string) {
	p.e.t.Helper()
	if !strings.Contains(p.last(), fragment) {
		p.e.t.Fatalf("the bot's last message lacks %q\n%s", fragment, p.u.Transcript())
	}
}

var numberRE = regexp.MustCompile(`NTT-[0-9A-Z]{4}-[0-9A-Z]{4}`)

// A whole owner registration and a status check through Telegram, in both intake modes.
func TestE2ERegistrationAndStatus(t *testing.T) {
	for _, mode := range []string{"polling", "webhook"} {
		t.Run(mode, func(t *testing.T) {
			e := newE2E(t, mode)
			e.start(true)
			p := &person{e: e, u: e.srv.User(8001, "Maria", "id")}
			p.send("/start")
			p.expect(e.T("ProfileAskName"))
			p.send("Maria Goreti")
			p.send("Kopi Bajawa Mantap")
			p.send("Ngada")
			p.expect(e.T("ProfileAskPhone"))
			e.idleAfter(p.u.ID(), p.u.SendContact("+6281234567890", true))
			p.expect(e.T("ProfileAskNIB"))
			p.send("1234567890123") // the profile is saved and the registration follows
			p.press("PathName_spp_irt")
			for _, answer := range []string{"Kopi Bajawa", "Kopi bubuk"} {
				p.send(answer)
			}
			p.send("12 bulan")
			p.press("Storage_cool_dry")
			// The NIB came with the profile: the product photo is the first document.
			e.idleAfter(p.u.ID(), p.u.SendPhoto([]byte("\x89PNG\r\n\x1a\n not really a png")))
			e.idleAfter(p.u.ID(), p.u.SendDocument("label.pdf", "application/pdf", []byte("%PDF-1.4 label")))
			// "Nanti" for each remaining document, until the summary (its "Kirim" button) is on screen.
			for range 20 {
				if p.lastButtons()[e.T("CommonSendButton")] {
					break
				}
				uid, err := p.u.Press(e.T("CommonLater"))
				if err != nil {
					break
				}
				e.idleAfter(p.u.ID(), uid)
			}
			p.press("CommonSendButton")
			var number string
			for _, m := range p.u.BotMessages() {
				if n := numberRE.FindString(m.Text); n != "" {
					number = n
				}
			}
			if number == "" {
				t.Fatalf("no application number:\n%s", p.u.Transcript())
			}
			p.send("/status " + number)
			found := false
			for _, m := range p.u.BotMessages()[len(p.u.BotMessages())-3:] {
				found = found || (strings.Contains(m.Text, number) && strings.Contains(m.Text, "Kopi Bajawa"))
			}
			if !found {
				t.Fatalf("/status does not show the application:\n%s", p.u.Transcript())
			}
			// Every button press was answered.
			if got, presses := len(e.srv.CallbackAnswers()), countPresses(p.u); got < presses {
				t.Fatalf("%d button presses, %d answered", presses, got)
			}
		})
	}
}

func countPresses(u *telegramtest.User) int {
	n := 0
	for _, m := range u.Transcript() {
		if !m.FromBot && m.Message.Text == "" && m.Contact == nil && m.Document == nil && len(m.Photo) == 0 {
			n++
		}
	}
	return n
}

// The same update delivered three times gets one reply.
func TestE2EDuplicateUpdateAnsweredOnce(t *testing.T) {
	e := newE2E(t, "polling")
	e.start(true)
	u := e.srv.User(8002, "Yohanes", "id")
	id := u.Send("/start")
	e.idleAfter(u.ID(), id)
	for range 2 {
		if err := e.srv.Redeliver(id); err != nil {
			t.Fatal(err)
		}
		e.idle(u.ID())
	}
	if n := countText(u, e.T("ProfileAskName")); n != 1 {
		t.Fatalf("the first question was sent %d times\n%s", n, u.Transcript())
	}
}

func countText(u *telegramtest.User, fragment string) int {
	n := 0
	for _, m := range u.BotMessages() {
		if strings.Contains(m.Text, fragment) {
			n++
		}
	}
	return n
}

// The process dies after the update's transaction committed and before the reply was sent: after
// the restart the reply goes out, once.
func TestE2ECrashBetweenCommitAndSend(t *testing.T) {
	e := newE2E(t, "polling")
	e.start(false) // no sender: the replies stay in the outbox
	u := e.srv.User(8003, "Agustina", "id")
	id := u.Send("/start")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		var handled, queued int
		if err := e.db.DB().QueryRow(ctx, `SELECT (SELECT count(*) FROM inbox WHERE status = 'done'),
			(SELECT count(*) FROM outbox)`).Scan(&handled, &queued); err != nil {
			t.Fatal(err)
		}
		if handled == 1 && queued > 0 {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatal("the update was never handled")
		case <-time.After(10 * time.Millisecond):
		}
	}
	e.stop()
	if len(u.BotMessages()) != 0 {
		t.Fatalf("sent before the crash: %v", u.BotMessages())
	}
	// Telegram, not told in time, delivers the update again after the restart.
	_ = e.srv.Redeliver(id)
	e.start(true)
	e.idle(u.ID())
	if n := countText(u, e.T("ProfileAskName")); n != 1 {
		t.Fatalf("after the restart the reply was sent %d times\n%s", n, u.Transcript())
	}
}

// Ten rapid messages from one chat are answered in order; 200 chats at once are all answered.
func TestE2EOrderAndManyChats(t *testing.T) {
	e := newE2E(t, "polling")
	e.start(true)
	u := e.srv.User(8004, "Bernadus", "id")
	u.Send("/start")
	e.idle(u.ID())
	answers := []string{"Bernadus Lake", "Madu Hutan Timor"}
	for _, a := range answers {
		u.Send(a)
	}
	e.idle(u.ID())
	texts := u.Transcript().String()
	if i, j := strings.Index(texts, e.T("ProfileAskBusiness")), strings.Index(texts, e.T("ProfileAskKabupaten")); i < 0 || j < i {
		t.Fatalf("answers handled out of order:\n%s", texts)
	}
	// Ten rapid messages in one chat, each answered with its own words: answered in order.
	v := e.srv.User(8005, "Cepat", "id")
	for i := range 10 {
		v.Send(fmt.Sprintf("/status uji-%d", i))
	}
	e.idle(v.ID())
	next := 0
	for _, m := range v.BotMessages() {
		if next < 10 && strings.Contains(m.Text, fmt.Sprintf("uji-%d", next)) {
			next++
		}
	}
	if next != 10 {
		t.Fatalf("only the first %d of 10 rapid messages were answered in order:\n%s", next, v.Transcript())
	}

	const chats = 200
	users := make([]*telegramtest.User, chats)
	for i := range chats {
		users[i] = e.srv.User(int64(20000+i), "Pemilik", "id")
		users[i].Send("/start")
	}
	for _, us := range users {
		e.idle(us.ID())
	}
	for _, us := range users {
		if countText(us, e.T("ProfileAskName")) != 1 {
			t.Fatalf("chat %d: %s", us.ID(), us.Transcript())
		}
	}
}
