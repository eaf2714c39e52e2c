package flows

import "strings"

// The answers to what is not an answer: double taps, greetings and "menu" typed in the middle of
// a question, voice notes and stickers. Each leaves the open question open and shows it again.

// doubleTap says whether data is a second tap on the button the last update handled: a question's
// button or a menu entry. List buttons are checked again by their handlers (the second press of
// a staff action finds the application moved on).
func (c *Ctx) doubleTap(data string) bool {
	return data != "" && data == c.Sess.LastPress && (strings.HasPrefix(data, "s") || strings.HasPrefix(data, "a:go:"))
}

// rememberPress keeps the data of a button just handled, for doubleTap.
func (c *Ctx) rememberPress() {
	switch {
	case c.silent:
	case c.Ev.Kind == EventButton && !c.staleShown:
		c.Sess.LastPress = c.Ev.Data
	default:
		c.Sess.LastPress = ""
	}
}

// questionOpen says whether a flow waits for an answer to its question.
func (c *Ctx) questionOpen() bool {
	return c.Sess.Flow != "" && c.Sess.ResumeOffered == "" && c.flowDef() != nil && !c.stale()
}

// weWereAt shows the open question again under a line saying what we were doing: a greeting or
// a typed "menu" is not an answer.
func (c *Ctx) weWereAt() error {
	f := c.flowDef()
	label := ""
	if f.Label != nil {
		label = f.Label(c.Sess.Data)
	}
	c.note = c.T("CommonWeWereAt", map[string]any{"What": c.T(f.Title, map[string]any{"Label": label})})
	if c.Sess.ConfirmingCancel {
		return c.askCancel()
	}
	c.Ask(nil, 0)
	return nil
}

// cannotRead answers a message without text the bot cannot read (a voice note, a sticker, a
// location): it says so and asks the open question again, or shows the menu.
func (c *Ctx) cannotRead() error {
	switch {
	case c.Sess.ResumeOffered != "":
		c.note = c.T("CommonCannotListen")
		return c.OfferResume(c.Sess.ResumeOffered)
	case c.Sess.Flow != "" && c.Sess.ConfirmingCancel:
		c.note = c.T("CommonCannotListen")
		return c.askCancel()
	case c.Sess.Flow != "":
		c.Ask(NewProblem("CommonCannotListen"), 0)
		return nil
	}
	c.ShowMenu(c.T("CommonCannotListen"))
	return nil
}

// greetings are the words people open a chat with; typed while a question is open they are not
// its answer.
var greetings = []string{"halo", "hallo", "helo", "hai", "hi", "hello", "hey", "pagi", "siang", "sore", "malam",
	"selamat pagi", "selamat siang", "selamat sore", "selamat malam", "good morning", "good afternoon",
	"good evening", "permisi", "assalamualaikum", "assalamu'alaikum", "salam", "shalom", "om swastiastu", "tes", "test"}

// IsGreeting says whether text is only a greeting ("Halo!", "selamat pagi bu").
func IsGreeting(text string) bool {
	t := strings.ToLower(strings.Trim(strings.TrimSpace(text), " .,!?👋🙏"))
	for _, suffix := range []string{" pak", " bu", " bapak", " ibu", " kak", " admin", " min"} {
		t = strings.TrimSuffix(t, suffix)
	}
	t = strings.Trim(t, " .,!?")
	for _, g := range greetings {
		if t == g {
			return true
		}
	}
	return false
}

// laterWords mark a typed "not now" at a document step ("labelnya belum jadi, nanti saya kirim").
var laterWords = []string{"nanti", "later", "menyusul", "belum ada", "belum jadi", "belum punya", "not yet", "lewati", "skip"}

// saysLater says whether text asks to send the document later.
func saysLater(text string) bool {
	t := strings.ToLower(text)
	for _, w := range laterWords {
		if strings.Contains(t, w) {
			return true
		}
	}
	return false
}
