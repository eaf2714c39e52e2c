package jobs

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"umkmbot/flows"
	"umkmbot/locales"
	"umkmbot/store"
)

// lapsedUseful is how long after a correction's due date passed its staff are still told: a
// lapse older than a week is left to the Monday digest. The keys that remember who was told
// must be kept longer than that (RETAIN_OUTBOX, 90 days by default).
const lapsedUseful = 7 * 24 * time.Hour

// lapsedPerMessage caps the applications one message names (and its buttons); the rest go in the
// next run.
const lapsedPerMessage = 30

// lapsedLock serialises the runs of CorrectionsLapsed across instances for the rest of their
// transaction, so that a second run reads the first one's keys.
const lapsedLock = "corrections-lapsed"

const lapsedKeyPrefix = "fixlapsed:staff:"

// CorrectionsLapsed tells each active staff member and admin which applications of their office
// (staff.Share) had corrections due that passed unanswered: one message per person per
// run naming every such application not told to them yet (number, business, kabupaten, days
// late), with a button to each card. A lapse is named to a person once: the message's key lists
// the applications it names with their due dates (fixlapsed:staff:<staff>:<id>@<due>,… the due
// date in Unix seconds), and a run reads those keys back before deciding: an application whose
// corrections are asked again with a new due date that passes too is a new lapse, named again.
func (j *Jobs) CorrectionsLapsed(ctx context.Context, db store.DB, now time.Time) ([]Message, error) {
	if j.cfg.Rules == nil {
		return nil, fmt.Errorf("corrections lapsed: jobs.Config.Rules is not set")
	}
	// Two instances that run at once would each name what the other is naming: one waits.
	if err := store.LockTx(ctx, db, lapsedLock); err != nil {
		return nil, fmt.Errorf("corrections lapsed: %w", err)
	}
	keys, err := store.DedupeKeys(ctx, db, lapsedKeyPrefix)
	if err != nil {
		return nil, fmt.Errorf("corrections lapsed: %w", err)
	}
	told := map[string]bool{} // "<staff>:<application>@<due>"
	for _, k := range keys {
		staffID, lapses, _ := strings.Cut(strings.TrimPrefix(k, lapsedKeyPrefix), ":")
		for lapse := range strings.SplitSeq(lapses, ",") {
			told[staffID+":"+lapse] = true
		}
	}
	recipients, err := store.DigestRecipients(ctx, db)
	if err != nil {
		return nil, fmt.Errorf("corrections lapsed: %w", err)
	}
	var msgs []Message
	byShare := map[string][]store.LapsedCorrection{} // the lapses of a share, read once for its staff
	for _, r := range recipients {
		shareKey := "office:" + r.Unit
		if r.Role == "admin" {
			shareKey = "admin"
		}
		all, read := byShare[shareKey]
		if !read {
			share, _ := j.recipientShare(r) // staff of an office no longer in the rules: nothing
			if all, err = store.CorrectionsLapsed(ctx, db, share, now.Add(-lapsedUseful), now); err != nil {
				return nil, fmt.Errorf("corrections lapsed: %w", err)
			}
			byShare[shareKey] = all
		}
		sid := strconv.FormatInt(r.StaffID, 10)
		lapsed := slices.DeleteFunc(slices.Clone(all), func(a store.LapsedCorrection) bool { return told[sid+":"+lapseKey(a)] })
		if len(lapsed) == 0 {
			continue
		}
		lapsed = lapsed[:min(len(lapsed), lapsedPerMessage)]
		l := j.localizer(r.Lang)
		lapses := make([]string, len(lapsed))
		var buttons [][]flows.Button
		for i, a := range lapsed {
			lapses[i] = lapseKey(a)
			buttons = append(buttons, []flows.Button{{Label: l.T("StaffLapsedCardButton", map[string]any{"Number": a.Number}),
				Data: "a:card:" + strconv.FormatInt(a.ID, 10)}})
		}
		msgs = append(msgs, Message{
			ChatID: r.ChatID,
			Key:    lapsedKeyPrefix + sid + ":" + strings.Join(lapses, ","),
			Reply:  flows.Reply{Text: l.T("StaffLapsedNotice", map[string]any{"List": j.lapsedList(l, lapsed, now)}), Buttons: buttons},
		})
	}
	return msgs, nil
}

// lapseKey names a lapse in the keys: the application and its due date, <id>@<Unix seconds>.
func lapseKey(a store.LapsedCorrection) string {
	return strconv.FormatInt(a.ID, 10) + "@" + strconv.FormatInt(a.DueAt.Unix(), 10)
}

// lapsedList is one line per lapsed application: number, business, kabupaten, days late.
func (j *Jobs) lapsedList(l *locales.Localizer, lapsed []store.LapsedCorrection, now time.Time) string {
	lines := make([]string, len(lapsed))
	for i, a := range lapsed {
		business := a.Business
		if business == "" {
			business = "—"
		}
		lines[i] = l.N("StaffLapsedItem", j.daysBetween(a.DueAt, now), map[string]any{"Number": a.Number, "Business": business,
			"Kabupaten": j.kabupatenName(a.Kabupaten)})
	}
	return strings.Join(lines, "\n")
}

// daysBetween counts the days from a's day to b's day, in the reminders' location.
func (j *Jobs) daysBetween(a, b time.Time) int {
	ya, ma, da := a.In(j.cfg.Location).Date()
	yb, mb, db := b.In(j.cfg.Location).Date()
	return int(time.Date(yb, mb, db, 12, 0, 0, 0, time.UTC).Sub(time.Date(ya, ma, da, 12, 0, 0, 0, time.UTC)).Hours() / 24)
}
