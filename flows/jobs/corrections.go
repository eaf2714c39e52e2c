package jobs

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"umkmbot/flows"
	"umkmbot/store"
)

// correctionLookahead is how far ahead the correction reminders look: the first is due at
// RemindHour three days before the due date's day.
const correctionLookahead = 4 * 24 * time.Hour

// CorrectionDeadlines reminds the owner of an application in corrections (needs_fix) three days
// and one day before its due date, at RemindHour, and on the day it lapses, in their language,
// with a button to send the documents. A reminder whose moment came before the corrections were
// asked for is not sent (the owner had just been told); a new due date brings new reminders.
func (j *Jobs) CorrectionDeadlines(ctx context.Context, db store.DB, now time.Time) ([]Message, error) {
	apps, err := store.ApplicationsDue(ctx, db, "needs_fix", now, now.Add(correctionLookahead))
	if err != nil {
		return nil, fmt.Errorf("correction deadlines: %w", err)
	}
	var msgs []Message
	for _, d := range apps {
		a, due := d.Application, *d.Application.DueAt
		at := func(days int) time.Time { return dayAt(due, days, j.cfg.RemindHour, j.cfg.Location) }
		o, ok := current([]occasion{
			{name: "d3", at: at(-3), until: at(-1)},
			{name: "d1", at: at(-1), until: at(0)},
			{name: "d0", at: at(0), until: due},
		}, now, d.Since)
		if !ok {
			continue
		}
		l := j.localizer(d.Lang)
		data := map[string]any{"Number": a.Number, "Product": a.ProductName, "Note": a.StatusNote, "Due": l.DateTime(due)}
		var text string
		switch o.name {
		case "d3":
			text = l.N("ReminderFixDaysLeft", 3, data)
		case "d1":
			text = l.N("ReminderFixDaysLeft", 1, data)
		default:
			text = l.T("ReminderFixToday", data)
		}
		id := strconv.FormatInt(a.ID, 10)
		msgs = append(msgs, Message{
			ChatID: d.ChatID,
			Key:    fmt.Sprintf("fix:%d:owner:%d:%s:%s", a.ID, a.OwnerID, o.name, due.In(j.cfg.Location).Format(time.DateOnly)),
			Reply: flows.Reply{Text: text, Buttons: [][]flows.Button{
				{{Label: l.T("MenuDocuments"), Data: "a:docs:" + id}},
				{{Label: l.T("ReminderApplicationButton"), Data: "a:app:" + id}},
			}},
		})
	}
	return msgs, nil
}
