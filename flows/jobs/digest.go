package jobs

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"umkmbot/flows"
	"umkmbot/flows/staff"
	"umkmbot/store"
)

// StaffDigest sends each active staff member and admin, on Monday at RemindHour, the last week of
// their office's share: new submissions, applications waiting past the service target, and
// corrections whose due date passed; and a warning when the holiday calendar lacks a year the
// working days will soon need. Useful through the Monday: a digest missed is not sent later in
// the week.
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
	for _, r := range recipients {
		d, err := store.WeekDigest(ctx, db, staff.OfficeShare(j.cfg.Rules, r.Unit), weekFrom, now, now.Add(-staff.ServiceTarget))
		if err != nil {
			return nil, fmt.Errorf("staff digest: %w", err)
		}
		l := j.localizer(r.Lang)
		office := l.T("ReminderDigestAllOffices")
		if o, ok := j.cfg.Rules.Office(r.Unit); ok {
			office = o.Name
		}
		text := l.T("ReminderDigest", map[string]any{"Office": office, "New": d.New, "Waiting": d.Waiting, "Lapsed": d.Lapsed,
			"Target": int(staff.ServiceTarget / (24 * time.Hour))})
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
