package telegramtest_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"umkmbot/bot/telegramtest"
)

func TestInjectedFailuresBecomeTheClientsErrors(t *testing.T) {
	srv := telegramtest.New(t)
	ctx := testContext(t)
	b := newBot(t, srv, bot.WithSkipGetMe())
	owner := srv.User(1001, "Maria", "id")
	send := func() error {
		_, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: owner.ID(), Text: "halo"})
		return err
	}

	tests := []struct {
		name    string
		failure telegramtest.Failure
		check   func(error) bool
	}{
		{"429 retry_after", telegramtest.RetryAfter(7), func(err error) bool {
			var tmr *bot.TooManyRequestsError
			return errors.As(err, &tmr) && tmr.RetryAfter == 7
		}},
		{"403 blocked", telegramtest.Blocked(), func(err error) bool {
			return errors.Is(err, bot.ErrorForbidden) && strings.Contains(err.Error(), "bot was blocked by the user")
		}},
		{"400", telegramtest.BadRequest("chat not found"), func(err error) bool {
			return errors.Is(err, bot.ErrorBadRequest) && strings.Contains(err.Error(), "Bad Request: chat not found")
		}},
		{"500", telegramtest.ServerError(500), func(err error) bool { return err != nil && strings.Contains(err.Error(), "500") }},
		{"502", telegramtest.ServerError(502), func(err error) bool { return err != nil && strings.Contains(err.Error(), "502 Bad Gateway") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv.FailNext("sendMessage", 1, tt.failure)
			if err := send(); !tt.check(err) {
				t.Errorf("err = %#v (%v)", err, err)
			}
			if err := send(); err != nil {
				t.Errorf("the call after the failure: %v", err)
			}
		})
	}
	if n := srv.TooManyRequestsCount(); n != 1 {
		t.Errorf("429s counted = %d, want 1", n)
	}
	calls := srv.Calls("sendMessage")
	if len(calls) != 2*len(tests) || calls[0].Status != 429 || calls[1].Status != 200 {
		t.Errorf("recorded %d calls, first statuses %d %d", len(calls), calls[0].Status, calls[1].Status)
	}
	// Nothing failed the bot did not see: only the successful sends are in the chat.
	if got := len(owner.BotMessages()); got != len(tests) {
		t.Errorf("bot messages = %d, want %d", got, len(tests))
	}
}

func TestFailNextCountsAndIsPerMethod(t *testing.T) {
	srv := telegramtest.New(t)
	ctx := testContext(t)
	b := newBot(t, srv, bot.WithSkipGetMe())
	owner := srv.User(1001, "Maria", "id")
	srv.FailNext("sendMessage", 2, telegramtest.ServerError(502))
	if _, err := b.SendChatAction(ctx, &bot.SendChatActionParams{ChatID: owner.ID(), Action: "typing"}); err != nil {
		t.Errorf("other methods are unaffected: %v", err)
	}
	for i, wantErr := range []bool{true, true, false} {
		_, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: owner.ID(), Text: "x"})
		if (err != nil) != wantErr {
			t.Errorf("call %d: err = %v, want error %v", i, err, wantErr)
		}
	}
}

func TestSlowResponse(t *testing.T) {
	srv := telegramtest.New(t)
	ctx := testContext(t)
	b := newBot(t, srv, bot.WithSkipGetMe())
	owner := srv.User(1001, "Maria", "id")

	srv.FailNext("sendMessage", 1, telegramtest.Slow(200*time.Millisecond))
	start := time.Now()
	if _, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: owner.ID(), Text: "pelan"}); err != nil {
		t.Fatalf("slow send: %v", err)
	}
	if took := time.Since(start); took < 200*time.Millisecond {
		t.Errorf("answered after %v, want at least the 200ms delay", took)
	}

	// A caller that gives up first sees its own timeout.
	srv.FailNext("sendMessage", 1, telegramtest.Slow(time.Minute))
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := b.SendMessage(short, &bot.SendMessageParams{ChatID: owner.ID(), Text: "terlalu pelan"}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want deadline exceeded", err)
	}
}

func TestBlockUntilUnblock(t *testing.T) {
	srv := telegramtest.New(t)
	ctx := testContext(t)
	b := newBot(t, srv, bot.WithSkipGetMe())
	blocker := srv.User(1001, "Maria", "id")
	other := srv.User(1002, "Yohanes", "id")
	srv.Block(blocker.ID())
	for range 2 {
		if _, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: blocker.ID(), Text: "x"}); !errors.Is(err, bot.ErrorForbidden) {
			t.Errorf("send to a blocked chat: err = %v", err)
		}
	}
	if _, err := b.SendDocument(ctx, &bot.SendDocumentParams{ChatID: blocker.ID(), Document: &models.InputFileString{Data: "https://x/y.pdf"}}); !errors.Is(err, bot.ErrorForbidden) {
		t.Errorf("document to a blocked chat: err = %v", err)
	}
	if _, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: other.ID(), Text: "x"}); err != nil {
		t.Errorf("other chats are unaffected: %v", err)
	}
	srv.Unblock(blocker.ID())
	if _, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: blocker.ID(), Text: "x"}); err != nil {
		t.Errorf("after Unblock: %v", err)
	}
}
