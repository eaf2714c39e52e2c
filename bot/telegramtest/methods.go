package telegramtest

import (
	"context"
	"encoding/json"
	"net/http"
	"path"
	"reflect"
	"strings"
	"time"

	"github.com/go-telegram/bot/models"
)

type handlerFunc func(ctx context.Context, p Params) (any, *apiError)

// handler finds a method by name; Telegram matches method names case-insensitively.
func (s *Server) handler(method string) (handlerFunc, bool) {
	h, ok := map[string]handlerFunc{
		"getme":                  s.getMe,
		"getupdates":             s.getUpdates,
		"setwebhook":             s.setWebhook,
		"deletewebhook":          s.deleteWebhook,
		"getwebhookinfo":         s.getWebhookInfo,
		"sendmessage":            s.sendMessage,
		"sendphoto":              s.sendMedia("photo"),
		"senddocument":           s.sendMedia("document"),
		"sendmediagroup":         s.sendMediaGroup,
		"copymessage":            s.copyMessage,
		"editmessagetext":        s.editMessageText,
		"editmessagereplymarkup": s.editMessageReplyMarkup,
		"answercallbackquery":    s.answerCallbackQuery,
		"deletemessage":          s.deleteMessage,
		"getfile":                s.getFile,
		"setmycommands":          s.setMyCommands,
		"getmycommands":          s.getMyCommands,
		"deletemycommands":       s.deleteMyCommands,
		"sendchataction":         s.sendChatAction,
	}[strings.ToLower(method)]
	return h, ok
}

func (s *Server) getMe(context.Context, Params) (any, *apiError) {
	u := s.botUser()
	u.CanJoinGroups = true
	return u, nil
}

// markup is every shape reply_markup can take.
type markup struct {
	InlineKeyboard [][]models.InlineKeyboardButton `json:"inline_keyboard"`
	Keyboard       [][]models.KeyboardButton       `json:"keyboard"`
	RemoveKeyboard bool                            `json:"remove_keyboard"`
	raw            models.ReplyKeyboardMarkup
}

func (s *Server) parseMarkup(p Params) (*markup, *apiError) {
	if !p.Has("reply_markup") {
		return &markup{}, nil
	}
	var m markup
	if err := p.Decode("reply_markup", &m); err != nil {
		return nil, badRequest("can't parse reply keyboard markup JSON object")
	}
	if m.Keyboard != nil {
		_ = p.Decode("reply_markup", &m.raw)
	}
	if s.limits.enabled() {
		for _, row := range m.InlineKeyboard {
			for _, b := range row {
				if len(b.CallbackData) > maxCallbackData {
					return nil, badRequest("BUTTON_DATA_INVALID")
				}
			}
		}
	}
	return &m, nil
}

// apply sets the markup on a message record: inline keyboards travel with the message, reply
// keyboards only change what the user's phone shows.
func (m *markup) apply(r *record) {
	r.msg.ReplyMarkup = nil
	if m.InlineKeyboard != nil {
		r.msg.ReplyMarkup = &models.InlineKeyboardMarkup{InlineKeyboard: m.InlineKeyboard}
	}
	if m.Keyboard != nil {
		kb := m.raw
		r.replyKeyboard = &kb
	}
	r.removeKeyboard = m.RemoveKeyboard
}

// targetLocked finds the chat a send goes to and answers as Telegram does for blocked users
// and chats the bot has never seen.
func (s *Server) targetLocked(p Params) (*chat, *apiError) {
	id := p.Int("chat_id")
	if s.faults.blocked[id] {
		return nil, &apiError{Code: http.StatusForbidden, Description: "Forbidden: bot was blocked by the user"}
	}
	c, ok := s.chats[id]
	if !ok {
		return nil, badRequest("chat not found")
	}
	return c, nil
}

// textAndMarkup reads and checks what sendMessage and editMessageText share.
func (s *Server) textAndMarkup(p Params) (string, *markup, *apiError) {
	text := p.Get("text")
	if strings.TrimSpace(text) == "" {
		return "", nil, badRequest("message text is empty")
	}
	if err := s.checkText(text); err != nil {
		return "", nil, err
	}
	m, apiErr := s.parseMarkup(p)
	return text, m, apiErr
}

