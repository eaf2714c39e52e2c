package bot

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"umkmbot/store"
)

// Default retention windows: how long rows that have served their purpose are kept.
const (
	// DefaultRetainInbox keeps handled updates for a week: long enough to recognise any
	// redelivery, and no longer, since Telegram may number updates from scratch after a week
	// without any (a longer window would take a new update for a redelivery). It is also the
	// most a window may be.
	DefaultRetainInbox = 7 * 24 * time.Hour
	// DefaultRetainLookups keeps status lookups a day: they only count towards the
	// lookups-per-hour limit (flows.Config.LookupLimit); a day leaves room to look into abuse.
	DefaultRetainLookups = 24 * time.Hour
	// DefaultRetainDrafts keeps a conversation left half way, and a draft set aside, 90 days: a
	// registration may wait weeks for an NIB from OSS or the next PKP course, and an owner is
	// offered it back when they return.
	DefaultRetainDrafts = 90 * 24 * time.Hour
	// DefaultRetainAudit keeps the audit log two years: it holds no personal data (who by id,
	// what, when), and answers questions about staff actions and data deletions long after the
	// fact: complaints and audits of a programme year come within the year after it.
	DefaultRetainAudit = 2 * 365 * 24 * time.Hour
	// DefaultRetainOutbox keeps the record of messages that could not be delivered (no payload:
	// chat, reason, when) and the dedupe keys of messages queued, 90 days: long enough to answer
	// "why did I not get it", and longer than any scheduled job looks back before deciding a
	// reminder again.
	DefaultRetainOutbox = 90 * 24 * time.Hour
)

// HousekeeperConfig is what a Housekeeper needs. Store is required; zero values take the
// defaults.
type HousekeeperConfig struct {
	Store *store.Store
	// The retention windows (defaults above). A negative window keeps that table's rows for
	// ever, except the inbox's, which is never more than DefaultRetainInbox.
	RetainInbox, RetainLookups, RetainDrafts, RetainAudit, RetainOutbox time.Duration
	// Batch is how many rows one statement deletes at most (default store.DefaultPruneBatch).
	Batch  int
	Now    func() time.Time
	Logger *slog.Logger
}

// Housekeeper deletes what has served its purpose, each time the scheduler runs the
// "housekeeping" job (HousekeepingJob): handled inbox updates,
// status lookups, stale conversations and drafts, old audit entries, the outbox's record of failed
// messages and its old dedupe keys (sent messages leave the outbox at once). Several instances may run
// one each: pruning twice removes nothing twice.
type Housekeeper struct {
	cfg HousekeeperConfig
	log *slog.Logger
}

// Pruned is how many rows one round removed, by kind. Drafts counts the conversations that lost
// a draft set aside (the conversation itself stays).
type Pruned struct {
	Inbox, Lookups, Sessions, Drafts, Audit, Outbox int64
}

// NewHousekeeper makes a housekeeper; HousekeepingJob schedules it.
func NewHousekeeper(cfg HousekeeperConfig) *Housekeeper {
	if cfg.RetainInbox <= 0 || cfg.RetainInbox > DefaultRetainInbox {
		cfg.RetainInbox = DefaultRetainInbox
	}
	if cfg.RetainLookups == 0 {
		cfg.RetainLookups = DefaultRetainLookups
	}
	if cfg.RetainDrafts == 0 {
		cfg.RetainDrafts = DefaultRetainDrafts
	}
	if cfg.RetainAudit == 0 {
		cfg.RetainAudit = DefaultRetainAudit
	}
	if cfg.RetainOutbox == 0 {
		cfg.RetainOutbox = DefaultRetainOutbox
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Housekeeper{cfg: cfg, log: cfg.Logger}
}

// RunOnce does one round: each table is pruned past its window, even when another failed (the
// errors are joined). It logs what it removed.
func (h *Housekeeper) RunOnce(ctx context.Context) (Pruned, error) {
	return h.prune(ctx, h.cfg.Now())
}

// prune is a round at the given time.
func (h *Housekeeper) prune(ctx context.Context, now time.Time) (Pruned, error) {
	db := h.cfg.Store.DB()
	var p Pruned
	var errs []error
	prune := func(n *int64, window time.Duration, fn func(context.Context, store.DB, time.Time, int) (int64, error)) {
		if window < 0 {
			return
		}
		var err error
		*n, err = fn(ctx, db, now.Add(-window), h.cfg.Batch)
		errs = append(errs, err)
	}
	prune(&p.Inbox, h.cfg.RetainInbox, store.PruneHandledUpdates)
	prune(&p.Lookups, h.cfg.RetainLookups, store.PruneLookups)
	prune(&p.Sessions, h.cfg.RetainDrafts, store.PruneSessions)
	prune(&p.Drafts, h.cfg.RetainDrafts, store.PruneDrafts)
	prune(&p.Audit, h.cfg.RetainAudit, store.PruneAudit)
	prune(&p.Outbox, h.cfg.RetainOutbox, store.PruneOutboxHistory)
	if p != (Pruned{}) {
		h.log.Info("housekeeping: pruned", "inbox", p.Inbox, "lookups", p.Lookups, "sessions", p.Sessions,
			"drafts", p.Drafts, "audit", p.Audit, "outbox_history", p.Outbox)
	}
	return p, errors.Join(errs...)
}
