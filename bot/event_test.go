package bot

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"umkmbot/flows"
)

func TestEventOf(t *testing.T) {
	from := &models.User{ID: 5, FirstName: "Maria", LanguageCode: "en"}
	private := models.Chat{ID: 5, Type: models.ChatTypePrivate}
	group := models.Chat{ID: -100, Type: models.ChatTypeSupergroup}
	msg := func(m models.Message) *models.Update {
		m.From, m.Date = from, 1700000000
		if m.Chat.ID == 0 {
			m.Chat = private
		}
		return &models.Update{ID: 1, Message: &m}
	}
	for _, tc := range []struct {
		name string
		u    *models.Update
		want *flows.Event // nil: ignored
	}{
		{"text", msg(models.Message{Text: "Kopi Bajawa"}), &flows.Event{Kind: flows.EventText, Text: "Kopi Bajawa"}},
		{"start with payload", msg(models.Message{Text: "/start status_NTT-1234"}), &flows.Event{Kind: flows.EventCommand, Command: "start", Text: "status_NTT-1234"}},
		{"command for us", msg(models.Message{Text: "/Daftar@umkm_test_bot  x y "}), &flows.Event{Kind: flows.EventCommand, Command: "daftar", Text: "x y"}},
		{"command for another bot", msg(models.Message{Text: "/daftar@other_bot"}), nil},
		{"command in a group: ignored, the owner's conversation is private", msg(models.Message{Chat: group, Text: "/menu"}), nil},
		{"text in a group", msg(models.Message{Chat: group, Text: "halo"}), nil},
		{"contact", msg(models.Message{Contact: &models.Contact{PhoneNumber: "+6281234567890", UserID: 5}}),
			&flows.Event{Kind: flows.EventContact, Contact: &flows.Contact{Phone: "+6281234567890", UserID: 5}}},
		{"document", msg(models.Message{Document: &models.Document{FileID: "f", FileUniqueID: "u", FileName: "nib.pdf", MimeType: "application/pdf", FileSize: 1234}}),
			&flows.Event{Kind: flows.EventDocument, File: &flows.File{ID: "f", UniqueID: "u", Name: "nib.pdf", MIME: "application/pdf", Size: 1234}}},
		{"photo: the largest", msg(models.Message{Photo: []models.PhotoSize{{FileID: "s", Width: 90, Height: 90, FileSize: 10}, {FileID: "l", FileUniqueID: "ul", Width: 1280, Height: 960, FileSize: 900}, {FileID: "m", Width: 320, Height: 240}}}),
			&flows.Event{Kind: flows.EventPhoto, File: &flows.File{ID: "l", UniqueID: "ul", MIME: "image/jpeg", Size: 900}}},
		{"sticker: empty text", msg(models.Message{Sticker: &models.Sticker{FileID: "st"}}), &flows.Event{Kind: flows.EventText}},
		{"edited message", &models.Update{ID: 1, EditedMessage: &models.Message{Chat: private, From: from, Text: "x"}}, nil},
		{"button", &models.Update{ID: 1, CallbackQuery: &models.CallbackQuery{ID: "q", From: *from, Data: "app:7",
			Message: models.MaybeInaccessibleMessage{Type: models.MaybeInaccessibleMessageTypeMessage, Message: &models.Message{ID: 42, Chat: private}}}},
			&flows.Event{Kind: flows.EventButton, Data: "app:7", MessageID: 42}},
		{"button on an old message", &models.Update{ID: 1, CallbackQuery: &models.CallbackQuery{ID: "q", From: *from, Data: "x",
			Message: models.MaybeInaccessibleMessage{Type: models.MaybeInaccessibleMessageTypeInaccessibleMessage, InaccessibleMessage: &models.InaccessibleMessage{MessageID: 3, Chat: private}}}},
			&flows.Event{Kind: flows.EventButton, Data: "x", MessageID: 3}},
		{"text without a date", &models.Update{ID: 1, Message: &models.Message{Chat: private, From: from, Text: "x"}}, &flows.Event{Kind: flows.EventText, Text: "x"}},
		{"channel post", &models.Update{ID: 1, ChannelPost: &models.Message{Chat: models.Chat{ID: -5, Type: models.ChatTypeChannel}, Text: "x"}}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Through JSON, as the update comes from the inbox.
			raw, _ := json.Marshal(tc.u)
			var u models.Update
			if err := json.Unmarshal(raw, &u); err != nil {
				t.Fatal(err)
			}
			before := time.Now()
			ev, ok := EventOf(&u, "umkm_test_bot")
			after := time.Now()
			if tc.want == nil {
				if ok {
					t.Fatalf("not ignored: %+v", ev)
				}
				return
			}
			if !ok {
				t.Fatal("ignored")
			}
			want := *tc.want
			if want.ChatID == 0 {
				want.ChatID = 5
			}
			want.UserID, want.FirstName, want.LangCode, want.UpdateID = 5, "Maria", "en", 1
			if u.CallbackQuery != nil || u.Message.Date == 0 {
				// A button press carries no date of its own (nor does a message without one):
				// the event happens when the update is read.
				if ev.At.Before(before) || ev.At.After(after) {
					t.Fatalf("At = %v, want the moment the update was read (%v .. %v)", ev.At, before, after)
				}
				want.At = ev.At
			} else {
				want.At = time.Unix(1700000000, 0) // the message's own date, not when it was read
			}
			ev.At, want.At = ev.At.UTC(), want.At.UTC()
			g, _ := json.Marshal(ev)
			w, _ := json.Marshal(want)
			if string(g) != string(w) {
				t.Fatalf("\n got %s\nwant %s", g, w)
			}
			if UpdateChatID(&u) != want.ChatID {
				t.Fatalf("chat id %d", UpdateChatID(&u))
			}
		})
	}
}

// Telegram allows a NUL in a message's text; PostgreSQL does not in text or jsonb. The event
// never carries one.
func TestEventOfDropsNUL(t *testing.T) {
	var u models.Update
	if err := json.Unmarshal([]byte(`{"update_id":3,"message":{"message_id":1,"date":1,"chat":{"id":5,"type":"private"},
		"from":{"id":5,"is_bot":false,"first_name":"M"},"text":"Kopi\u0000 Bajawa"}}`), &u); err != nil {
		t.Fatal(err)
	}
	ev, ok := EventOf(&u, "")
	if !ok || ev.Text != "Kopi Bajawa" {
		t.Fatalf("EventOf = %q, %v", ev.Text, ok)
	}
}
