package jobs

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"umkmbot/flows"
	"umkmbot/store"
)

// documentReminders is when an owner who answered "nanti" for a required document is reminded:
// days after the application was submitted (at RemindHour), at most three times. Each is useful
// for a week.
var documentReminders = []int{3, 10, 17}

// documentStatuses are the statuses in which a missing document is asked for: once corrections
// are asked, the correction reminders speak; later the documents no longer matter.
var documentStatuses = []string{"submitted", "in_review"}

// MissingDocuments reminds owners of the required documents they said they would send later:
// 3 days after submitting, then weekly, at most three times, listing what is still missing, with a
// button to send it. Sending the last one stops the reminders.
func (j *Jobs) MissingDocuments(ctx context.Context, db store.DB, now time.Time) ([]Message, error) {
	last := documentReminders[len(documentReminders)-1]
	apps, err := store.ApplicationsMissingDocuments(ctx, db, documentStatuses, now.AddDate(0, 0, -last-8))
	if err != nil {
		return nil, fmt.Errorf("missing documents: %w", err)
	}
	var msgs []Message
	for _, m := range apps {
		a := m.Application
		var occs []occasion
		for i, days := range documentReminders {
			at := dayAt(*a.SubmittedAt, days, j.cfg.RemindHour, j.cfg.Location)
			occs = append(occs, occasion{name: "n" + strconv.Itoa(i+1), at: at, until: at.AddDate(0, 0, 7)})
		}
		o, ok := current(occs, now, *a.SubmittedAt)
		if !ok {
			continue
		}
		l := j.localizer(m.Lang)
		names := make([]string, len(m.Kinds))
		for i, k := range m.Kinds {
			names[i] = "• " + l.T("DocName_"+k)
		}
		id := strconv.FormatInt(a.ID, 10)
		msgs = append(msgs, Message{
			ChatID: m.ChatID,
			Key:    fmt.Sprintf("docs:%d:owner:%d:%s", a.ID, a.OwnerID, o.name),
			Reply: flows.Reply{
				Text: l.N("ReminderDocumentsMissing", len(names), map[string]any{"Number": a.Number, "Product": a.ProductName,
					"List": strings.Join(names, "\n")}),
				Buttons: [][]flows.Button{{{Label: l.T("MenuDocuments"), Data: "a:docs:" + id}}},
			},
		})
	}
	return msgs, nil
}
