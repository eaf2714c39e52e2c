package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"

	"umkmbot/bot/telegramtest"
	"umkmbot/locales"
)

// benchOwner is one simulated business owner: it plays the conversation against the fake
// Telegram and, like a person in a hurry, answers each question as soon as it arrives (after
// -think). The fake tells it of every call the bot makes to its chat (see benchRun.observe).
type benchOwner struct {
	r     *benchRun
	user  *telegramtest.User
	index int
	l     *locales.Localizer
	wake  chan struct{} // a call to this chat was seen

	mu   sync.Mutex
	seen []seenCall // the bot's calls to this chat since the owner's last update

	// Written by the owner's own goroutine, read after it ended.
	samples []benchSample
	rng     *rand.Rand // think times
	number  string     // the application number the registration got
	err     error      // why the owner gave up
	cut     bool       // stopped by -duration
}

// seenCall is a call of the bot to an owner's chat, as the fake answered it.
type seenCall struct {
	at      time.Time
	status  int
	answer  bool // answerCallbackQuery; else a message sent or edited
	text    string
	buttons []string // labels of the inline buttons
}

// benchSample is the latency of one update: from the moment the owner's update was queued at
// the fake to the bot's first answer to it (a message, or the answer of a pressed button), and to
// the last message of the reply (the question the owner answers next).
type benchSample struct {
	at          time.Time // when the update was queued
	first, last time.Duration
}

// benchStep is one update of an owner and how the owner knows the bot has answered it.
type benchStep struct {
	name string
	// send sends the update; question is the last message of the previous reply.
	send  func(o *benchOwner, question seenCall) (int64, error)
	press bool                // a button: the bot also answers the press itself
	done  func(seenCall) bool // the last message of the reply
	// again, when set, makes the owner repeat the step while the last message says so (press
	// Later until the summary comes).
	again func(seenCall) bool
}

// maxRepeats bounds a repeated step (a registration has fewer documents than this).
const maxRepeats = 15

var (
	benchNames   = []string{"Maria Goreti", "Yohanes Bosco", "Agustina Lado", "Bernadus Dhey", "Fransiska Wea", "Yosef Nuwa", "Theresia Mbu", "Petrus Ola"}
	benchPDF     = []byte("%PDF-1.4\n% umkmbot bench\n" + strings.Repeat("0123456789abcdef", 64) + "\n%%EOF\n")
	benchJPEG    = append([]byte{0xff, 0xd8, 0xff, 0xe0}, []byte(strings.Repeat("JFIF", 256))...)
	appNumberAny = regexp.MustCompile(`\b[A-Z]{1,8}-[0-9A-Z]{4}-[0-9A-Z]{4}\b`)
)

func newBenchOwner(r *benchRun, id int64, index int) *benchOwner {
	name := benchNames[index%len(benchNames)]
	first, _, _ := strings.Cut(name, " ")
	return &benchOwner{r: r, user: r.fake.User(id, first, "id"), index: index, l: r.msgs.For("id"), wake: make(chan struct{}, 1)}
}

