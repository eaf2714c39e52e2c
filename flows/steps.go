package flows

import (
	"fmt"
	"strconv"
	"strings"
)

// The values step buttons carry besides a choice's own value.
const (
	valBack    = "~back"
	valCancel  = "~cancel"
	valOpt     = "~opt"
	valYes     = "~yes"
	valNo      = "~no"
	valSend    = "~send"
	valEdit    = "~edit"
	valOK      = "~ok"
	valPage    = "~p"  // ~p<N>: show page N of the choices
	valEditTo  = "~e:" // ~e:<step>: change that answer
	valCancelY = "~cy" // yes, cancel
	valCancelN = "~cn" // no, go on
)

// stepData builds the callback data of a button of the current question.
func (c *Ctx) stepData(value string) string { return "s" + strconv.Itoa(c.Sess.Seq) + ":" + value }

func (c *Ctx) flowDef() *Flow { return c.flow(c.Sess.Flow) }

// StepByName is the step of that name in the running flow, nil when there is none.
func (c *Ctx) StepByName(name string) *Step {
	f := c.flowDef()
	if f == nil {
		return nil
	}
	for _, s := range f.Steps(c) {
		if s.Name == name {
			return s
		}
	}
	return nil
}

func (c *Ctx) current() *Step { return c.StepByName(c.Sess.Step) }

// skipped says whether s is not asked now: its Skip says so, or it can wait (Later) and is not
// being changed from a summary.
func (c *Ctx) skipped(s *Step) bool {
	if s.Skip != nil && s.Skip(c) {
		return true
	}
	return s.Later && c.Sess.EditReturn == ""
}

// Start begins a flow from its first question. A resumable flow that was running is parked.
func (c *Ctx) Start(name string) error {
	if f := c.flowDef(); f != nil && f.Resumable && c.Sess.Flow != name && len(c.Sess.Trail) > 0 && c.Get(KeyPrefilled) == "" {
		c.Sess.Park(c.Now)
	}
	delete(c.Sess.Parked, name) // starting afresh: an older draft of this flow is dropped
	then := ""
	if c.Sess.Flow != "" && c.Sess.Then != "" && c.Sess.Flow != name {
		then = c.Sess.Then
	}
	c.Sess.Reset()
	c.Sess.Flow = name
	c.Sess.Then = then
	c.Sess.Data = map[string]string{}
	f := c.flowDef()
	if f.Start != nil {
		if err := f.Start(c); err != nil {
			return err
		}
		if c.Sess.Flow != name || c.Sess.Step != "" {
			return nil // Start ended the flow, or moved it on itself
		}
	}
	return c.GoTo(c.firstStep())
}

// firstStep is the first step not skipped.
func (c *Ctx) firstStep() string {
	for _, s := range c.flowDef().Steps(c) {
		if !c.skipped(s) {
			return s.Name
		}
	}
	return ""
}

// firstUnanswered is the first step, not skipped, that has no answer yet; else the last step.
func (c *Ctx) firstUnanswered() string {
	last := ""
	for _, s := range c.flowDef().Steps(c) {
		if c.skipped(s) {
			continue
		}
		last = s.Name
		if _, ok := c.Sess.Data[s.Name]; !ok {
			return s.Name
		}
	}
	return last
}

// GoTo asks the named step's question, or finishes the flow when name is empty.
func (c *Ctx) GoTo(name string) error {
	if name == "" {
		return c.finish()
	}
	c.Sess.Step = name
	c.Ask(nil, 0)
	return nil
}

// nextAfter returns the step that follows s given its answer.
func (c *Ctx) nextAfter(s *Step, value string) string {
	if c.Sess.EditReturn != "" && c.Sess.EditReturn != s.Name {
		ret := c.Sess.EditReturn
		if s.Next != nil {
			if n := s.Next(c, value); n != "" && c.StepByName(n) != nil && n != ret {
				// A changed answer that opens a further question (a NIB to confirm) asks it first.
				if st := c.StepByName(n); !c.skipped(st) {
					return n
				}
			}
		}
		c.Sess.EditReturn = ""
		return ret
	}
	if s.Next != nil {
		if n := s.Next(c, value); n != "" {
			return n
		}
	}
	steps := c.flowDef().Steps(c)
	for i, st := range steps {
		if st.Name != s.Name {
			continue
		}
		for _, nx := range steps[i+1:] {
			if !c.skipped(nx) {
				return nx.Name
			}
		}
	}
	return ""
}

