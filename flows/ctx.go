package flows

import (
	"context"
	"time"

	"umkmbot/locales"
	"umkmbot/store"
)

// Ctx is one event being handled: the person, their session, the transaction and the replies so
// far. Flows read and write through it.
type Ctx struct {
	context.Context
	e     *Engine
	DB    store.DB
	Ev    Event
	Owner store.Owner
	Sess  *Session
	L     *locales.Localizer
	Now   time.Time
	res   Result

	newOwner     bool
	lastTouched  time.Time
	keyboardOpen bool // a reply keyboard was shown by this event
	forget       bool // the chat's session is deleted, not saved, after this event
}

// T localizes a message in the owner's language.
func (c *Ctx) T(id string, data ...map[string]any) string { return c.L.T(id, data...) }

// say adds a plain reply.
func (c *Ctx) say(text string) { c.res.Replies = append(c.res.Replies, Reply{Text: text}) }

// reply adds a reply.
func (c *Ctx) reply(r Reply) { c.res.Replies = append(c.res.Replies, r) }

// notify queues a message for another chat.
func (c *Ctx) notify(n Notice) { c.res.Notices = append(c.res.Notices, n) }

// answer sets the toast shown for the pressed button.
func (c *Ctx) toast(text string) { c.res.Answer = text }

// get returns an answer of the running flow.
func (c *Ctx) get(key string) string { return c.Sess.Data[key] }

// set keeps an answer of the running flow.
func (c *Ctx) set(key, value string) {
	if c.Sess.Data == nil {
		c.Sess.Data = map[string]string{}
	}
	c.Sess.Data[key] = value
}

// del forgets an answer.
func (c *Ctx) del(key string) { delete(c.Sess.Data, key) }

// forgetSession makes the engine delete the chat's session after this event instead of saving
// it: the person's data was deleted, and an empty session saved again would still say they were
// here (and when).
func (c *Ctx) forgetSession() { c.forget = true }

// closeKeyboardIfLeft takes away a reply keyboard (the "share my number" button) once the
// conversation has moved past the step that showed it.
func (c *Ctx) closeKeyboardIfLeft() {
	if c.keyboardOpen {
		c.Sess.KeyboardOpen = true
		return
	}
	if !c.Sess.KeyboardOpen {
		return
	}
	c.Sess.KeyboardOpen = false
	for i := range c.res.Replies {
		r := &c.res.Replies[i]
		if len(r.Buttons) == 0 && len(r.Keyboard) == 0 && r.EditMessageID == 0 && r.FileID == "" {
			r.RemoveKeyboard = true
			return
		}
	}
	c.res.Replies = append([]Reply{{Text: c.T("CommonKeyboardClosed"), RemoveKeyboard: true}}, c.res.Replies...)
}
