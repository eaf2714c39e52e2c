package bot

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	neturl "net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	tgbot "github.com/go-telegram/bot"
	"github.com/jackc/pgx/v5/pgconn"

	"umkmbot/bot/telegramtest"
	"umkmbot/store"
	"umkmbot/store/storetest"
)

const testSecret = "s3cret_Token-1"

func inboxCount(t *testing.T, s *store.Store) int {
	t.Helper()
	var n int
	if err := s.DB().QueryRow(context.Background(), `SELECT count(*) FROM inbox`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestWebhookAnswers(t *testing.T) {
	s := storetest.New(t)
	var notified []int64
	h := NewWebhook(WebhookConfig{Secret: testSecret, Store: s, Notify: func(c ...int64) { notified = append(notified, c...) }})
	good := string(textUpdate(7, 70, "halo"))
	for _, tc := range []struct {
		name, method, secret, body string
		want, stored               int
	}{
		{"no secret", "POST", "", good, 401, 0},
		{"wrong secret", "POST", "s3cret_Token-2", good, 401, 0},
		{"GET", "GET", testSecret, "", 405, 0},
		{"malformed", "POST", testSecret, `{"update_id": 8, "message": `, 400, 0},
		{"no update id", "POST", testSecret, `{"message": {}}`, 400, 0},
		{"oversize", "POST", testSecret, `{"update_id": 9, "x": "` + strings.Repeat("a", 2<<20) + `"}`, 413, 0},
		{"good", "POST", testSecret, good, 200, 1},
		{"again", "POST", testSecret, good, 200, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(tc.method, DefaultWebhookPath, strings.NewReader(tc.body))
			if tc.secret != "" {
				r.Header.Set("X-Telegram-Bot-Api-Secret-Token", tc.secret)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != tc.want {
				t.Fatalf("status %d, want %d", w.Code, tc.want)
			}
			if n := inboxCount(t, s); n != tc.stored {
				t.Fatalf("inbox holds %d, want %d", n, tc.stored)
			}
		})
	}
	if len(notified) != 1 || notified[0] != 70 {
		t.Fatalf("notified %v, want [70] once", notified)
	}
}

// With the database unreachable (the connections it had are cut, nothing listens on its
// address) the webhook answers 503, keeps nothing, and Telegram delivers the update again; once
// the database is back, that redelivery is kept and answered 200.
func TestWebhookDatabaseDown(t *testing.T) {
	srv := telegramtest.New(t)
	s, dsn := storetest.NewWithDSN(t)
	link := newTCPLink(t, dsn)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	sw, err := store.Open(ctx, link.dsn, store.Options{ConnectTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sw.Close)

	h := NewWebhook(WebhookConfig{Secret: testSecret, Store: sw})
	mux := http.NewServeMux()
	mux.Handle(DefaultWebhookPath, h)
	web := httptest.NewServer(mux)
	t.Cleanup(web.Close)
	b, err := tgbot.New(srv.Token(), tgbot.WithServerURL(srv.URL()), tgbot.WithSkipGetMe())
	if err != nil {
		t.Fatal(err)
	}
	url, _ := WebhookURL(web.URL)
	if err := h.Register(ctx, b, url); err != nil {
		t.Fatal(err)
	}

	link.cut()
	id := srv.User(611, "Maria", "id").Send("halo")
	if err := srv.WaitFor(ctx, func() bool { return len(srv.WebhookAttempts()) >= 1 }); err != nil {
		t.Fatal(err)
	}
	if a := srv.WebhookAttempts()[0]; a.UpdateID != id || a.Status != http.StatusServiceUnavailable {
		t.Fatalf("delivery with the database down: %+v, want update %d answered 503", a, id)
	}
	if n := inboxCount(t, s); n != 0 {
		t.Fatalf("inbox holds %d with the database down", n)
	}

	link.mend()
	if err := srv.WaitFor(ctx, func() bool { return srv.PendingUpdates() == 0 }); err != nil {
		t.Fatal(err)
	}
	attempts := srv.WebhookAttempts()
	for i, a := range attempts {
		want := http.StatusServiceUnavailable // deliveries before the database came back
		if i == len(attempts)-1 {
			want = http.StatusOK
		}
		if a.UpdateID != id || a.Status != want {
			t.Fatalf("delivery %d of %d: %+v, want update %d answered %d", i+1, len(attempts), a, id, want)
		}
	}
	var kept int
	if err := s.DB().QueryRow(ctx, `SELECT count(*) FROM inbox WHERE update_id = $1 AND status = 'pending'`, id).Scan(&kept); err != nil {
		t.Fatal(err)
	}
	if kept != 1 {
		t.Fatalf("the redelivered update is kept %d times, want once", kept)
	}
}

// tcpLink is the test's own TCP path to the database, which it can cut and mend: cut closes
// the connections it carries and stops listening, so a new connection is refused as if the
// server were down; mend listens on the same address again.
type tcpLink struct {
	t      *testing.T
	dsn    string // the database's DSN, through the link
	addr   string // where the link listens, the same across cuts
	target string // the database's host:port
	wg     sync.WaitGroup
	mu     sync.Mutex
	ln     net.Listener // nil while cut
	conns  []net.Conn
}

func newTCPLink(t *testing.T, dsn string) *tcpLink {
	t.Helper()
	cfg, err := pgconn.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := &tcpLink{t: t, addr: ln.Addr().String(), target: net.JoinHostPort(cfg.Host, strconv.Itoa(int(cfg.Port)))}
	host, port, _ := net.SplitHostPort(l.addr)
	if u, err := neturl.Parse(dsn); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		u.Host = l.addr
		l.dsn = u.String()
	} else {
		l.dsn = dsn + " host=" + host + " port=" + port
	}
	l.serve(ln)
	t.Cleanup(func() {
		l.cut()
		l.wg.Wait()
	})
	return l
}

func (l *tcpLink) serve(ln net.Listener) {
	l.mu.Lock()
	l.ln = ln
	l.mu.Unlock()
	l.wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return // closed by cut
			}
			up, err := net.Dial("tcp", l.target)
			if err != nil {
				c.Close()
				continue
			}
			l.mu.Lock()
			if l.ln != ln { // cut meanwhile
				l.mu.Unlock()
				c.Close()
				up.Close()
				return
			}
			l.conns = append(l.conns, c, up)
			l.mu.Unlock()
			l.wg.Go(func() { _, _ = io.Copy(up, c); up.Close() })
			l.wg.Go(func() { _, _ = io.Copy(c, up); c.Close() })
		}
	})
}

