package flows

import (
	"strconv"
	"strings"
)

// answer takes a text, contact or file as the answer to the current step.
func (c *Ctx) answer() error {
	s := c.current()
	if s == nil {
		c.Ask(nil, 0) // re-anchors on a step that exists, or ends the flow with the menu
		return nil
	}
	if c.Sess.ConfirmingCancel {
		// Typed answers work as well as the buttons.
		switch yesNo(c.Ev.Text, c) {
		case 1:
			return c.cancel(true)
		case 0:
			c.Sess.ConfirmingCancel = false
			c.Ask(nil, 0)
			return nil
		}
		return c.askCancel()
	}
	ev := c.Ev
	text := strings.TrimSpace(ev.Text)
	switch s.Input {
	case InputText:
		if ev.Kind != EventText || text == "" {
			c.Ask(NewProblem("CommonNeedText"), 0)
			return nil
		}
		if s.Optional != "" && strings.EqualFold(text, c.T(s.Optional)) {
			return c.accept(s, "")
		}
		v := text
		if s.Parse != nil {
			var p *Problem
			if v, p = s.Parse(c, text); p != nil {
				c.Ask(p, 0)
				return nil
			}
		}
		return c.accept(s, v)
	case InputChoice:
		if ev.Kind == EventText && s.Match != nil && text != "" {
			v, p := s.Match(c, text)
			if p != nil {
				c.Ask(p, 0)
				return nil
			}
			if v != "" {
				return c.accept(s, v)
			}
		}
		if ev.Kind == EventText {
			for _, ch := range s.Choices(c) {
				if strings.EqualFold(text, c.choiceLabel(ch)) || strings.EqualFold(text, ch.Value) {
					return c.accept(s, ch.Value)
				}
			}
			if s.Optional != "" && strings.EqualFold(text, c.T(s.Optional)) {
				return c.accept(s, "")
			}
		}
		c.Ask(NewProblem("CommonChooseButton"), 0)
		return nil
	case InputYesNo:
		if ev.Kind == EventText {
			switch yesNo(text, c) {
			case 1:
				return c.accept(s, "yes")
			case 0:
				return c.accept(s, "no")
			}
		}
		c.Ask(NewProblem("CommonChooseYesNo"), 0)
		return nil
	case InputFile:
		if ev.File == nil {
			if ev.Kind == EventText && s.Optional != "" && (strings.EqualFold(text, c.T(s.Optional)) || saysLater(text)) {
				return c.accept(s, c.keptFile(s))
			}
			if ev.Kind == EventText && text != "" && s.Parse != nil && !strings.HasSuffix(text, "?") {
				// A document that may also be typed (a composition): the text is the answer.
				v, p := s.Parse(c, text)
				if p != nil {
					c.Ask(p, 0)
					return nil
				}
				return c.accept(s, v)
			}
			if ev.Kind == EventText && text != "" {
				// A typed question or remark: where to ask, and the question again.
				c.Ask(NewProblem("CommonFileStepText"), 0)
				return nil
			}
			c.Ask(NewProblem("CommonNeedFile"), 0)
			return nil
		}
		if s.Accept != nil {
			if p := s.Accept(c, ev.File); p != nil {
				c.Ask(p, 0)
				return nil
			}
		}
		return c.accept(s, EncodeFile(ev.File, ev.Kind, c.Now))
	case InputContact:
		if ev.Kind == EventContact && ev.Contact != nil {
			if ev.Contact.UserID != 0 && ev.Contact.UserID != ev.UserID {
				c.Ask(NewProblem("CommonContactNotOwn"), 0)
				return nil
			}
			if ev.Contact.UserID == 0 {
				c.Ask(NewProblem("CommonContactNotOwn"), 0)
				return nil
			}
			text = ev.Contact.Phone
		}
		if text == "" {
			c.Ask(NewProblem("CommonNeedContact"), 0)
			return nil
		}
		v, p := s.Parse(c, text)
		if p != nil {
			c.Ask(p, 0)
			return nil
		}
		return c.accept(s, v)
	case InputConfirm, InputInfo:
		c.Ask(NewProblem("CommonChooseButton"), 0)
		return nil
	}
	return nil
}

// keptFile is what "Nanti" on a file step records: the file already sent for it stays (the owner
// came back to this step), otherwise nothing.
func (c *Ctx) keptFile(s *Step) string {
	if s.Input != InputFile {
		return ""
	}
	if _, ok := DecodeFile(c.Get(s.Name)); ok {
		return c.Get(s.Name)
	}
	return ""
}

// yesNo reads a typed yes (1) or no (0); -1 when it is neither.
func yesNo(text string, c *Ctx) int {
	t := strings.ToLower(strings.Trim(text, " .!"))
	switch {
	case t == strings.ToLower(c.T("CommonYes")), t == "ya", t == "y", t == "iya", t == "yes", t == "betul", t == "benar":
		return 1
	case t == strings.ToLower(c.T("CommonNo")), t == "tidak", t == "t", t == "no", t == "n", t == "bukan", t == "belum", t == "tdk", t == "nggak", t == "gak", t == "enggak":
		return 0
	}
	return -1
}

