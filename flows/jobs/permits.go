package jobs

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"umkmbot/flows"
	"umkmbot/store"
)

// PermitOffset is one permit-expiry reminder: how long before the last valid day it is due, in
// months, days or working days (one of them set).
type PermitOffset struct {
	Months, Days, WorkingDays int
}

func (o PermitOffset) name() string {
	switch {
	case o.Months > 0:
		return "m" + strconv.Itoa(o.Months)
	case o.WorkingDays > 0:
		return "w" + strconv.Itoa(o.WorkingDays)
	}
	return "d" + strconv.Itoa(o.Days)
}

// DefaultPermitOffsets are the permit-expiry reminders per path, earliest first: BPOM MD when its
// renewal window opens (12 months before) and 30 and 10 working days before (the last day to
// file, DOMAIN.md); the other paths 180, 90 and 30 days before.
var DefaultPermitOffsets = map[string][]PermitOffset{
	"md":               {{Months: 12}, {WorkingDays: 30}, {WorkingDays: 10}},
	"spp_irt":          {{Days: 180}, {Days: 90}, {Days: 30}},
	"kosmetik":         {{Days: 180}, {Days: 90}, {Days: 30}},
	"obat_tradisional": {{Days: 180}, {Days: 90}, {Days: 30}},
}

// permitLookahead covers the earliest offset: 12 months, and a month to spare.
const permitLookahead = 13 * 31 * 24 * time.Hour

// PermitExpiry reminds the owners of approved permits before the permit's last valid day, at the
// offsets of its path (Config.PermitOffsets, default DefaultPermitOffsets), at RemindHour, with
// what renewal needs on that path. A reminder missed in downtime is sent when the bot is back,
// unless the next one is due by then (then only that one goes) or the permit has lapsed. A new valid-until date (a renewal)
// brings new reminders.
func (j *Jobs) PermitExpiry(ctx context.Context, db store.DB, now time.Time) ([]Message, error) {
	if j.cfg.Rules == nil {
		return nil, fmt.Errorf("permit expiry: jobs.Config.Rules is not set")
	}
	apps, err := store.PermitsExpiring(ctx, db, now.In(j.cfg.Location).AddDate(0, 0, -1), now.Add(permitLookahead))
	if err != nil {
		return nil, fmt.Errorf("permit expiry: %w", err)
	}
	var msgs []Message
	for _, d := range apps {
		a := d.Application
		// The permit is valid through its day: the date as stored, in WITA.
		y, m, day := a.PermitValidUntil.UTC().Date()
		last := time.Date(y, m, day, j.cfg.RemindHour, 0, 0, 0, j.cfg.Location)
		lapses := time.Date(y, m, day+1, 0, 0, 0, 0, j.cfg.Location)
		offsets := j.cfg.PermitOffsets[a.Path]
		var occs []occasion
		for _, off := range offsets {
			at := last.AddDate(0, -off.Months, -off.Days)
			if off.WorkingDays > 0 {
				at = j.cfg.Rules.AddWorkingDays(last, -off.WorkingDays)
			}
			// Each is useful until the permit lapses; once the next is due, the next goes instead.
			occs = append(occs, occasion{name: off.name(), at: at, until: lapses})
		}
		o, ok := current(occs, now, d.Since)
		if !ok {
			continue
		}
		l := j.localizer(d.Lang)
		validUntil := time.Date(y, m, day, 12, 0, 0, 0, j.cfg.Location)
		msgs = append(msgs, Message{
			ChatID: d.ChatID,
			Key:    fmt.Sprintf("permit:%d:owner:%d:%s:%04d-%02d-%02d", a.ID, a.OwnerID, o.name, y, m, day),
			Reply: flows.Reply{
				Text: l.T("ReminderPermitExpiry", map[string]any{"Permit": a.PermitNumber, "Product": a.ProductName,
					"Until": l.Date(validUntil), "Renewal": l.T("ReminderPermitRenewal_" + a.Path)}),
				Buttons: [][]flows.Button{{{Label: l.T("ReminderApplicationButton"), Data: "a:app:" + strconv.FormatInt(a.ID, 10)}}},
			},
		})
	}
	return msgs, nil
}
