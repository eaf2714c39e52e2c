package flows

import (
	"context"
	"time"

	"umkmbot/locales"
	"umkmbot/store"
)

// Ctx is one event being handled: the person and their role, their session, the transaction and
// the replies so far. Flows read and write through it.
type Ctx struct {
	context.Context
	e     *Engine
	set   *Flowset // the set serving this person now
	DB    store.DB
	Ev    Event
	Owner store.Owner
	Actor Actor
	Sess  *Session
	L     *locales.Localizer
	Now   time.Time
	res   Result

	newOwner     bool
	lastTouched  time.Time
	keyboardOpen bool // a reply keyboard was shown by this event
	forget       bool // the chat's session is deleted, not saved, after this event
	staleShown   bool // the event was a button no longer valid
	silent       bool // the event was a double tap, acknowledged without a reply
	// note, when set, is a line the next question shows above itself ("we were at…"); prompt,
	// when set, replaces the question's own text (the help of a document step).
	note, prompt string
}

// Engine is the engine handling this event: its rules, messages and configuration.
func (c *Ctx) Engine() *Engine { return c.e }

// NewOwner says whether this is the person's very first message.
func (c *Ctx) NewOwner() bool { return c.newOwner }

// T localizes a message in the person's language.
func (c *Ctx) T(id string, data ...map[string]any) string { return c.L.T(id, data...) }

// Say adds a plain reply.
func (c *Ctx) Say(text string) { c.res.Replies = append(c.res.Replies, Reply{Text: text}) }

// Reply adds a reply.
func (c *Ctx) Reply(r Reply) { c.res.Replies = append(c.res.Replies, r) }

// Notify queues a message for another chat.
func (c *Ctx) Notify(n Notice) { c.res.Notices = append(c.res.Notices, n) }

// Toast sets the short text shown for the pressed button.
func (c *Ctx) Toast(text string) { c.res.Answer = text }

// Get returns an answer of the running flow.
func (c *Ctx) Get(key string) string { return c.Sess.Data[key] }

// Set keeps an answer of the running flow.
func (c *Ctx) Set(key, value string) {
	if c.Sess.Data == nil {
		c.Sess.Data = map[string]string{}
	}
	c.Sess.Data[key] = value
}

// Del forgets an answer.
func (c *Ctx) Del(key string) { delete(c.Sess.Data, key) }

// ForgetSession makes the engine delete the chat's session after this event instead of saving
// it: the person's data was deleted, and an empty session saved again would still say they were
// here (and when).
func (c *Ctx) ForgetSession() { c.forget = true }

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
		if len(r.Buttons) == 0 && len(r.Keyboard) == 0 && r.EditMessageID == 0 && r.FileID == "" && r.CommandMenu == "" &&
			r.Upload == nil && len(r.Media) == 0 {
			r.RemoveKeyboard = true
			return
		}
	}
	c.res.Replies = append([]Reply{{Text: c.T("CommonKeyboardClosed"), RemoveKeyboard: true}}, c.res.Replies...)
}
