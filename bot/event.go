package bot

import (
	"strings"
	"time"

	"github.com/go-telegram/bot/models"

	"umkmbot/flows"
)

// UpdateChatID is the chat an update belongs to, 0 when it belongs to none (inline queries,
// polls...). It is what orders the update among the others of its chat.
func UpdateChatID(u *models.Update) int64 {
	for _, m := range []*models.Message{u.Message, u.EditedMessage, u.ChannelPost, u.EditedChannelPost,
		u.BusinessMessage, u.EditedBusinessMessage} {
		if m != nil {
			return m.Chat.ID
		}
	}
	switch {
	case u.CallbackQuery != nil:
		switch m := u.CallbackQuery.Message; {
		case m.Message != nil:
			return m.Message.Chat.ID
		case m.InaccessibleMessage != nil:
			return m.InaccessibleMessage.Chat.ID
		}
		if u.CallbackQuery.InlineMessageID == "" {
			return u.CallbackQuery.From.ID // a press with no message: answer in the user's chat
		}
	case u.MyChatMember != nil:
		return u.MyChatMember.Chat.ID
	case u.ChatMember != nil:
		return u.ChatMember.Chat.ID
	case u.ChatJoinRequest != nil:
		return u.ChatJoinRequest.Chat.ID
	case u.MessageReaction != nil:
		return u.MessageReaction.Chat.ID
	}
	return 0
}

// EventOf turns an update into what the conversation engine understands. ok is false for
// updates the bot does not answer; the dispatcher marks them done. The choices:
//
//   - a message with text, a command, a contact, a document or a photo becomes that event;
//   - a message of any other content (sticker, voice, location, video...) in a private chat
//     becomes a text event with no text, which the engine answers by asking again for what the
//     current step needs (or with the menu): a person is never left in silence;
//   - a button press becomes EventButton (the callback id stays in the update: the dispatcher
//     answers it);
//   - edited messages are ignored: the engine already answered the original, and handling the
//     edit as a new answer would move a flow on twice. So are channel posts, group messages
//     that are not commands to this bot, membership changes, reactions and the rest.
//
// botUsername (without @) is the bot's own username: "/cmd@other_bot" is not for us and is
// ignored. Empty accepts any. The event carries the update's id.
func EventOf(u *models.Update, botUsername string) (flows.Event, bool) {
	ev, ok := eventOf(u, botUsername)
	if ok {
		ev.UpdateID = u.ID
		// A NUL character is valid in Telegram's text but not in PostgreSQL's: an answer holding
		// one could never be kept. It carries no meaning; it goes.
		ev.Text = strings.ReplaceAll(ev.Text, "\x00", "")
		ev.Data = strings.ReplaceAll(ev.Data, "\x00", "")
	}
	return ev, ok
}

func eventOf(u *models.Update, botUsername string) (ev flows.Event, ok bool) {
	switch {
	case u.Message != nil:
		return messageEvent(u.Message, botUsername)
	case u.CallbackQuery != nil:
		q := u.CallbackQuery
		chatID := UpdateChatID(u)
		if chatID == 0 {
			return flows.Event{}, false
		}
		if m := q.Message.Message; m != nil && m.Chat.Type != "" && m.Chat.Type != models.ChatTypePrivate {
			return flows.Event{}, false // a button under a message in a group: see messageEvent
		}
		ev = flows.Event{ChatID: chatID, UserID: q.From.ID, FirstName: q.From.FirstName,
			LangCode: q.From.LanguageCode, Kind: flows.EventButton, Data: q.Data, At: time.Now()}
		switch m := q.Message; {
		case m.Message != nil:
			ev.MessageID = m.Message.ID
		case m.InaccessibleMessage != nil:
			ev.MessageID = m.InaccessibleMessage.MessageID
		}
		return ev, true
	}
	return flows.Event{}, false
}

func messageEvent(m *models.Message, botUsername string) (flows.Event, bool) {
	if m.From == nil || m.From.IsBot {
		return flows.Event{}, false
	}
	ev := flows.Event{ChatID: m.Chat.ID, UserID: m.From.ID, FirstName: m.From.FirstName,
		LangCode: m.From.LanguageCode, Kind: flows.EventText, At: time.Unix(int64(m.Date), 0)}
	if m.Date == 0 {
		ev.At = time.Now()
	}
	if m.Chat.Type != "" && m.Chat.Type != models.ChatTypePrivate {
		// Groups and channels are ignored: a conversation holds personal data and one
		// person's answers, and the owner's chat_id must stay their private chat.
		return flows.Event{}, false
	}
	switch {
	case strings.HasPrefix(m.Text, "/"):
		cmd, args, forUs := parseCommand(m.Text, botUsername)
		if !forUs {
			return flows.Event{}, false
		}
		ev.Kind, ev.Command, ev.Text = flows.EventCommand, cmd, args
	case m.Text != "":
		ev.Text = m.Text
	case m.Contact != nil:
		ev.Kind = flows.EventContact
		ev.Contact = &flows.Contact{Phone: m.Contact.PhoneNumber, UserID: m.Contact.UserID}
	case m.Document != nil:
		d := m.Document
		ev.Kind = flows.EventDocument
		ev.File = &flows.File{ID: d.FileID, UniqueID: d.FileUniqueID, Name: d.FileName, MIME: d.MimeType, Size: d.FileSize}
	case len(m.Photo) > 0:
		p := largestPhoto(m.Photo)
		ev.Kind = flows.EventPhoto
		ev.File = &flows.File{ID: p.FileID, UniqueID: p.FileUniqueID, MIME: "image/jpeg", Size: int64(p.FileSize)}
	default:
		// Sticker, voice, location...: a text event with no text (see EventOf).
	}
	return ev, true
}

// parseCommand splits "/Cmd@bot_name args" into "cmd" and "args". forUs is false when the
// command names another bot.
func parseCommand(text, botUsername string) (cmd, args string, forUs bool) {
	head, rest, _ := strings.Cut(strings.TrimPrefix(text, "/"), " ")
	if i := strings.IndexAny(head, "\n\t"); i >= 0 { // "/start\nmore" is a command too
		rest = head[i+1:] + " " + rest
		head = head[:i]
	}
	name, target, addressed := strings.Cut(head, "@")
	if addressed && botUsername != "" && !strings.EqualFold(target, botUsername) {
		return "", "", false
	}
	return strings.ToLower(name), strings.TrimSpace(rest), true
}

// largestPhoto picks the biggest of the sizes Telegram offers of one photo.
func largestPhoto(sizes []models.PhotoSize) models.PhotoSize {
	best := sizes[0]
	for _, p := range sizes[1:] {
		if p.Width*p.Height > best.Width*best.Height || (p.Width*p.Height == best.Width*best.Height && p.FileSize > best.FileSize) {
			best = p
		}
	}
	return best
}
