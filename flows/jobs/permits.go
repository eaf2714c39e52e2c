package jobs

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"umkmbot/flows"
	"umkmbot/locales"
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

// String writes the offset as ParsePermitOffsets reads it: 12mo, 30wd, 180d.
func (o PermitOffset) String() string {
	switch {
	case o.Months > 0:
		return strconv.Itoa(o.Months) + "mo"
	case o.WorkingDays > 0:
		return strconv.Itoa(o.WorkingDays) + "wd"
	}
	return strconv.Itoa(o.Days) + "d"
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

// maxPermitOffsetMonths bounds the earliest reminder: 12 months (the MD's renewal window) and a
// little more; permitLookahead covers it, and a month to spare.
const (
	maxPermitOffsetMonths = 18
	permitLookahead       = (maxPermitOffsetMonths + 1) * 31 * 24 * time.Hour
)

// permitUseful is how long a permit reminder missed in downtime may still go out: well within
// the outbox's dedupe keys' retention (RETAIN_OUTBOX, 90 days by default), so a key pruned
// never lets a reminder go twice.
const permitUseful = 30 * 24 * time.Hour

// ParsePermitOffsets reads a path's reminders as a comma-separated list of offsets before the
// last valid day: "12mo" (months), "30wd" (working days), "180d" (days), such as
// "12mo,30wd,10wd". Each is at least 1 and at most 18 months (550 days, 390 working days); none
// twice.
func ParsePermitOffsets(s string) ([]PermitOffset, error) {
	var out []PermitOffset
	seen := map[string]bool{}
	for item := range strings.SplitSeq(s, ",") {
		item = strings.ToLower(strings.TrimSpace(item))
		var o PermitOffset
		var n int
		var err error
		switch {
		case strings.HasSuffix(item, "mo"):
			n, err = strconv.Atoi(strings.TrimSuffix(item, "mo"))
			o.Months = n
			if err == nil && n > maxPermitOffsetMonths {
				err = fmt.Errorf("more than %d months", maxPermitOffsetMonths)
			}
		case strings.HasSuffix(item, "wd"):
			n, err = strconv.Atoi(strings.TrimSuffix(item, "wd"))
			o.WorkingDays = n
			if err == nil && n > 390 {
				err = fmt.Errorf("more than 390 working days")
			}
		case strings.HasSuffix(item, "d"):
			n, err = strconv.Atoi(strings.TrimSuffix(item, "d"))
			o.Days = n
			if err == nil && n > 550 {
				err = fmt.Errorf("more than 550 days")
			}
		default:
			return nil, fmt.Errorf("%q: an offset is a number with mo (months), wd (working days) or d (days), such as 12mo, 30wd, 180d", item)
		}
		if err == nil && n < 1 {
			err = fmt.Errorf("less than 1")
		}
		if err != nil {
			return nil, fmt.Errorf("%q: %w", item, err)
		}
		if seen[o.name()] {
			return nil, fmt.Errorf("%q twice", item)
		}
		seen[o.name()] = true
		out = append(out, o)
	}
	return out, nil
}

// FormatPermitOffsets writes offsets as ParsePermitOffsets reads them.
func FormatPermitOffsets(offs []PermitOffset) string {
	parts := make([]string, len(offs))
	for i, o := range offs {
		parts[i] = o.String()
	}
	return strings.Join(parts, ",")
}

// PermitExpiry reminds the owners of approved permits, and of the permits they recorded
// themselves (/izin_saya), before the permit's last valid day, at the offsets of its path
// (Config.PermitOffsets, default DefaultPermitOffsets), at RemindHour, with what renewal needs on
// that path. A reminder missed in downtime is sent when the bot is back, within permitUseful,
// unless the next one is due by then (then only that one goes) or the permit has lapsed. A new
// valid-until date (a renewal) brings new reminders. The two kinds have their own keys
// (permit:<application>… and heldpermit:<record>…).
func (j *Jobs) PermitExpiry(ctx context.Context, db store.DB, now time.Time) ([]Message, error) {
	if j.cfg.Rules == nil {
		return nil, fmt.Errorf("permit expiry: jobs.Config.Rules is not set")
	}
	from, to := now.In(j.cfg.Location).AddDate(0, 0, -1), now.Add(permitLookahead)
	apps, err := store.PermitsExpiring(ctx, db, from, to)
	if err != nil {
		return nil, fmt.Errorf("permit expiry: %w", err)
	}
	var msgs []Message
	for _, d := range apps {
		a, validUntil := d.Application, *d.Application.PermitValidUntil
		o, ok := j.permitOccasion(a.Path, validUntil, false, now, d.Since)
		if !ok {
			continue
		}
		l := j.localizer(d.Lang)
		y, m, day := validUntil.UTC().Date()
		msgs = append(msgs, Message{
			ChatID: d.ChatID,
			Key:    fmt.Sprintf("permit:%d:owner:%d:%s:%04d-%02d-%02d", a.ID, a.OwnerID, o.name, y, m, day),
			Reply: flows.Reply{
				Text:    j.permitText(l, a.Path, a.PermitNumber, a.ProductName, validUntil, false),
				Buttons: [][]flows.Button{{{Label: l.T("ReminderApplicationButton"), Data: "a:app:" + strconv.FormatInt(a.ID, 10)}}},
			},
		})
	}
	held, err := store.HeldPermitsExpiring(ctx, db, from, to)
	if err != nil {
		return nil, fmt.Errorf("permit expiry: %w", err)
	}
	for _, d := range held {
		p := d.Permit
		o, ok := j.permitOccasion(p.Path, p.ValidUntil, p.YearOnly, now, p.RecordedAt)
		if !ok {
			continue
		}
		l := j.localizer(d.Lang)
		msgs = append(msgs, Message{
			ChatID: d.ChatID,
			Key:    fmt.Sprintf("heldpermit:%d:owner:%d:%s:%s", p.ID, p.OwnerID, o.name, p.ValidUntil.UTC().Format(time.DateOnly)),
			Reply: flows.Reply{
				Text:    j.permitText(l, p.Path, p.Number, p.ProductName, p.ValidUntil, p.YearOnly),
				Buttons: [][]flows.Button{{{Label: l.T("PermitHeldRenewButton"), Data: "a:go:daftar"}}},
			},
		})
	}
	return msgs, nil
}

// permitOccasion is the reminder due at now of a permit of the path valid through validUntil's
// day (a date as stored), or through the end of its year when yearOnly (the reminders then count
// from 1 January, so none comes late), recorded or approved at since.
func (j *Jobs) permitOccasion(path string, validUntil time.Time, yearOnly bool, now, since time.Time) (occasion, bool) {
	y, m, day := validUntil.UTC().Date()
	last := time.Date(y, m, day, j.cfg.RemindHour, 0, 0, 0, j.cfg.Location)
	lapses := time.Date(y, m, day+1, 0, 0, 0, 0, j.cfg.Location)
	if yearOnly {
		last = time.Date(y, 1, 1, j.cfg.RemindHour, 0, 0, 0, j.cfg.Location)
		lapses = time.Date(y+1, 1, 1, 0, 0, 0, 0, j.cfg.Location)
	}
	var occs []occasion
	for _, off := range j.cfg.PermitOffsets[path] {
		at := last.AddDate(0, -off.Months, -off.Days)
		if off.WorkingDays > 0 {
			at = j.cfg.Rules.AddWorkingDays(last, -off.WorkingDays)
		}
		// Useful for a while, never after the permit lapses; once the next is due, the next goes
		// instead.
		occs = append(occs, occasion{name: off.name(), at: at, until: minTime(at.Add(permitUseful), lapses)})
	}
	return current(occs, now, since)
}

// permitText is the reminder's words: the permit, its product, until when, and what renewal
// needs on its path.
func (j *Jobs) permitText(l *locales.Localizer, path, number, product string, validUntil time.Time, yearOnly bool) string {
	y, m, day := validUntil.UTC().Date()
	until := l.Date(time.Date(y, m, day, 12, 0, 0, 0, j.cfg.Location))
	if yearOnly {
		until = l.T("PermitHeldUntilYear", map[string]any{"Year": y})
	}
	return l.T("ReminderPermitExpiry", map[string]any{"Permit": number, "Product": product,
		"Until": until, "Renewal": l.T("ReminderPermitRenewal_" + path)})
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