// accept keeps the answer to the current step and moves on.
func (c *Ctx) accept(s *Step, value string) error {
	flow, seq := c.Sess.Flow, c.Sess.Seq
	if s.Save != nil {
		if err := s.Save(c, value); err != nil {
			return err
		}
	} else {
		c.Set(s.Name, value)
	}
	if c.Sess.Flow != flow || c.Sess.Step != s.Name || c.Sess.Seq != seq {
		return nil // Save ended the flow, moved it, or asked a question of its own
	}
	c.Del(KeyPrefilled)
	if n := len(c.Sess.Trail); n == 0 || c.Sess.Trail[n-1] != s.Name {
		c.Sess.Trail = append(c.Sess.Trail, s.Name)
	}
	return c.GoTo(c.nextAfter(s, value))
}

// finish runs the flow's Done and then the flow that was waiting for it.
func (c *Ctx) finish() error {
	f := c.flowDef()
	then := c.Sess.Then
	if f.Done != nil {
		if err := f.Done(c); err != nil {
			return err
		}
	}
	delete(c.Sess.Parked, f.Name)
	if c.Sess.Flow == f.Name {
		c.Sess.Reset() // Done started nothing else
	}
	if then != "" && then != f.Name && c.Sess.Flow == "" {
		return c.Start(then)
	}
	return nil
}

// Ask sends the current step's question, with its buttons; prob says why the last answer was
// not taken.
func (c *Ctx) Ask(prob *Problem, page int) {
	s := c.current()
	if s == nil && c.flowDef() != nil {
		// The step is gone (a document list edited since the draft was saved): go on at the
		// first step not answered yet, keeping every answer.
		if name := c.firstUnanswered(); name != "" {
			c.Sess.Step = name
			s = c.current()
		}
	}
	if s == nil {
		c.Sess.Reset()
		c.ShowMenu("")
		return
	}
	c.Sess.Seq++
	c.Sess.EditListOpen = false
	var b strings.Builder
	if c.note != "" {
		b.WriteString(c.note + "\n\n")
		c.note = ""
	}
	if prob != nil {
		b.WriteString("⚠️ " + c.T(prob.Msg, prob.Data) + "\n\n")
	}
	if c.prompt != "" {
		// The help of this step in place of its question, above its buttons.
		b.WriteString(c.prompt)
		c.prompt = ""
	} else {
		if f := c.flowDef(); f.Progress && !s.Aside && !s.Later {
			i, n := c.progress(s)
			switch {
			case f.TotalKnown != nil && !f.TotalKnown(c):
				b.WriteString(c.T("CommonStepNumber", map[string]any{"Step": i}) + "\n")
			case n > 1:
				b.WriteString(c.T("CommonStepProgress", map[string]any{"Step": i, "Total": n}) + "\n")
			}
		}
		var data map[string]any
		if s.Data != nil {
			data = s.Data(c)
		}
		b.WriteString(c.T(s.Prompt, data))
		if prev, ok := c.Sess.Data[s.Name]; ok && prev != "" && prob == nil && s.Input != InputConfirm && s.Input != InputInfo {
			b.WriteString("\n\n" + c.T("CommonPreviousAnswer", map[string]any{"Answer": c.Display(s, prev)}))
		}
	}
	r := Reply{Text: b.String()}
	switch s.Input {
	case InputChoice:
		r.Buttons = c.choiceButtons(s, page)
	case InputYesNo:
		r.Buttons = [][]Button{{{c.T("CommonYes"), c.stepData(valYes)}, {c.T("CommonNo"), c.stepData(valNo)}}}
	case InputConfirm:
		confirm := s.Confirm
		if confirm == "" {
			confirm = "CommonSendButton"
		}
		r.Buttons = [][]Button{{{c.T(confirm), c.stepData(valSend)}}}
		if len(s.Editable) > 0 {
			r.Buttons = append(r.Buttons, []Button{{c.T("CommonEditButton"), c.stepData(valEdit)}})
		}
	case InputInfo:
		r.Buttons = [][]Button{{{c.T("CommonContinueButton"), c.stepData(valOK)}}}
	case InputContact:
		r.Keyboard = [][]KeyButton{
			{{Label: c.T("CommonShareContact"), RequestContact: true}},
			{{Label: c.T("CommonBack")}, {Label: c.T("CommonCancelButton")}},
		}
		c.keyboardOpen = true
	}
	if s.Optional != "" {
		r.Buttons = append(r.Buttons, []Button{{c.T(s.Optional), c.stepData(valOpt)}})
	}
	if s.Input != InputContact {
		var nav []Button
		if len(c.Sess.Trail) > 0 {
			nav = append(nav, Button{c.T("CommonBack"), c.stepData(valBack)})
		}
		nav = append(nav, Button{c.T("CommonCancelButton"), c.stepData(valCancel)})
		r.Buttons = append(r.Buttons, nav)
	}
	c.Reply(r)
}

