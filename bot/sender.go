package bot

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	tgbot "github.com/go-telegram/bot"
	"github.com/jackc/pgx/v5"

	"umkmbot/store"
)

// SenderConfig configures a Sender. Zero values pick the defaults named on each field.
type SenderConfig struct {
	Store   *store.Store
	Client  *tgbot.Bot
	Metrics *Metrics     // nil: unregistered metrics
	Logger  *slog.Logger // nil: discarded

	// GlobalRate is how many messages per second this instance sends at most (default 25,
	// within Telegram's ~30/s). With several instances, give each its share.
	GlobalRate float64
	// ChatRate is the sustained rate to one chat, per second (default 1). Replies may burst
	// ChatBurst messages (default 3); reminders and broadcasts never burst: at most one per chat
	// per 1/ChatRate.
	ChatRate  float64
	ChatBurst int
	// PaidBroadcast sends broadcasts (priority 2) with allow_paid_broadcast: Telegram then lets
	// them through at up to 1000/s, for a fee in Stars per message. PaidRate is the rate this
	// instance uses for them (default 900/s).
	PaidBroadcast bool
	PaidRate      float64
	// MaxAttempts bounds the tries of a message that keeps failing for a passing reason (5xx,
	// network, timeout); then it is failed (default 8).
	MaxAttempts int

	// Workers is how many Telegram calls may be in flight at once (default 8; 64 with
	// PaidBroadcast). At ~100 ms a call, 8 keep 25/s going with room to spare.
	Workers int
	// Batch is how many claimed rows this instance holds at most, queued or in flight
	// (default 2×Workers). Small, so that a reply enqueued now waits behind few others.
	Batch int
	// Lease is how long a claimed row belongs to this instance before another may take it
	// (default 2 min). It must outlast a send: see SendTimeout.
	Lease time.Duration
	// PollInterval is how often the outbox is looked at when nobody nudges (default 1s): rows
	// due later (retries, scheduled reminders) and rows enqueued by other instances.
	PollInterval time.Duration
	// SendTimeout bounds one Telegram call (default 30s).
	SendTimeout time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Sender delivers the outbox to Telegram: replies before reminders before broadcasts, within
// Telegram's global and per-chat limits, each chat's messages in the order they were enqueued.
// A 429 pauses the whole sender for retry_after; a 403 marks the owner unreachable and drops
// what was queued for them; a 400 fails the message; anything else is retried with backoff.
// Several instances may run against one database: each row is claimed by one of them.
type Sender struct {
	cfg   SenderConfig
	m     *Metrics
	log   *slog.Logger
	now   func() time.Time
	lim   *rateLimiter
	nudge chan struct{}

	mu            sync.Mutex
	retryAfterMax int
}

// Timing constants of the sender that need no configuration.
const (
	retryDelayBase   = time.Second
	retryDelayMax    = 5 * time.Minute
	callGrace        = 2 * time.Second  // how long an in-flight call may finish after a stop
	sendWriteTimeout = 10 * time.Second // bounds recording an outcome, which a stop does not cancel
	senderStatsEvery = 10 * time.Second // depth gauge and the unreachable sweep
)

// NewSender makes a Sender; Run starts it.
func NewSender(cfg SenderConfig) *Sender {
	if cfg.GlobalRate <= 0 {
		cfg.GlobalRate = 25
	}
	if cfg.ChatRate <= 0 {
		cfg.ChatRate = 1
	}
	if cfg.ChatBurst <= 0 {
		cfg.ChatBurst = 3
	}
	if cfg.PaidRate <= 0 {
		cfg.PaidRate = 900
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 8
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 8
		if cfg.PaidBroadcast {
			cfg.Workers = 64
		}
	}
	if cfg.Batch <= 0 {
		cfg.Batch = 2 * cfg.Workers
	}
	if cfg.Lease <= 0 {
		cfg.Lease = 2 * time.Minute
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = time.Second
	}
	if cfg.SendTimeout <= 0 {
		cfg.SendTimeout = 30 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Metrics == nil {
		cfg.Metrics = NewMetrics(nil)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Sender{
		cfg: cfg, m: cfg.Metrics, log: cfg.Logger, now: cfg.Now,
		lim:   newRateLimiter(cfg.GlobalRate, cfg.PaidRate, cfg.ChatRate, cfg.ChatBurst),
		nudge: make(chan struct{}, 1),
	}
}

// Nudge tells the sender that rows were just committed, so a reply goes out now rather than
// at the next poll. It never blocks.
func (s *Sender) Nudge() {
	select {
	case s.nudge <- struct{}{}:
	default:
	}
}

// Run sends until ctx ends, then lets calls in flight finish (briefly), gives back what it had
// claimed and not sent, and returns nil.
func (s *Sender) Run(ctx context.Context) error {
	p := s.newPass(false)
	var wg sync.WaitGroup
	for range s.cfg.Workers {
		wg.Go(func() { p.work(ctx) })
	}
	wg.Go(func() { s.keepStats(ctx) })
	p.claimLoop(ctx)
	p.close()
	wg.Wait()
	p.releaseQueued(ctx)
	return nil
}

// Flush sends every row that is due now (and any that become due while it runs, such as a
// chat's next message), then returns: for a graceful shutdown, after the dispatcher has
// stopped. It returns ctx's error when ctx ends first; what was not sent stays in the outbox.
// It may run beside Run: the two claim different rows.
func (s *Sender) Flush(ctx context.Context) error {
	p := s.newPass(true)
	var wg sync.WaitGroup
	for range s.cfg.Workers {
		wg.Go(func() { p.work(ctx) })
	}
	err := p.claimLoop(ctx)
	p.close()
	wg.Wait()
	p.releaseQueued(ctx)
	if err == nil {
		err = ctx.Err()
	}
	return err
}

// keepStats sets the queue depth gauge and fails rows queued for unreachable owners, every
// senderStatsEvery.
func (s *Sender) keepStats(ctx context.Context) {
	t := time.NewTicker(senderStatsEvery)
	defer t.Stop()
	for {
		db := s.cfg.Store.DB()
		if n, err := store.FailUnreachableOutbox(ctx, db); err != nil && ctx.Err() == nil {
			s.log.Warn("sender: failing messages of unreachable owners", "err", err)
		} else if n > 0 {
			s.log.Info("sender: dropped messages queued for unreachable owners", "count", n)
		}
		if depth, err := store.PendingOutboxByPriority(ctx, db); err == nil {
			for _, prio := range []int{store.PriorityReply, store.PriorityReminder, store.PriorityBroadcast} {
				s.m.OutboxDepth.WithLabelValues(strconv.Itoa(prio)).Set(float64(depth[prio]))
			}
		} else if ctx.Err() == nil {
			s.log.Warn("sender: reading the outbox depth", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// pass is one run of claiming and sending: Run's, which lasts, or Flush's, which ends when
// nothing is due. Claimed rows wait in a queue ordered by priority, so a reply claimed now goes
// ahead of the broadcast rows claimed before it.
type pass struct {
	s         *Sender
	untilIdle bool // Flush: stop when a claim finds nothing and nothing is in hand

	mu      sync.Mutex
	queue   outboxQueue
	busy    int           // rows taken by workers and not finished
	urgent  bool          // a reply finished: its chat's next row may be waiting
	changed chan struct{} // closed and replaced on every push, finish and close
	closed  bool
}

func (s *Sender) newPass(untilIdle bool) *pass {
	return &pass{s: s, untilIdle: untilIdle, changed: make(chan struct{})}
}

func (p *pass) notifyLocked() {
	close(p.changed)
	p.changed = make(chan struct{})
}

// claimLoop claims rows whenever there is room and a reason to look, until ctx ends (or, for
// Flush, until nothing is left).
func (p *pass) claimLoop(ctx context.Context) error {
	s := p.s
	tick := time.NewTicker(s.cfg.PollInterval)
	defer tick.Stop()
	look := true // the first look is always made
	failures := 0
	for ctx.Err() == nil {
		if wait := s.lim.paused(s.now()); wait > 0 {
			if !sleepCtx(ctx, wait) {
				break
			}
			look = true
		}
		p.mu.Lock()
		room := s.cfg.Batch - p.queue.Len() - p.busy
		look = look || p.urgent || p.queue.Len() == 0 || room >= s.cfg.Batch/2
		p.urgent = false
		idle := p.queue.Len() == 0 && p.busy == 0
		changed := p.changed
		p.mu.Unlock()

		if room > 0 && look {
			look = false
			msgs, err := store.ClaimOutbox(ctx, s.cfg.Store.DB(), s.now(), room, s.cfg.Lease)
			if err != nil {
				if ctx.Err() != nil {
					break
				}
				failures++
				s.log.Warn("sender: claiming from the outbox", "err", err)
				if p.untilIdle && failures >= 3 {
					return err
				}
				if !sleepCtx(ctx, min(time.Duration(failures)*time.Second, 30*time.Second)) {
					break
				}
				look = true
				continue
			}
			failures = 0
			if len(msgs) > 0 {
				p.push(msgs)
				continue
			}
			if p.untilIdle && idle {
				return nil
			}
		}
		select {
		case <-ctx.Done():
		case <-s.nudge:
			look = true
		case <-tick.C:
			look = true
		case <-changed:
		}
	}
	return nil
}

func (p *pass) push(msgs []store.OutboxMessage) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, m := range msgs {
		p.queue.push(m)
	}
	p.notifyLocked()
}

// next takes the most urgent claimed row, waiting for one; false when the pass is over.
func (p *pass) next(ctx context.Context) (store.OutboxMessage, bool) {
	for {
		p.mu.Lock()
		if p.closed || ctx.Err() != nil {
			p.mu.Unlock()
			return store.OutboxMessage{}, false
		}
		if p.queue.Len() > 0 {
			m := p.queue.pop()
			p.busy++
			p.mu.Unlock()
			return m, true
		}
		changed := p.changed
		p.mu.Unlock()
		select {
		case <-ctx.Done():
		case <-changed:
		}
	}
}

func (p *pass) finish(m store.OutboxMessage) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.busy--
	if m.Priority == store.PriorityReply {
		p.urgent = true
	}
	p.notifyLocked()
}

func (p *pass) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	p.notifyLocked()
}

// work is one worker: it delivers claimed rows until the pass is over.
func (p *pass) work(ctx context.Context) {
	for {
		m, ok := p.next(ctx)
		if !ok {
			return
		}
		p.s.deliver(ctx, m)
		p.finish(m)
	}
}

// releaseQueued gives back the rows claimed and not taken by a worker, due at once, so that
// the next instance need not wait for their lease to run out.
func (p *pass) releaseQueued(ctx context.Context) {
	p.mu.Lock()
	var ids []int64
	for p.queue.Len() > 0 {
		ids = append(ids, p.queue.pop().ID)
	}
	p.mu.Unlock()
	if len(ids) == 0 {
		return
	}
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), sendWriteTimeout)
	defer cancel()
	if err := store.ReleaseOutbox(wctx, p.s.cfg.Store.DB(), ids, p.s.now()); err != nil {
		p.s.log.Warn("sender: giving back claimed messages; they go out when their lease ends", "count", len(ids), "err", err)
	}
}

// deliver makes the calls of one row, from where an earlier attempt left off, and records the
// outcome. It never returns an error: every outcome is written to the row (or, when even that
// fails, logged, and the lease brings the row back).
func (s *Sender) deliver(ctx context.Context, m store.OutboxMessage) {
	// Recording the outcome must survive a stop: a sent message not marked sent would go twice.
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), sendWriteTimeout)
	defer cancel()
	db := s.cfg.Store.DB()
	log := s.log.With("outbox_id", m.ID, "chat_id", m.ChatID, "priority", m.Priority)

	if m.Attempts > s.cfg.MaxAttempts {
		// Claimed again and again without an outcome: the process died while sending it.
		s.fail(wctx, log, m, "too many attempts", "")
		return
	}
	payload, err := DecodePayload(m.Payload)
	if err != nil {
		s.fail(wctx, log, m, "payload is not valid JSON", "")
		return
	}
	paid := s.cfg.PaidBroadcast && m.Priority == store.PriorityBroadcast
	calls, err := renderPayload(m.ChatID, payload, paid)
	if err != nil {
		s.fail(wctx, log, m, err.Error(), "")
		return
	}
	class := classReply
	switch {
	case payload.Kind == KindCallbackAnswer:
		class = classAnswer
	case paid:
		class = classPaid
	case m.Priority != store.PriorityReply:
		class = classBulk
	}

	done := payload.Sent
	for done < len(calls) {
		c := calls[done]
		if wait, ok := s.waitTurn(ctx, m, class); !ok {
			s.giveBack(wctx, log, m, payload, done, s.now().Add(wait))
			return
		}
		err := s.call(ctx, c)
		out := classifySendError(err)
		if out.kind == outEditGone {
			// The message to edit was deleted or is too old: say it anew. The send takes its
			// own turn, so it waits for the limiter like any other.
			if nc, ok := c.asNewMessage(); ok {
				calls[done] = nc
				log.Info("sender: message to edit is gone; sending a new one", "description", out.desc)
				continue
			}
			out = outcome{kind: outSentOK}
		}
		switch out.kind {
		case outSentOK:
			s.m.Sends.WithLabelValues("ok").Inc()
			done++
		case outRateLimited:
			s.m.Sends.WithLabelValues("rate_limited").Inc()
			s.tooManyRequests(log, c.method, out.retryAfter)
			s.giveBack(wctx, log, m, payload, done, s.now().Add(time.Duration(out.retryAfter)*time.Second))
			return
		case outUnauthorized:
			// Our token is refused: nothing can be sent. Wait without burning attempts, loudly.
			s.m.Sends.WithLabelValues("retry").Inc()
			log.Error("sender: Telegram refuses the bot token; pausing", "method", c.method, "description", out.desc)
			until := s.now().Add(time.Minute)
			s.lim.pause(until)
			s.giveBack(wctx, log, m, payload, done, until)
			return
		case outBlocked:
			s.m.Sends.WithLabelValues("blocked").Inc()
			var n int64
			err := s.cfg.Store.Tx(wctx, func(tx pgx.Tx) error {
				var err error
				n, err = store.FailUnreachableChat(wctx, tx, m.ChatID, s.now(), "forbidden: "+out.desc)
				return err
			})
			if err != nil {
				log.Error("sender: recording an unreachable owner", "err", err)
				return
			}
			log.Info("sender: owner unreachable; their queued messages dropped", "description", out.desc, "dropped", n)
			return
		case outRejected:
			s.m.Sends.WithLabelValues("failed").Inc()
			s.fail(wctx, log, m, out.desc, c.method)
			return
		case outTransient:
			if m.Attempts >= s.cfg.MaxAttempts {
				s.m.Sends.WithLabelValues("failed").Inc()
				s.fail(wctx, log, m, "gave up after "+strconv.Itoa(m.Attempts)+" attempts: "+out.desc, c.method)
				return
			}
			s.m.Sends.WithLabelValues("retry").Inc()
			at := s.now().Add(retryDelay(m.Attempts))
			log.Warn("sender: call failed; will retry", "method", c.method, "attempt", m.Attempts, "err", out.desc, "retry_at", at)
			rerr := s.saveProgress(wctx, m, payload, done)
			if rerr == nil {
				rerr = store.RescheduleOutbox(wctx, db, m.ID, at, out.desc)
			}
			if rerr != nil {
				log.Error("sender: rescheduling; the lease brings it back", "err", rerr)
			}
			return
		}
	}
	// Telegram has the message: record it, trying a few times, because a row left unmarked
	// is sent again when its lease runs out.
	var markErr error
	for try := range 4 {
		if markErr = store.MarkOutboxSent(wctx, db, m.ID, s.now()); markErr == nil || !sleepCtx(wctx, time.Duration(try+1)*250*time.Millisecond) {
			break
		}
	}
	if markErr != nil {
		log.Error("sender: marking a sent message; it may go twice", "err", markErr)
	}
}

