// Package jobs decides the bot's scheduled messages: for each job, who is due a reminder at a
// given time and what they get. A job is a plain function of (ctx, db, now) that returns the
// messages with their dedupe keys; it sends nothing and writes nothing. Package bot runs the jobs
// on a schedule, in a transaction, and puts what they return in the outbox, where each dedupe key
// is taken once: a job run twice, on two instances at once or again after a crash, sends each
// reminder once.
//
// Every job scans a window ("due and not yet sent"), not an exact moment, so a run after downtime
// catches up; an occasion whose useful window has closed is skipped, not sent late.
package jobs

import (
	"context"
	"errors"
	"time"

	"umkmbot/flows"
	"umkmbot/flows/domain"
	"umkmbot/locales"
	"umkmbot/store"
)

// Message is one scheduled message for one chat. Key is its dedupe key, kind + subject +
// recipient + occasion: the same reminder decided again has the same key.
type Message struct {
	ChatID int64
	Key    string
	Reply  flows.Reply
}

// Due is a job's decision: the messages due at now, read in db (the caller's transaction).
type Due func(ctx context.Context, db store.DB, now time.Time) ([]Message, error)

// Config is what the jobs need. Messages is required; zero values take the defaults.
type Config struct {
	Messages *locales.Bundle
	// Location is where days begin and end for reminders (default WITA, locales.Location()).
	Location *time.Location
	// RemindHour is the hour of the day a day-based reminder becomes due (default 8: 08:00).
	RemindHour int
	// TrainingBefore is how long before a training's start its last reminder goes (default 2h).
	TrainingBefore time.Duration
	// Rules gives the working days (the payment and permit reminders count them); PaymentDue and
	// PermitExpiry need it.
	Rules *domain.Rules
	// PermitOffsets are the permit-expiry reminders per path (default DefaultPermitOffsets).
	PermitOffsets map[string][]PermitOffset
}

// Jobs holds the decision functions of every scheduled reminder.
type Jobs struct {
	cfg Config
}

// DefaultRemindHour and DefaultTrainingBefore are the reminders' default timing.
const (
	DefaultRemindHour     = 8
	DefaultTrainingBefore = 2 * time.Hour
)

// New checks cfg and fills in its defaults.
func New(cfg Config) (*Jobs, error) {
	if cfg.Messages == nil {
		return nil, errors.New("jobs: Messages is required")
	}
	if cfg.Location == nil {
		cfg.Location = locales.Location()
	}
	if cfg.RemindHour == 0 {
		cfg.RemindHour = DefaultRemindHour
	}
	if cfg.RemindHour < 0 || cfg.RemindHour > 23 {
		return nil, errors.New("jobs: RemindHour must be from 0 to 23")
	}
	if cfg.TrainingBefore == 0 {
		cfg.TrainingBefore = DefaultTrainingBefore
	}
	if cfg.PermitOffsets == nil {
		cfg.PermitOffsets = DefaultPermitOffsets
	}
	if cfg.TrainingBefore < 0 {
		return nil, errors.New("jobs: TrainingBefore must not be negative")
	}
	return &Jobs{cfg: cfg}, nil
}

// occasion is one moment a subject has a reminder for, useful until its window closes.
type occasion struct {
	name      string
	at, until time.Time
}

// current returns the occasion to remind of at now: the latest one whose moment has come and
// whose window is still open. An occasion whose moment came before since (the registration, the
// request) is not one: the person had just been told. Earlier occasions missed are not sent late.
func current(occs []occasion, now, since time.Time) (occasion, bool) {
	var found occasion
	ok := false
	for _, o := range occs {
		if o.at.After(now) || !now.Before(o.until) || o.at.Before(since) {
			continue
		}
		if !ok || o.at.After(found.at) {
			found, ok = o, true
		}
	}
	return found, ok
}

// dayAt is the given hour of the day that is days away from t's day, in loc.
func dayAt(t time.Time, days, hour int, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d+days, hour, 0, 0, 0, loc)
}

func (j *Jobs) localizer(lang string) *locales.Localizer { return j.cfg.Messages.For(lang) }
