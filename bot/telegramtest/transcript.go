package telegramtest

import (
	"context"
	"fmt"
	"strings"

	"github.com/go-telegram/bot/models"
)

// Button is an inline keyboard button as the user sees it.
type Button struct {
	Label string
	Data  string // callback_data
	URL   string
}

// KeyButton is a reply keyboard button.
type KeyButton struct {
	Label           string
	RequestContact  bool
	RequestLocation bool
}

// Entry is one message of a chat as it stands now: edits applied, deletions marked.
type Entry struct {
	MessageID int
	FromBot   bool
	// Text is the message's text, or its caption for a photo or document.
	Text           string
	Buttons        [][]Button    // inline keyboard
	Keyboard       [][]KeyButton // reply keyboard the message brought up
	RemoveKeyboard bool
	Document       *models.Document
	Photo          []models.PhotoSize
	Contact        *models.Contact
	Edited         bool
	Deleted        bool
	// Message is the full message as the bot would receive it now.
	Message models.Message
}

// Transcript is a chat's messages in order, both directions.
type Transcript []Entry

func entryOf(r *record) Entry {
	e := Entry{
		MessageID: r.msg.ID, FromBot: r.fromBot, Text: r.msg.Text, RemoveKeyboard: r.removeKeyboard,
		Document: r.msg.Document, Photo: r.msg.Photo, Contact: r.msg.Contact,
		Edited: r.edited, Deleted: r.deleted, Message: r.msg,
	}
	if e.Text == "" {
		e.Text = r.msg.Caption
	}
	if r.msg.ReplyMarkup != nil {
		for _, row := range r.msg.ReplyMarkup.InlineKeyboard {
			var bs []Button
			for _, b := range row {
				bs = append(bs, Button{Label: b.Text, Data: b.CallbackData, URL: b.URL})
			}
			e.Buttons = append(e.Buttons, bs)
		}
	}
	if r.replyKeyboard != nil {
		for _, row := range r.replyKeyboard.Keyboard {
			var ks []KeyButton
			for _, b := range row {
				ks = append(ks, KeyButton{Label: b.Text, RequestContact: b.RequestContact, RequestLocation: b.RequestLocation})
			}
			e.Keyboard = append(e.Keyboard, ks)
		}
	}
	return e
}

// Transcript returns the chat's messages in order, both directions.
func (u *User) Transcript() Transcript {
	s := u.srv
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.transcriptLocked(u.id, false)
}

func (s *Server) transcriptLocked(chatID int64, botOnly bool) Transcript {
	var t Transcript
	for _, r := range s.chats[chatID].msgs {
		if !botOnly || r.fromBot {
			t = append(t, entryOf(r))
		}
	}
	return t
}

// BotMessages returns the messages the bot sent to this chat, deleted ones included (marked).
func (u *User) BotMessages() []Entry {
	s := u.srv
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.transcriptLocked(u.id, true)
}

// WaitBotMessages waits until the bot has sent at least n messages to this chat and returns
// them all. When ctx ends first, the error shows the transcript so far.
func (u *User) WaitBotMessages(ctx context.Context, n int) ([]Entry, error) {
	s := u.srv
	for {
		s.mu.Lock()
		msgs := s.transcriptLocked(u.id, true)
		changed := s.changed
		s.mu.Unlock()
		if len(msgs) >= n {
			return msgs, nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return msgs, fmt.Errorf("telegramtest: waiting for %d bot messages in chat %d, got %d: %w\n%s",
				n, u.id, len(msgs), ctx.Err(), u.Transcript())
		}
	}
}

// String renders the transcript one message per line, for failure messages and golden tests:
//
//	user: /start
//	bot: Selamat datang! [Daftar→register] [Status→status]
//	bot (edited): ...
func (t Transcript) String() string {
	var b strings.Builder
	for _, e := range t {
		who := "user"
		if e.FromBot {
			who = "bot"
		}
		var marks []string
		if e.Edited {
			marks = append(marks, "edited")
		}
		if e.Deleted {
			marks = append(marks, "deleted")
		}
		if len(marks) > 0 {
			who += " (" + strings.Join(marks, ", ") + ")"
		}
		fmt.Fprintf(&b, "%s: %s", who, e.Text)
		switch {
		case e.Contact != nil:
			fmt.Fprintf(&b, "<contact %s>", e.Contact.PhoneNumber)
		case e.Document != nil:
			fmt.Fprintf(&b, " <document %s %s>", e.Document.FileName, e.Document.MimeType)
		case len(e.Photo) > 0:
			b.WriteString(" <photo>")
		}
		for _, row := range e.Buttons {
			for _, btn := range row {
				fmt.Fprintf(&b, " [%s→%s%s]", btn.Label, btn.Data, btn.URL)
			}
		}
		for _, row := range e.Keyboard {
			for _, k := range row {
				if k.RequestContact {
					fmt.Fprintf(&b, " {%s: contact}", k.Label)
				} else {
					fmt.Fprintf(&b, " {%s}", k.Label)
				}
			}
		}
		if e.RemoveKeyboard {
			b.WriteString(" {keyboard removed}")
		}
		b.WriteString("\n")
	}
	return b.String()
}