// waitTurn waits until the limiter lets this row's next call go. It gives up (false, with how
// long until the limiter would allow it) when ctx ends or when the wait would outlast the lease,
// which would let another instance send the row too.
func (s *Sender) waitTurn(ctx context.Context, m store.OutboxMessage, class sendClass) (time.Duration, bool) {
	for {
		now := s.now()
		wait := s.lim.take(now, m.ChatID, class)
		if wait == 0 {
			return 0, true
		}
		if now.Add(wait + s.cfg.SendTimeout).After(m.NotBefore) {
			return wait, false
		}
		if !sleepCtx(ctx, wait) {
			return 0, false
		}
	}
}

// call makes one Telegram call. A stop does not cut it at once: a call cut midway may or may
// not have been delivered, and would be sent again. It gets callGrace to finish.
func (s *Sender) call(ctx context.Context, c tgCall) error {
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.SendTimeout)
	defer cancel()
	stop := context.AfterFunc(ctx, func() {
		t := time.AfterFunc(callGrace, cancel)
		context.AfterFunc(cctx, func() { t.Stop() })
	})
	defer stop()
	return c.do(cctx, s.cfg.Client)
}

// giveBack returns a row unsent, due at at, without counting the attempt.
func (s *Sender) giveBack(ctx context.Context, log *slog.Logger, m store.OutboxMessage, p Payload, done int, at time.Time) {
	err := s.saveProgress(ctx, m, p, done)
	if err == nil {
		err = store.ReleaseOutbox(ctx, s.cfg.Store.DB(), []int64{m.ID}, at)
	}
	if err != nil {
		log.Warn("sender: giving a message back; its lease brings it back", "err", err)
	}
}

