// Package flowtest runs the conversation engine, with the owner's and the staff's flows, against a
// private schema of a real PostgreSQL, for transcript tests: "owner sends X, bot answers Y, the
// database holds Z". A test package of its own so that flows/owner and flows/staff both use it.
package flowtest

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"umkmbot/flows"
	"umkmbot/flows/domain"
	"umkmbot/flows/owner"
	"umkmbot/flows/staff"
	"umkmbot/locales"
	"umkmbot/store"
	"umkmbot/store/storetest"
)

// Harness runs the engine against a private schema, with a clock the test moves.
type Harness struct {
	TB   testing.TB
	DB   *store.Store
	E    *flows.Engine
	Msgs *locales.Bundle
	// Files are the bytes of the files people send, for the engine to read (UploadData).
	Files *Files
	mu    sync.Mutex
	now   time.Time
}

// New is a harness on a fresh schema; its clock starts at 2026-12-03 09:00 WITA.
func New(t testing.TB) *Harness {
	t.Helper()
	h := &Harness{TB: t, DB: storetest.New(t), Files: &Files{}, now: time.Date(2026, 12, 3, 1, 0, 0, 0, time.UTC)}
	h.E = h.Engine()
	return h
}

// Engine builds a new engine on the same database: h.E = h.Engine() is a restart.
func (h *Harness) Engine() *flows.Engine {
	h.TB.Helper()
	msgs, err := locales.Load()
	if err != nil {
		h.TB.Fatal(err)
	}
	h.Msgs = msgs
	rules, err := domain.LoadRules()
	if err != nil {
		h.TB.Fatal(err)
	}
	e, err := flows.New(flows.Config{Messages: msgs, Rules: rules, Now: h.Clock, BotUsername: "umkm_test_bot", Files: h.Files}, owner.Flowset(), staff.Flowset())
	if err != nil {
		h.TB.Fatal(err)
	}
	return e
}

// Clock is the harness's time.
func (h *Harness) Clock() time.Time {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.now
}

// Advance moves the clock on.
func (h *Harness) Advance(d time.Duration) {
	h.mu.Lock()
	h.now = h.now.Add(d)
	h.mu.Unlock()
}

// T is a message as the owner would see it, for assertions.
func (h *Harness) T(lang, id string, data ...map[string]any) string {
	return h.Msgs.For(lang).T(id, data...)
}

// Chat is one person talking to the bot.
type Chat struct {
	H     *Harness
	TB    testing.TB
	User  int64
	Lang  string
	Name  string
	MsgID int
	Last  flows.Result
	IDs   []int // message ids of the last replies
	Log   []string
}

// Chat is the person with that Telegram id, whose Telegram speaks lang.
func (h *Harness) Chat(user int64, lang string) *Chat {
	return &Chat{H: h, TB: h.TB, User: user, Lang: lang, Name: fmt.Sprintf("User%d", user)}
}

// Do hands one event of this person to the engine in a transaction of its own.
func (c *Chat) Do(ev flows.Event) flows.Result {
	c.TB.Helper()
	ev.ChatID, ev.UserID, ev.FirstName, ev.LangCode = c.User, c.User, c.Name, c.Lang
	var res flows.Result
	err := c.H.DB.Tx(context.Background(), func(tx pgx.Tx) error {
		var err error
		res, err = c.H.E.Handle(context.Background(), tx, ev)
		return err
	})
	if err != nil {
		c.TB.Fatalf("handle %+v: %v\ntranscript so far:\n%s", ev, err, c.Transcript())
	}
	c.Last = res
	c.IDs = c.IDs[:0]
	for _, r := range res.Replies {
		if r.CommandMenu != "" { // no message: the chat's command menu in Telegram
			c.IDs = append(c.IDs, 0)
			c.Log = append(c.Log, "bot sets the command menu: "+r.CommandMenu)
			continue
		}
		if r.EditMessageID != 0 {
			c.IDs = append(c.IDs, r.EditMessageID)
		} else {
			c.MsgID++
			c.IDs = append(c.IDs, c.MsgID)
		}
		if strings.Contains(r.Text, "[[") {
			c.TB.Errorf("reply shows a missing message: %q", r.Text)
		}
		for _, row := range r.Buttons {
			for _, b := range row {
				if strings.Contains(b.Label, "[[") {
					c.TB.Errorf("button shows a missing message: %q", b.Label)
				}
				if len(b.Data) > 64 {
					c.TB.Errorf("callback data over 64 bytes: %q", b.Data)
				}
			}
		}
		line := "bot: " + r.Text + ButtonsText(r)
		for _, m := range r.Media {
			line += "\n     [album: " + m.Caption + "]"
		}
		if r.Upload != nil {
			line += "\n     [file: " + r.Upload.Name + "]"
		}
		c.Log = append(c.Log, line)
	}
	return res
}

