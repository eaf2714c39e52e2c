package telegramtest_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"umkmbot/bot/telegramtest"
)

type delivery struct {
	secret string
	update models.Update
}

// hookServer is the bot's webhook endpoint: it answers with the statuses given, in turn (200
// once they run out), and reports every delivery on the channel.
func hookServer(t *testing.T, statuses ...int) (*httptest.Server, <-chan delivery) {
	t.Helper()
	got := make(chan delivery, 100)
	next := make(chan int, len(statuses))
	for _, s := range statuses {
		next <- s
	}
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var d delivery
		d.secret = r.Header.Get("X-Telegram-Bot-Api-Secret-Token")
		if err := json.NewDecoder(r.Body).Decode(&d.update); err != nil {
			t.Errorf("decode pushed update: %v", err)
		}
		got <- d
		select {
		case s := <-next:
			w.WriteHeader(s)
		default:
		}
	}))
	t.Cleanup(hs.Close)
	return hs, got
}

func receive(t *testing.T, got <-chan delivery) delivery {
	t.Helper()
	select {
	case d := <-got:
		return d
	case <-time.After(10 * time.Second):
		t.Fatal("no webhook delivery within 10s")
		return delivery{}
	}
}

func TestWebhookPushWithSecretAndRetryAfter500(t *testing.T) {
	srv := telegramtest.New(t)
	ctx := testContext(t)
	b := newBot(t, srv, bot.WithSkipGetMe())
	hook, got := hookServer(t, http.StatusInternalServerError)
	owner := srv.User(1001, "Maria", "id")
	id := owner.Send("/start")

	if _, err := b.SetWebhook(ctx, &bot.SetWebhookParams{URL: hook.URL, SecretToken: "s3cret"}); err != nil {
		t.Fatal(err)
	}
	for i := range 2 { // the 500, then the retry of the same update
		d := receive(t, got)
		if d.secret != "s3cret" || d.update.ID != id || d.update.Message.Text != "/start" {
			t.Errorf("delivery %d = %+v", i, d)
		}
	}
	pressID := owner.PressData(1, "x")
	if d := receive(t, got); d.update.ID != pressID || d.update.CallbackQuery == nil {
		t.Errorf("next delivery = %+v", d)
	}

	waitFor(t, srv, func() bool { return len(srv.WebhookAttempts()) == 3 && srv.PendingUpdates() == 0 })
	attempts := srv.WebhookAttempts()
	if attempts[0].Status != 500 || attempts[1].Status != 200 || attempts[0].UpdateID != id || attempts[1].UpdateID != id {
		t.Errorf("attempts = %+v", attempts)
	}
	info, err := b.GetWebhookInfo(ctx)
	if err != nil || info.LastErrorDate == 0 || info.PendingUpdateCount != 0 {
		t.Errorf("webhook info = %+v, %v", info, err)
	}
}

func TestWebhookNetworkErrorsAreRetriedBounded(t *testing.T) {
	srv := telegramtest.NewServer(telegramtest.Options{WebhookMaxAttempts: 3, WebhookRetryDelay: time.Millisecond})
	t.Cleanup(srv.Close)
	ctx := testContext(t)
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL
	dead.Close()

	srv.User(1001, "Maria", "id").Send("halo")
	rawJSON(t, ctx, srv, "setWebhook", map[string]any{"url": deadURL})
	waitFor(t, srv, func() bool { return srv.PendingUpdates() == 0 })
	attempts := srv.WebhookAttempts()
	if len(attempts) != 3 {
		t.Fatalf("attempts = %+v, want 3 then dropped", attempts)
	}
	for _, a := range attempts {
		if a.Status != 0 || a.Err == "" {
			t.Errorf("attempt = %+v, want a network error", a)
		}
	}
}

func TestWebhookRedelivery(t *testing.T) {
	srv := telegramtest.New(t)
	ctx := testContext(t)
	hook, got := hookServer(t)
	id := srv.User(1001, "Maria", "id").Send("halo")
	rawJSON(t, ctx, srv, "setWebhook", map[string]any{"url": hook.URL})
	receive(t, got)
	if err := srv.Redeliver(id); err != nil {
		t.Fatal(err)
	}
	if d := receive(t, got); d.update.ID != id {
		t.Errorf("redelivered %+v", d.update)
	}
}

// waitFor waits for the fake's asynchronous state (webhook pushes) to reach a condition.
func waitFor(t *testing.T, srv *telegramtest.Server, cond func() bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.WaitFor(ctx, cond); err != nil {
		t.Fatal(err)
	}
}
