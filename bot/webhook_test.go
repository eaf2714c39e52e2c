package bot

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	tgbot "github.com/go-telegram/bot"

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

// With the database gone, the webhook answers 5xx so Telegram delivers again later.
func TestWebhookDatabaseDown(t *testing.T) {
	s, dsn := storetest.NewWithDSN(t)
	s2, err := store.Open(context.Background(), dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s2.Close()
	_ = s
	h := NewWebhook(WebhookConfig{Secret: testSecret, Store: s2})
	r := httptest.NewRequest("POST", DefaultWebhookPath, strings.NewReader(string(textUpdate(1, 1, "x"))))
	r.Header.Set("X-Telegram-Bot-Api-Secret-Token", testSecret)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code < 500 {
		t.Fatalf("status %d with the database closed, want 5xx", w.Code)
	}
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
