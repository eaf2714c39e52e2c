package bot

import (
	"bytes"
	"context"
	"errors"
	"strings"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"umkmbot/flows"
)

// Telegram's size limits, counted in UTF-16 code units as Telegram counts them.
const (
	maxMessageText  = 4096
	maxCaption      = 1024
	maxCallbackText = 200
)

// tgCall is one Bot API request an outbox payload becomes. Exactly one of the params is set.
// Text is always sent plain (no parse_mode), so what an owner typed needs no escaping.
type tgCall struct {
	method     string // for logs and errors; never the text
	message    *tgbot.SendMessageParams
	edit       *tgbot.EditMessageTextParams
	editMarkup *tgbot.EditMessageReplyMarkupParams
	document   *tgbot.SendDocumentParams
	upload     *flows.Upload // the bytes of document, when it is an upload (read afresh on each try)
	photo      *tgbot.SendPhotoParams
	album      *tgbot.SendMediaGroupParams // one album of a Reply.Media
	answer     *tgbot.AnswerCallbackQueryParams
	commands   *tgbot.SetMyCommandsParams    // a chat's command menu (Reply.CommandMenu)
	noCommands *tgbot.DeleteMyCommandsParams // a chat's command menu taken away
}

// errEmptyReply is a reply with nothing to send: no text, no file, nothing to edit.
var errEmptyReply = errors.New("bot: reply has no text and no file")

// errMediaWithFile is a reply with both an album and a single file, which has no one order.
var errMediaWithFile = errors.New("bot: reply has both media and a file")

// maxAlbum is how many files one sendMediaGroup takes (and 2 the fewest).
const maxAlbum = 10

// renderPayload turns an outbox payload into the Telegram calls that deliver it, in order. paid
// marks sends with allow_paid_broadcast.
func renderPayload(chatID int64, p Payload, paid bool) ([]tgCall, error) {
	switch p.Kind {
	case KindCallbackAnswer:
		return []tgCall{{method: "answerCallbackQuery", answer: &tgbot.AnswerCallbackQueryParams{
			CallbackQueryID: p.CallbackID, Text: truncateUTF16(p.Text, maxCallbackText)}}}, nil
	case KindReply:
		if p.Reply == nil {
			return nil, errEmptyReply
		}
		return renderReply(chatID, *p.Reply, paid)
	default:
		return nil, errors.New("bot: unknown payload kind " + string(p.Kind))
	}
}

// renderReply turns one engine reply into calls:
//   - a file (FileID) is sent as a document or photo with Text as caption, bytes the bot made
//     (Upload) as an uploaded document; a caption too long for Telegram goes as the following
//     message(s) instead;
//   - text longer than one message is split at paragraphs, then lines, then words;
//   - EditMessageID edits that message with the (first part of the) text; an edit with no text
//     only replaces the message's inline buttons. Files and reply keyboards cannot be edited in,
//     so a file is always sent new, and a reply keyboard on a one-message edit is dropped;
//   - an album (Media) is sent as the albums albumCalls makes, then Text as its own message(s);
//   - the markup (inline buttons, else a reply keyboard or its removal) goes on the last message,
//     where the owner's eye and thumb are (an album takes none: the markup of an album without
//     text is dropped).
//
// The calls of a reply are the same every time it is rendered: a retry goes on after the calls
// an earlier attempt made (Payload.Sent), so an album already sent is not sent again.
//
// A reply with a CommandMenu is no message: it sets the chat's command menu (commandMenuCall).
func renderReply(chatID int64, r flows.Reply, paid bool) ([]tgCall, error) {
	if r.CommandMenu != "" {
		c, err := commandMenuCall(chatID, r.CommandMenu, r.Lang)
		return []tgCall{c}, err
	}
	markup := replyMarkup(r)
	if len(r.Media) > 0 {
		if r.FileID != "" || r.Upload != nil {
			return nil, errMediaWithFile
		}
		return append(albumCalls(chatID, r.Media, paid), textCalls(chatID, r.Text, 0, markup, paid)...), nil
	}
	if r.FileID != "" || r.Upload != nil {
		var file models.InputFile = &models.InputFileString{Data: r.FileID}
		if r.Upload != nil {
			file = &models.InputFileUpload{Filename: r.Upload.Name}
		}
		caption, rest := r.Text, ""
		if utf16Len(caption) > maxCaption {
			caption, rest = "", r.Text
		}
		var fileMarkup models.ReplyMarkup
		if strings.TrimSpace(rest) == "" {
			fileMarkup = markup
		}
		c := fileCall(chatID, file, r.Photo && r.Upload == nil, caption, fileMarkup, paid)
		c.upload = r.Upload
		return append([]tgCall{c}, textCalls(chatID, rest, 0, markup, paid)...), nil
	}
	if strings.TrimSpace(r.Text) == "" {
		if r.EditMessageID != 0 {
			return []tgCall{{method: "editMessageReplyMarkup", editMarkup: &tgbot.EditMessageReplyMarkupParams{
				ChatID: chatID, MessageID: r.EditMessageID, ReplyMarkup: inlineMarkup(r.Buttons)}}}, nil
		}
		return nil, errEmptyReply
	}
	return textCalls(chatID, r.Text, r.EditMessageID, markup, paid), nil
}

