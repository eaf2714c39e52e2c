package staff

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"umkmbot/flows"
	"umkmbot/locales"
	"umkmbot/store"
)

// broadcastMaxLen keeps an announcement to one Telegram message with its header.
const broadcastMaxLen = 3500

// broadcastFlow (/umumkan): the text, one optional photo or document, the audience (everyone,
// several kabupaten, a permit path, an application status, OVOP owners, a training's registrants,
// owners waiting for a kind of training) always bounded by the sender's area (their office's
// kabupaten; the whole province for an admin), the send time (now, or later in WITA), then how
// many it reaches and a preview exactly as owners see it, and a confirmation. The flow only
// stores the broadcast; the bot's broadcaster fans it out into the outbox in batches when its time
// comes (a broadcast of 50,000 is not one transaction of 50,000 rows) and edits the confirmation
// into its progress and at last its report.
//
// The questions an audience opens (which kabupaten, path, status, training, kind) are asides:
// they take no step number, so the total shown ("Langkah 2 dari 5") never changes under the
// staff member.
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
				{Name: "text", Prompt: "BroadcastAskText", Input: flows.InputText, Parse: textBetween(10, broadcastMaxLen),
					Display: func(c *flows.Ctx, v string) string { return "\n" + v }},
				{Name: "file", Prompt: "BroadcastAskFile", Input: flows.InputFile, Optional: "BroadcastNoFile",
					Display: displayBroadcastFile, Save: func(c *flows.Ctx, v string) error {
						if c.Ev.File == nil {
							v = "" // "Tanpa lampiran" removes one sent before, too
						}
						c.Set("file", v)
						return nil
					}},
				{Name: "audience", Prompt: "BroadcastAskAudience", Input: flows.InputChoice, Choices: audienceChoices,
					Next: func(c *flows.Ctx, v string) string { return audienceStep[v] }},
				{Name: "kabupaten", Prompt: "BroadcastAskKabupaten", Input: flows.InputChoice, Columns: 3, Aside: true,
					Skip: is(store.AudienceKabupaten), Choices: kabupatenToggles, Match: matchKabupaten, Save: toggleKabupaten,
					Display: func(c *flows.Ctx, _ string) string { return kabupatenNames(c, selectedKabupaten(c)) }},
				{Name: "path", Prompt: "BroadcastAskPath", Input: flows.InputChoice, Aside: true, Skip: is(store.AudiencePath),
					Choices: pathChoices},
				{Name: "status", Prompt: "BroadcastAskStatus", Input: flows.InputChoice, Columns: 2, Aside: true,
					Skip: is(store.AudienceStatus), Choices: statusChoices},
				{Name: "training", Prompt: "BroadcastAskTraining", Input: flows.InputChoice, Aside: true,
					Skip: is(store.AudienceTraining), Choices: trainingChoices, PageSize: trainingsPage},
				{Name: "interest", Prompt: "BroadcastAskInterest", Input: flows.InputChoice, Columns: 2, Aside: true,
					Skip: is(store.AudienceInterest), Choices: kindChoices},
				{Name: "when", Prompt: "BroadcastAskWhen", Input: flows.InputText, Optional: "BroadcastNowButton",
					Parse: parseSendTime, Display: displaySendTime},
				{Name: "confirm", Prompt: "BroadcastConfirm", Input: flows.InputConfirm, Confirm: "BroadcastSendButton",
					Editable: []string{"text", "file", "audience", "when"}, Data: broadcastPreview, Save: checkSendTime},
			}
		},
		Done: func(c *flows.Ctx) error {
			a := audienceOf(c)
			return guardedArea(c, a, func() error { return startBroadcast(c, a) })
		},
	}
}

func displayBroadcastFile(c *flows.Ctx, v string) string {
	if _, ok := flows.DecodeFile(v); !ok {
		return c.T("BroadcastNoFileShort")
	}
	return flows.DisplayFile(c, v)
}

// parseSendTime reads the send time: "sekarang" (or the button) is now; else a date and time in
// WITA as a training's start is written, not in the past.
func parseSendTime(c *flows.Ctx, in string) (string, *flows.Problem) {
	switch strings.ToLower(strings.Trim(in, " .!")) {
	case "sekarang", "now", "kirim sekarang", "send now":
		return "", nil
	}
	v, p := parseStart(c, in)
	switch {
	case p == nil:
		return v, nil
	case p.Msg == "TrainingNewPastStart":
		return "", flows.NewProblem("BroadcastPastTime")
	}
	return "", flows.NewProblem("BroadcastBadTime")
}

