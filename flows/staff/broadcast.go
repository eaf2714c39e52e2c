package staff

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"umkmbot/flows"
	"umkmbot/flows/domain"
	"umkmbot/locales"
	"umkmbot/store"
)

// broadcastMaxLen keeps an announcement to one Telegram message with its header.
const broadcastMaxLen = 3500

// broadcastFlow (/umumkan): the text, the audience (everyone, a kabupaten, a permit path, an
// application status, OVOP owners) always bounded by the sender's area (their office's kabupaten;
// the whole province for an admin), then how many it reaches and a preview exactly as owners see
// it, and a confirmation. The flow only stores the broadcast; the bot's broadcast runner fans it
// out into the outbox in batches (a broadcast of 50,000 is not one transaction of 50,000 rows).
func broadcastFlow() *flows.Flow {
	is := func(kind string) func(c *flows.Ctx) bool {
		return func(c *flows.Ctx) bool { return c.Get("audience") != kind }
	}
	return &flows.Flow{
		Name:     "broadcast",
		Title:    "BroadcastTitle",
		Progress: true,
		Steps: func(c *flows.Ctx) []*flows.Step {
			return []*flows.Step{
				{Name: "text", Prompt: "BroadcastAskText", Input: flows.InputText, Parse: parseBroadcastText,
					Display: func(c *flows.Ctx, v string) string { return "\n" + v }},
				{Name: "audience", Prompt: "BroadcastAskAudience", Input: flows.InputChoice, Choices: audienceChoices},
				{Name: "kabupaten", Prompt: "BroadcastAskKabupaten", Input: flows.InputChoice, Columns: 3,
					Skip: is(store.AudienceKabupaten), Choices: areaChoices},
				{Name: "path", Prompt: "BroadcastAskPath", Input: flows.InputChoice, Skip: is(store.AudiencePath),
					Choices: func(c *flows.Ctx) []flows.Choice {
						var out []flows.Choice
						for _, p := range c.Engine().Rules().Paths() {
							out = append(out, flows.Choice{Value: string(p.Code), Label: "PathName_" + string(p.Code)})
						}
						return out
					}},
				{Name: "status", Prompt: "BroadcastAskStatus", Input: flows.InputChoice, Columns: 2, Skip: is(store.AudienceStatus),
					Choices: func(c *flows.Ctx) []flows.Choice {
						var out []flows.Choice
						for _, s := range []domain.Status{domain.StatusSubmitted, domain.StatusInReview, domain.StatusNeedsFix,
							domain.StatusAwaitingPayment, domain.StatusApproved, domain.StatusRejected} {
							out = append(out, flows.Choice{Value: string(s), Label: "Status_" + string(s)})
						}
						return out
					}},
				{Name: "confirm", Prompt: "BroadcastConfirm", Input: flows.InputConfirm, Confirm: "BroadcastSendButton",
					Editable: []string{"text", "audience"}, Data: broadcastPreview},
			}
		},
		Done: func(c *flows.Ctx) error {
			a := audienceOf(c)
			return guardedArea(c, a, func() error { return startBroadcast(c, a) })
		},
	}
}

func parseBroadcastText(c *flows.Ctx, in string) (string, *flows.Problem) {
	in = strings.TrimSpace(in)
	if len([]rune(in)) < 10 {
		return "", flows.NewProblem("CommonTooShort")
	}
	if len([]rune(in)) > broadcastMaxLen {
		return "", &flows.Problem{Msg: "CommonTooLong", Data: map[string]any{"Max": broadcastMaxLen}}
	}
	return in, nil
}

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

// audienceOf is the audience the answers so far describe, bounded by the sender's area.
func audienceOf(c *flows.Ctx) store.Audience {
	a := store.Audience{Kind: c.Get("audience"), Kabupaten: c.Engine().Area(c.Actor)}
	switch a.Kind {
	case store.AudienceKabupaten:
		a.Value = c.Get("kabupaten")
	case store.AudiencePath:
		a.Value = c.Get("path")
	case store.AudienceStatus:
		a.Value = c.Get("status")
	}
	return a
}

// guardedArea runs do when the person may broadcast to a. A kabupaten outside their area is
// refused as forbidden (a kabupaten is no secret).
func guardedArea(c *flows.Ctx, a store.Audience, do func() error) error {
	return unlessRefused(c, asForbidden(c.AuthorizeArea(flows.PowerBroadcast, areaOf(a))), do)
}

// asForbidden makes AuthorizeArea's "not found" a plain refusal, for a kabupaten the person chose
// themselves.
func asForbidden(err error) error {
	if errors.Is(err, flows.ErrNotFound) {
		return fmt.Errorf("%w: %w", flows.ErrForbidden, err)
	}
	return err
}

// areaOf is the kabupaten an audience reaches: the chosen one, or the sender's area (nil: all).
func areaOf(a store.Audience) []string {
	if a.Kind == store.AudienceKabupaten {
		return []string{a.Value}
	}
	return a.Kabupaten
}

// broadcastTexts is the announcement as owners see it, in each language.
func broadcastTexts(c *flows.Ctx, text string) map[string]string {
	from := officeName(c, c.Actor.Office())
	out := map[string]string{}
	for _, lang := range c.Engine().Messages().Languages() {
		l := c.Engine().Messages().For(lang)
		if c.Actor.Office() == "" {
			from = l.T("BroadcastFromProvince")
		}
		out[lang] = l.T("BroadcastOwnerText", map[string]any{"From": from, "Text": text})
	}
	return out
}

