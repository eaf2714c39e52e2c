package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"umkmbot/flows"
	"umkmbot/flows/staff"
	"umkmbot/locales"
	"umkmbot/store"
)

// DefaultBroadcastBatch is how many recipients one fan-out transaction queues.
const DefaultBroadcastBatch = 5000

// BroadcasterConfig is what a Broadcaster needs. Store and Messages are required.
type BroadcasterConfig struct {
	Store    *store.Store
	Messages *locales.Bundle
	// Batch is how many recipients one transaction queues (default DefaultBroadcastBatch).
	Batch int
	// Every is how often Run looks for broadcasts to fan out or finish (default 2s).
	Every time.Duration
	// ProgressEvery is the least time between two edits of a broadcast's progress message
	// (default 5s; Telegram allows a message about one edit every few seconds).
	ProgressEvery time.Duration
	// SettleAfter is how long after a cancel the report is shown once more with what the senders
	// held at the cancel and sent (default 15s: more than a sender's lease, by when each has
	// recorded what it held or lost it).
	SettleAfter time.Duration
	// Nudge, when set, tells the sender that messages were queued.
	Nudge  func()
	Now    func() time.Time
	Logger *slog.Logger
}

// Broadcaster turns the broadcasts staff confirmed (/umumkan, which only stores them) into
// outbox messages at broadcast priority, and tells the sender of each when it is over.
//
// Why here: an outbox payload is this package's format (Payload), which flows cannot import, and
// a broadcast of 50,000 must not be one transaction of the update that confirmed it. So the
// conversation stores the broadcast with its text per language, and the broadcaster encodes one
// payload per language and hands it to store.FanOutBroadcast, batch after batch, each its own
// transaction with the broadcast's progress: a restart goes on where the last batch ended, and
// the dedupe key per (broadcast, owner) keeps anyone from getting it twice. Several instances may
// run one each: batches of one broadcast take turns on its row.
type Broadcaster struct {
	cfg BroadcasterConfig
	log *slog.Logger
}

