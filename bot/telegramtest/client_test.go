package telegramtest_test

import (
	"bytes"
	"errors"
	"image"
	"image/png"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"umkmbot/bot/telegramtest"
)

func TestRealClientMessagesKeyboardsAndEdits(t *testing.T) {
	srv := telegramtest.New(t)
	ctx := testContext(t)
	b := newBot(t, srv) // calls getMe with an empty multipart body
	owner := srv.User(1001, "Maria", "id")

	menu, err := b.SendMessage(ctx, &bot.SendMessageParams{
		ChatID: owner.ID(),
		Text:   "Selamat datang",
		ReplyMarkup: &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{
			{{Text: "Daftar usaha", CallbackData: "register"}, {Text: "Status", CallbackData: "status"}},
		}},
	})
	if err != nil {
		t.Fatalf("SendMessage: %v", err)
	}
	if menu.ID != 1 || menu.Chat.ID != owner.ID() || menu.From == nil || !menu.From.IsBot {
		t.Fatalf("sent message = %+v", menu)
	}
	if _, err := b.SendMessage(ctx, &bot.SendMessageParams{
		ChatID: owner.ID(),
		Text:   "Bagikan nomor HP Anda",
		ReplyMarkup: &models.ReplyKeyboardMarkup{Keyboard: [][]models.KeyboardButton{
			{{Text: "Bagikan nomor", RequestContact: true}},
		}, OneTimeKeyboard: true},
	}); err != nil {
		t.Fatalf("SendMessage with reply keyboard: %v", err)
	}
	owner.SendContact("6281234567890", true)

	tr := owner.Transcript()
	want := "bot: Selamat datang [Daftar usaha→register] [Status→status]\n" +
		"bot: Bagikan nomor HP Anda {Bagikan nomor: contact}\n" +
		"user: <contact 6281234567890>\n"
	if tr.String() != want {
		t.Fatalf("transcript:\n%s\nwant:\n%s", tr, want)
	}
	if tr[2].MessageID != 3 || tr[2].Contact.UserID != owner.ID() {
		t.Errorf("contact entry = %+v", tr[2])
	}
	if got := srv.Calls("sendMessage"); len(got) != 2 || got[0].Params.Get("chat_id") != "1001" {
		t.Errorf("recorded sendMessage calls = %+v", got)
	}

	// A press carries the message and its callback data; the bot answers it.
	pressID, err := owner.Press("Status")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := owner.Press("Hapus"); err == nil {
		t.Error("Press of a missing button: want an error")
	}
	ups := pollUpdates(t, ctx, srv, 0, 0)
	cq := ups[len(ups)-1].CallbackQuery
	if ups[len(ups)-1].ID != pressID || cq == nil || cq.Data != "status" || cq.Message.Message == nil || cq.Message.Message.ID != 1 {
		t.Fatalf("callback update = %+v", ups[len(ups)-1])
	}
	if ok, err := b.AnswerCallbackQuery(ctx, &bot.AnswerCallbackQueryParams{CallbackQueryID: cq.ID, Text: "Sebentar"}); err != nil || !ok {
		t.Fatalf("AnswerCallbackQuery: %v", err)
	}
	if got := srv.CallbackAnswers(); len(got) != 1 || got[0].QueryID != cq.ID || got[0].Text != "Sebentar" {
		t.Errorf("callback answers = %+v", got)
	}
	if _, err := b.AnswerCallbackQuery(ctx, &bot.AnswerCallbackQueryParams{CallbackQueryID: cq.ID}); !errors.Is(err, bot.ErrorBadRequest) {
		t.Errorf("second answer to the same query: err = %v, want bad request", err)
	}

	// Editing the text without reply_markup drops the keyboard, as Telegram does.
	edited, err := b.EditMessageText(ctx, &bot.EditMessageTextParams{ChatID: owner.ID(), MessageID: menu.ID, Text: "Status: diproses"})
	if err != nil || edited.EditDate == 0 {
		t.Fatalf("EditMessageText: %v %+v", err, edited)
	}
	if _, err := b.EditMessageText(ctx, &bot.EditMessageTextParams{ChatID: owner.ID(), MessageID: menu.ID, Text: "Status: diproses"}); !errors.Is(err, bot.ErrorBadRequest) || !strings.Contains(err.Error(), "message is not modified") {
		t.Errorf("same edit again: err = %v, want message is not modified", err)
	}
	if _, err := b.EditMessageReplyMarkup(ctx, &bot.EditMessageReplyMarkupParams{ChatID: owner.ID(), MessageID: menu.ID,
		ReplyMarkup: &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{{{Text: "Kembali", CallbackData: "back"}}}}}); err != nil {
		t.Fatalf("EditMessageReplyMarkup: %v", err)
	}
	if ok, err := b.DeleteMessage(ctx, &bot.DeleteMessageParams{ChatID: owner.ID(), MessageID: 2}); err != nil || !ok {
		t.Fatalf("DeleteMessage: %v", err)
	}
	if _, err := b.DeleteMessage(ctx, &bot.DeleteMessageParams{ChatID: owner.ID(), MessageID: 2}); !errors.Is(err, bot.ErrorBadRequest) {
		t.Errorf("deleting twice: err = %v", err)
	}
	want = "bot (edited): Status: diproses [Kembali→back]\n" +
		"bot (deleted): Bagikan nomor HP Anda {Bagikan nomor: contact}\n" +
		"user: <contact 6281234567890>\n"
	if got := owner.Transcript().String(); got != want {
		t.Fatalf("transcript after edits:\n%s\nwant:\n%s", got, want)
	}

	if ok, err := b.SendChatAction(ctx, &bot.SendChatActionParams{ChatID: owner.ID(), Action: models.ChatActionTyping}); err != nil || !ok {
		t.Errorf("SendChatAction: %v", err)
	}
	if _, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: 999, Text: "siapa?"}); !errors.Is(err, bot.ErrorBadRequest) {
		t.Errorf("send to an unknown chat: err = %v, want chat not found", err)
	}
}

