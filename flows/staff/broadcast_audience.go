package staff

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"umkmbot/flows"
	"umkmbot/flows/domain"
	"umkmbot/store"
)

// The audiences of /umumkan and the questions they open.

// audienceStep is the question each audience opens (none for everyone and OVOP owners).
var audienceStep = map[string]string{
	store.AudienceKabupaten: "kabupaten",
	store.AudiencePath:      "path",
	store.AudienceStatus:    "status",
	store.AudienceTraining:  "training",
	store.AudienceInterest:  "interest",
}

// kabupatenDone is the value of the "Selesai" button under the kabupaten toggles.
const kabupatenDone = "done"

// trainingsSince is how far back a training's registrants can still be announced to.
const trainingsSinceDays = 30

// trainingsPage is how many trainings one page of the training question shows; the others are
// on the pages after it.
const trainingsPage = 8

func audienceChoices(c *flows.Ctx) []flows.Choice {
	all := "BroadcastAudience_all"
	if c.Engine().Area(c.Actor) != nil {
		all = "BroadcastAudience_area"
	}
	return []flows.Choice{
		{Value: store.AudienceAll, Label: all},
		{Value: store.AudienceKabupaten, Label: "BroadcastAudience_kabupaten"},
		{Value: store.AudiencePath, Label: "BroadcastAudience_path"},
		{Value: store.AudienceStatus, Label: "BroadcastAudience_status"},
		{Value: store.AudienceOVOP, Label: "BroadcastAudience_ovop"},
		{Value: store.AudienceTraining, Label: "BroadcastAudience_training"},
		{Value: store.AudienceInterest, Label: "BroadcastAudience_interest"},
	}
}

// areaChoices are the kabupaten the sender may reach: their office's, or all for an admin.
func areaChoices(c *flows.Ctx) []flows.Choice {
	area := c.Engine().Area(c.Actor)
	var out []flows.Choice
	for _, k := range c.Engine().Rules().Kabupatens() {
		if area == nil || slices.Contains(area, k.Code) {
			out = append(out, flows.Choice{Value: k.Code, Text: k.Name})
		}
	}
	return out
}

// selectedKabupaten are the kabupaten toggled on so far. Before any toggle, a staff member whose
// office covers one kabupaten has it on; others start with none.
func selectedKabupaten(c *flows.Ctx) []string {
	if v, ok := c.Sess.Data["kabupaten"]; ok {
		if v == "" {
			return nil
		}
		return strings.Split(v, ",")
	}
	if area := c.Engine().Area(c.Actor); len(area) == 1 {
		return area
	}
	return nil
}

// kabupatenToggles are the sender's kabupaten as toggles (✅ on), then "Selesai".
func kabupatenToggles(c *flows.Ctx) []flows.Choice {
	on := selectedKabupaten(c)
	out := areaChoices(c)
	for i := range out {
		if slices.Contains(on, out[i].Value) {
			out[i].Text = "✅ " + out[i].Text
		}
	}
	return append(out, flows.Choice{Value: kabupatenDone, Label: "BroadcastKabupatenDone"})
}

// matchKabupaten reads a typed kabupaten name of the sender's area, or "selesai".
func matchKabupaten(c *flows.Ctx, text string) (string, *flows.Problem) {
	t := strings.TrimPrefix(strings.TrimSpace(text), "✅ ")
	if strings.EqualFold(t, c.T("BroadcastKabupatenDone")) || strings.EqualFold(t, "selesai") || strings.EqualFold(t, "done") {
		return kabupatenDone, nil
	}
	for _, ch := range areaChoices(c) {
		if strings.EqualFold(t, ch.Text) {
			return ch.Value, nil
		}
	}
	return "", nil
}

// toggleKabupaten turns a kabupaten on or off and shows the toggles again in the same message;
// "Selesai" goes on when at least one is on.
func toggleKabupaten(c *flows.Ctx, v string) error {
	on := selectedKabupaten(c)
	if v == kabupatenDone {
		if len(on) == 0 {
			c.Ask(flows.NewProblem("BroadcastKabupatenNone"), 0)
			return nil
		}
		c.Set("kabupaten", strings.Join(on, ","))
		return nil
	}
	if i := slices.Index(on, v); i >= 0 {
		on = slices.Delete(slices.Clone(on), i, i+1)
	} else {
		on = append(slices.Clone(on), v)
	}
	// Kept in the order of the list, so the summary reads like the buttons.
	var ordered []string
	for _, ch := range areaChoices(c) {
		if slices.Contains(on, ch.Value) {
			ordered = append(ordered, ch.Value)
		}
	}
	c.Set("kabupaten", strings.Join(ordered, ","))
	c.Ask(nil, 0)
	if c.Ev.Kind == flows.EventButton && c.Ev.MessageID != 0 {
		c.EditLastReply(c.Ev.MessageID)
	}
	return nil
}

