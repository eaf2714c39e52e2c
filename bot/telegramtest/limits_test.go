package telegramtest_test

import (
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"umkmbot/bot/telegramtest"
)

func TestSizeLimits(t *testing.T) {
	srv := telegramtest.NewServer(telegramtest.Options{EnforceLimits: true})
	t.Cleanup(srv.Close)
	ctx := testContext(t)
	b := newBot(t, srv, bot.WithSkipGetMe())

	tests := []struct {
		name   string
		params *bot.SendMessageParams
		want   string // "" for success
	}{
		{"4096 characters", &bot.SendMessageParams{Text: strings.Repeat("a", 4096)}, ""},
		{"4097 characters", &bot.SendMessageParams{Text: strings.Repeat("a", 4097)}, "Bad Request: message is too long"},
		{"2048 emoji are 4096 UTF-16 units", &bot.SendMessageParams{Text: strings.Repeat("😀", 2048)}, ""},
		{"2049 emoji", &bot.SendMessageParams{Text: strings.Repeat("😀", 2049)}, "Bad Request: message is too long"},
		{"4096 Indonesian letters with accents count once", &bot.SendMessageParams{Text: strings.Repeat("é", 4096)}, ""},
		{"64-byte callback data", &bot.SendMessageParams{Text: "x", ReplyMarkup: inline(strings.Repeat("d", 64))}, ""},
		{"65-byte callback data", &bot.SendMessageParams{Text: "x", ReplyMarkup: inline(strings.Repeat("d", 65))}, "Bad Request: BUTTON_DATA_INVALID"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.params.ChatID = srv.User(int64(2000+i), "U", "id").ID() // a fresh chat: no rate limit
			_, err := b.SendMessage(ctx, tt.params)
			if tt.want == "" && err != nil {
				t.Fatalf("err = %v", err)
			}
			if tt.want != "" && (!errors.Is(err, bot.ErrorBadRequest) || !strings.Contains(err.Error(), tt.want)) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}

	u := srv.User(3000, "U", "id")
	_, err := b.SendDocument(ctx, &bot.SendDocumentParams{ChatID: u.ID(), Document: &models.InputFileString{Data: "https://x/a.pdf"}, Caption: strings.Repeat("c", 1025)})
	if !errors.Is(err, bot.ErrorBadRequest) || !strings.Contains(err.Error(), "message caption is too long") {
		t.Errorf("long caption: err = %v", err)
	}

	// Off (the default), nothing is checked.
	srv.SetEnforceLimits(false)
	if _, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: u.ID(), Text: strings.Repeat("a", 5000)}); err != nil {
		t.Errorf("limits off: %v", err)
	}
}

func inline(data string) *models.InlineKeyboardMarkup {
	return &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{{{Text: "b", CallbackData: data}}}}
}

func TestPerChatRateLimit(t *testing.T) {
	srv := telegramtest.NewServer(telegramtest.Options{EnforceLimits: true})
	t.Cleanup(srv.Close)
	ctx := testContext(t)
	b := newBot(t, srv, bot.WithSkipGetMe())
	u := srv.User(1001, "Maria", "id")
	other := srv.User(1002, "Yohanes", "id")

	// A burst of 3 passes; the 4th within the same second is flood.
	for i := range 3 {
		if _, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: u.ID(), Text: "x"}); err != nil {
			t.Fatalf("message %d of the burst: %v", i, err)
		}
	}
	_, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: u.ID(), Text: "x"})
	var tmr *bot.TooManyRequestsError
	if !errors.As(err, &tmr) || tmr.RetryAfter < 1 {
		t.Fatalf("4th message: err = %v, want 429 with retry_after", err)
	}
	if _, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: other.ID(), Text: "x"}); err != nil {
		t.Errorf("another chat is not limited: %v", err)
	}
	if n := srv.TooManyRequestsCount(); n != 1 {
		t.Errorf("429 count = %d", n)
	}
}

func TestGlobalRateLimitAcrossManyChats(t *testing.T) {
	srv := telegramtest.NewServer(telegramtest.Options{EnforceLimits: true})
	t.Cleanup(srv.Close)
	ctx := testContext(t)
	b := newBot(t, srv, bot.WithSkipGetMe())

	// 200 chats at once, one message each: the global 30/s budget runs out long before.
	var wg sync.WaitGroup
	for i := range 200 {
		u := srv.User(int64(5000+i), "U", "id")
		wg.Go(func() {
			b.SendMessage(ctx, &bot.SendMessageParams{ChatID: u.ID(), Text: "pengumuman"})
		})
	}
	wg.Wait()
	ok := len(srv.Calls("sendMessage")) - srv.TooManyRequestsCount()
	if srv.TooManyRequestsCount() == 0 || ok < 30 {
		t.Errorf("%d sent, %d refused with 429; want at least 30 sent and some refused", ok, srv.TooManyRequestsCount())
	}
}
