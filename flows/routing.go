package flows

import (
	"strconv"
	"strings"
)

// engineAliases are the English names of the engine's own commands.
var engineAliases = map[string]string{"cancel": "batal", "back": "kembali", "help": "bantuan"}

// command handles /name args: the engine's own commands (/batal, /kembali, /bantuan, /menu,
// /start, the staff mode switch), then those of the set serving this person.
func (c *Ctx) command(name, args string) error {
	if alias, ok := engineAliases[name]; ok {
		name = alias
	} else if alias, ok := c.set.Aliases[name]; ok {
		name = alias
	}
	c.Sess.ResumeOffered = ""
	switch name {
	case "batal":
		return c.cancel(false)
	case "kembali":
		return c.back()
	case "bantuan":
		return c.help()
	case "menu":
		c.ParkRunning()
		c.ShowMenu("")
		return nil
	case "start":
		return c.cmdStart(args)
	case cmdOwnerMode, cmdStaffMode:
		if c.Actor.IsStaff() {
			return c.switchMode(name == cmdOwnerMode)
		}
	}
	h := c.set.Commands[name]
	if h == nil && c.Sess.Flow != "" && c.flowDef() != nil {
		// An unknown command leaves the question open: it is asked again.
		if c.Sess.ConfirmingCancel {
			c.note = c.T("CommonUnknownCommand")
			return c.askCancel()
		}
		c.Ask(NewProblem("CommonUnknownCommand"), 0)
		return nil
	}
	// Every other command starts something new: a running flow is parked (resumable) or dropped.
	c.ParkRunning()
	if h != nil {
		return h(c, args)
	}
	c.ShowMenu(c.T("MenuUnknownCommand"))
	return nil
}

// ParkRunning sets a running resumable flow aside (answers kept), or ends any other.
func (c *Ctx) ParkRunning() {
	if c.Sess.Flow == "" {
		return
	}
	if f := c.flowDef(); f != nil && f.Resumable && len(c.Sess.Trail) > 0 && c.Get(KeyPrefilled) == "" {
		c.Sess.Park(c.Now)
		return
	}
	c.Sess.Reset()
}

// keyboardCommand recognises the reply keyboard's labels and a few plain words as commands.
func (c *Ctx) keyboardCommand(text string) (string, bool) {
	t := strings.ToLower(strings.TrimSpace(text))
	switch {
	case t == strings.ToLower(c.T("CommonBack")), t == "kembali", t == "back":
		return "kembali", true
	case t == strings.ToLower(c.T("CommonCancelButton")), t == "batal", t == "cancel":
		return "batal", true
	case t == "menu":
		return "menu", true
	}
	return "", false
}

// button handles a pressed inline button.
func (c *Ctx) button(data string) error {
	if rest, ok := strings.CutPrefix(data, "a:"); ok {
		action, arg, _ := strings.Cut(rest, ":")
		return c.action(action, arg)
	}
	rest, ok := strings.CutPrefix(data, "s")
	if !ok {
		return c.StaleButton()
	}
	seqText, value, ok := strings.Cut(rest, ":")
	seq, err := strconv.Atoi(seqText)
	if !ok || err != nil || seq != c.Sess.Seq {
		return c.StaleButton()
	}
	if c.Sess.ResumeOffered != "" {
		return c.resumeChoice(value)
	}
	if c.Sess.Flow == "" {
		return c.StaleButton()
	}
	return c.stepButton(value)
}

// action handles a button that is not tied to a question: a menu entry, an item of a list.
// Its argument is an id only; the right to act on it is checked by the set's handler, on every
// press. A button of another set (a staff button pressed by an owner) is stale.
func (c *Ctx) action(action, arg string) error {
	switch action {
	case "go":
		return c.command(arg, "")
	case "resume":
		c.Sess.ResumeOffered = ""
		if c.Sess.Flow == arg && c.flowDef() != nil {
			// A reminder's button for the flow still under way: its question again.
			c.Ask(nil, 0)
			return nil
		}
		if c.Sess.Parked[arg] == nil || c.flow(arg) == nil {
			return c.StaleButton()
		}
		c.ParkRunning()
		c.Sess.Unpark(arg)
		c.Ask(nil, 0)
		return nil
	}
	if h := c.set.Actions[action]; h != nil {
		return c.thenOpenQuestion(h(c, arg))
	}
	return c.StaleButton()
}

