// Package telegramtest is a fake Telegram Bot API server for tests, built on net/http/httptest.
//
// It speaks the Bot API over HTTP the way go-telegram/bot expects (multipart, JSON or urlencoded
// requests; Telegram's {"ok":...} envelope), keeps per-chat conversations that tests can drive
// as a user (send text, contacts, documents, press inline buttons) and read back as a transcript,
// delivers updates by long polling or webhook push, and can inject failures and enforce
// Telegram's rate and size limits.
//
// A typical test:
//
//	srv := telegramtest.New(t)
//	b, _ := bot.New(srv.Token(), bot.WithServerURL(srv.URL()))
//	owner := srv.User(1001, "Maria", "id")
//	owner.Send("/start")
//	msgs, err := owner.WaitBotMessages(ctx, 1)
package telegramtest