// stepButton handles a press on a button of the current question.
func (c *Ctx) stepButton(value string) error {
	s := c.current()
	if s == nil {
		return c.StaleButton()
	}
	if c.Sess.ConfirmingCancel {
		switch value {
		case valCancelY:
			return c.cancel(true)
		case valCancelN:
			c.Sess.ConfirmingCancel = false
			c.Ask(nil, 0)
			return nil
		}
		return c.StaleButton()
	}
	switch {
	case value == valBack && c.Sess.EditListOpen:
		c.Ask(nil, 0) // back from "which answer to change?" is the summary itself
		return nil
	case value == valBack:
		return c.back()
	case value == valCancel:
		return c.cancel(false)
	case value == valOpt && s.Optional != "":
		return c.accept(s, c.keptFile(s))
	case strings.HasPrefix(value, valPage) && s.Input == InputChoice:
		page, _ := strconv.Atoi(strings.TrimPrefix(value, valPage))
		c.Ask(nil, page)
		c.EditLastReply(c.Ev.MessageID)
		return nil
	}
	switch s.Input {
	case InputChoice:
		for _, ch := range s.Choices(c) {
			if ch.Value == value {
				return c.accept(s, value)
			}
		}
	case InputYesNo:
		switch value {
		case valYes:
			return c.accept(s, "yes")
		case valNo:
			return c.accept(s, "no")
		}
	case InputInfo:
		if value == valOK {
			return c.accept(s, "ok")
		}
	case InputConfirm:
		switch {
		case value == valSend:
			return c.accept(s, "send")
		case value == valEdit:
			c.askWhichToEdit(s)
			return nil
		case strings.HasPrefix(value, valEditTo):
			target := strings.TrimPrefix(value, valEditTo)
			for _, name := range s.Editable {
				if name == target && c.StepByName(name) != nil {
					c.Sess.EditReturn = s.Name
					return c.GoTo(name)
				}
			}
		}
	}
	return c.StaleButton()
}

// askWhichToEdit lists the answers of a summary that can be changed.
func (c *Ctx) askWhichToEdit(s *Step) {
	c.Sess.Seq++
	var rows [][]Button
	for _, name := range s.Editable {
		st := c.StepByName(name)
		if st == nil || (st.Skip != nil && st.Skip(c)) {
			continue
		}
		rows = append(rows, []Button{{c.T(st.fieldLabel()), c.stepData(valEditTo + name)}})
	}
	rows = append(rows, []Button{{c.T("CommonBack"), c.stepData(valBack)}})
	c.Reply(Reply{Text: c.T("CommonWhichToEdit"), Buttons: rows})
	c.Sess.Step = s.Name
	c.Sess.EditListOpen = true
}

// back goes one question back, showing the earlier answer.
func (c *Ctx) back() error {
	if c.Sess.Flow == "" {
		c.ShowMenu("")
		return nil
	}
	c.Sess.ConfirmingCancel = false
	c.Sess.EditReturn = ""
	t := c.Sess.Trail
	for len(t) > 0 && t[len(t)-1] == c.Sess.Step {
		t = t[:len(t)-1]
	}
	if len(t) == 0 {
		c.Sess.Trail = nil
		c.Ask(NewProblem("CommonFirstStep"), 0)
		return nil
	}
	prev := t[len(t)-1]
	c.Sess.Trail = t[:len(t)-1]
	return c.GoTo(prev)
}

// cancel ends the running flow; with answers entered it asks first.
func (c *Ctx) cancel(confirmed bool) error {
	if c.Sess.Flow == "" {
		c.ShowMenu(c.T("CommonNothingToCancel"))
		return nil
	}
	if !confirmed && len(c.Sess.Trail) > 0 && c.Get(KeyPrefilled) == "" && !c.Sess.ConfirmingCancel {
		c.Sess.ConfirmingCancel = true
		return c.askCancel()
	}
	c.Sess.Reset()
	c.ShowMenu(c.T("CommonCancelled")) // one message: the menu under the line that says so
	return nil
}

func (c *Ctx) askCancel() error {
	c.Sess.Seq++
	c.Reply(Reply{Text: c.withNote(c.T("CommonConfirmCancel")), Buttons: [][]Button{{
		{c.T("CommonCancelYes"), c.stepData(valCancelY)},
		{c.T("CommonCancelNo"), c.stepData(valCancelN)},
	}}})
	return nil
}

// help explains the current step, or the bot when no flow runs.
func (c *Ctx) help() error {
	if s := c.current(); s != nil && s.Help != "" {
		if s.Input == InputFile {
			// A document's help (what it is, where to get it, an example) stands in for its
			// question: the buttons come with it.
			c.prompt = c.T(s.Help)
			c.Ask(nil, 0)
			return nil
		}
		c.Say(c.T(s.Help))
		c.Ask(nil, 0)
		return nil
	}
	c.Say(c.T("MenuHelp"))
	if c.Sess.Flow != "" {
		c.Ask(nil, 0)
	} else {
		c.ShowMenu("")
	}
	return nil
}

// StaleButton answers a press on a button that no longer belongs to the conversation, and
// shows where the conversation is.
func (c *Ctx) StaleButton() error {
	c.staleShown = true
	c.Toast(c.T("CommonStaleButton"))
	if c.Sess.Flow != "" {
		if c.Sess.ConfirmingCancel {
			c.note = "⚠️ " + c.T("CommonStaleButton")
			return c.askCancel()
		}
		c.Ask(NewProblem("CommonStaleButton"), 0)
		return nil
	}
	c.ShowMenu("⚠️ " + c.T("CommonStaleButton"))
	return nil
}

// withNote puts the pending note (see Ctx.note) above text.
func (c *Ctx) withNote(text string) string {
	if note := c.TakeNote(); note != "" {
		return note + "\n\n" + text
	}
	return text
}