// thenOpenQuestion shows the question of a flow under way again after a list button (an old
// status or training card) was answered, so the person sees where the conversation stands.
func (c *Ctx) thenOpenQuestion(err error) error {
	if err != nil || c.Sess.Flow == "" || c.Sess.ConfirmingCancel || c.Sess.ResumeOffered != "" {
		return err
	}
	if n := len(c.res.Replies); n > 0 && len(c.res.Replies[n-1].Buttons) > 0 && strings.HasPrefix(c.res.Replies[n-1].Buttons[0][0].Data, "s") {
		return nil // the question is already the last thing shown
	}
	c.Ask(nil, 0)
	return nil
}

// cmdStart answers /start: a deep link (/start status_<number>, /start staf_<code>) goes to the
// set that registered its prefix, whoever asks; a plain /start greets.
func (c *Ctx) cmdStart(args string) error {
	for _, s := range c.e.sets {
		for prefix, h := range s.DeepLinks {
			if rest, ok := strings.CutPrefix(args, prefix); ok {
				c.ParkRunning()
				return h(c, rest)
			}
		}
	}
	if c.Sess.Flow != "" {
		c.ParkRunning()
	}
	return c.set.Greet(c)
}

// ShowMenu shows the main menu of the person's set, with prefix above it when given, and a
// button for each draft to resume.
func (c *Ctx) ShowMenu(prefix string) {
	text, buttons := c.set.Menu(c)
	if prefix != "" {
		text = prefix + "\n\n" + text
	}
	var rows [][]Button
	for _, name := range c.ParkedNames() {
		rows = append(rows, []Button{{c.T("MenuResume", map[string]any{"What": c.parkedLabel(name)}), "a:resume:" + name}})
	}
	c.Reply(Reply{Text: text, Buttons: append(rows, buttons...)})
}

// parkedLabel names the parked work ("pendaftaran 'Kopi Bajawa'").
func (c *Ctx) parkedLabel(name string) string {
	f := c.flow(name)
	label := ""
	if p := c.Sess.Parked[name]; p != nil && f.Label != nil {
		label = f.Label(p.Data)
	}
	return c.T(f.Title, map[string]any{"Label": label})
}

// OfferResume asks whether to continue the parked flow of that name.
func (c *Ctx) OfferResume(name string) error {
	if c.Sess.Parked[name] == nil || c.flow(name) == nil {
		c.Sess.ResumeOffered = ""
		c.ShowMenu("")
		return nil
	}
	c.Sess.ResumeOffered = name
	c.Sess.Seq++
	c.Reply(Reply{Text: c.withNote(c.T("CommonResumeOffer", map[string]any{"What": c.parkedLabel(name)})), Buttons: [][]Button{
		{{c.T("CommonResumeYes"), c.stepData("~resume")}},
		{{c.T("CommonResumeFresh"), c.stepData("~fresh")}},
		{{c.T("CommonMenu"), c.stepData("~menu")}},
	}})
	return nil
}

// offerResumeOfRunning parks a flow left untouched for long and offers it back.
func (c *Ctx) offerResumeOfRunning() error {
	name := c.Sess.Flow
	c.Sess.Park(c.Now)
	return c.OfferResume(name)
}

// resumeChoice handles the answer to the offer.
func (c *Ctx) resumeChoice(value string) error {
	name := c.Sess.ResumeOffered
	c.Sess.ResumeOffered = ""
	if c.Sess.Parked[name] == nil || c.flow(name) == nil {
		return c.StaleButton()
	}
	switch value {
	case "~resume":
		c.Sess.Unpark(name)
		c.Ask(nil, 0)
		return nil
	case "~fresh":
		delete(c.Sess.Parked, name)
		return c.Start(name)
	case "~menu":
		c.ShowMenu("")
		return nil
	}
	return c.StaleButton()
}