// progress returns the position of s among the steps asked in this flow, and their count.
func (c *Ctx) progress(s *Step) (int, int) {
	i, n := 0, 0
	for _, st := range c.flowDef().Steps(c) {
		// Asides and questions that wait for the summary (Later) are never counted: asked from
		// the summary, they would change the total under the owner.
		if st.Aside || st.Later || (c.skipped(st) && st.Name != s.Name) {
			continue
		}
		n++
		if st.Name == s.Name {
			i = n
		}
	}
	return i, n
}

// Display renders a stored answer of s for a summary or "your previous answer".
func (c *Ctx) Display(s *Step, v string) string {
	if s.Display != nil {
		return s.Display(c, v)
	}
	if s.Choices != nil {
		for _, ch := range s.Choices(c) {
			if ch.Value == v {
				return c.choiceLabel(ch)
			}
		}
	}
	if s.Input == InputYesNo {
		if v == "yes" {
			return c.T("CommonYes")
		}
		return c.T("CommonNo")
	}
	if v == "" && s.Optional != "" {
		return c.T(s.Optional)
	}
	return v
}

func (c *Ctx) choiceLabel(ch Choice) string {
	if ch.Text != "" {
		return ch.Text
	}
	return c.T(ch.Label)
}

// choiceButtons lays out a choice step's buttons, one page of them.
func (c *Ctx) choiceButtons(s *Step, page int) [][]Button {
	choices := s.Choices(c)
	cols := s.Columns
	if cols <= 0 {
		cols = 1
	}
	start, end := 0, len(choices)
	if s.PageSize > 0 && len(choices) > s.PageSize {
		pages := (len(choices) + s.PageSize - 1) / s.PageSize
		page = min(max(page, 0), pages-1)
		start = page * s.PageSize
		end = min(start+s.PageSize, len(choices))
	}
	var rows [][]Button
	var row []Button
	for _, ch := range choices[start:end] {
		row = append(row, Button{c.choiceLabel(ch), c.stepData(ch.Value)})
		if len(row) == cols {
			rows = append(rows, row)
			row = nil
		}
	}
	if len(row) > 0 {
		rows = append(rows, row)
	}
	if s.PageSize > 0 && len(choices) > s.PageSize {
		var nav []Button
		if start > 0 {
			nav = append(nav, Button{c.T("CommonPrevPage"), c.stepData(fmt.Sprintf("%s%d", valPage, page-1))})
		}
		if end < len(choices) {
			nav = append(nav, Button{c.T("CommonNextPage"), c.stepData(fmt.Sprintf("%s%d", valPage, page+1))})
		}
		rows = append(rows, nav)
	}
	return rows
}
