package jobs

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"umkmbot/flows"
	"umkmbot/flows/staff"
	"umkmbot/locales"
	"umkmbot/store"
)

// StaffDigest sends each active staff member and admin, on Monday at RemindHour, the last week of
// their office's share: new submissions, applications waiting past the service target, and
// corrections whose due date passed (counted, and listed with business, kabupaten and days
// late); the trainings of this week in the office's kabupaten with seats taken of the quota; and
// a warning when the holiday calendar lacks a year the working days will soon need. Useful
// through the Monday: a digest missed is not sent later in the week.
func (j *Jobs) StaffDigest(ctx context.Context, db store.DB, now time.Time) ([]Message, error) {
	if j.cfg.Rules == nil {
		return nil, fmt.Errorf("staff digest: jobs.Config.Rules is not set")
	}
	sinceMonday := (int(now.In(j.cfg.Location).Weekday()) + 6) % 7
	monday := dayAt(now, -sinceMonday, j.cfg.RemindHour, j.cfg.Location)
	if _, ok := current([]occasion{{name: "week", at: monday, until: dayAt(now, -sinceMonday+1, 0, j.cfg.Location)}}, now, time.Time{}); !ok {
		return nil, nil
	}
	recipients, err := store.DigestRecipients(ctx, db)
	if err != nil {
		return nil, fmt.Errorf("staff digest: %w", err)
	}
	var missing []string
	for _, y := range j.cfg.Rules.MissingHolidayYears(now) {
		missing = append(missing, strconv.Itoa(y))
	}
	weekFrom := monday.AddDate(0, 0, -7)
	var msgs []Message
	weekStart, weekEnd := dayAt(now, -sinceMonday, 0, j.cfg.Location), dayAt(now, 7-sinceMonday, 0, j.cfg.Location)
	for _, r := range recipients {
		share, ok := j.recipientShare(r)
		if !ok {
			continue
		}
		d, err := store.WeekDigest(ctx, db, share, weekFrom, now, now.Add(-staff.ServiceTarget))
		if err != nil {
			return nil, fmt.Errorf("staff digest: %w", err)
		}
		lapsed, err := store.CorrectionsLapsed(ctx, db, share, weekFrom, now)
		if err != nil {
			return nil, fmt.Errorf("staff digest: %w", err)
		}
		trainings, err := store.TrainingsStarting(ctx, db, share.Kabupaten, weekStart, weekEnd)
		if err != nil {
			return nil, fmt.Errorf("staff digest: %w", err)
		}
		l := j.localizer(r.Lang)
		office := l.T("ReminderDigestAllOffices")
		if o, ok := j.cfg.Rules.Office(r.Unit); ok && r.Role != "admin" {
			office = o.Name
		}
		text := l.T("ReminderDigest", map[string]any{"Office": office, "New": d.New, "Waiting": d.Waiting, "Lapsed": d.Lapsed,
			"Target": int(staff.ServiceTarget / (24 * time.Hour))})
		if len(lapsed) > 0 {
			text += "\n\n" + l.T("StaffDigestLapsedList") + "\n" + j.lapsedList(l, lapsed[:min(len(lapsed), digestListed)], now)
			if more := len(lapsed) - digestListed; more > 0 {
				text += "\n" + l.T("StaffDigestMore", map[string]any{"Count": more})
			}
		}
		text += "\n\n" + j.trainingsOfTheWeek(l, trainings)
		if len(missing) > 0 {
			text += "\n\n" + l.T("ReminderDigestHolidaysMissing", map[string]any{"Years": strings.Join(missing, ", ")})
		}
		msgs = append(msgs, Message{
			ChatID: r.ChatID,
			Key:    fmt.Sprintf("digest:staff:%d:%s", r.StaffID, monday.Format(time.DateOnly)),
			Reply:  flows.Reply{Text: text},
		})
	}
	return msgs, nil
}

// recipientShare is the part of the applications a digest's or a notice's recipient may see
// (staff.Share, by role: an admin everything, a staff member their office's share); ok is false
// for staff whose office is not in the rules, who are skipped.
func (j *Jobs) recipientShare(r store.DigestRecipient) (store.QueueFilter, bool) {
	return staff.Share(j.cfg.Rules, r.Role == "admin", r.Unit)
}

// digestListed caps the lapsed corrections a digest lists; the rest are counted.
const digestListed = 15

// trainingsOfTheWeek is the digest's part on the week's trainings: each with when, where, and
// seats taken of its quota.
func (j *Jobs) trainingsOfTheWeek(l *locales.Localizer, trainings []store.WeekTraining) string {
	if len(trainings) == 0 {
		return l.T("StaffDigestNoTrainings")
	}
	lines := []string{l.T("StaffDigestTrainings")}
	for _, t := range trainings {
		kab := "—" // online, or anywhere
		if k, ok := j.cfg.Rules.Kabupaten(t.Kabupaten); ok {
			kab = k.Name
		}
		lines = append(lines, l.T("StaffDigestTraining", map[string]any{"Title": t.Title, "When": l.DateTime(t.StartsAt),
			"Kabupaten": kab, "Taken": t.Registered, "Quota": t.Quota}))
	}
	return strings.Join(lines, "\n")
}