// NewBroadcaster makes a broadcaster; Run runs it.
func NewBroadcaster(cfg BroadcasterConfig) *Broadcaster {
	if cfg.Batch <= 0 {
		cfg.Batch = DefaultBroadcastBatch
	}
	if cfg.Every <= 0 {
		cfg.Every = 2 * time.Second
	}
	if cfg.ProgressEvery <= 0 {
		cfg.ProgressEvery = 5 * time.Second
	}
	if cfg.SettleAfter <= 0 {
		cfg.SettleAfter = 15 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Broadcaster{cfg: cfg, log: cfg.Logger}
}

// Run makes a pass every cfg.Every until ctx ends.
func (b *Broadcaster) Run(ctx context.Context) error {
	t := time.NewTicker(b.cfg.Every)
	defer t.Stop()
	for {
		if err := b.Pass(ctx); err != nil && ctx.Err() == nil {
			b.log.Error("broadcaster: pass failed; trying again", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Pass fans out every broadcast still being queued whose send time has come, edits the progress
// message of those under way (at most every ProgressEvery, and only when it changed), and
// finishes those with nothing left in the outbox: the broadcast is marked done and its progress
// message becomes the final report (once: the dedupe key).
func (b *Broadcaster) Pass(ctx context.Context) error {
	db := b.cfg.Store.DB()
	ids, err := store.OpenBroadcasts(ctx, db)
	if err != nil {
		return err
	}
	var errs []error
	for _, id := range ids {
		if err := b.fanOut(ctx, id); err != nil {
			errs = append(errs, err)
			continue
		}
		// A broadcast that just ended gets its report, not one more progress edit before it.
		finished, err := b.finish(ctx, id)
		if err != nil {
			errs = append(errs, err)
		}
		if finished {
			continue
		}
		if err := b.progress(ctx, id); err != nil {
			errs = append(errs, err)
		}
	}
	if err := b.settleCancelled(ctx); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// settleCancelled shows the report of a broadcast cancelled SettleAfter ago once more, in its
// progress message: the cancel showed it at once, but a message a sender held then went out and
// counts as delivered once recorded. Once per broadcast (the dedupe key); an edit that changes
// nothing is taken by Telegram as done. A broadcast cancelled while the service was down for
// longer than an hour is left as it was shown.
func (b *Broadcaster) settleCancelled(ctx context.Context) error {
	now := b.cfg.Now()
	ids, err := store.CancelledBroadcasts(ctx, b.cfg.Store.DB(), now.Add(-b.cfg.SettleAfter-time.Hour), now.Add(-b.cfg.SettleAfter))
	if err != nil {
		return err
	}
	var errs []error
	for _, id := range ids {
		if err := b.report(ctx, id, "bcsettled:"); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (b *Broadcaster) fanOut(ctx context.Context, id int64) error {
	db := b.cfg.Store.DB()
	bc, err := store.BroadcastByID(ctx, db, id)
	if err != nil || bc.Status != store.BroadcastQueued || !started(bc, b.cfg.Now()) {
		return err
	}
	payloads := map[string][]byte{}
	for lang, text := range bc.Texts {
		p, err := EncodePayload(Payload{Kind: KindReply, Reply: &flows.Reply{Text: text, FileID: bc.FileID, Photo: bc.FilePhoto}})
		if err != nil {
			return fmt.Errorf("broadcast %d: %w", id, err)
		}
		payloads[lang] = p
	}
	for {
		n, done, err := store.FanOutBroadcast(ctx, db, id, payloads, b.cfg.Batch)
		if err != nil {
			return err
		}
		if n > 0 && b.cfg.Nudge != nil {
			b.cfg.Nudge()
		}
		if done || ctx.Err() != nil {
			return ctx.Err()
		}
	}
}

// started says whether the broadcast's send time has come.
func started(bc store.Broadcast, now time.Time) bool {
	return bc.SendAt == nil || !bc.SendAt.After(now)
}

// progress queues an edit of the broadcast's progress message when it says something new and the
// last one is ProgressEvery old.
func (b *Broadcaster) progress(ctx context.Context, id int64) error {
	queued := false
	err := b.cfg.Store.Tx(ctx, func(tx pgx.Tx) error {
		bc, err := store.BroadcastByID(ctx, tx, id)
		if err != nil || bc.StaffChat == 0 || bc.Status == store.BroadcastDone || bc.Status == store.BroadcastCancelled ||
			!started(bc, b.cfg.Now()) {
			return err
		}
		r, err := store.BroadcastReportOf(ctx, tx, id)
		if err != nil {
			return err
		}
		l := b.staffLocalizer(ctx, tx, bc.StaffChat)
		text := staff.BroadcastProgressText(l, bc, r)
		ok, err := store.ClaimBroadcastProgress(ctx, tx, id, b.cfg.Now(), b.cfg.ProgressEvery, text)
		if err != nil || !ok {
			return err
		}
		p, err := EncodePayload(Payload{Kind: KindReply, Reply: &flows.Reply{Text: text, EditRef: staff.BroadcastRef(id),
			Buttons: staff.BroadcastButtons(l, id, true)}})
		if err != nil {
			return err
		}
		_, queued, err = store.Enqueue(ctx, tx, store.OutboxMessage{ChatID: bc.StaffChat, Priority: store.PriorityReply, Payload: p})
		return err
	})
	if err != nil {
		return fmt.Errorf("broadcast %d progress: %w", id, err)
	}
	if queued && b.cfg.Nudge != nil {
		b.cfg.Nudge()
	}
	return nil
}

// staffLocalizer speaks the staff member's language.
func (b *Broadcaster) staffLocalizer(ctx context.Context, db store.DB, chat int64) *locales.Localizer {
	lang, _ := store.OwnerLang(ctx, db, chat) // "" (not found or unreadable) is the default language
	return b.cfg.Messages.For(lang)
}

// finish marks the broadcast done when nothing of it is left to send and makes its progress
// message the report; finished says whether it did.
func (b *Broadcaster) finish(ctx context.Context, id int64) (finished bool, err error) {
	queued := false
	err = b.cfg.Store.Tx(ctx, func(tx pgx.Tx) error {
		done, err := store.FinishBroadcast(ctx, tx, id, b.cfg.Now())
		finished = done
		if err != nil || !done {
			return err
		}
		queued, err = b.queueReport(ctx, tx, id, "bcdone:")
		return err
	})
	if err != nil {
		return false, fmt.Errorf("finish broadcast %d: %w", id, err)
	}
	if queued && b.cfg.Nudge != nil {
		b.cfg.Nudge()
	}
	return finished, nil
}

// report queues the broadcast's report as an edit of its progress message, once per key prefix.
func (b *Broadcaster) report(ctx context.Context, id int64, key string) error {
	queued := false
	err := b.cfg.Store.Tx(ctx, func(tx pgx.Tx) (err error) {
		queued, err = b.queueReport(ctx, tx, id, key)
		return err
	})
	if err != nil {
		return fmt.Errorf("report of broadcast %d: %w", id, err)
	}
	if queued && b.cfg.Nudge != nil {
		b.cfg.Nudge()
	}
	return nil
}

// queueReport puts the report in the staff chat's outbox as an edit of the progress message, with
// the dedupe key key+id; queued says whether it was new.
func (b *Broadcaster) queueReport(ctx context.Context, tx pgx.Tx, id int64, key string) (queued bool, err error) {
	bc, err := store.BroadcastByID(ctx, tx, id)
	if err != nil || bc.StaffChat == 0 {
		return false, err
	}
	r, err := store.BroadcastReportOf(ctx, tx, id)
	if err != nil {
		return false, err
	}
	l := b.staffLocalizer(ctx, tx, bc.StaffChat)
	p, err := EncodePayload(Payload{Kind: KindReply, Reply: &flows.Reply{
		Text: staff.BroadcastReportText(l, id, r), EditRef: staff.BroadcastRef(id), Buttons: staff.BroadcastButtons(l, id, false)}})
	if err != nil {
		return false, err
	}
	_, queued, err = store.Enqueue(ctx, tx, store.OutboxMessage{ChatID: bc.StaffChat, Priority: store.PriorityReply,
		Payload: p, DedupeKey: key + strconv.FormatInt(id, 10)})
	return queued, err
}
