package flows

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"umkmbot/store"
)

// Session is where one chat is in its conversation. It is stored as JSON in the sessions table,
// so field names are a stored format: add fields, never rename them.
type Session struct {
	Flow  string            `json:"flow,omitempty"`  // "" when no flow is running
	Step  string            `json:"step,omitempty"`  // the step whose question was asked last
	Data  map[string]string `json:"data,omitempty"`  // answers collected by the flow
	Trail []string          `json:"trail,omitempty"` // steps answered, oldest first, for /kembali
	// Seq numbers the questions asked; step buttons carry it, so a press on an older question's
	// button is recognised as stale.
	Seq int `json:"seq"`
	// ConfirmingCancel is set while the "really cancel?" question is open.
	ConfirmingCancel bool `json:"confirming_cancel,omitempty"`
	// EditReturn is the summary step to come back to after the owner changed one answer.
	EditReturn string `json:"edit_return,omitempty"`
	// Then is the flow to start when this one finishes (registration waits for the profile).
	Then string `json:"then,omitempty"`
	// Parked holds the resumable flows set aside by another command, one per flow name,
	// offered back later.
	Parked map[string]*Parked `json:"parked,omitempty"`
	// ResumeOffered names the parked flow while "continue where you left off?" is open.
	ResumeOffered string `json:"resume_offered,omitempty"`
	// EditListOpen is set while "which answer to change?" is shown over a summary.
	EditListOpen bool `json:"edit_list_open,omitempty"`
	// KeyboardOpen is set while a reply keyboard (share my number) is on the person's screen.
	KeyboardOpen bool `json:"keyboard_open,omitempty"`
	// AsOwner is set while a staff member uses the bot as the owner of their own business.
	AsOwner bool `json:"as_owner,omitempty"`
	// LastPress is the data of the button handled by the last update, when it was a button:
	// a second tap on it (a double tap) is acknowledged silently.
	LastPress string `json:"last_press,omitempty"`
}

// Parked is a half-finished flow kept for later.
type Parked struct {
	Flow  string            `json:"flow"`
	Step  string            `json:"step"`
	Data  map[string]string `json:"data,omitempty"`
	Trail []string          `json:"trail,omitempty"`
	Then  string            `json:"then,omitempty"`
	// EditReturn: the draft was changing one answer of its summary.
	EditReturn string    `json:"edit_return,omitempty"`
	At         time.Time `json:"at"`
}

// KeyPrefilled marks a flow's data as loaded from the database and not changed yet (/profil
// shown): such a flow is not a draft worth keeping or confirming before cancel.
const KeyPrefilled = "_prefilled"

// loadSession reads the chat's session, locking its row until the caller's transaction ends.
func loadSession(ctx context.Context, db store.DB, chatID int64) (*Session, time.Time, error) {
	raw, at, err := store.LoadSession(ctx, db, chatID)
	if errors.Is(err, store.ErrNotFound) {
		return &Session{}, time.Time{}, nil
	}
	if err != nil {
		return nil, time.Time{}, err
	}
	s := &Session{}
	if err := json.Unmarshal(raw, s); err != nil {
		// A session we cannot read is replaced, not fatal: the person starts from the menu.
		return &Session{}, at, fmt.Errorf("%w: %v", errSessionUnreadable, err)
	}
	return s, at, nil
}

// errSessionUnreadable is a stored session this version cannot decode; the caller logs it and
// starts the chat afresh.
var errSessionUnreadable = errors.New("stored session unreadable")

// sanitize drops what names a flow or step this version does not have (a session stored by an
// older version): the person is never stuck on a flow that no longer exists.
// A flow of another set (a staff flow of someone removed from staff) is dropped the same way.
func (c *Ctx) sanitize() {
	s := c.Sess
	if s.Flow != "" && c.flow(s.Flow) == nil {
		s.Reset()
	}
	if s.Then != "" && c.flow(s.Then) == nil {
		s.Then = ""
	}
	for name := range s.Parked {
		// A draft of the other side's set (a staff member's own registration, kept while they
		// act as staff) stays; it is offered only in the mode it belongs to.
		if c.e.flows[name] == nil || s.Parked[name] == nil {
			delete(s.Parked, name)
		}
	}
	if s.ResumeOffered != "" && (s.Parked[s.ResumeOffered] == nil || c.flow(s.ResumeOffered) == nil) {
		s.ResumeOffered = ""
	}
}

func saveSession(ctx context.Context, db store.DB, chatID, userID int64, s *Session, at time.Time) error {
	raw, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("encode session: %w", err)
	}
	return store.SaveSession(ctx, db, chatID, userID, raw, at)
}

// Reset ends the running flow (a parked one stays).
func (s *Session) Reset() {
	s.Flow, s.Step, s.Data, s.Trail = "", "", nil, nil
	s.ConfirmingCancel, s.EditReturn, s.Then, s.ResumeOffered, s.EditListOpen = false, "", "", "", false
}

// Park sets the running flow aside so that it can be offered back; an older draft of the same
// flow is replaced, drafts of other flows stay.
func (s *Session) Park(at time.Time) {
	if s.Parked == nil {
		s.Parked = map[string]*Parked{}
	}
	s.Parked[s.Flow] = &Parked{Flow: s.Flow, Step: s.Step, Data: s.Data, Trail: s.Trail, Then: s.Then, EditReturn: s.EditReturn, At: at}
	s.Reset()
}

// Unpark brings a parked flow back in place of whatever runs.
func (s *Session) Unpark(name string) {
	p := s.Parked[name]
	s.Reset()
	delete(s.Parked, name)
	s.Flow, s.Step, s.Data, s.Trail, s.Then, s.EditReturn = p.Flow, p.Step, p.Data, p.Trail, p.Then, p.EditReturn
}

// ParkedNames lists the parked flows of the person's set, the registration first.
func (c *Ctx) ParkedNames() []string {
	var names []string
	for n := range c.Sess.Parked {
		if c.flow(n) != nil {
			names = append(names, n)
		}
	}
	sort.Slice(names, func(i, j int) bool {
		if (names[i] == "register") != (names[j] == "register") {
			return names[i] == "register"
		}
		return names[i] < names[j]
	})
	return names
}