// cut closes every connection through the link and stops listening.
func (l *tcpLink) cut() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ln != nil {
		l.ln.Close()
		l.ln = nil
	}
	for _, c := range l.conns {
		c.Close()
	}
	l.conns = nil
}

// mend listens again on the link's address.
func (l *tcpLink) mend() {
	l.t.Helper()
	ln, err := net.Listen("tcp", l.addr)
	if err != nil {
		l.t.Fatalf("listen again on %s: %v", l.addr, err)
	}
	l.serve(ln)
}

// Telegram delivering one update three times gets one answer.
func TestWebhookFromTelegramHandledOnce(t *testing.T) {
	srv := telegramtest.New(t)
	s := storetest.New(t)
	d, n := startDispatcher(t, s, &echoHandler{}, 2)
	h := NewWebhook(WebhookConfig{Secret: testSecret, Store: s, Notify: d.Notify})
	mux := http.NewServeMux()
	mux.Handle(DefaultWebhookPath, h)
	web := httptest.NewServer(mux)
	t.Cleanup(web.Close)
	b, err := tgbot.New(srv.Token(), tgbot.WithServerURL(srv.URL()), tgbot.WithSkipGetMe())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	url, _ := WebhookURL(web.URL)
	if err := h.Register(ctx, b, url); err != nil {
		t.Fatal(err)
	}
	if !h.Alive() {
		t.Fatal("webhook not alive after setWebhook")
	}
	u := srv.User(601, "Maria", "id")
	id := u.Send("halo")
	for range 2 {
		if err := srv.Redeliver(id); err != nil {
			t.Fatal(err)
		}
	}
	if err := srv.WaitFor(ctx, func() bool { return len(srv.WebhookAttempts()) >= 3 && srv.PendingUpdates() == 0 }); err != nil {
		t.Fatal(err)
	}
	for _, a := range srv.WebhookAttempts() {
		if a.Status != http.StatusOK {
			t.Fatalf("delivery answered %d", a.Status)
		}
	}
	waitOutbox(t, s, n, 1)
	u.Send("lagi") // a later update proves the duplicates were all through the dispatcher
	if got := replyTexts(waitOutbox(t, s, n, 2), 601); len(got) != 2 || got[0] != "echo: halo" || got[1] != "echo: lagi" {
		t.Fatalf("replies %q", got)
	}
}

func TestWebhookConfig(t *testing.T) {
	for _, tc := range []struct{ in, path, url string }{
		{"https://bot.example.org", DefaultWebhookPath, "https://bot.example.org" + DefaultWebhookPath},
		{"https://bot.example.org/", DefaultWebhookPath, "https://bot.example.org" + DefaultWebhookPath},
		{"https://bot.example.org/tg/hook", "/tg/hook", "https://bot.example.org/tg/hook"},
	} {
		p, err := WebhookPath(tc.in)
		u, err2 := WebhookURL(tc.in)
		if err != nil || err2 != nil || p != tc.path || u != tc.url {
			t.Errorf("%s: path %q url %q (%v %v)", tc.in, p, u, err, err2)
		}
	}
	if _, err := WebhookPath("bot.example.org"); err == nil {
		t.Error("a URL without scheme was accepted")
	}
	for s, ok := range map[string]bool{"abc_DEF-123": true, "": false, "with space": false, strings.Repeat("a", 256): true,
		strings.Repeat("a", 257): false, "ünï": false} {
		if err := CheckWebhookSecret(s); (err == nil) != ok {
			t.Errorf("secret %.20q: %v", s, err)
		}
	}
}
