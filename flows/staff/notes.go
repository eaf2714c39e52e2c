package staff

import (
	"strconv"
	"strings"

	"umkmbot/flows"
	"umkmbot/store"
)

// cardNotes is how many of an application's internal notes its card shows, newest first.
const cardNotes = 3

// maxNote is the longest internal note, in characters.
const maxNote = 1000

// noteFlow (the card's "📝 Catatan internal" button, "a:note:<id>") asks for an internal note on
// an application and keeps it with its author and time. Internal notes are for staff: they show
// on the card and nowhere an owner looks (/status, owner notices, exports).
func noteFlow() *flows.Flow {
	return &flows.Flow{
		Name:  "note",
		Title: "StaffNoteTitle",
		Steps: func(c *flows.Ctx) []*flows.Step {
			return []*flows.Step{{Name: "note", Prompt: "StaffNoteAsk", Input: flows.InputText, Parse: textBetween(2, maxNote),
				Data: func(c *flows.Ctx) map[string]any { return map[string]any{"Number": c.Get("number")} }}}
		},
		Done: func(c *flows.Ctx) error {
			body := c.Get("note")
			id := c.Get("app")
			c.Sess.Reset()
			// The power is checked again: the button was pressed a while ago.
			return withApp(c, id, flows.PowerAct, func(c *flows.Ctx, app store.Application) error { return addNote(c, app, body) })
		},
	}
}

// noteAction answers "a:note:<id>": the note is asked for.
func noteAction(c *flows.Ctx, arg string) error {
	return withApp(c, arg, flows.PowerAct, func(c *flows.Ctx, app store.Application) error {
		c.Sess.Reset()
		c.Sess.Flow = "note"
		c.Sess.Data = map[string]string{"app": itoa(app.ID), "number": app.Number}
		return c.GoTo("note")
	})
}

// addNote keeps the note and shows the card with it. The audit log names the note, not its
// text: the text may quote the owner, and goes when the owner's data is deleted.
func addNote(c *flows.Ctx, app store.Application, body string) error {
	n := store.Note{ApplicationID: app.ID, StaffID: c.Actor.Staff.ID, Body: body, CreatedAt: c.Now}
	if err := store.AddNote(c, c.DB, &n); err != nil {
		return err
	}
	if err := audit(c, "application.note", "application", app.ID, nil, map[string]any{"note": n.ID}); err != nil {
		return err
	}
	c.Toast(c.T("StaffNoteSaved"))
	c.Say(c.T("StaffNoteSaved"))
	return showCard(c, app)
}

// notesText is the card's section of internal notes: the newest few with author and time (WITA),
// "" when there are none.
func notesText(c *flows.Ctx, app store.Application) (string, error) {
	notes, total, err := store.LatestNotes(c, c.DB, app.ID, cardNotes)
	if err != nil || len(notes) == 0 {
		return "", err
	}
	var b strings.Builder
	for _, n := range notes {
		author := n.StaffName
		if author == "" {
			author = c.T("StaffNoteUnknownAuthor")
		}
		b.WriteString("• " + c.L.ShortDate(n.CreatedAt) + " " + c.L.Clock(n.CreatedAt) + " — " + author + ": " + n.Body + "\n")
	}
	return c.T("StaffCardNotes", map[string]any{"Notes": strings.TrimRight(b.String(), "\n"),
		"Shown": strconv.Itoa(len(notes)), "Total": strconv.Itoa(total), "More": total > len(notes)}), nil
}
