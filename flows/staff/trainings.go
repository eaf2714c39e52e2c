package staff

import (
	"strconv"
	"strings"
	"time"

	"umkmbot/flows"
	"umkmbot/locales"
	"umkmbot/store"
)

// TrainingKinds are the kinds of pelatihan staff can schedule: the PKP food-safety course (the
// one SPP-IRT needs), CPPOB, labelling and packaging, halal self-declare, a registration clinic,
// other.
var TrainingKinds = []string{"pkp", "cppob", "label", "halal", "clinic", "other"}

// trainingNewFlow (/pelatihan_baru): title, kind, start (WITA), duration, place or online link,
// kabupaten (of the staff member's area; a health office's own without asking), quota,
// organiser (the office unless given), description; a summary to check, then saved.
func trainingNewFlow() *flows.Flow {
	return &flows.Flow{
		Name:     "training_new",
		Title:    "TrainingNewTitle",
		Progress: true,
		Steps: func(c *flows.Ctx) []*flows.Step {
			return []*flows.Step{
				{Name: "title", Prompt: "TrainingNewAskTitle", Input: flows.InputText, Parse: textBetween(5, 120)},
				{Name: "kind", Prompt: "TrainingNewAskKind", Input: flows.InputChoice, Columns: 2, Choices: kindChoices},
				{Name: "start", Prompt: "TrainingNewAskStart", Input: flows.InputText, Parse: parseStart,
					Display: displayStart},
				{Name: "duration", Prompt: "TrainingNewAskDuration", Input: flows.InputText, Parse: parseDuration,
					Display: displayDuration},
				{Name: "place", Prompt: "TrainingNewAskPlace", Input: flows.InputText, Parse: textBetween(3, 300)},
				{Name: "kabupaten", Prompt: "TrainingNewAskKabupaten", Input: flows.InputChoice, Columns: 3, Choices: areaChoices,
					Skip: func(c *flows.Ctx) bool { return len(c.Engine().Area(c.Actor)) == 1 }},
				{Name: "quota", Prompt: "TrainingNewAskQuota", Input: flows.InputText, Parse: parseQuota},
				{Name: "organiser", Prompt: "TrainingNewAskOrganiser", Input: flows.InputText, Parse: textBetween(3, 120),
					Optional: "TrainingNewOrganiserDefault",
					Display:  func(c *flows.Ctx, v string) string { return organiserOr(c, v) }},
				{Name: "description", Prompt: "TrainingNewAskDescription", Input: flows.InputText, Parse: textBetween(3, 2000),
					Optional: "CommonSkip"},
				{Name: "confirm", Prompt: "TrainingNewConfirm", Input: flows.InputConfirm, Confirm: "TrainingNewSaveButton",
					Editable: []string{"title", "kind", "start", "duration", "place", "kabupaten", "quota", "organiser", "description"},
					Data: func(c *flows.Ctx) map[string]any {
						return map[string]any{"Summary": c.Summary("title", "kind", "start", "duration", "place", "kabupaten", "quota",
							"organiser", "description")}
					}},
			}
		},
		Done: saveTraining,
	}
}

// displayStart shows a start (RFC 3339) as the summary reads it.
func displayStart(c *flows.Ctx, v string) string {
	t, _ := time.Parse(time.RFC3339, v)
	return c.L.DateTime(t)
}

// displayDuration shows a duration in minutes as the summary reads it.
func displayDuration(c *flows.Ctx, v string) string { return durationText(c.L, atoi(v)) }

// textBetween reads a text of lo to hi characters, trimmed (a title, a note, an announcement).
func textBetween(lo, hi int) func(c *flows.Ctx, in string) (string, *flows.Problem) {
	return func(c *flows.Ctx, in string) (string, *flows.Problem) {
		in = strings.TrimSpace(in)
		switch n := len([]rune(in)); {
		case n < lo:
			return "", flows.NewProblem("CommonTooShort")
		case n > hi:
			return "", &flows.Problem{Msg: "CommonTooLong", Data: map[string]any{"Max": hi}}
		}
		return in, nil
	}
}

// startLayouts are the ways a start is written: "10/12/2026 09.00", "10-12-2026 9:00",
// "2026-12-10 09:00" (WITA).
var startLayouts = []string{"2/1/2006 15:04", "2-1-2006 15:04", "2006-1-2 15:04"}