func kabupatenNames(c *flows.Ctx, codes []string) string {
	names := make([]string, len(codes))
	for i, k := range codes {
		names[i] = c.KabupatenName(k)
	}
	return strings.Join(names, ", ")
}

func pathChoices(c *flows.Ctx) []flows.Choice {
	var out []flows.Choice
	for _, p := range c.Engine().Rules().Paths() {
		out = append(out, flows.Choice{Value: string(p.Code), Label: "PathName_" + string(p.Code)})
	}
	return out
}

func statusChoices(c *flows.Ctx) []flows.Choice {
	var out []flows.Choice
	for _, s := range []domain.Status{domain.StatusSubmitted, domain.StatusInReview, domain.StatusNeedsFix,
		domain.StatusAwaitingPayment, domain.StatusApproved, domain.StatusRejected} {
		out = append(out, flows.Choice{Value: string(s), Label: "Status_" + string(s)})
	}
	return out
}

// trainingsSince is the earliest start of a training whose registrants may be announced to.
func trainingsSince(c *flows.Ctx) time.Time { return c.Now.AddDate(0, 0, -trainingsSinceDays) }

// broadcastTrainings are the trainings whose registrants the sender may reach: their office's
// (an admin's: all), upcoming or of the last trainingsSinceDays, soonest first; all of them, the
// question pages them.
func broadcastTrainings(c *flows.Ctx) []store.Training {
	if c.DB == nil {
		return nil // listing message IDs: no database
	}
	trs, err := store.BroadcastTrainings(c, c.DB, c.Actor.Office(), trainingsSince(c), 0)
	if err != nil {
		c.Engine().Config().Logger.Error("staff: trainings for a broadcast", "err", err)
	}
	return trs
}

func trainingChoices(c *flows.Ctx) []flows.Choice {
	var out []flows.Choice
	for _, tr := range broadcastTrainings(c) {
		out = append(out, flows.Choice{Value: itoa(tr.ID), Text: tr.Title + " · " + c.L.ShortDate(tr.StartsAt)})
	}
	return out
}

// trainingAllowed says whether the training is one the sender may announce to, read anew at the
// confirmation (the list was of its moment): one they hold the trainings power over (their
// office's; any for an admin), not cancelled, starting within the window of the list.
func trainingAllowed(c *flows.Ctx, id string) bool {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return false
	}
	tr, err := store.TrainingByID(c, c.DB, n)
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			c.Engine().Config().Logger.Error("staff: training of a broadcast", "err", err)
		}
		return false
	}
	return tr.CancelledAt == nil && tr.StartsAt.After(trainingsSince(c)) && c.AuthorizeTraining(flows.PowerTrainings, &tr) == nil
}

func kindChoices(c *flows.Ctx) []flows.Choice {
	var out []flows.Choice
	for _, k := range TrainingKinds {
		out = append(out, flows.Choice{Value: k, Label: "TrainingKind_" + k})
	}
	return out
}

// audienceOf is the audience the answers so far describe, bounded by the sender's area.
func audienceOf(c *flows.Ctx) store.Audience {
	a := store.Audience{Kind: c.Get("audience"), Kabupaten: c.Engine().Area(c.Actor)}
	switch a.Kind {
	case store.AudienceKabupaten:
		a.Kabupaten = selectedKabupaten(c)
		if a.Kabupaten == nil {
			a.Kabupaten = []string{} // none chosen reaches nobody's area: refused, never "everyone"
		}
	case store.AudiencePath, store.AudienceStatus, store.AudienceTraining, store.AudienceInterest:
		a.Value = c.Get(audienceStep[a.Kind])
	}
	return a
}

// audienceName says whom an audience reaches, in the staff member's language; office names the
// sender's office when the audience is bounded by its area.
func audienceName(c *flows.Ctx, a store.Audience, office string) string {
	var s string
	switch a.Kind {
	case store.AudienceKabupaten:
		return kabupatenNames(c, areaOf(a))
	case store.AudiencePath:
		s = c.T("BroadcastAudienceOfPath", map[string]any{"Path": c.PathName(a.Value)})
	case store.AudienceStatus:
		s = c.T("BroadcastAudienceOfStatus", map[string]any{"Status": c.StatusName(a.Value)})
	case store.AudienceOVOP:
		s = c.T("BroadcastAudience_ovop")
	case store.AudienceTraining:
		title := "#" + a.Value
		if id, err := strconv.ParseInt(a.Value, 10, 64); err == nil {
			if tr, err := store.TrainingByID(c, c.DB, id); err == nil {
				title = tr.Title
			}
		}
		return c.T("BroadcastAudienceOfTraining", map[string]any{"Training": title})
	case store.AudienceInterest:
		s = c.T("BroadcastAudienceOfInterest", map[string]any{"Kind": c.T("TrainingKind_" + a.Value)})
	default:
		s = c.T("BroadcastAudience_all")
	}
	if len(a.Kabupaten) > 0 {
		s += " · " + officeName(c, office)
	}
	return s
}