func (s *Server) sendMessage(_ context.Context, p Params) (any, *apiError) {
	text, m, apiErr := s.textAndMarkup(p)
	if apiErr != nil {
		return nil, apiErr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, apiErr := s.targetLocked(p)
	if apiErr != nil {
		return nil, apiErr
	}
	if apiErr := s.limits.takeLocked(c.user.ID, time.Now()); apiErr != nil {
		return nil, apiErr
	}
	r := s.newMessageLocked(c, true)
	r.msg.Text = text
	if p.Has("entities") {
		_ = p.Decode("entities", &r.msg.Entities)
	}
	m.apply(r)
	s.notifyLocked()
	return r.msg, nil
}

// sendMedia serves sendPhoto and sendDocument: field is "photo" or "document", given as an
// upload or as a file_id (or URL) string.
func (s *Server) sendMedia(field string) handlerFunc {
	return func(_ context.Context, p Params) (any, *apiError) {
		caption := p.Get("caption")
		if err := s.checkCaption(caption); err != nil {
			return nil, err
		}
		m, apiErr := s.parseMarkup(p)
		if apiErr != nil {
			return nil, apiErr
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		c, apiErr := s.targetLocked(p)
		if apiErr != nil {
			return nil, apiErr
		}
		var f *storedFile
		kind := field + "s"
		if up, ok := p.Files[field]; ok {
			f = s.storeFileLocked(kind, up.Filename, up.ContentType, up.Data)
		} else if ref := p.Get(field); s.files[ref] != nil {
			f = s.files[ref]
		} else if strings.HasPrefix(ref, "http://") || strings.HasPrefix(ref, "https://") {
			f = s.storeFileLocked(kind, path.Base(ref), "", nil)
		} else {
			return nil, badRequest("wrong file identifier/HTTP URL specified")
		}
		if apiErr := s.limits.takeLocked(c.user.ID, time.Now()); apiErr != nil {
			return nil, apiErr
		}
		r := s.newMessageLocked(c, true)
		r.msg.Caption = caption
		if field == "photo" {
			r.msg.Photo = f.photo()
		} else {
			r.msg.Document = f.document()
		}
		m.apply(r)
		s.notifyLocked()
		return r.msg, nil
	}
}

func (s *Server) copyMessage(_ context.Context, p Params) (any, *apiError) {
	m, apiErr := s.parseMarkup(p)
	if apiErr != nil {
		return nil, apiErr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, apiErr := s.targetLocked(p)
	if apiErr != nil {
		return nil, apiErr
	}
	var src *record
	if from := s.chats[p.Int("from_chat_id")]; from != nil {
		src = from.find(int(p.Int("message_id")))
	}
	if src == nil || src.deleted {
		return nil, badRequest("message to copy not found")
	}
	if apiErr := s.limits.takeLocked(c.user.ID, time.Now()); apiErr != nil {
		return nil, apiErr
	}
	r := s.newMessageLocked(c, true)
	r.msg.Text, r.msg.Entities = src.msg.Text, src.msg.Entities
	r.msg.Caption, r.msg.Document, r.msg.Photo, r.msg.Contact = src.msg.Caption, src.msg.Document, src.msg.Photo, src.msg.Contact
	if p.Has("caption") {
		r.msg.Caption = p.Get("caption")
	}
	m.apply(r)
	s.notifyLocked()
	return models.MessageID{ID: r.msg.ID}, nil
}

// editableLocked finds a bot message to edit.
func (s *Server) editableLocked(p Params) (*record, *apiError) {
	if p.Has("inline_message_id") {
		return nil, badRequest("inline messages are not supported by the fake")
	}
	c, apiErr := s.targetLocked(p)
	if apiErr != nil {
		return nil, apiErr
	}
	r := c.find(int(p.Int("message_id")))
	if r == nil || r.deleted {
		return nil, badRequest("message to edit not found")
	}
	if !r.fromBot {
		return nil, badRequest("message can't be edited")
	}
	return r, nil
}

const notModified = "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message"

func (s *Server) editMessageText(_ context.Context, p Params) (any, *apiError) {
	text, m, apiErr := s.textAndMarkup(p)
	if apiErr != nil {
		return nil, apiErr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, apiErr := s.editableLocked(p)
	if apiErr != nil {
		return nil, apiErr
	}
	if r.msg.Text == "" {
		return nil, badRequest("there is no text in the message to edit")
	}
	if r.msg.Text == text && sameInline(r.msg.ReplyMarkup, m) {
		return nil, badRequest(notModified)
	}
	r.msg.Text = text
	r.msg.Entities = nil
	if p.Has("entities") {
		_ = p.Decode("entities", &r.msg.Entities)
	}
	setInline(r, m) // an edit without reply_markup removes the inline keyboard, as in Telegram
	r.edited = true
	r.msg.EditDate = int(time.Now().Unix())
	s.notifyLocked()
	return r.msg, nil
}

func (s *Server) editMessageReplyMarkup(_ context.Context, p Params) (any, *apiError) {
	m, apiErr := s.parseMarkup(p)
	if apiErr != nil {
		return nil, apiErr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, apiErr := s.editableLocked(p)
	if apiErr != nil {
		return nil, apiErr
	}
	if sameInline(r.msg.ReplyMarkup, m) {
		return nil, badRequest(notModified)
	}
	setInline(r, m)
	r.edited = true
	r.msg.EditDate = int(time.Now().Unix())
	s.notifyLocked()
	return r.msg, nil
}

func setInline(r *record, m *markup) {
	r.msg.ReplyMarkup = nil
	if len(m.InlineKeyboard) > 0 {
		r.msg.ReplyMarkup = &models.InlineKeyboardMarkup{InlineKeyboard: m.InlineKeyboard}
	}
}

func sameInline(cur *models.InlineKeyboardMarkup, m *markup) bool {
	if cur == nil || len(cur.InlineKeyboard) == 0 {
		return len(m.InlineKeyboard) == 0
	}
	return reflect.DeepEqual(cur.InlineKeyboard, m.InlineKeyboard)
}

func (s *Server) deleteMessage(_ context.Context, p Params) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.chats[p.Int("chat_id")]
	if !ok {
		return nil, badRequest("chat not found")
	}
	r := c.find(int(p.Int("message_id")))
	if r == nil || r.deleted {
		return nil, badRequest("message to delete not found")
	}
	r.deleted = true
	s.notifyLocked()
	return true, nil
}

// CallbackAnswer is an answerCallbackQuery the bot made.
type CallbackAnswer struct {
	QueryID   string
	Text      string
	ShowAlert bool
	URL       string
}

func (s *Server) answerCallbackQuery(_ context.Context, p Params) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := p.Get("callback_query_id")
	if !s.queries[id] {
		return nil, badRequest("query is too old and response timeout expired or query ID is invalid")
	}
	delete(s.queries, id)
	s.answers = append(s.answers, CallbackAnswer{QueryID: id, Text: p.Get("text"), ShowAlert: p.Bool("show_alert"), URL: p.Get("url")})
	s.notifyLocked()
	return true, nil
}

// CallbackAnswers returns the bot's answers to callback queries, in order.
func (s *Server) CallbackAnswers() []CallbackAnswer {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]CallbackAnswer(nil), s.answers...)
}

func (s *Server) getFile(_ context.Context, p Params) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.files[p.Get("file_id")]
	if !ok {
		return nil, badRequest("invalid file_id")
	}
	if len(f.data) > MaxDownload {
		return nil, badRequest("file is too big")
	}
	return models.File{FileID: f.id, FileUniqueID: f.uniqueID, FileSize: int64(len(f.data)), FilePath: f.path}, nil
}

