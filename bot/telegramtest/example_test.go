package telegramtest_test

import (
	"context"
	"fmt"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"umkmbot/bot/telegramtest"
)

// A conversation test: a real go-telegram/bot client polls the fake, a user sends /start and
// presses a button, and the test reads the chat back as a transcript.
func Example() {
	srv := telegramtest.NewServer(telegramtest.Options{}) // in a test: srv := telegramtest.New(t)
	defer srv.Close()

	handler := func(ctx context.Context, b *bot.Bot, update *models.Update) {
		switch {
		case update.Message != nil && update.Message.Text == "/start":
			b.SendMessage(ctx, &bot.SendMessageParams{
				ChatID: update.Message.Chat.ID,
				Text:   "Halo, " + update.Message.From.FirstName + "! Mau apa?",
				ReplyMarkup: &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{
					{{Text: "Daftar usaha", CallbackData: "register"}},
				}},
			})
		case update.CallbackQuery != nil:
			cq := update.CallbackQuery
			b.AnswerCallbackQuery(ctx, &bot.AnswerCallbackQueryParams{CallbackQueryID: cq.ID})
			b.EditMessageText(ctx, &bot.EditMessageTextParams{
				ChatID: cq.Message.Message.Chat.ID, MessageID: cq.Message.Message.ID,
				Text: "Baik, kita mulai pendaftaran.",
			})
		}
	}
	b, err := bot.New(srv.Token(), bot.WithServerURL(srv.URL()), bot.WithDefaultHandler(handler))
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	polling, stopPolling := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { b.Start(polling); close(done) }()
	defer func() { stopPolling(); <-done }()

	maria := srv.User(1001, "Maria", "id")
	maria.Send("/start")
	if _, err := maria.WaitBotMessages(ctx, 1); err != nil {
		fmt.Println(err)
		return
	}
	if _, err := maria.Press("Daftar usaha"); err != nil {
		fmt.Println(err)
		return
	}
	edited := func() bool { return len(srv.CallbackAnswers()) == 1 && maria.BotMessages()[0].Edited }
	if err := srv.WaitFor(ctx, edited); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(maria.Transcript())
	// Output:
	// user: /start
	// bot (edited): Baik, kita mulai pendaftaran.
}