// ButtonsText shows a reply's buttons the way transcripts print them.
func ButtonsText(r flows.Reply) string {
	var parts []string
	for _, row := range r.Buttons {
		for _, b := range row {
			parts = append(parts, "["+b.Label+"]")
		}
	}
	for _, row := range r.Keyboard {
		for _, b := range row {
			parts = append(parts, "‹"+b.Label+"›")
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "\n     " + strings.Join(parts, " ")
}

// Transcript is the conversation so far.
func (c *Chat) Transcript() string { return strings.Join(c.Log, "\n") }

// Send sends a text, or a command when it starts with a slash.
func (c *Chat) Send(text string) flows.Result {
	c.TB.Helper()
	c.Log = append(c.Log, "you: "+text)
	if strings.HasPrefix(text, "/") {
		cmd, args, _ := strings.Cut(text[1:], " ")
		return c.Do(flows.Event{Kind: flows.EventCommand, Command: cmd, Text: args})
	}
	return c.Do(flows.Event{Kind: flows.EventText, Text: text})
}

// Press presses the button with that label on the bot's last replies.
func (c *Chat) Press(label string) flows.Result {
	c.TB.Helper()
	data, msgID, ok := c.findButton(label)
	if !ok {
		c.TB.Fatalf("no button %q on the last replies\ntranscript:\n%s", label, c.Transcript())
		return flows.Result{}
	}
	c.Log = append(c.Log, "you press: "+label)
	return c.Do(flows.Event{Kind: flows.EventButton, Data: data, MessageID: msgID})
}

// findButton finds a labelled button of the last replies: its callback data and its message.
func (c *Chat) findButton(label string) (data string, msgID int, ok bool) {
	for i, r := range c.Last.Replies {
		for _, row := range r.Buttons {
			for _, b := range row {
				if b.Label == label {
					return b.Data, c.IDs[i], true
				}
			}
		}
	}
	return "", 0, false
}

// PressMsg presses the button whose label is the message id's text in the chat's language.
func (c *Chat) PressMsg(id string, data ...map[string]any) flows.Result {
	c.TB.Helper()
	return c.Press(c.H.T(c.Lang, id, data...))
}

// ButtonData returns the callback data of a labelled button of the last replies, and its message.
func (c *Chat) ButtonData(label string) (string, int) {
	c.TB.Helper()
	data, msgID, ok := c.findButton(label)
	if !ok {
		c.TB.Fatalf("no button %q\ntranscript:\n%s", label, c.Transcript())
	}
	return data, msgID
}

// PressData presses a button by its data, as an old message's button would be.
func (c *Chat) PressData(data string, msgID int) flows.Result {
	c.TB.Helper()
	c.Log = append(c.Log, "you press (old): "+data)
	return c.Do(flows.Event{Kind: flows.EventButton, Data: data, MessageID: msgID})
}

// Upload sends a document.
func (c *Chat) Upload(name, mime string, size int64) flows.Result {
	c.TB.Helper()
	c.Log = append(c.Log, "you send file: "+name)
	id := fmt.Sprintf("file-%d-%s", c.User, name)
	return c.Do(flows.Event{Kind: flows.EventDocument, File: &flows.File{ID: id, UniqueID: "u" + id, Name: name, MIME: mime, Size: size}})
}

// Photo sends a photo.
func (c *Chat) Photo() flows.Result {
	c.TB.Helper()
	c.Log = append(c.Log, "you send photo")
	c.MsgID++
	id := fmt.Sprintf("photo-%d-%d", c.User, c.MsgID)
	return c.Do(flows.Event{Kind: flows.EventPhoto, File: &flows.File{ID: id, UniqueID: "u" + id, MIME: "image/jpeg", Size: 120_000}})
}

// Contact shares a phone number, the person's own or someone else's.
func (c *Chat) Contact(phone string, own bool) flows.Result {
	c.TB.Helper()
	c.Log = append(c.Log, "you share contact")
	uid := c.User
	if !own {
		uid = c.User + 999
	}
	return c.Do(flows.Event{Kind: flows.EventContact, Contact: &flows.Contact{Phone: phone, UserID: uid}})
}

// Text is all the reply texts of the last turn.
func (c *Chat) Text() string {
	var b strings.Builder
	for _, r := range c.Last.Replies {
		b.WriteString(r.Text + "\n")
	}
	return b.String()
}

// Expect checks that the last turn's replies contain each fragment.
func (c *Chat) Expect(fragments ...string) {
	c.TB.Helper()
	got := c.Text()
	for _, f := range fragments {
		if !strings.Contains(got, f) {
			c.TB.Fatalf("the bot's last replies lack %q\ntranscript:\n%s", f, c.Transcript())
		}
	}
}

// ExpectMsg checks that the last replies contain the message id (in the chat's language).
func (c *Chat) ExpectMsg(id string, data ...map[string]any) {
	c.TB.Helper()
	c.Expect(c.H.T(c.Lang, id, data...))
}

// ExpectNot checks that no reply of the last turn contains the fragment.
func (c *Chat) ExpectNot(fragment string) {
	c.TB.Helper()
	if strings.Contains(c.Text(), fragment) {
		c.TB.Fatalf("the bot's last replies contain %q\ntranscript:\n%s", fragment, c.Transcript())
	}
}

// HasButton says whether the last replies show a button with that label.
func (c *Chat) HasButton(label string) bool {
	_, _, ok := c.findButton(label)
	return ok
}

// Query runs one SQL query returning one value.
func (h *Harness) Query(dst any, sql string, args ...any) {
	h.TB.Helper()
	if err := h.DB.DB().QueryRow(context.Background(), sql, args...).Scan(dst); err != nil {
		h.TB.Fatalf("%s: %v", sql, err)
	}
}