func (s *Server) sendChatAction(_ context.Context, p Params) (any, *apiError) {
	if p.Get("action") == "" {
		return nil, badRequest("wrong parameter action in request")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, apiErr := s.targetLocked(p); apiErr != nil {
		return nil, apiErr
	}
	return true, nil
}

// scopeKey turns a command scope's JSON into a canonical key; no scope is the default scope.
func scopeKey(scopeJSON []byte, languageCode string) string {
	var v map[string]any
	if len(scopeJSON) == 0 || json.Unmarshal(scopeJSON, &v) != nil {
		v = map[string]any{"type": "default"}
	}
	canon, _ := json.Marshal(v) // map keys marshal sorted
	return string(canon) + "|" + languageCode
}

func (s *Server) setMyCommands(_ context.Context, p Params) (any, *apiError) {
	var cmds []models.BotCommand
	if err := p.Decode("commands", &cmds); err != nil {
		return nil, badRequest("can't parse commands JSON object")
	}
	key := scopeKey([]byte(p.Get("scope")), p.Get("language_code"))
	s.mu.Lock()
	defer s.mu.Unlock()
	s.commands[key] = cmds
	return true, nil
}

func (s *Server) deleteMyCommands(_ context.Context, p Params) (any, *apiError) {
	key := scopeKey([]byte(p.Get("scope")), p.Get("language_code"))
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.commands, key)
	return true, nil
}

func (s *Server) getMyCommands(_ context.Context, p Params) (any, *apiError) {
	key := scopeKey([]byte(p.Get("scope")), p.Get("language_code"))
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]models.BotCommand{}, s.commands[key]...), nil
}

// Commands returns what the bot set with setMyCommands for a scope (nil means the default
// scope) and language code ("" for all languages).
func (s *Server) Commands(scope models.BotCommandScope, languageCode string) []models.BotCommand {
	var scopeJSON []byte
	if scope != nil {
		scopeJSON, _ = scope.MarshalCustom()
	}
	key := scopeKey(scopeJSON, languageCode)
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]models.BotCommand(nil), s.commands[key]...)
}