// saveProgress records in the row's payload how many of its calls were made, when that changed.
func (s *Sender) saveProgress(ctx context.Context, m store.OutboxMessage, p Payload, done int) error {
	if done == p.Sent {
		return nil
	}
	p.Sent = done
	b, err := EncodePayload(p)
	if err != nil {
		return err
	}
	return store.SetOutboxPayload(ctx, s.cfg.Store.DB(), m.ID, b)
}

func (s *Sender) fail(ctx context.Context, log *slog.Logger, m store.OutboxMessage, reason, method string) {
	log.Warn("sender: message failed", "method", method, "reason", reason)
	if err := store.MarkOutboxFailed(ctx, s.cfg.Store.DB(), m.ID, reason); err != nil {
		log.Error("sender: marking a failed message", "err", err)
	}
}

// tooManyRequests pauses every send for retry_after seconds and records it.
func (s *Sender) tooManyRequests(log *slog.Logger, method string, retryAfter int) {
	s.lim.pause(s.now().Add(time.Duration(retryAfter) * time.Second))
	s.m.TooManyRequests.Inc()
	s.mu.Lock()
	if retryAfter > s.retryAfterMax {
		s.retryAfterMax = retryAfter
		s.m.RetryAfterMax.Set(float64(retryAfter))
	}
	s.mu.Unlock()
	level := slog.LevelWarn
	if retryAfter > 60 {
		level = slog.LevelError // a long flood wait: something sends far too much
	}
	log.Log(context.Background(), level, "sender: Telegram says too many requests; pausing all sends",
		"method", method, "retry_after_seconds", retryAfter)
}

