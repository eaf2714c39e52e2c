package flows

// A Flow is a conversation declared as data: named steps, each a question with the input it
// takes and where it goes next. The engine gives every flow /batal, /kembali, /bantuan, /menu,
// progress, re-asking on bad input and stale-button handling, so a flow's file reads like the
// conversation it is.
type Flow struct {
	Name string
	// Title is the message ID naming the flow to the owner ("pendaftaran produk"), used when it
	// is offered back.
	Title string
	// Steps lists the steps in order. It is computed from the answers so far, so that a flow can
	// grow steps (the documents of the chosen permit path) or skip them.
	Steps func(c *Ctx) []*Step
	// Start, if set, runs before the first question (it may end the flow at once).
	Start func(c *Ctx) error
	// Done runs after the last step has its answer: it writes the result and says so.
	Done func(c *Ctx) error
	// Resumable flows are parked, not lost, when the owner runs another command, and offered back.
	Resumable bool
	// Progress shows "Langkah 3 dari 9" above each question.
	Progress bool
	// TotalKnown, if set, says whether the number of steps is settled yet; until it is, only
	// "Langkah 3" is shown (a registration's steps depend on the permit path).
	TotalKnown func(c *Ctx) bool
	// Label, if set, returns a short name of what is being worked on ("Kopi Bajawa") for the
	// offer to resume.
	Label func(data map[string]string) string
}

// InputKind is what a step accepts.
type InputKind int

// The inputs a step can take.
const (
	InputText    InputKind = iota // free text, checked by Parse
	InputChoice                   // one of the Choices, as buttons (typing a choice's label also works)
	InputYesNo                    // Ya / Tidak buttons (typing ya/tidak also works)
	InputFile                     // a document or photo, checked by AcceptFile
	InputContact                  // a shared contact (own number only), or a typed number
	InputConfirm                  // a summary with "send" and "change" buttons
	InputInfo                     // a message with one "continue" button
)

// Step is one question of a flow.
type Step struct {
	Name   string
	Prompt string                      // message ID of the question
	Data   func(c *Ctx) map[string]any // template data for the prompt
	Help   string                      // message ID for /bantuan at this step
	Input  InputKind                   // what it takes
	Skip   func(c *Ctx) bool           // true: the step is not asked now
	// Parse checks a typed answer; on an InputFile step it lets a typed text stand for the
	// document (a composition typed instead of photographed).
	Parse  func(c *Ctx, in string) (string, *Problem)
	Accept func(c *Ctx, f *File) *Problem
	// Choices for InputChoice. PageSize > 0 pages them (the 22 kabupaten).
	Choices  func(c *Ctx) []Choice
	Columns  int
	PageSize int
	// Optional, when set, is the message ID of a button that answers with the empty value
	// ("Belum punya", "Nanti", "Lewati").
	Optional string
	// Save stores the answer; the default keeps it in the session's Data under the step's name.
	Save func(c *Ctx, value string) error
	// Next names the following step; empty goes on to the next in Steps.
	Next func(c *Ctx, value string) string
	// Later marks a question that can wait: not asked on the way through, but listed in the
	// summary and offered in its "change one answer" list (a brand, the packaging). Like an
	// aside it takes no step number.
	Later bool
	// Aside marks a follow-up that only some answers open (confirm an unusual NIB): it shows no
	// step number and is not counted, so that the total shown never changes under the owner.
	Aside bool
	// Match, for InputChoice, reads a typed answer that is no choice's label ("Bajawa" for Ngada):
	// a choice's value, or a problem to ask again with; "" and nil when it does not recognise it.
	Match func(c *Ctx, text string) (string, *Problem)
	// Confirm, for InputConfirm, is the message ID of its button; default CommonSendButton.
	Confirm string
	// Editable, for InputConfirm, lists the steps the owner may go back to and change.
	Editable []string
	// Field is the message ID naming the answer in a summary; default Prompt + "Field".
	Field string
	// Display renders a stored answer for the summary and for "your previous answer"; default
	// shows the stored value.
	Display func(c *Ctx, value string) string
}

// fieldLabel is the message ID naming the step's answer.
func (s *Step) fieldLabel() string {
	if s.Field != "" {
		return s.Field
	}
	return s.Prompt + "Field"
}

// Choice is one button of a choice step. Label is a message ID; Text, when set, is shown as it is
// (names of places, which are not translated).
type Choice struct {
	Value string
	Label string
	Text  string
}

// Problem is why an answer was not accepted: a message ID and its data. The step is asked again
// with it.
type Problem struct {
	Msg  string
	Data map[string]any
}

// NewProblem is shorthand for a Problem without data.
func NewProblem(msg string) *Problem { return &Problem{Msg: msg} }
