package staff

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"umkmbot/flows"
	"umkmbot/store"
)

// trainingPageSize is how many trainings /pelatihan_kelola shows at once; trainingHistory how
// far back it reaches (attendance is marked after the day).
const (
	trainingPageSize = 8
	trainingHistory  = 60 * 24 * time.Hour
)

// showTrainings (/pelatihan_kelola, a:trl:<page>) lists the trainings the staff member's office
// organises (an admin's: every office's), from two months back on, each a button to its card.
func showTrainings(c *flows.Ctx, page int) error {
	return guarded(c, flows.PowerTrainings, nil, func() error {
		page = max(page, 0)
		all := c.Actor.Role == flows.RoleAdmin // the whole province; staff of an unknown office: their "" office's none
		list, err := store.OfficeTrainings(c, c.DB, c.Actor.Office(), all, c.Now.Add(-trainingHistory),
			trainingPageSize+1, page*trainingPageSize)
		if err != nil {
			return err
		}
		if len(list) == 0 && page == 0 {
			c.Say(c.T("TrainingManageNone"))
			return nil
		}
		more := len(list) > trainingPageSize
		list = list[:min(len(list), trainingPageSize)]
		r := flows.Reply{Text: c.T("TrainingManageList", map[string]any{"Office": officeName(c, c.Actor.Office())})}
		for _, t := range list {
			mark := ""
			if t.CancelledAt != nil {
				mark = "❌ "
			}
			r.Buttons = append(r.Buttons, []flows.Button{{
				Label: fmt.Sprintf("%s%s · %s · %d/%d", mark, c.L.ShortDate(t.StartsAt), t.Title, t.Registered, t.Quota),
				Data:  "a:trc:" + itoa(t.ID)}})
		}
		var nav []flows.Button
		if page > 0 {
			nav = append(nav, flows.Button{Label: c.T("CommonPrevPage"), Data: "a:trl:" + strconv.Itoa(page-1)})
		}
		if more {
			nav = append(nav, flows.Button{Label: c.T("CommonNextPage"), Data: "a:trl:" + strconv.Itoa(page+1)})
		}
		if len(nav) > 0 {
			r.Buttons = append(r.Buttons, nav)
		}
		c.Reply(r)
		return nil
	})
}

// withTraining loads the training a button names and runs do when the person holds the power
// over it; otherwise the one refusal answer (another office's training reads as none).
func withTraining(c *flows.Ctx, arg string, p flows.Power, do func(t store.TrainingStats) error) error {
	id, _ := strconv.ParseInt(arg, 10, 64)
	t, err := store.TrainingStatsByID(c, c.DB, id)
	if errors.Is(err, store.ErrNotFound) {
		refusal := c.Authorize(flows.PowerTrainings, nil)
		if refusal == nil {
			refusal = flows.ErrNotFound
		}
		return unlessRefusedTraining(c, refusal, nil)
	}
	if err != nil {
		return err
	}
	return unlessRefusedTraining(c, c.AuthorizeTraining(p, &t.Training), func() error { return do(t) })
}

// trainingState is where a training stands: cancelled, started (attendance can be marked) or
// open (it can be edited and cancelled).
func trainingState(c *flows.Ctx, t store.Training) string {
	switch {
	case t.CancelledAt != nil:
		return "cancelled"
	case !t.StartsAt.After(c.Now):
		return "started"
	}
	return "open"
}

