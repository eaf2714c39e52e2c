package jobs

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"umkmbot/flows"
	"umkmbot/store"
)

// trainingLookahead is how far ahead training reminders look: the day-before reminder is due at
// RemindHour of the day before, at most two days before the start.
const trainingLookahead = 48 * time.Hour

// TrainingReminders reminds each registrant of a training twice: the day before, at RemindHour,
// and TrainingBefore before the start, each with the place and a button to cancel. A cancelled
// training has none; a moved one is reminded at its new time (the keys name the start). A
// reminder whose moment came before the owner registered is not sent (they had just been told);
// the day-before one is skipped once the day of the training begins (or the last one is due), and the last one once the training
// has started.
func (j *Jobs) TrainingReminders(ctx context.Context, db store.DB, now time.Time) ([]Message, error) {
	regs, err := store.RegistrantsOfTrainingsStarting(ctx, db, now, now.Add(trainingLookahead))
	if err != nil {
		return nil, fmt.Errorf("training reminders: %w", err)
	}
	var msgs []Message
	for _, r := range regs {
		tr := r.Training
		last := tr.StartsAt.Add(-j.cfg.TrainingBefore)
		// The day-before reminder says "tomorrow": it is useful until the day begins, or until the
		// last reminder is due if that comes first.
		d1Until := dayAt(tr.StartsAt, 0, 0, j.cfg.Location)
		if last.Before(d1Until) {
			d1Until = last
		}
		occs := []occasion{
			{name: "d1", at: dayAt(tr.StartsAt, -1, j.cfg.RemindHour, j.cfg.Location), until: d1Until},
			{name: "soon", at: last, until: tr.StartsAt},
		}
		o, ok := current(occs, now, r.RegisteredAt)
		if !ok {
			continue
		}
		// The day-before reminder is about the day: a training moved within its day is not
		// reminded the day before twice. The last one is about the hour.
		occ := "d1:" + tr.StartsAt.In(j.cfg.Location).Format(time.DateOnly)
		msgID := "ReminderTrainingTomorrow"
		if o.name == "soon" {
			occ = "soon:" + strconv.FormatInt(tr.StartsAt.Unix(), 10)
			msgID = "ReminderTrainingSoon"
		}
		l := j.localizer(r.Lang)
		text := l.T(msgID, map[string]any{"Title": tr.Title, "When": l.DateTime(tr.StartsAt),
			"Place": tr.Place, "Online": tr.OnlineURL})
		msgs = append(msgs, Message{
			ChatID: r.ChatID,
			Key:    fmt.Sprintf("training:%d:owner:%d:%s", tr.ID, r.OwnerID, occ),
			Reply: flows.Reply{Text: text, Buttons: [][]flows.Button{{{
				Label: l.T("ReminderTrainingCancelButton"), Data: "a:tr:cancel:" + strconv.FormatInt(tr.ID, 10)}}}},
		})
	}
	return msgs, nil
}
