package bot

import (
	"context"

	tgbot "github.com/go-telegram/bot"

	"umkmbot/store"
)

// Named messages (flows.Reply.Ref and EditRef): a reply sent with Ref has its Telegram message id
// kept, by chat and name, in the same record batch as the send's outcome; a later reply to the
// chat with EditRef edits that message. When the name is unknown, or Telegram says the message is
// gone, the reply goes as a new message, which then carries the name: a broadcast's progress
// message survives a deleted chat history.

// resolveEditRef points a reply with EditRef at the message sent under that name (EditMessageID),
// leaving it a new message when there is none. sent are the names this claim of the chat's queue
// gave so far (recorded only with its outcome): the latest of them goes before the database, so
// an edit queued behind its named message edits it even when both go in one claim.
func (s *Sender) resolveEditRef(ctx context.Context, chatID int64, p *Payload, sent []store.MessageRef) error {
	if p.Kind != KindReply || p.Reply == nil || p.Reply.EditRef == "" || p.Reply.EditMessageID != 0 {
		return nil
	}
	id, ok := 0, false
	for i := len(sent) - 1; i >= 0; i-- {
		if sent[i].Ref == p.Reply.EditRef {
			id, ok = sent[i].MessageID, true
			break
		}
	}
	if !ok {
		wctx, cancel := context.WithTimeout(ctx, s.cfg.WriteTimeout)
		defer cancel()
		var err error
		id, ok, err = store.MessageRefID(wctx, s.cfg.Store.DB(), chatID, p.Reply.EditRef)
		if err != nil || !ok {
			return err
		}
	}
	r := *p.Reply
	r.EditMessageID = id
	p.Reply = &r
	return nil
}

// refName is the name the message a payload sends is kept under: its Ref, or the EditRef it was
// meant to edit (a new message sent in its place takes the name over).
func refName(p Payload) string {
	if p.Kind != KindReply || p.Reply == nil {
		return ""
	}
	if p.Reply.Ref != "" {
		return p.Reply.Ref
	}
	return p.Reply.EditRef
}

// doSent makes the call and returns the id of the text message it sent (0 for other calls: a
// named message is a text, such as a progress message).
func (c tgCall) doSent(ctx context.Context, b *tgbot.Bot) (int, error) {
	if c.message == nil {
		return 0, c.do(ctx, b)
	}
	m, err := b.SendMessage(ctx, c.message)
	if err != nil || m == nil {
		return 0, err
	}
	return m.ID, nil
}
