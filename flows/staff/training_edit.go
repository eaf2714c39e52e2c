package staff

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"umkmbot/flows"
	"umkmbot/locales"
	"umkmbot/store"
)

// editableTraining are the answers of /pelatihan_kelola's Edit, in the order the summary shows
// them; each is kept as it was under "was_<name>" so the summary and the notices show old → new.
var editableTraining = []string{"title", "start", "duration", "place", "quota", "organiser", "description"}

// trainingEditFlow changes a training: it opens on a summary of the training as it is, each
// answer changeable from it (the questions of /pelatihan_baru, checked the same way), and saves
// on confirm, telling registrants and the waiting list what changed.
func trainingEditFlow() *flows.Flow {
	changed := func(display func(c *flows.Ctx, v string) string, name string) func(c *flows.Ctx, v string) string {
		return func(c *flows.Ctx, v string) string {
			if display == nil {
				display = func(c *flows.Ctx, v string) string { return v }
			}
			if was := c.Get("was_" + name); was != v {
				return display(c, was) + " → " + display(c, v)
			}
			return display(c, v)
		}
	}
	return &flows.Flow{
		Name:  "training_edit",
		Title: "TrainingEditTitle",
		Steps: func(c *flows.Ctx) []*flows.Step {
			return []*flows.Step{
				{Name: "title", Prompt: "TrainingNewAskTitle", Input: flows.InputText, Parse: textBetween(5, 120), Later: true,
					Display: changed(nil, "title")},
				{Name: "start", Prompt: "TrainingNewAskStart", Input: flows.InputText, Parse: parseStart, Later: true,
					Display: changed(displayStart, "start")},
				{Name: "duration", Prompt: "TrainingNewAskDuration", Input: flows.InputText, Parse: parseDuration, Later: true,
					Display: changed(displayDuration, "duration")},
				{Name: "place", Prompt: "TrainingNewAskPlace", Input: flows.InputText, Parse: textBetween(3, 300), Later: true,
					Display: changed(nil, "place")},
				{Name: "quota", Prompt: "TrainingNewAskQuota", Input: flows.InputText, Parse: parseEditQuota, Later: true,
					Display: changed(nil, "quota")},
				{Name: "organiser", Prompt: "TrainingNewAskOrganiser", Input: flows.InputText, Parse: textBetween(3, 120), Later: true,
					Display: changed(nil, "organiser")},
				{Name: "description", Prompt: "TrainingNewAskDescription", Input: flows.InputText, Parse: textBetween(3, 2000), Later: true,
					Optional: "CommonSkip", Display: changed(nil, "description")},
				{Name: "confirm", Prompt: "TrainingEditConfirm", Input: flows.InputConfirm, Confirm: "TrainingEditSaveButton",
					Editable: editableTraining,
					Data: func(c *flows.Ctx) map[string]any {
						return map[string]any{"Summary": c.Summary(editableTraining...)}
					}},
			}
		},
		Done: saveTrainingEdit,
	}
}

// parseEditQuota is a quota that leaves every registrant their seat: not below how many are
// registered now.
func parseEditQuota(c *flows.Ctx, in string) (string, *flows.Problem) {
	v, prob := parseQuota(c, in)
	if prob != nil {
		return v, prob
	}
	id, _ := strconv.ParseInt(c.Get("id"), 10, 64)
	t, err := store.TrainingStatsByID(c, c.DB, id)
	if err == nil && atoi(v) < t.Registered {
		return "", &flows.Problem{Msg: "TrainingEditQuotaBelow", Data: map[string]any{"Registered": t.Registered}}
	}
	return v, nil
}

// trainingEditValues are a training's answers as the edit flow keeps them.
func trainingEditValues(t store.Training) map[string]string {
	place := t.Place
	if t.OnlineURL != "" {
		place = t.OnlineURL
	}
	return map[string]string{"title": t.Title, "start": t.StartsAt.UTC().Format(time.RFC3339),
		"duration": strconv.Itoa(t.DurationMinutes), "place": place, "quota": strconv.Itoa(t.Quota),
		"organiser": t.Organiser, "description": t.Description}
}

// startTrainingEdit (a:tre:<id>) opens the edit flow on the training's summary.
func startTrainingEdit(c *flows.Ctx, t store.TrainingStats) error {
	if trainingState(c, t.Training) != "open" {
		return c.StaleButton()
	}
	c.ParkRunning()
	c.Sess.Reset()
	c.Sess.Flow = "training_edit"
	c.Sess.Data = map[string]string{"id": itoa(t.ID)}
	for k, v := range trainingEditValues(t.Training) {
		c.Sess.Data[k] = v
		c.Sess.Data["was_"+k] = v
	}
	return c.GoTo("confirm")
}