// parseStart reads a start date and time in WITA; it must be in the future.
func parseStart(c *flows.Ctx, in string) (string, *flows.Problem) {
	in = strings.Join(strings.Fields(strings.ToLower(in)), " ")
	in = strings.NewReplacer(" pukul ", " ", " jam ", " ", " wita", "", " at ", " ").Replace(in)
	if d, t, ok := strings.Cut(in, " "); ok {
		in = d + " " + strings.ReplaceAll(t, ".", ":")
	}
	for _, layout := range startLayouts {
		t, err := time.ParseInLocation(layout, in, locales.Location())
		if err != nil {
			continue
		}
		if !t.After(c.Now) {
			return "", flows.NewProblem("TrainingNewPastStart")
		}
		return t.UTC().Format(time.RFC3339), nil
	}
	return "", flows.NewProblem("TrainingNewBadStart")
}

// parseDuration reads "3", "1,5 jam", "90 menit" into minutes (15 minutes to 5 days).
func parseDuration(c *flows.Ctx, in string) (string, *flows.Problem) {
	in = strings.ToLower(strings.TrimSpace(in))
	minutes := 60.0
	for _, unit := range []struct {
		word string
		per  float64
	}{{"menit", 1}, {"minutes", 1}, {"min", 1}, {"jam", 60}, {"hours", 60}, {"hour", 60}, {"hari", 8 * 60}, {"days", 8 * 60}, {"day", 8 * 60}} {
		if strings.HasSuffix(in, unit.word) {
			in, minutes = strings.TrimSpace(strings.TrimSuffix(in, unit.word)), unit.per
			break
		}
	}
	n, err := strconv.ParseFloat(strings.ReplaceAll(in, ",", "."), 64)
	total := int(n * minutes)
	if err != nil || total < 15 || total > 5*24*60 {
		return "", flows.NewProblem("TrainingNewBadDuration")
	}
	return strconv.Itoa(total), nil
}

func parseQuota(c *flows.Ctx, in string) (string, *flows.Problem) {
	n, err := strconv.Atoi(strings.TrimSpace(strings.ReplaceAll(in, ".", "")))
	if err != nil || n <= 0 || n > 10000 {
		return "", flows.NewProblem("TrainingNewBadQuota")
	}
	return strconv.Itoa(n), nil
}

// durationText is a duration in minutes as "2 jam 30 menit".
func durationText(l *locales.Localizer, minutes int) string {
	h, m := minutes/60, minutes%60
	var parts []string
	if h > 0 {
		parts = append(parts, l.N("DurationHours", h))
	}
	if m > 0 {
		parts = append(parts, l.N("DurationMinutes", m))
	}
	return strings.Join(parts, " ")
}

func organiserOr(c *flows.Ctx, v string) string {
	if v != "" {
		return v
	}
	return officeName(c, c.Actor.Office())
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

// trainingKabupaten is the training's kabupaten: the one chosen, or the office's only one.
func trainingKabupaten(c *flows.Ctx) string {
	if k := c.Get("kabupaten"); k != "" {
		return k
	}
	if area := c.Engine().Area(c.Actor); len(area) == 1 {
		return area[0]
	}
	return ""
}

// saveTraining checks everything again (the start may have passed while the summary waited, the
// kabupaten must be the staff member's) and saves the training.
func saveTraining(c *flows.Ctx) error {
	kab := trainingKabupaten(c)
	err := c.AuthorizeArea(flows.PowerTrainings, []string{kab})
	return unlessRefused(c, asForbidden(err), func() error {
		start, _ := time.Parse(time.RFC3339, c.Get("start"))
		if !start.After(c.Now) {
			c.Sess.Step = "start"
			c.Ask(flows.NewProblem("TrainingNewPastStart"), 0)
			return nil
		}
		place, online := c.Get("place"), ""
		if strings.HasPrefix(place, "https://") || strings.HasPrefix(place, "http://") {
			place, online = c.T("TrainingOnlinePlace"), c.Get("place")
		}
		tr := store.Training{Title: c.Get("title"), Kind: c.Get("kind"), StartsAt: start, DurationMinutes: atoi(c.Get("duration")),
			Place: place, OnlineURL: online, Kabupaten: kab, Quota: atoi(c.Get("quota")), Organiser: organiserOr(c, c.Get("organiser")),
			Description: c.Get("description"), CreatedBy: c.Actor.Staff.ID, Office: c.Actor.Office()}
		if err := store.CreateTraining(c, c.DB, &tr); err != nil {
			return err
		}
		if err := audit(c, "training.create", "training", tr.ID, nil, map[string]any{"title": tr.Title, "kind": tr.Kind,
			"starts_at": tr.StartsAt, "kabupaten": kab, "quota": tr.Quota}); err != nil {
			return err
		}
		c.Sess.Reset()
		c.Say(c.T("TrainingNewSaved", map[string]any{"Title": tr.Title, "When": c.L.DateTime(tr.StartsAt)}))
		return nil
	})
}
