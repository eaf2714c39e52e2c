package flows_test

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
	"umkmbot/locales"
	"umkmbot/store"
	"umkmbot/store/storetest"
)

// harness runs the engine against a private schema, with a clock the test moves.
type harness struct {
	t    testing.TB
	db   *store.Store
	e    *flows.Engine
	msgs *locales.Bundle
	mu   sync.Mutex
	now  time.Time
}

func newHarness(t *testing.T) *harness { return newBenchHarness(t) }

// newBenchHarness is newHarness for benchmarks too.
func newBenchHarness(t testing.TB) *harness {
	t.Helper()
	h := &harness{t: t, db: storetest.New(t), now: time.Date(2026, 12, 3, 1, 0, 0, 0, time.UTC)}
	h.e = h.engine()
	return h
}

// engine builds a new engine on the same database: a restart.
func (h *harness) engine() *flows.Engine {
	h.t.Helper()
	msgs, err := locales.Load()
	if err != nil {
		h.t.Fatal(err)
	}
	h.msgs = msgs
	rules, err := domain.LoadRules()
	if err != nil {
		h.t.Fatal(err)
	}
	e, err := flows.New(flows.Config{Messages: msgs, Rules: rules, Now: h.clock})
	if err != nil {
		h.t.Fatal(err)
	}
	return e
}

func (h *harness) clock() time.Time {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.now
}

func (h *harness) advance(d time.Duration) {
	h.mu.Lock()
	h.now = h.now.Add(d)
	h.mu.Unlock()
}

// T is a message as the owner would see it, for assertions.
func (h *harness) T(lang, id string, data ...map[string]any) string {
	return h.msgs.For(lang).T(id, data...)
}

// chat is one person talking to the bot.
type chat struct {
	h     *harness
	t     testing.TB
	user  int64
	lang  string
	name  string
	msgID int
	last  flows.Result
	ids   []int // message ids of the last replies
	log   []string
}

func (h *harness) chat(user int64, lang string) *chat {
	return &chat{h: h, t: h.t, user: user, lang: lang, name: fmt.Sprintf("User%d", user)}
}

func (c *chat) do(ev flows.Event) flows.Result {
	c.t.Helper()
	ev.ChatID, ev.UserID, ev.FirstName, ev.LangCode = c.user, c.user, c.name, c.lang
	var res flows.Result
	err := c.h.db.Tx(context.Background(), func(tx pgx.Tx) error {
		var err error
		res, err = c.h.e.Handle(context.Background(), tx, ev)
		return err
	})
	if err != nil {
		c.t.Fatalf("handle %+v: %v\ntranscript so far:\n%s", ev, err, c.transcript())
	}
	c.last = res
	c.ids = c.ids[:0]
	for _, r := range res.Replies {
		if r.EditMessageID != 0 {
			c.ids = append(c.ids, r.EditMessageID)
		} else {
			c.msgID++
			c.ids = append(c.ids, c.msgID)
		}
		if strings.Contains(r.Text, "[[") {
			c.t.Errorf("reply shows a missing message: %q", r.Text)
		}
		for _, row := range r.Buttons {
			for _, b := range row {
				if strings.Contains(b.Label, "[[") {
					c.t.Errorf("button shows a missing message: %q", b.Label)
				}
				if len(b.Data) > 64 {
					c.t.Errorf("callback data over 64 bytes: %q", b.Data)
				}
			}
		}
		c.log = append(c.log, "bot: "+r.Text+buttonsText(r))
	}
	return res
}