// conversation is what every owner does, top to bottom: the profile (with a NIB that is too
// short, corrected), a word the bot does not understand, a registration of a home-industry
// coffee with two documents and a photo (and an unreadable net content), the rest of the
// documents left for later, the application sent, and its status checked by number.
func (o *benchOwner) conversation() []benchStep {
	T := o.l.T
	name := benchNames[o.index%len(benchNames)]
	return []benchStep{
		o.text("start", "/start", has(T("ProfileAskName"))),
		o.text("name", name, has(T("ProfileAskBusiness"))),
		o.text("business", fmt.Sprintf("Usaha %s %d", strings.Fields(name)[1], o.index), has(T("ProfileAskKabupaten"))),
		{name: "kabupaten", press: true, done: has(T("ProfileAskPhone")), send: func(o *benchOwner, question seenCall) (int64, error) {
			if len(question.buttons) == 0 {
				return 0, errors.New("the kabupaten question has no buttons")
			}
			return o.user.Press(question.buttons[0]) // the first kabupaten on the page
		}},
		{name: "phone", done: has(T("ProfileAskNIB")), send: func(o *benchOwner, _ seenCall) (int64, error) {
			return o.user.SendContact(fmt.Sprintf("+62812%08d", o.index), true), nil
		}},
		o.text("short NIB", "123", has(T("ProfileConfirmNIB", map[string]any{"Digits": 3, "NIB": "123"}))),
		o.press("NIB not right", T("CommonNo"), has(T("ProfileAskNIB"))),
		o.text("NIB", fmt.Sprintf("91%011d", o.index), has(T("RegisterAskPath"))), // the first profile is saved, the registration follows
		o.text("menu", "/menu", has(T("MenuText"))),
		o.text("not understood", "apa kabar?", has(T("MenuNotUnderstood"))),

		o.text("register", "/daftar", has(T("RegisterAskPath"))),
		o.press("path", T("PathName_spp_irt"), has(T("RegisterAskProductName", map[string]any{}))),
		o.text("product", "Kopi Bajawa", has(T("RegisterAskProductType"))),
		o.text("type", "Kopi bubuk", has(T("RegisterAskShelfLife"))), // the composition is asked once, as a document
		o.text("unreadable shelf life", "lama sekali", has(T("RegisterBadShelfLife"))),
		o.text("shelf life", "12 bulan", has(T("RegisterAskStorage"))),
		o.press("storage", T("Storage_cool_dry"), hasButton(T("CommonLater"))), // the NIB came with the profile
		{name: "product photo", done: hasButton(T("CommonLater")), send: func(o *benchOwner, _ seenCall) (int64, error) {
			return o.user.SendPhoto(benchJPEG), nil
		}},
		{name: "label document", done: hasButton(T("CommonLater")), send: func(o *benchOwner, _ seenCall) (int64, error) {
			return o.user.SendDocument("label.pdf", "application/pdf", benchPDF), nil
		}},
		{name: "later", press: true, send: pressLabel(T("CommonLater")),
			done:  func(m seenCall) bool { return hasButton(T("CommonLater"))(m) || has(T("RegisterSummary"))(m) },
			again: func(m seenCall) bool { return !has(T("RegisterSummary"))(m) }},
		o.press("send application", T("CommonSendButton"), has(T("MenuText"))),
		o.status(),
	}
}

// tail is what an owner does after the conversation when -updates asks for more.
func (o *benchOwner) tail() []benchStep {
	T := o.l.T
	return []benchStep{
		o.text("menu", "/menu", has(T("MenuText"))),
		o.text("not understood", "apa kabar?", has(T("MenuNotUnderstood"))),
		o.status(),
	}
}

func (o *benchOwner) text(name, text string, done func(seenCall) bool) benchStep {
	return benchStep{name: name, done: done, send: func(o *benchOwner, _ seenCall) (int64, error) { return o.user.Send(text), nil }}
}

func (o *benchOwner) press(name, label string, done func(seenCall) bool) benchStep {
	return benchStep{name: name, press: true, done: done, send: pressLabel(label)}
}

func pressLabel(label string) func(o *benchOwner, _ seenCall) (int64, error) {
	return func(o *benchOwner, _ seenCall) (int64, error) { return o.user.Press(label) }
}

// status checks the application by its number: the owner's full view names it.
func (o *benchOwner) status() benchStep {
	return benchStep{name: "status",
		send: func(o *benchOwner, _ seenCall) (int64, error) {
			if o.number == "" {
				return 0, errors.New("no application number to check (the registration's reply had none)")
			}
			return o.user.Send("/status " + o.number), nil
		},
		done: func(m seenCall) bool { return o.number != "" && strings.Contains(m.text, o.number) }}
}

func has(fragment string) func(seenCall) bool {
	return func(m seenCall) bool { return strings.Contains(m.text, fragment) }
}

func hasButton(label string) func(seenCall) bool {
	return func(m seenCall) bool {
		for _, b := range m.buttons {
			if b == label {
				return true
			}
		}
		return false
	}
}

// see records a call of the bot to this owner's chat; it runs in the fake's request handler.
func (o *benchOwner) see(c telegramtest.Call) {
	answer := strings.EqualFold(c.Method, "answerCallbackQuery")
	if !answer && !isMessageCall(c.Method) {
		return
	}
	sc := seenCall{at: c.At, status: c.Status, answer: answer}
	if !answer && c.Status == http.StatusOK {
		sc.text = c.Params.Get("text")
		if sc.text == "" {
			sc.text = c.Params.Get("caption")
		}
		sc.buttons = inlineLabels(c.Params.Get("reply_markup"))
	}
	o.mu.Lock()
	o.seen = append(o.seen, sc)
	o.mu.Unlock()
	select {
	case o.wake <- struct{}{}:
	default:
	}
}

func inlineLabels(markup string) []string {
	if !strings.Contains(markup, "inline_keyboard") {
		return nil
	}
	var m struct {
		InlineKeyboard [][]struct {
			Text string `json:"text"`
		} `json:"inline_keyboard"`
	}
	if json.Unmarshal([]byte(markup), &m) != nil {
		return nil
	}
	var labels []string
	for _, row := range m.InlineKeyboard {
		for _, b := range row {
			labels = append(labels, b.Text)
		}
	}
	return labels
}