// retryDelay is the pause before attempt n+1 after n failed ones: 1s, 2s, 4s … up to 5 min,
// each drawn between half and all of that so retries from many rows spread out.
func retryDelay(attempts int) time.Duration {
	d := retryDelayMax
	if attempts < 20 {
		d = min(retryDelayBase<<max(attempts-1, 0), retryDelayMax)
	}
	return d/2 + rand.N(d/2+1)
}

// senderSleep waits d; false when ctx ended first.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// outcomeKind is what a Telegram answer means for the row.
type outcomeKind int

const (
	outSentOK       outcomeKind = iota
	outEditGone                 // 400 on an edit whose message is gone or too old: send it anew
	outRateLimited              // 429: pause everything for retryAfter
	outUnauthorized             // 401: the token is refused
	outBlocked                  // 403: the owner blocked the bot or is gone
	outRejected                 // 400 and other final refusals: fail, no retry
	outTransient                // 5xx, network, timeout: retry with backoff
)

type outcome struct {
	kind       outcomeKind
	retryAfter int
	desc       string // Telegram's description or a safe summary of the error; never the text
}

// classifySendError reads go-telegram/bot's error values.
func classifySendError(err error) outcome {
	if err == nil {
		return outcome{kind: outSentOK}
	}
	var tooMany *tgbot.TooManyRequestsError
	var migrate *tgbot.MigrateError
	switch {
	case errors.As(err, &tooMany):
		return outcome{kind: outRateLimited, retryAfter: max(1, tooMany.RetryAfter), desc: tooMany.Message}
	case errors.Is(err, tgbot.ErrorForbidden):
		return outcome{kind: outBlocked, desc: apiDescription(err, tgbot.ErrorForbidden)}
	case errors.Is(err, tgbot.ErrorUnauthorized):
		return outcome{kind: outUnauthorized, desc: apiDescription(err, tgbot.ErrorUnauthorized)}
	case errors.As(err, &migrate):
		return outcome{kind: outRejected, desc: migrate.Message}
	case errors.Is(err, tgbot.ErrorBadRequest):
		desc := apiDescription(err, tgbot.ErrorBadRequest)
		switch {
		case strings.Contains(desc, "message is not modified"):
			return outcome{kind: outSentOK} // the message already says exactly this
		case strings.Contains(desc, "message to edit not found"), strings.Contains(desc, "message can't be edited"):
			return outcome{kind: outEditGone, desc: desc}
		}
		return outcome{kind: outRejected, desc: desc}
	case errors.Is(err, tgbot.ErrorNotFound):
		return outcome{kind: outRejected, desc: apiDescription(err, tgbot.ErrorNotFound)}
	}
	return outcome{kind: outTransient, desc: safeSendError(err)}
}

// apiDescription is Telegram's description from a go-telegram/bot error ("bad request, Bad
// Request: chat not found" → "Bad Request: chat not found").
func apiDescription(err error, sentinel error) string {
	msg := err.Error()
	if _, d, ok := strings.Cut(msg, sentinel.Error()+", "); ok {
		return d
	}
	return msg
}

// safeSendError describes an error that is not a Bot API answer without what it might quote: a
// request URL (the token) or an undecodable response body (which may echo the message).
func safeSendError(err error) string {
	var ue *url.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "cancelled"
	case errors.As(err, &ue):
		return "network: " + ue.Err.Error()
	}
	msg := err.Error()
	if strings.Contains(msg, "error decode response") {
		return "undecodable answer from Telegram"
	}
	if len(msg) > 300 {
		msg = msg[:300]
	}
	return msg
}
