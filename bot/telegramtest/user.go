package telegramtest

import (
	"fmt"
	"strings"

	"github.com/go-telegram/bot/models"
)

// User is a Telegram user talking to the bot in a private chat, driven by the test. Its chat id
// equals its user id.
type User struct {
	srv *Server
	id  int64
}

// User returns the user with this id, creating it and its private chat on first use. The bot can
// send only to chats of known users; others answer "Bad Request: chat not found".
func (s *Server) User(id int64, firstName, languageCode string) *User {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.chats[id]; !ok {
		s.chats[id] = &chat{user: models.User{ID: id, FirstName: firstName, LanguageCode: languageCode}}
	}
	return &User{srv: s, id: id}
}

// ID is the user's id, which is also its private chat's id.
func (u *User) ID() int64 { return u.id }

// send adds a message from the user to the chat and queues it as an update.
func (u *User) send(fill func(s *Server, c *chat, m *models.Message)) int64 {
	s := u.srv
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chats[u.id]
	r := s.newMessageLocked(c, false)
	fill(s, c, &r.msg)
	msg := r.msg
	return s.enqueueLocked(models.Update{Message: &msg})
}

// Send sends a text message. A text starting with "/" carries a bot_command entity over the
// command ("/start" of "/start status_ABC"), as Telegram marks it. It returns the update_id.
func (u *User) Send(text string) int64 {
	return u.send(func(_ *Server, _ *chat, m *models.Message) {
		m.Text = text
		if strings.HasPrefix(text, "/") {
			cmd, _, _ := strings.Cut(text, " ")
			m.Entities = []models.MessageEntity{{Type: models.MessageEntityTypeBotCommand, Offset: 0, Length: utf16Len(cmd)}}
		}
	})
}

// SendContact shares a phone number. ownUserID true is what a request_contact button sends:
// the contact carries the user's own id; false is a contact picked from the address book.
func (u *User) SendContact(phone string, ownUserID bool) int64 {
	return u.send(func(_ *Server, c *chat, m *models.Message) {
		m.Contact = &models.Contact{PhoneNumber: phone, FirstName: c.user.FirstName, LastName: c.user.LastName}
		if ownUserID {
			m.Contact.UserID = u.id
		}
	})
}

// SendDocument sends a file; the server gives it a file_id and serves its bytes through getFile
// and /file/.
func (u *User) SendDocument(name, mimeType string, data []byte) int64 {
	return u.send(func(s *Server, _ *chat, m *models.Message) {
		m.Document = s.storeFileLocked("documents", name, mimeType, data).document()
	})
}

// SendPhoto sends a photo (one size; width and height are read from the bytes when they are a
// JPEG, PNG or GIF).
func (u *User) SendPhoto(data []byte) int64 {
	return u.send(func(s *Server, _ *chat, m *models.Message) {
		m.Photo = s.storeFileLocked("photos", "", "image/jpeg", data).photo()
	})
}

// Press taps the inline button with this label on the newest bot message that has one, sending
// a callback_query. It returns the update_id, or an error when no such button is on screen.
func (u *User) Press(label string) (int64, error) {
	s := u.srv
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chats[u.id]
	var seen []string
	for i := len(c.msgs) - 1; i >= 0; i-- {
		r := c.msgs[i]
		if !r.fromBot || r.deleted || r.msg.ReplyMarkup == nil {
			continue
		}
		for _, row := range r.msg.ReplyMarkup.InlineKeyboard {
			for _, b := range row {
				if b.Text == label && b.CallbackData != "" {
					return s.pressLocked(c, r, r.msg.ID, b.CallbackData), nil
				}
				seen = append(seen, b.Text)
			}
		}
	}
	return 0, fmt.Errorf("telegramtest: chat %d has no inline button %q (buttons on screen: %q)", u.id, label, seen)
}

// PressData sends a callback_query with any data for any message id, as a stale or forged
// button press would. It returns the update_id.
func (u *User) PressData(messageID int, data string) int64 {
	s := u.srv
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chats[u.id]
	return s.pressLocked(c, c.find(messageID), messageID, data)
}

func (s *Server) pressLocked(c *chat, r *record, messageID int, data string) int64 {
	s.nextQuery++
	id := fmt.Sprintf("%d%08d", c.user.ID, s.nextQuery)
	s.queries[id] = true
	cq := &models.CallbackQuery{ID: id, From: c.user, ChatInstance: fmt.Sprint(-c.user.ID), Data: data}
	if r != nil && !r.deleted {
		msg := r.msg
		cq.Message = models.MaybeInaccessibleMessage{Type: models.MaybeInaccessibleMessageTypeMessage, Message: &msg}
	} else {
		cq.Message = models.MaybeInaccessibleMessage{Type: models.MaybeInaccessibleMessageTypeInaccessibleMessage,
			InaccessibleMessage: &models.InaccessibleMessage{Chat: c.chatModel(), MessageID: messageID}}
	}
	return s.enqueueLocked(models.Update{CallbackQuery: cq})
}