// albumCalls sends media as albums, one sendMediaGroup each: documents cannot share an album
// with photos, so the files go in one run per kind (the first file's kind first, each kind in
// its given order), cut into as few albums of at most maxAlbum as will do, of even sizes (11
// photos go as 6 and 5, not 10 and a lone one). A lone file is sent as a plain photo or
// document. Captions longer than Telegram allows are cut.
func albumCalls(chatID int64, media []flows.Media, paid bool) []tgCall {
	var calls []tgCall
	for _, run := range mediaRuns(media) {
		n := len(run)
		albums := (n + maxAlbum - 1) / maxAlbum
		for i := range albums {
			size := n / albums
			if i < n%albums {
				size++
			}
			calls = append(calls, albumCall(chatID, run[:size], paid))
			run = run[size:]
		}
	}
	return calls
}

// mediaRuns splits media by kind, the first file's kind first.
func mediaRuns(media []flows.Media) [][]flows.Media {
	var first, second []flows.Media
	for _, m := range media {
		if m.Photo == media[0].Photo {
			first = append(first, m)
		} else {
			second = append(second, m)
		}
	}
	if len(second) == 0 {
		return [][]flows.Media{first}
	}
	return [][]flows.Media{first, second}
}

// albumCall is one album of files of one kind: a sendMediaGroup, or for a lone file a plain send.
func albumCall(chatID int64, files []flows.Media, paid bool) tgCall {
	if len(files) == 1 {
		f := files[0]
		return fileCall(chatID, &models.InputFileString{Data: f.FileID}, f.Photo, truncateUTF16(f.Caption, maxCaption), nil, paid)
	}
	items := make([]models.InputMedia, 0, len(files))
	for _, f := range files {
		caption := truncateUTF16(f.Caption, maxCaption)
		if f.Photo {
			items = append(items, &models.InputMediaPhoto{Media: f.FileID, Caption: caption})
		} else {
			items = append(items, &models.InputMediaDocument{Media: f.FileID, Caption: caption})
		}
	}
	return tgCall{method: "sendMediaGroup", album: &tgbot.SendMediaGroupParams{ChatID: chatID, Media: items,
		AllowPaidBroadcast: paid}}
}

// fileCall sends one file as a photo or a document, with its caption and markup.
func fileCall(chatID int64, file models.InputFile, photo bool, caption string, markup models.ReplyMarkup, paid bool) tgCall {
	if photo {
		return tgCall{method: "sendPhoto", photo: &tgbot.SendPhotoParams{ChatID: chatID, Photo: file,
			Caption: caption, AllowPaidBroadcast: paid, ReplyMarkup: markup}}
	}
	return tgCall{method: "sendDocument", document: &tgbot.SendDocumentParams{ChatID: chatID, Document: file,
		Caption: caption, AllowPaidBroadcast: paid, ReplyMarkup: markup}}
}

// textCalls sends text as one message or several, the first editing editID when it is set, the
// markup on the last. Empty text makes no call.
func textCalls(chatID int64, text string, editID int, markup models.ReplyMarkup, paid bool) []tgCall {
	parts := splitText(text, maxMessageText)
	calls := make([]tgCall, 0, len(parts))
	for i, part := range parts {
		var m models.ReplyMarkup
		if i == len(parts)-1 {
			m = markup
		}
		if i == 0 && editID != 0 {
			inline, _ := m.(*models.InlineKeyboardMarkup) // an edited message carries inline buttons only
			var em models.ReplyMarkup
			if inline != nil {
				em = inline
			}
			calls = append(calls, tgCall{method: "editMessageText", edit: &tgbot.EditMessageTextParams{
				ChatID: chatID, MessageID: editID, Text: part, ReplyMarkup: em}})
			continue
		}
		calls = append(calls, tgCall{method: "sendMessage", message: &tgbot.SendMessageParams{
			ChatID: chatID, Text: part, AllowPaidBroadcast: paid, ReplyMarkup: m}})
	}
	return calls
}

