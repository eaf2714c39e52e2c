package telegramtest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"umkmbot/bot/telegramtest"
)

func TestGetUpdatesReturnsQueuedAtOnceAndOffsetConfirms(t *testing.T) {
	srv := telegramtest.New(t)
	ctx := testContext(t)
	owner := srv.User(1001, "Maria", "id")
	first := owner.Send("/start status_ABC")
	second := owner.Send("halo")

	// Queued updates come back at once even with a long timeout (the context would end the
	// test long before 50s).
	ups := pollUpdates(t, ctx, srv, 0, 50)
	if len(ups) != 2 || ups[0].ID != first || ups[1].ID != second {
		t.Fatalf("updates = %+v", ups)
	}
	m := ups[0].Message
	if m.Text != "/start status_ABC" || len(m.Entities) != 1 || m.Entities[0].Type != models.MessageEntityTypeBotCommand ||
		m.Entities[0].Offset != 0 || m.Entities[0].Length != len("/start") || m.From.LanguageCode != "id" || m.Chat.ID != 1001 {
		t.Errorf("command message = %+v", m)
	}
	// Without a higher offset nothing is confirmed.
	if again := pollUpdates(t, ctx, srv, 0, 0); len(again) != 2 {
		t.Errorf("unconfirmed updates polled again = %d, want 2", len(again))
	}
	// offset confirms everything below it.
	if rest := pollUpdates(t, ctx, srv, second, 0); len(rest) != 1 || rest[0].ID != second {
		t.Errorf("offset=%d gave %+v", second, rest)
	}
	if rest := pollUpdates(t, ctx, srv, second+1, 0); len(rest) != 0 || srv.PendingUpdates() != 0 {
		t.Errorf("after confirming all: %+v, pending %d", rest, srv.PendingUpdates())
	}
}

func TestGetUpdatesLimit(t *testing.T) {
	srv := telegramtest.New(t)
	ctx := testContext(t)
	owner := srv.User(1001, "Maria", "id")
	for range 3 {
		owner.Send("x")
	}
	status, env := rawJSON(t, ctx, srv, "getUpdates", map[string]any{"limit": 2})
	if status != http.StatusOK || string(env.Result[:1]) != "[" {
		t.Fatalf("getUpdates: %d %+v", status, env)
	}
	if n := len(pollUpdatesJSON(t, ctx, srv, map[string]any{"limit": 2})); n != 2 {
		t.Errorf("limit 2 gave %d updates", n)
	}
}

func pollUpdatesJSON(t *testing.T, ctx context.Context, srv *telegramtest.Server, body map[string]any) []models.Update {
	t.Helper()
	_, env := rawJSON(t, ctx, srv, "getUpdates", body)
	var ups []models.Update
	if err := jsonUnmarshal(env.Result, &ups); err != nil {
		t.Fatal(err)
	}
	return ups
}

func TestGetUpdatesWaitsForTimeout(t *testing.T) {
	srv := telegramtest.New(t)
	ctx := testContext(t)
	start := time.Now()
	if ups := pollUpdates(t, ctx, srv, 0, 1); len(ups) != 0 {
		t.Fatalf("updates = %+v", ups)
	}
	if waited := time.Since(start); waited < 900*time.Millisecond {
		t.Errorf("returned after %v, want about the 1s timeout", waited)
	}
}

func TestGetUpdatesWakesWhenAnUpdateArrives(t *testing.T) {
	srv := telegramtest.New(t)
	ctx := testContext(t)
	owner := srv.User(1001, "Maria", "id")
	got := make(chan string, 1) // the raw answer: t.Fatal must not run off the test goroutine
	go func() {
		resp, err := http.Post(srv.URL()+"/bot"+srv.Token()+"/getUpdates?timeout=50", "application/json", nil)
		if err != nil {
			got <- err.Error()
			return
		}
		defer resp.Body.Close()
		var env struct{ Result []models.Update }
		json.NewDecoder(resp.Body).Decode(&env)
		if len(env.Result) != 1 {
			got <- fmt.Sprintf("%d updates", len(env.Result))
			return
		}
		got <- fmt.Sprint(env.Result[0].ID)
	}()
	id := owner.Send("halo")
	select {
	case answer := <-got:
		if answer != fmt.Sprint(id) {
			t.Errorf("long poll answered %s, want update %d", answer, id)
		}
	case <-ctx.Done():
		t.Fatal("long poll did not return when an update arrived")
	}
}

func TestGetUpdatesConflictsWithWebhook(t *testing.T) {
	srv := telegramtest.New(t)
	ctx := testContext(t)
	rawForm(t, ctx, srv, "setWebhook", url.Values{"url": {"http://127.0.0.1:1/hook"}})
	status, env := rawForm(t, ctx, srv, "getUpdates", nil)
	if status != http.StatusConflict || env.ErrorCode != 409 {
		t.Errorf("getUpdates with a webhook: %d %+v", status, env)
	}
}

func TestRedeliverAndPushRaw(t *testing.T) {
	srv := telegramtest.New(t)
	ctx := testContext(t)
	owner := srv.User(1001, "Maria", "id")
	id := owner.Send("/start")
	if ups := pollUpdates(t, ctx, srv, 0, 0); len(ups) != 1 {
		t.Fatalf("updates = %+v", ups)
	}
	if err := srv.Redeliver(id); err != nil {
		t.Fatal(err)
	}
	// The bot already confirmed id, yet gets it once more...
	if ups := pollUpdates(t, ctx, srv, id+1, 0); len(ups) != 1 || ups[0].ID != id {
		t.Fatalf("redelivered updates = %+v", ups)
	}
	// ...and only once.
	if ups := pollUpdates(t, ctx, srv, id+1, 0); len(ups) != 0 {
		t.Fatalf("after redelivery: %+v", ups)
	}
	if err := srv.Redeliver(12345); err == nil {
		t.Error("Redeliver of an unknown update: want an error")
	}

	raw := srv.PushRaw(models.Update{EditedMessage: &models.Message{ID: 1, Text: "diubah", Chat: models.Chat{ID: 1001, Type: "private"}}})
	if ups := pollUpdates(t, ctx, srv, id+1, 0); len(ups) != 1 || ups[0].ID != raw || ups[0].EditedMessage.Text != "diubah" {
		t.Fatalf("raw update = %+v", ups)
	}
}

func TestPressDataOnAStaleMessage(t *testing.T) {
	srv := telegramtest.New(t)
	ctx := testContext(t)
	owner := srv.User(1001, "Maria", "id")
	owner.PressData(77, "approve:APP-1")
	ups := pollUpdates(t, ctx, srv, 0, 0)
	cq := ups[0].CallbackQuery
	if cq == nil || cq.Data != "approve:APP-1" || cq.Message.InaccessibleMessage == nil || cq.Message.InaccessibleMessage.MessageID != 77 {
		t.Fatalf("callback = %+v", cq)
	}
}
