package telegramtest

import (
	"fmt"
	"mime"
	"path"
	"strings"
	"time"

	"github.com/go-telegram/bot/models"
)

// chat is one private chat: a user and the messages both sides have sent, in order.
type chat struct {
	user    models.User
	nextMsg int
	msgs    []*record
}

// record is one message as it stands now, edits applied.
type record struct {
	msg            models.Message
	fromBot        bool
	replyKeyboard  *models.ReplyKeyboardMarkup
	removeKeyboard bool
	edited         bool
	deleted        bool
}

// storedFile is a file the fake knows by file_id: uploaded by a user or by the bot.
type storedFile struct {
	id, uniqueID, path string
	name, mime         string
	data               []byte
}

func (c *chat) chatModel() models.Chat {
	return models.Chat{ID: c.user.ID, Type: models.ChatTypePrivate, FirstName: c.user.FirstName,
		LastName: c.user.LastName, Username: c.user.Username}
}

func (s *Server) botUser() models.User {
	return models.User{ID: s.botID, IsBot: true, FirstName: "UMKM Test Bot", Username: s.opts.BotUsername}
}

// newMessageLocked appends a message to the chat with the chat's next id (ids start at 1 and
// are shared by both directions, as in a Telegram private chat).
func (s *Server) newMessageLocked(c *chat, fromBot bool) *record {
	c.nextMsg++
	from := c.user
	if fromBot {
		from = s.botUser()
	}
	r := &record{fromBot: fromBot, msg: models.Message{
		ID: c.nextMsg, From: &from, Date: int(time.Now().Unix()), Chat: c.chatModel(),
	}}
	c.msgs = append(c.msgs, r)
	return r
}

func (c *chat) find(messageID int) *record {
	if messageID < 1 {
		return nil
	}
	for i := len(c.msgs) - 1; i >= 0; i-- {
		if c.msgs[i].msg.ID == messageID {
			return c.msgs[i]
		}
	}
	return nil
}

// storeFileLocked keeps data under a fresh file_id and file_path, as Telegram does for every
// file it sees.
func (s *Server) storeFileLocked(kind, name, mimeType string, data []byte) *storedFile {
	s.nextFile++
	n := s.nextFile
	ext := path.Ext(name)
	if ext == "" && kind == "photos" {
		ext = ".jpg"
	}
	if mimeType == "" || mimeType == "application/octet-stream" {
		if t := mime.TypeByExtension(ext); t != "" {
			mimeType, _, _ = strings.Cut(t, ";")
		} else {
			mimeType = "application/octet-stream"
		}
	}
	f := &storedFile{
		id:       fmt.Sprintf("BQACAgUAAxk-fake-%d", n),
		uniqueID: fmt.Sprintf("AgAD-fake-%d", n),
		path:     fmt.Sprintf("%s/file_%d%s", kind, n, ext),
		name:     name,
		mime:     mimeType,
		data:     data,
	}
	s.files[f.id] = f
	s.paths[f.path] = f
	return f
}

func (f *storedFile) document() *models.Document {
	return &models.Document{FileID: f.id, FileUniqueID: f.uniqueID, FileName: f.name,
		MimeType: f.mime, FileSize: int64(len(f.data))}
}

func (f *storedFile) photo() []models.PhotoSize {
	w, h := imageSize(f.data)
	return []models.PhotoSize{{FileID: f.id, FileUniqueID: f.uniqueID, Width: w, Height: h, FileSize: len(f.data)}}
}

// File returns the bytes of a file the fake knows by its file_id (sent by a user or uploaded
// by the bot).
func (s *Server) File(fileID string) ([]byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.files[fileID]
	if !ok {
		return nil, false
	}
	return append([]byte(nil), f.data...), true
}