// replyMarkup is the one reply_markup a reply can carry: inline buttons win over a reply
// keyboard, which wins over removing one.
func replyMarkup(r flows.Reply) models.ReplyMarkup {
	switch {
	case len(r.Buttons) > 0:
		return inlineMarkup(r.Buttons)
	case len(r.Keyboard) > 0:
		kb := &models.ReplyKeyboardMarkup{ResizeKeyboard: true, OneTimeKeyboard: true}
		for _, row := range r.Keyboard {
			var out []models.KeyboardButton
			for _, b := range row {
				out = append(out, models.KeyboardButton{Text: b.Label, RequestContact: b.RequestContact})
			}
			kb.Keyboard = append(kb.Keyboard, out)
		}
		return kb
	case r.RemoveKeyboard:
		return &models.ReplyKeyboardRemove{RemoveKeyboard: true}
	}
	return nil
}

// inlineMarkup is nil for no buttons, so that a call without buttons sends no reply_markup (an
// edit without one removes the old buttons, as it should).
func inlineMarkup(rows [][]flows.Button) models.ReplyMarkup {
	if len(rows) == 0 {
		return nil
	}
	m := &models.InlineKeyboardMarkup{}
	for _, row := range rows {
		var out []models.InlineKeyboardButton
		for _, b := range row {
			out = append(out, models.InlineKeyboardButton{Text: b.Label, CallbackData: b.Data})
		}
		m.InlineKeyboard = append(m.InlineKeyboard, out)
	}
	return m
}

// asNewMessage is the send that replaces an edit whose message is gone or too old to edit: the
// same text and buttons as a new message. ok is false when there is nothing to send instead (an
// edit of buttons only).
func (c tgCall) asNewMessage() (tgCall, bool) {
	if c.edit == nil {
		return tgCall{}, false
	}
	return tgCall{method: "sendMessage", message: &tgbot.SendMessageParams{
		ChatID: c.edit.ChatID, Text: c.edit.Text, ReplyMarkup: c.edit.ReplyMarkup}}, true
}

// do makes the call.
func (c tgCall) do(ctx context.Context, b *tgbot.Bot) error {
	var err error
	switch {
	case c.message != nil:
		_, err = b.SendMessage(ctx, c.message)
	case c.edit != nil:
		_, err = b.EditMessageText(ctx, c.edit)
	case c.editMarkup != nil:
		_, err = b.EditMessageReplyMarkup(ctx, c.editMarkup)
	case c.document != nil && c.upload != nil:
		p := *c.document // a fresh reader for every try: a retried upload sends its bytes again
		p.Document = &models.InputFileUpload{Filename: c.upload.Name, Data: bytes.NewReader(c.upload.Data)}
		_, err = b.SendDocument(ctx, &p)
	case c.document != nil:
		_, err = b.SendDocument(ctx, c.document)
	case c.photo != nil:
		_, err = b.SendPhoto(ctx, c.photo)
	case c.album != nil:
		_, err = b.SendMediaGroup(ctx, c.album)
	case c.answer != nil:
		_, err = b.AnswerCallbackQuery(ctx, c.answer)
	case c.commands != nil:
		_, err = b.SetMyCommands(ctx, c.commands)
	case c.noCommands != nil:
		_, err = b.DeleteMyCommands(ctx, c.noCommands)
	default:
		err = errors.New("bot: empty call")
	}
	return err
}

// splitText cuts text into parts of at most limit UTF-16 code units, preferring to cut between
// paragraphs, then between lines, then between words, and only then inside a word. The separator
// at a cut is dropped; parts that would be only white space are left out.
func splitText(text string, limit int) []string {
	var parts []string
	add := func(s string) {
		if strings.TrimSpace(s) != "" {
			parts = append(parts, s)
		}
	}
	for utf16Len(text) > limit {
		head := text[:prefixWithin(text, limit)]
		cut, skip := -1, 0
		for _, sep := range []string{"\n\n", "\n", " "} {
			// A cut in the first half would make a needlessly short part; a word cut anywhere
			// still beats cutting a word.
			if i := strings.LastIndex(head, sep); i > 0 && (i >= len(head)/2 || sep == " ") {
				cut, skip = i, len(sep)
				break
			}
		}
		if cut < 0 {
			cut = len(head)
		}
		add(text[:cut])
		text = strings.TrimLeft(text[cut+skip:], "\n")
	}
	add(text)
	return parts
}

// prefixWithin is the byte length of the longest prefix of s that is at most limit UTF-16 code
// units, cut between runes.
func prefixWithin(s string, limit int) int {
	n := 0
	for i, r := range s {
		w := 1
		if r >= 0x10000 {
			w = 2
		}
		if n+w > limit {
			return i
		}
		n += w
	}
	return len(s)
}

// utf16Len counts text the way Telegram does: in UTF-16 code units, so an emoji outside the
// Basic Multilingual Plane counts twice.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// truncateUTF16 cuts s to at most limit UTF-16 code units, between runes.
func truncateUTF16(s string, limit int) string {
	return s[:prefixWithin(s, limit)]
}