// broadcastPreview is the confirmation's data: whom it reaches and what they see.
func broadcastPreview(c *flows.Ctx) map[string]any {
	a := audienceOf(c)
	total, unreachable, err := store.AudienceSize(c, c.DB, a)
	if err != nil {
		c.Engine().Config().Logger.Error("staff: audience size", "err", err)
	}
	texts := broadcastTexts(c, c.Get("text"))
	var preview []string
	for _, lang := range c.Engine().Messages().Languages() {
		preview = append(preview, c.T("BroadcastPreviewLang_"+lang)+"\n"+texts[lang])
	}
	return map[string]any{"Audience": audienceName(c, a), "Count": total, "Unreachable": unreachable,
		"Preview": strings.Join(preview, "\n\n")}
}

// audienceName says whom an audience reaches, in the staff member's language.
func audienceName(c *flows.Ctx, a store.Audience) string {
	var s string
	switch a.Kind {
	case store.AudienceKabupaten:
		s = c.KabupatenName(a.Value)
	case store.AudiencePath:
		s = c.T("BroadcastAudienceOfPath", map[string]any{"Path": c.PathName(a.Value)})
	case store.AudienceStatus:
		s = c.T("BroadcastAudienceOfStatus", map[string]any{"Status": c.StatusName(a.Value)})
	case store.AudienceOVOP:
		s = c.T("BroadcastAudience_ovop")
	default:
		s = c.T("BroadcastAudience_all")
	}
	if len(a.Kabupaten) > 0 && a.Kind != store.AudienceKabupaten {
		s += " · " + officeName(c, c.Actor.Office())
	}
	return s
}

// startBroadcast stores the broadcast for the runner and tells the sender how to follow it.
func startBroadcast(c *flows.Ctx, a store.Audience) error {
	b := store.Broadcast{CreatedBy: c.Actor.Staff.ID, StaffChat: c.Ev.ChatID, Audience: a, Texts: broadcastTexts(c, c.Get("text"))}
	if err := store.CreateBroadcast(c, c.DB, &b); err != nil {
		return err
	}
	total, _, err := store.AudienceSize(c, c.DB, a)
	if err != nil {
		return err
	}
	if err := audit(c, "broadcast.create", "broadcast", b.ID, nil, map[string]any{"audience": a, "recipients": total}); err != nil {
		return err
	}
	c.Sess.Reset()
	c.Reply(flows.Reply{Text: c.T("BroadcastStarted", map[string]any{"ID": b.ID, "Count": total}), Buttons: broadcastButtons(c, b.ID, true)})
	return nil
}

func broadcastButtons(c *flows.Ctx, id int64, open bool) [][]flows.Button {
	row := []flows.Button{{Label: c.T("BroadcastReportButton"), Data: "a:bcr:" + itoa(id)}}
	if open {
		row = append(row, flows.Button{Label: c.T("BroadcastCancelButton"), Data: "a:bcx:" + itoa(id)})
	}
	return [][]flows.Button{row}
}

// withBroadcast loads the broadcast of a button and runs do when it is within the person's area
// (staff of another office read it as none).
func withBroadcast(c *flows.Ctx, arg string, do func(b store.Broadcast) error) error {
	id, _ := strconv.ParseInt(arg, 10, 64)
	b, err := store.BroadcastByID(c, c.DB, id)
	if errors.Is(err, store.ErrNotFound) {
		return unlessRefused(c, flows.ErrNotFound, nil)
	}
	if err != nil {
		return err
	}
	return unlessRefused(c, c.AuthorizeArea(flows.PowerBroadcast, areaOf(b.Audience)), func() error { return do(b) })
}

// showBroadcastReport answers "Laporan": how the broadcast went so far.
func showBroadcastReport(c *flows.Ctx, arg string) error {
	return withBroadcast(c, arg, func(b store.Broadcast) error {
		r, err := store.BroadcastReportOf(c, c.DB, b.ID)
		if err != nil {
			return err
		}
		c.Reply(flows.Reply{Text: BroadcastReportText(c.L, b.ID, r), Buttons: broadcastButtons(c, b.ID,
			r.Status == store.BroadcastQueued || r.Status == store.BroadcastSending)})
		return nil
	})
}

// BroadcastReportText is a broadcast's report in the staff member's language (also the final report
// the broadcast runner sends).
func BroadcastReportText(l *locales.Localizer, id int64, r store.BroadcastReport) string {
	return l.T("BroadcastReport", map[string]any{"ID": id, "Status": l.T("BroadcastStatus_" + r.Status),
		"Delivered": r.Delivered, "Waiting": r.Waiting, "Unreachable": r.Unreachable, "Failed": r.Failed, "Cancelled": r.Cancelled})
}

// cancelBroadcast answers "Batalkan": what is not sent yet never will be.
func cancelBroadcast(c *flows.Ctx, arg string) error {
	return withBroadcast(c, arg, func(b store.Broadcast) error {
		dropped, err := store.CancelBroadcast(c, c.DB, b.ID, c.Now)
		if errors.Is(err, store.ErrNotFound) {
			c.Toast(c.T("BroadcastAlreadyOver"))
			return showBroadcastReport(c, arg)
		}
		if err != nil {
			return err
		}
		if err := audit(c, "broadcast.cancel", "broadcast", b.ID, map[string]any{"status": b.Status},
			map[string]any{"status": store.BroadcastCancelled, "dropped": dropped}); err != nil {
			return err
		}
		c.Toast(c.T("BroadcastCancelledShort"))
		return showBroadcastReport(c, arg)
	})
}