// saveTrainingEdit saves the changes under the training's row lock, checked again (the training
// may have been cancelled or started, seats taken, meanwhile), audits them, gives seats a raised
// quota freed to the waiting list, and tells registrants and the waiting list what changed.
func saveTrainingEdit(c *flows.Ctx) error {
	id, _ := strconv.ParseInt(c.Get("id"), 10, 64)
	tr, err := store.LockTraining(c, c.DB, id)
	if err != nil {
		return err
	}
	refused := c.AuthorizeTraining(flows.PowerTrainings, &tr)
	return unlessRefusedTraining(c, refused, func() error {
		if trainingState(c, tr) != "open" {
			c.Sess.Reset()
			c.Say(c.T("TrainingEditClosed", map[string]any{"Title": tr.Title}))
			return nil
		}
		before := trainingEditValues(tr)
		var changes []string
		for _, k := range editableTraining {
			if c.Get(k) != before[k] {
				changes = append(changes, k)
			}
		}
		if len(changes) == 0 {
			c.Sess.Reset()
			c.Say(c.T("TrainingEditNothing"))
			return nil
		}
		start, _ := time.Parse(time.RFC3339, c.Get("start"))
		if c.Get("start") != before["start"] && !start.After(c.Now) {
			c.Sess.Step = "start"
			c.Sess.EditReturn = "confirm"
			c.Ask(flows.NewProblem("TrainingNewPastStart"), 0)
			return nil
		}
		if stats, err := store.TrainingStatsByID(c, c.DB, id); err != nil {
			return err
		} else if atoi(c.Get("quota")) < stats.Registered {
			c.Sess.Step = "quota"
			c.Sess.EditReturn = "confirm"
			c.Ask(&flows.Problem{Msg: "TrainingEditQuotaBelow", Data: map[string]any{"Registered": stats.Registered}}, 0)
			return nil
		}
		old := tr
		tr.Title, tr.StartsAt, tr.DurationMinutes = c.Get("title"), start, atoi(c.Get("duration"))
		tr.Quota, tr.Organiser, tr.Description = atoi(c.Get("quota")), c.Get("organiser"), c.Get("description")
		if c.Get("place") != before["place"] {
			tr.Place, tr.OnlineURL = c.Get("place"), ""
			if strings.HasPrefix(tr.Place, "https://") || strings.HasPrefix(tr.Place, "http://") {
				tr.Place, tr.OnlineURL = c.T("TrainingOnlinePlace"), c.Get("place")
			}
		}
		given, err := store.UpdateTraining(c, c.DB, tr, c.Now)
		if err != nil {
			return err
		}
		was, now := map[string]any{}, map[string]any{}
		for _, k := range changes {
			was[k], now[k] = before[k], c.Get(k)
		}
		if err := audit(c, "training.edit", "training", tr.ID, was, now); err != nil {
			return err
		}
		told, err := tellTrainingChanged(c, old, tr, changes)
		if err != nil {
			return err
		}
		c.NotifySeatsGiven(tr, given)
		c.Sess.Reset()
		c.Say(c.T("TrainingEditSaved", map[string]any{"Title": tr.Title, "Told": told, "Seated": len(given)}))
		return nil
	})
}

// tellTrainingChanged tells each registrant and everyone waiting, in their language, what
// changed (old → new) and returns how many were told. A change of quota alone tells no one (the
// seats it frees are told to those who get them).
func tellTrainingChanged(c *flows.Ctx, old, tr store.Training, changes []string) (int, error) {
	changes = slices.DeleteFunc(slices.Clone(changes), func(k string) bool { return k == "quota" })
	if len(changes) == 0 {
		return 0, nil
	}
	people, err := store.TrainingRegistrants(c, c.DB, tr.ID)
	if err != nil {
		return 0, err
	}
	for _, p := range people {
		l := c.Engine().Messages().For(p.Lang)
		var lines []string
		for _, k := range changes {
			lines = append(lines, "• "+l.T("TrainingChangeField_"+k)+": "+changeText(l, k, old)+" → "+changeText(l, k, tr))
		}
		button := flows.Button{Label: l.T("TrainingCancelButton"), Data: "a:tr:cancel:" + itoa(tr.ID)}
		if p.Waiting {
			button = flows.Button{Label: l.T("TrainingLeaveWaitlistButton"), Data: "a:tr:unwait:" + itoa(tr.ID)}
		}
		c.Notify(flows.Notice{ChatID: p.ChatID, DedupeKey: fmt.Sprintf("training:%d:owner:%d:changed:%d", tr.ID, p.OwnerID, c.Now.UnixMicro()),
			Reply: flows.Reply{Text: l.T("TrainingChangedNotice", map[string]any{"Title": old.Title, "Changes": strings.Join(lines, "\n")}),
				Buttons: [][]flows.Button{{button}}}})
	}
	return len(people), nil
}

// changeText is one changed field of a training as an owner reads it, in l's language.
func changeText(l *locales.Localizer, field string, t store.Training) string {
	switch field {
	case "title":
		return t.Title
	case "start":
		return l.DateTime(t.StartsAt)
	case "duration":
		return l.N("DurationHours", max(1, (t.DurationMinutes+59)/60))
	case "place":
		if t.OnlineURL != "" {
			return t.Place + " (" + t.OnlineURL + ")"
		}
		return t.Place
	case "organiser":
		return t.Organiser
	case "description":
		if t.Description == "" {
			return "–"
		}
		return t.Description
	}
	return ""
}
