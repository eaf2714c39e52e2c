package telegramtest_test

import (
	"encoding/json"
	"net/url"
	"sync"
	"testing"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"umkmbot/bot/telegramtest"
)

// OnCall sees every answered call with the chat it is about, a button's answer included, and
// the status the server gave (a call to an unknown chat is a 400 about that chat).
func TestOnCallNamesTheChat(t *testing.T) {
	var mu sync.Mutex
	var seen []telegramtest.Call
	srv := telegramtest.NewServer(telegramtest.Options{OnCall: func(c telegramtest.Call) {
		mu.Lock()
		seen = append(seen, c)
		mu.Unlock()
	}})
	t.Cleanup(srv.Close)
	ctx := testContext(t)
	b := newBot(t, srv)
	owner := srv.User(4242, "Maria", "id")
	other := srv.User(5151, "Yosef", "id")

	if _, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: owner.ID(), Text: "Halo"}); err != nil {
		t.Fatal(err)
	}
	_, _ = b.SendMessage(ctx, &bot.SendMessageParams{ChatID: 999, Text: "Halo"})
	other.PressData(1, "menu")
	other.PressData(1, "menu")
	_, env := rawForm(t, ctx, srv, "getUpdates", url.Values{})
	var updates []models.Update
	if err := json.Unmarshal(env.Result, &updates); err != nil || len(updates) != 2 {
		t.Fatalf("getUpdates = %s (%v)", env.Result, err)
	}
	for _, u := range updates {
		if _, err := b.AnswerCallbackQuery(ctx, &bot.AnswerCallbackQueryParams{CallbackQueryID: u.CallbackQuery.ID}); err != nil {
			t.Fatal(err)
		}
	}

	mu.Lock()
	defer mu.Unlock()
	got := map[string][]int64{}
	for _, c := range seen {
		got[c.Method] = append(got[c.Method], c.ChatID())
		if c.Method == "sendMessage" && c.ChatID() == 999 && c.Status != 400 {
			t.Errorf("send to an unknown chat seen with status %d", c.Status)
		}
	}
	if s := got["sendMessage"]; len(s) != 2 || s[0] != owner.ID() || s[1] != 999 {
		t.Errorf("sendMessage chats = %v", s)
	}
	if a := got["answerCallbackQuery"]; len(a) != 2 || a[0] != other.ID() || a[1] != other.ID() {
		t.Errorf("answerCallbackQuery chats = %v", a)
	}
	if u := got["getUpdates"]; len(u) != 1 || u[0] != 0 {
		t.Errorf("getUpdates chats = %v", u)
	}
}