func TestRealClientFiles(t *testing.T) {
	srv := telegramtest.New(t)
	ctx := testContext(t)
	b := newBot(t, srv, bot.WithSkipGetMe())
	owner := srv.User(1002, "Yohanes", "id")

	download := func(fileID string) []byte {
		t.Helper()
		f, err := b.GetFile(ctx, &bot.GetFileParams{FileID: fileID})
		if err != nil {
			t.Fatalf("GetFile: %v", err)
		}
		resp, err := http.Get(b.FileDownloadLink(f))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		data, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("download %s: %d", f.FilePath, resp.StatusCode)
		}
		return data
	}

	// The bot uploads a document; it can be downloaded and re-sent by file_id.
	pdf := []byte("%PDF-1.4 izin edar")
	sent, err := b.SendDocument(ctx, &bot.SendDocumentParams{
		ChatID:   owner.ID(),
		Document: &models.InputFileUpload{Filename: "izin.pdf", Data: bytes.NewReader(pdf)},
		Caption:  "Sertifikat Anda",
	})
	if err != nil {
		t.Fatalf("SendDocument: %v", err)
	}
	doc := sent.Document
	if doc == nil || doc.FileName != "izin.pdf" || doc.MimeType != "application/pdf" || doc.FileSize != int64(len(pdf)) {
		t.Fatalf("document = %+v", doc)
	}
	if got := download(doc.FileID); !bytes.Equal(got, pdf) {
		t.Errorf("downloaded %q, want %q", got, pdf)
	}
	again, err := b.SendDocument(ctx, &bot.SendDocumentParams{ChatID: owner.ID(), Document: &models.InputFileString{Data: doc.FileID}})
	if err != nil || again.Document.FileID != doc.FileID {
		t.Fatalf("SendDocument by file_id: %v %+v", err, again)
	}
	if _, err := b.SendDocument(ctx, &bot.SendDocumentParams{ChatID: owner.ID(), Document: &models.InputFileString{Data: "nope"}}); !errors.Is(err, bot.ErrorBadRequest) {
		t.Errorf("unknown file_id: err = %v", err)
	}

	// A user's document and photo get file ids the bot can fetch.
	owner.SendDocument("nib.pdf", "application/pdf", []byte("NIB 123"))
	var img bytes.Buffer
	png.Encode(&img, image.NewRGBA(image.Rect(0, 0, 40, 30)))
	owner.SendPhoto(img.Bytes())
	ups := pollUpdates(t, ctx, srv, 0, 0)
	if len(ups) != 2 || ups[0].Message.Document == nil || len(ups[1].Message.Photo) != 1 {
		t.Fatalf("updates = %+v", ups)
	}
	if got := download(ups[0].Message.Document.FileID); string(got) != "NIB 123" {
		t.Errorf("user document = %q", got)
	}
	photo := ups[1].Message.Photo[0]
	if photo.Width != 40 || photo.Height != 30 || !bytes.Equal(download(photo.FileID), img.Bytes()) {
		t.Errorf("photo = %+v", photo)
	}

	// The bot sends a photo upload and copies the user's document back.
	p, err := b.SendPhoto(ctx, &bot.SendPhotoParams{ChatID: owner.ID(), Photo: &models.InputFileUpload{Filename: "label.png", Data: bytes.NewReader(img.Bytes())}})
	if err != nil || len(p.Photo) != 1 || p.Photo[0].Width != 40 {
		t.Fatalf("SendPhoto: %v %+v", err, p)
	}
	cp, err := b.CopyMessage(ctx, &bot.CopyMessageParams{ChatID: owner.ID(), FromChatID: owner.ID(), MessageID: ups[0].Message.ID, Caption: "Dokumen diterima"})
	if err != nil {
		t.Fatalf("CopyMessage: %v", err)
	}
	last := owner.Transcript()[len(owner.Transcript())-1]
	if last.MessageID != cp.ID || !last.FromBot || last.Document.FileName != "nib.pdf" || last.Text != "Dokumen diterima" {
		t.Errorf("copied message = %+v", last)
	}
	if data, ok := srv.File(doc.FileID); !ok || !bytes.Equal(data, pdf) {
		t.Errorf("srv.File = %q %v", data, ok)
	}
}