// checkSendTime, on "send", asks for the send time again when it passed while the summary waited.
func checkSendTime(c *flows.Ctx, v string) error {
	if at := sendTime(c); at != nil && !at.After(c.Now) {
		c.Sess.Step = "when"
		c.Ask(flows.NewProblem("BroadcastPastTime"), 0)
		return nil
	}
	c.Set("confirm", v)
	return nil
}

// sendTime is the chosen send time; nil for now.
func sendTime(c *flows.Ctx) *time.Time {
	t, err := time.Parse(time.RFC3339, c.Get("when"))
	if err != nil {
		return nil
	}
	return &t
}

func displaySendTime(c *flows.Ctx, v string) string {
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return c.T("BroadcastNow")
	}
	return c.L.DateTime(t)
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

// areaOf is the kabupaten an audience reaches: the chosen ones (one, in broadcasts made before
// several could be), or the sender's area (nil: all).
func areaOf(a store.Audience) []string {
	if a.Kind == store.AudienceKabupaten && a.Value != "" {
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

// broadcastPreview is the confirmation's data: whom it reaches, when, and what they see. The
// attachment goes just above it, as owners will get it (with the Indonesian text as its caption).
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
	file := ""
	if f, ok := flows.DecodeFile(c.Get("file")); ok {
		c.Reply(flows.Reply{FileID: f.ID, Photo: f.Photo, Text: texts["id"]})
		file = displayBroadcastFile(c, c.Get("file"))
	}
	return map[string]any{"Audience": audienceName(c, a, c.Actor.Office()), "Count": total, "Unreachable": unreachable,
		"Preview": strings.Join(preview, "\n\n"), "File": file, "When": displaySendTime(c, c.Get("when"))}
}

// startBroadcast stores the broadcast for the broadcaster and tells the sender how to follow it.
// Its reply is named (Ref) so that the broadcaster edits it into the progress and the report.
func startBroadcast(c *flows.Ctx, a store.Audience) error {
	if a.Kind == store.AudienceTraining && !trainingAllowed(c, a.Value) {
		return unlessRefused(c, flows.ErrForbidden, nil)
	}
	at := sendTime(c)
	total, _, err := store.AudienceSize(c, c.DB, a)
	if err != nil {
		return err
	}
	b := store.Broadcast{CreatedBy: c.Actor.Staff.ID, StaffChat: c.Ev.ChatID, Audience: a, Texts: broadcastTexts(c, c.Get("text")),
		SendAt: at, Expected: total, Office: c.Actor.Office()}
	if f, ok := flows.DecodeFile(c.Get("file")); ok {
		b.FileID, b.FilePhoto = f.ID, f.Photo
	}
	if err := store.CreateBroadcast(c, c.DB, &b); err != nil {
		return err
	}
	if err := audit(c, "broadcast.create", "broadcast", b.ID, nil, map[string]any{"audience": a, "recipients": total,
		"send_at": at, "file": b.FileID != ""}); err != nil {
		return err
	}
	c.Sess.Reset()
	text := c.T("BroadcastStarted", map[string]any{"ID": b.ID, "Count": total})
	if at != nil {
		text = c.T("BroadcastScheduled", map[string]any{"ID": b.ID, "Count": total, "When": c.L.DateTime(*at)})
	}
	c.Reply(flows.Reply{Text: text, Buttons: BroadcastButtons(c.L, b.ID, true), Ref: BroadcastRef(b.ID)})
	return nil
}

// BroadcastRef names a broadcast's progress message in its staff member's chat: the confirmation
// is sent under it, and bot.Broadcaster edits it into the progress and at last the report.
func BroadcastRef(id int64) string { return "bc:" + itoa(id) }

// BroadcastButtons are a broadcast's buttons: its report, and while it is open its cancel.
func BroadcastButtons(l *locales.Localizer, id int64, open bool) [][]flows.Button {
	row := []flows.Button{{Label: l.T("BroadcastReportButton"), Data: "a:bcr:" + itoa(id)}}
	if open {
		row = append(row, flows.Button{Label: l.T("BroadcastCancelButton"), Data: "a:bcx:" + itoa(id)})
	}
	return [][]flows.Button{row}
}

// withBroadcast loads the broadcast of a button and runs do when the person may read it (cancel:
// cancel it); see authorizeBroadcast.
func withBroadcast(c *flows.Ctx, arg string, cancel bool, do func(b store.Broadcast) error) error {
	id, _ := strconv.ParseInt(arg, 10, 64)
	b, err := store.BroadcastByID(c, c.DB, id)
	if errors.Is(err, store.ErrNotFound) {
		return unlessRefused(c, flows.ErrNotFound, nil)
	}
	if err != nil {
		return err
	}
	return unlessRefused(c, authorizeBroadcast(c, b, cancel), func() error { return do(b) })
}

// authorizeBroadcast says whether the person may read the broadcast's report (cancel false) or
// cancel it (true). Admins and the staff of the sending office may do both. Other staff whose
// area holds the broadcast's (Dinkes Ngada, of a BBPOM Kupang broadcast to Ngada) read its
// report, as /umumkan_riwayat lists it to them with the same counts, but may not cancel it
// (forbidden); staff outside read it as none. Viewers and owners may do neither.
func authorizeBroadcast(c *flows.Ctx, b store.Broadcast, cancel bool) error {
	if err := c.Authorize(flows.PowerBroadcast, nil); err != nil {
		return err
	}
	if c.Actor.Role == flows.RoleAdmin || b.Office != "" && b.Office == c.Actor.Office() {
		return nil
	}
	if err := c.AuthorizeArea(flows.PowerBroadcast, areaOf(b.Audience)); err != nil {
		return err
	}
	if cancel {
		return fmt.Errorf("%w: broadcast %d is %q's, not %q's", flows.ErrForbidden, b.ID, b.Office, c.Actor.Office())
	}
	return nil
}

// showBroadcastReport answers "Laporan": how the broadcast went so far, with its cancel while it
// is open to those who may cancel it.
func showBroadcastReport(c *flows.Ctx, arg string) error {
	return withBroadcast(c, arg, false, func(b store.Broadcast) error {
		r, err := store.BroadcastReportOf(c, c.DB, b.ID)
		if err != nil {
			return err
		}
		open := isOpen(r.Status) && authorizeBroadcast(c, b, true) == nil
		c.Reply(flows.Reply{Text: BroadcastReportText(c.L, b.ID, r), Buttons: BroadcastButtons(c.L, b.ID, open)})
		return nil
	})
}

func isOpen(status string) bool {
	return status == store.BroadcastQueued || status == store.BroadcastSending
}

// BroadcastReportText is a broadcast's report in the staff member's language (also the final report
// the broadcaster makes of the progress message).
func BroadcastReportText(l *locales.Localizer, id int64, r store.BroadcastReport) string {
	return l.T("BroadcastReport", map[string]any{"ID": id, "Status": l.T("BroadcastStatus_" + r.Status),
		"Delivered": r.Delivered, "Waiting": r.Waiting, "Unreachable": r.Unreachable, "Failed": r.Failed, "Cancelled": r.Cancelled})
}

// BroadcastProgressText is the progress message of a broadcast under way: "Terkirim 1.250 / 5.000
// · 12 tidak terjangkau". The total is the audience counted at the confirmation until every
// recipient is queued.
func BroadcastProgressText(l *locales.Localizer, b store.Broadcast, r store.BroadcastReport) string {
	total := r.Queued
	if r.Status == store.BroadcastQueued {
		total = max(b.Expected, r.Queued)
	}
	return l.T("BroadcastProgress", map[string]any{"ID": b.ID, "Delivered": l.Number(int64(r.Delivered)),
		"Total": l.Number(int64(total)), "Unreachable": r.Unreachable, "UnreachableN": l.Number(int64(r.Unreachable)),
		"Failed": r.Failed, "FailedN": l.Number(int64(r.Failed))})
}

// cancelBroadcast answers "Batalkan": what is not sent yet never will be (before its send time,
// nothing is). The progress message becomes the report. Only admins and the sending office's
// staff cancel.
func cancelBroadcast(c *flows.Ctx, arg string) error {
	return withBroadcast(c, arg, true, func(b store.Broadcast) error {
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
		r, err := store.BroadcastReportOf(c, c.DB, b.ID)
		if err != nil {
			return err
		}
		c.Reply(flows.Reply{Text: BroadcastReportText(c.L, b.ID, r), Buttons: BroadcastButtons(c.L, b.ID, false),
			EditRef: BroadcastRef(b.ID)})
		return nil
	})
}