// showTrainingCard (a:trc:<id>) shows a training to the staff who manage it: when, where, seats
// taken of the quota, the waiting list, attendance, and what can be done now.
func showTrainingCard(c *flows.Ctx, t store.TrainingStats) error {
	state := trainingState(c, t.Training)
	text := c.T("TrainingManageCard", map[string]any{
		"Title": t.Title, "Kind": c.T("TrainingKind_" + kindOrOther(t.Kind)), "When": c.L.DateTime(t.StartsAt),
		"Duration": durationText(c.L, t.DurationMinutes), "Place": t.Place, "Online": t.OnlineURL,
		"Kabupaten": c.KabupatenName(t.Kabupaten), "Organiser": t.Organiser, "Registered": t.Registered, "Quota": t.Quota,
		"Waiting": t.Waiting, "State": c.T("TrainingState_" + state), "Attended": t.Attended, "Absent": t.Absent,
		"Marked": state == "started",
	})
	id := itoa(t.ID)
	var rows [][]flows.Button
	if state == "open" {
		rows = append(rows, []flows.Button{{Label: c.T("TrainingManageEditButton"), Data: "a:tre:" + id},
			{Label: c.T("TrainingManageCancelButton"), Data: "a:trx:" + id}})
	}
	rows = append(rows, []flows.Button{{Label: c.T("TrainingManageRegistrantsButton"), Data: "a:trr:" + id},
		{Label: c.T("TrainingManageCSVButton"), Data: "a:trcsv:" + id}})
	if state == "started" {
		rows = append(rows, []flows.Button{{Label: c.T("TrainingManageAttendanceButton"), Data: "a:tra:" + id + ":0"}})
	}
	rows = append(rows, []flows.Button{{Label: c.T("TrainingManageListButton"), Data: "a:trl:0"}})
	c.Reply(flows.Reply{Text: text, Buttons: rows})
	return nil
}

// kindOrOther is a stored kind the messages know, "other" for any other.
func kindOrOther(k string) string {
	if slices.Contains(TrainingKinds, k) || k == "bimtek" {
		return k
	}
	return "other"
}

// askCancelTraining (a:trx:<id>) asks before a training is cancelled, saying who will be told.
func askCancelTraining(c *flows.Ctx, t store.TrainingStats) error {
	if trainingState(c, t.Training) != "open" {
		return c.StaleButton()
	}
	id := itoa(t.ID)
	c.Reply(flows.Reply{
		Text: c.T("TrainingCancelAsk", map[string]any{"Title": t.Title, "When": c.L.DateTime(t.StartsAt),
			"Registered": t.Registered, "Waiting": t.Waiting}),
		Buttons: [][]flows.Button{{{Label: c.T("TrainingCancelYesButton"), Data: "a:trxy:" + id},
			{Label: c.T("TrainingCancelNoButton"), Data: "a:trc:" + id}}},
	})
	return nil
}

// cancelTraining (a:trxy:<id>) cancels the training under its row lock, audits it, and tells
// every registrant and everyone waiting at once, in their language; no reminder goes out for it
// any more (the reminders skip cancelled trainings).
func cancelTraining(c *flows.Ctx, t store.TrainingStats) error {
	tr, err := store.LockTraining(c, c.DB, t.ID)
	if err != nil {
		return err
	}
	if trainingState(c, tr) != "open" {
		return c.StaleButton()
	}
	if err := store.CancelTraining(c, c.DB, tr.ID, c.Now); err != nil {
		return err
	}
	people, err := store.TrainingRegistrants(c, c.DB, tr.ID)
	if err != nil {
		return err
	}
	if err := audit(c, "training.cancel", "training", tr.ID, map[string]any{"cancelled_at": nil},
		map[string]any{"cancelled_at": c.Now, "told": len(people)}); err != nil {
		return err
	}
	for _, p := range people {
		l := c.Engine().Messages().For(p.Lang)
		c.Notify(flows.Notice{ChatID: p.ChatID, DedupeKey: fmt.Sprintf("training:%d:owner:%d:cancelled", tr.ID, p.OwnerID),
			Reply: flows.Reply{Text: l.T("TrainingCancelledNotice", map[string]any{"Title": tr.Title, "When": l.DateTime(tr.StartsAt)})}})
	}
	c.Toast(c.T("StaffDone"))
	c.Say(c.T("TrainingManageCancelled", map[string]any{"Title": tr.Title, "Told": len(people)}))
	return nil
}

// trainingButton answers a staff button about a training "a:<action>:<id>[:…]".
func trainingButton(do func(c *flows.Ctx, t store.TrainingStats) error) flows.Handler {
	return func(c *flows.Ctx, arg string) error {
		id, _, _ := strings.Cut(arg, ":")
		return withTraining(c, id, flows.PowerTrainings, func(t store.TrainingStats) error { return do(c, t) })
	}
}