func TestRealClientCommandsAndWebhookSettings(t *testing.T) {
	srv := telegramtest.New(t)
	ctx := testContext(t)
	b := newBot(t, srv, bot.WithSkipGetMe())

	cmds := []models.BotCommand{{Command: "start", Description: "Mulai"}, {Command: "status", Description: "Cek status"}}
	if _, err := b.SetMyCommands(ctx, &bot.SetMyCommandsParams{Commands: cmds, Scope: &models.BotCommandScopeAllPrivateChats{}, LanguageCode: "id"}); err != nil {
		t.Fatalf("SetMyCommands: %v", err)
	}
	if _, err := b.SetMyCommands(ctx, &bot.SetMyCommandsParams{Commands: cmds[:1]}); err != nil {
		t.Fatalf("SetMyCommands default: %v", err)
	}
	if got := srv.Commands(&models.BotCommandScopeAllPrivateChats{}, "id"); len(got) != 2 || got[1].Command != "status" {
		t.Errorf("private chats/id commands = %+v", got)
	}
	if got := srv.Commands(nil, ""); len(got) != 1 {
		t.Errorf("default commands = %+v", got)
	}
	if got := srv.Commands(&models.BotCommandScopeAllPrivateChats{}, "en"); len(got) != 0 {
		t.Errorf("private chats/en commands = %+v", got)
	}

	if _, err := b.SetWebhook(ctx, &bot.SetWebhookParams{URL: "https://umkm.example/hook", SecretToken: "s3cret", MaxConnections: 5}); err != nil {
		t.Fatalf("SetWebhook: %v", err)
	}
	info, err := b.GetWebhookInfo(ctx)
	if err != nil || info.URL != "https://umkm.example/hook" || info.MaxConnections != 5 {
		t.Fatalf("GetWebhookInfo: %v %+v", err, info)
	}
	if calls := srv.Calls("setWebhook"); len(calls) != 1 || calls[0].Params.Get("secret_token") != "s3cret" {
		t.Errorf("setWebhook calls = %+v", calls)
	}
	if _, err := b.DeleteWebhook(ctx, &bot.DeleteWebhookParams{}); err != nil {
		t.Fatal(err)
	}
	if info, _ := b.GetWebhookInfo(ctx); info.URL != "" {
		t.Errorf("webhook still set: %+v", info)
	}
}

func TestWrongTokenAndUnknownMethod(t *testing.T) {
	srv := telegramtest.New(t)
	ctx := testContext(t)
	_, err := bot.New("42:wrong", bot.WithServerURL(srv.URL()))
	if !errors.Is(err, bot.ErrorUnauthorized) {
		t.Errorf("bot.New with a wrong token: err = %v, want unauthorized", err)
	}
	status, env := rawDo(t, ctx, srv.URL()+"/bot42:wrong/getMe", "application/json", "{}")
	if status != http.StatusUnauthorized || env.OK || env.ErrorCode != 401 || env.Description != "Unauthorized" {
		t.Errorf("wrong token: %d %+v", status, env)
	}
	status, env = rawJSON(t, ctx, srv, "sendPigeon", map[string]any{"chat_id": 1})
	if status != http.StatusNotFound || env.ErrorCode != 404 || env.Description != "Not Found" {
		t.Errorf("unknown method: %d %+v", status, env)
	}
}