// play runs the owner's conversation (and the tail, for -updates beyond it) until done, an
// unanswered update (o.err) or the end of ctx (o.cut).
// thinkTime is the owner's pause before their n-th update: people do not answer in step, so the
// first comes at a random moment within one think time and each later one after 0.5 to 1.5 think
// times (seeded by the owner's index, so a run is repeatable). Owners all answering in the same
// instant made waves of replies that Telegram's overall 30/s spread over seconds: the benchmark's
// figure, not the bot's.
func (o *benchOwner) thinkTime(n int) time.Duration {
	if o.rng == nil {
		o.rng = rand.New(rand.NewPCG(uint64(o.index), 0x756d6b6d))
	}
	t := o.r.opts.think
	if n == 0 {
		return time.Duration(o.rng.Int64N(int64(t)))
	}
	return t/2 + time.Duration(o.rng.Int64N(int64(t)))
}

func (o *benchOwner) play(ctx context.Context, start <-chan struct{}) {
	<-start
	script, tail := o.conversation(), o.tail()
	limit := o.r.opts.updates
	if limit == 0 {
		limit = len(script) // at least; a repeated step makes the conversation longer
	}
	repeats := 0
	var question seenCall
	for i, n := 0, 0; ; n++ {
		if o.r.opts.updates == 0 && i == len(script) || o.r.opts.updates > 0 && n == limit {
			return
		}
		st := script[min(i, len(script)-1)]
		if i >= len(script) {
			st = tail[(i-len(script))%len(tail)]
		}
		if o.r.opts.think > 0 {
			select {
			case <-ctx.Done():
				o.cut = true
				return
			case <-time.After(o.thinkTime(n)):
			}
		}
		last, err := o.step(ctx, st, question)
		if err != nil {
			if ctx.Err() != nil {
				o.cut = true
			} else {
				o.err = fmt.Errorf("owner %d, update %d (%s): %w", o.index, n+1, st.name, err)
			}
			return
		}
		question = last
		if st.again != nil && st.again(last) && repeats < maxRepeats {
			repeats++
			continue
		}
		repeats = 0
		i++
	}
}

// step sends one update and waits for the bot's whole reply to it.
func (o *benchOwner) step(ctx context.Context, st benchStep, question seenCall) (seenCall, error) {
	o.mu.Lock()
	o.seen = o.seen[:0]
	o.mu.Unlock()
	t0 := time.Now()
	if _, err := st.send(o, question); err != nil {
		return seenCall{}, err
	}
	timer := time.NewTimer(o.r.opts.stepTimeout)
	defer timer.Stop()
	var first, answered time.Time
	var texts []string
	var last *seenCall
	checked := 0
	for {
		o.mu.Lock()
		batch := append([]seenCall(nil), o.seen[checked:]...)
		checked = len(o.seen)
		o.mu.Unlock()
		for _, c := range batch {
			if c.at.Before(t0) || c.status != http.StatusOK {
				continue // an answer to an earlier update, or a send Telegram refused (429)
			}
			if first.IsZero() {
				first = c.at
			}
			if c.answer {
				answered = c.at
				continue
			}
			texts = append(texts, c.text)
			if o.number == "" {
				o.number = appNumberAny.FindString(c.text)
			}
			if last == nil && st.done(c) {
				last = &c
			}
		}
		if last != nil && (!st.press || !answered.IsZero()) {
			end := last.at
			if answered.After(end) {
				end = answered
			}
			o.samples = append(o.samples, benchSample{at: t0, first: first.Sub(t0), last: end.Sub(t0)})
			o.r.completed.Add(1)
			return *last, nil
		}
		select {
		case <-o.wake:
		case <-ctx.Done():
			return seenCall{}, ctx.Err()
		case <-timer.C:
			return seenCall{}, fmt.Errorf("no expected reply within %s; the bot said %s", o.r.opts.stepTimeout, quoteShort(texts))
		}
	}
}

// quoteShort quotes the texts the bot sent, each shortened, for an error message.
func quoteShort(texts []string) string {
	if len(texts) == 0 {
		return "nothing"
	}
	var parts []string
	for _, t := range texts {
		if r := []rune(t); len(r) > 100 {
			t = string(r[:100]) + "…"
		}
		parts = append(parts, fmt.Sprintf("%q", t))
	}
	return strings.Join(parts, ", ")
}
