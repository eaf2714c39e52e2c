package jobs

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"umkmbot/flows"
	"umkmbot/store"
)

// paymentLookahead is how far ahead the payment reminders look: 3 working days before the due
// date, which a long holiday (Lebaran's cuti bersama) can stretch to two weeks.
const paymentLookahead = 21 * 24 * time.Hour

// PaymentDue reminds the owner of an application awaiting payment 3 working days and 1 working
// day before the payment order (SPB) lapses, at RemindHour, in their language. Working days follow
// the holiday calendar of flows/domain. A reminder whose moment came before the payment was asked
// for is not sent; a new due date brings new reminders.
func (j *Jobs) PaymentDue(ctx context.Context, db store.DB, now time.Time) ([]Message, error) {
	if j.cfg.Rules == nil {
		return nil, fmt.Errorf("payment due: jobs.Config.Rules is not set")
	}
	apps, err := store.ApplicationsDue(ctx, db, "awaiting_payment", now, now.Add(paymentLookahead))
	if err != nil {
		return nil, fmt.Errorf("payment due: %w", err)
	}
	var msgs []Message
	for _, d := range apps {
		a, due := d.Application, *d.Application.DueAt
		dueDay := dayAt(due, 0, j.cfg.RemindHour, j.cfg.Location)
		p3, p1 := j.cfg.Rules.AddWorkingDays(dueDay, -3), j.cfg.Rules.AddWorkingDays(dueDay, -1)
		o, ok := current([]occasion{
			{name: "p3", at: p3, until: p1},
			{name: "p1", at: p1, until: due},
		}, now, d.Since)
		if !ok {
			continue
		}
		days := 3
		if o.name == "p1" {
			days = 1
		}
		l := j.localizer(d.Lang)
		id := strconv.FormatInt(a.ID, 10)
		msgs = append(msgs, Message{
			ChatID: d.ChatID,
			Key:    fmt.Sprintf("payment:%d:owner:%d:%s:%s", a.ID, a.OwnerID, o.name, due.In(j.cfg.Location).Format(time.DateOnly)),
			Reply: flows.Reply{
				Text: l.N("ReminderPaymentDue", days, map[string]any{"Number": a.Number, "Product": a.ProductName,
					"Note": a.StatusNote, "Due": l.DateTime(due)}),
				Buttons: [][]flows.Button{{{Label: l.T("ReminderApplicationButton"), Data: "a:app:" + id}}},
			},
		})
	}
	return msgs, nil
}