func buttonsText(r flows.Reply) string {
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

func (c *chat) transcript() string { return strings.Join(c.log, "\n") }

// send sends a text, or a command when it starts with a slash.
func (c *chat) send(text string) flows.Result {
	c.t.Helper()
	c.log = append(c.log, "you: "+text)
	if strings.HasPrefix(text, "/") {
		cmd, args, _ := strings.Cut(text[1:], " ")
		return c.do(flows.Event{Kind: flows.EventCommand, Command: cmd, Text: args})
	}
	return c.do(flows.Event{Kind: flows.EventText, Text: text})
}

// press presses the button with that label on the bot's last replies.
func (c *chat) press(label string) flows.Result {
	c.t.Helper()
	for i, r := range c.last.Replies {
		for _, row := range r.Buttons {
			for _, b := range row {
				if b.Label == label {
					c.log = append(c.log, "you press: "+label)
					return c.do(flows.Event{Kind: flows.EventButton, Data: b.Data, MessageID: c.ids[i]})
				}
			}
		}
	}
	c.t.Fatalf("no button %q on the last replies\ntranscript:\n%s", label, c.transcript())
	return flows.Result{}
}

// pressMsg presses the button whose label is the message id's text in the chat's language.
func (c *chat) pressMsg(id string, data ...map[string]any) flows.Result {
	c.t.Helper()
	return c.press(c.h.T(c.lang, id, data...))
}

// buttonData returns the callback data of a labelled button of the last replies.
func (c *chat) buttonData(label string) (string, int) {
	c.t.Helper()
	for i, r := range c.last.Replies {
		for _, row := range r.Buttons {
			for _, b := range row {
				if b.Label == label {
					return b.Data, c.ids[i]
				}
			}
		}
	}
	c.t.Fatalf("no button %q\ntranscript:\n%s", label, c.transcript())
	return "", 0
}

func (c *chat) pressData(data string, msgID int) flows.Result {
	c.t.Helper()
	c.log = append(c.log, "you press (old): "+data)
	return c.do(flows.Event{Kind: flows.EventButton, Data: data, MessageID: msgID})
}

func (c *chat) upload(name, mime string, size int64) flows.Result {
	c.t.Helper()
	c.log = append(c.log, "you send file: "+name)
	id := fmt.Sprintf("file-%d-%s", c.user, name)
	return c.do(flows.Event{Kind: flows.EventDocument, File: &flows.File{ID: id, UniqueID: "u" + id, Name: name, MIME: mime, Size: size}})
}

func (c *chat) photo() flows.Result {
	c.t.Helper()
	c.log = append(c.log, "you send photo")
	c.msgID++
	id := fmt.Sprintf("photo-%d-%d", c.user, c.msgID)
	return c.do(flows.Event{Kind: flows.EventPhoto, File: &flows.File{ID: id, UniqueID: "u" + id, MIME: "image/jpeg", Size: 120_000}})
}

func (c *chat) contact(phone string, own bool) flows.Result {
	c.t.Helper()
	c.log = append(c.log, "you share contact")
	uid := c.user
	if !own {
		uid = c.user + 999
	}
	return c.do(flows.Event{Kind: flows.EventContact, Contact: &flows.Contact{Phone: phone, UserID: uid}})
}

// text is all the reply texts of the last turn.
func (c *chat) text() string {
	var b strings.Builder
	for _, r := range c.last.Replies {
		b.WriteString(r.Text + "\n")
	}
	return b.String()
}

// expect checks that the last turn's replies contain each fragment.
func (c *chat) expect(fragments ...string) {
	c.t.Helper()
	got := c.text()
	for _, f := range fragments {
		if !strings.Contains(got, f) {
			c.t.Fatalf("the bot's last replies lack %q\ntranscript:\n%s", f, c.transcript())
		}
	}
}

// expectMsg checks that the last replies contain the message id (in the chat's language).
func (c *chat) expectMsg(id string, data ...map[string]any) {
	c.t.Helper()
	c.expect(c.h.T(c.lang, id, data...))
}

// expectNot checks that no reply of the last turn contains the fragment.
func (c *chat) expectNot(fragment string) {
	c.t.Helper()
	if strings.Contains(c.text(), fragment) {
		c.t.Fatalf("the bot's last replies contain %q\ntranscript:\n%s", fragment, c.transcript())
	}
}

// hasButton says whether the last replies show a button with that label.
func (c *chat) hasButton(label string) bool {
	for _, r := range c.last.Replies {
		for _, row := range r.Buttons {
			for _, b := range row {
				if b.Label == label {
					return true
				}
			}
		}
	}
	return false
}

// query runs one SQL query returning one value.
func (h *harness) query(dst any, sql string, args ...any) {
	h.t.Helper()
	if err := h.db.DB().QueryRow(context.Background(), sql, args...).Scan(dst); err != nil {
		h.t.Fatalf("%s: %v", sql, err)
	}
}
