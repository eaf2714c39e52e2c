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

	"umkmbot/store"
)

// SenderConfig configures a Sender. Zero values pick the defaults named on each field.
type SenderConfig struct {
	Store   *store.Store
	Client  *tgbot.Bot
	Metrics *Metrics     // nil: unregistered metrics
	Logger  *slog.Logger // nil: discarded

	// GlobalRate is how many reminders and broadcasts per second this instance sends at most
	// (default 25, within Telegram's ~30/s for bulk notifications). Replies and button answers
	// are not counted against it: they answer someone who just wrote, and only Telegram's own 429
	// holds them back. With several instances, give each its share.
	GlobalRate float64
	// OverallRate is what Telegram allows the bot overall, replies and bulk together (default 30
	// messages/s; more with a local Bot API server). Replies come first within it; reminders and
	// broadcasts take what replies leave (and a reserve for them), so a broadcast gives way to
	// people chatting and nobody earns a 429. Negative: no overall budget.
	OverallRate float64
	// ChatRate is the sustained rate of replies to one chat, per second (default 1), which may
	// burst ChatBurst messages (default 3) so that a reply of two or three messages goes out back
	// to back. Reminders and broadcasts go at most one per chat per 1/ChatRate.
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

	// Workers is how many Telegram calls may be in flight at once (default 32; 64 with
	// PaidBroadcast). Replies need them: at ~100 ms a call, 32 answer ~300 messages/s.
	Workers int
	// Batch is how many claimed queues of each kind (replies; reminders and broadcasts) this
	// instance holds at most, waiting or in flight (default 2×Workers). Small, so that what is
	// claimed is sent soon.
	Batch int
	// PerReplyQueue is how many messages of one chat's replies a claim takes, sent back to back
	// (default 10).
	PerReplyQueue int
	// Lease is how long a claimed queue belongs to this instance before another may take it
	// (default 6s). The sender renews the leases of what it holds every Lease/3, so a lease runs
	// out only when the instance died (or cannot reach the database): then another instance (or
	// this one, restarted) sends what it held within Lease.
	Lease time.Duration
	// PollInterval is how often the outbox is looked at when nobody nudges (default 1s): rows
	// due later (retries, scheduled reminders) and rows enqueued by other instances.
	PollInterval time.Duration
	// SendTimeout bounds one Telegram call (default 30s).
	SendTimeout time.Duration
	// WriteTimeout bounds one database write of the sender (a claim, a record, a renewal),
	// counted from the write's own start (default 10s).
	WriteTimeout time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Sender delivers the outbox to Telegram: replies before reminders before broadcasts, each chat's
// messages in the order they were enqueued, broadcasts and reminders within SEND_RATE and never in
// the way of replies. A 429 pauses the whole sender for retry_after; a 403 marks the owner
// unreachable and drops what was queued for them; a 400 fails the message; anything else is
// retried with backoff. Several instances may run against one database: each queue is claimed by
// one of them at a time.
//
// Exactly once, in normal operation: a message Telegram accepted is recorded as sent (deleted from
// the outbox) before its queue can be claimed again. The record is retried until it sticks, the
// database being down for a while included; meanwhile the queue's lease is renewed, and this
// instance never claims a queue it still holds. The one window left is a crash between Telegram's
// accept and the record: that message goes again after the lease (at-least-once).
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
	recordRetryMax   = 5 * time.Second  // the longest pause between tries at recording outcomes
	stopRecordBound  = 15 * time.Second // how long a stop keeps trying to record what was sent
	senderStatsEvery = 10 * time.Second // depth gauge and the unreachable sweep
	longWait         = 2 * time.Second  // a rate-limit wait longer than this gives the queue back
)

// NewSender makes a Sender; Run starts it.
func NewSender(cfg SenderConfig) *Sender {
	if cfg.GlobalRate <= 0 {
		cfg.GlobalRate = 25
	}
	if cfg.ChatRate <= 0 {
		cfg.ChatRate = 1
	}
	if cfg.OverallRate == 0 {
		cfg.OverallRate = 30
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
		cfg.Workers = 32
		if cfg.PaidBroadcast {
			cfg.Workers = 64
		}
	}
	if cfg.Batch <= 0 {
		cfg.Batch = 2 * cfg.Workers
	}
	if cfg.PerReplyQueue <= 0 {
		cfg.PerReplyQueue = 10
	}
	if cfg.Lease <= 0 {
		cfg.Lease = 6 * time.Second
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = time.Second
	}
	if cfg.SendTimeout <= 0 {
		cfg.SendTimeout = 30 * time.Second
	}
	if cfg.WriteTimeout <= 0 {
		cfg.WriteTimeout = 10 * time.Second
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
		lim:   newRateLimiter(cfg.GlobalRate, cfg.PaidRate, cfg.ChatRate, cfg.ChatBurst).withOverall(cfg.OverallRate),
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

// Run sends until ctx ends, then lets calls in flight finish (briefly), records what became of
// everything it held (giving back what it had not sent) and returns nil.
func (s *Sender) Run(ctx context.Context) error {
	stats, stopStats := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	wg.Go(func() { s.keepStats(stats) })
	_ = s.newPass(false).run(ctx)
	stopStats()
	wg.Wait()
	return nil
}

// Flush sends every message that is due now (and any that become due while it runs, such as a
// chat's next message), then returns: for a graceful shutdown, after the dispatcher has stopped.
// It returns ctx's error when ctx ends first; what was not sent stays in the outbox. It may run
// beside Run: the two claim different queues.
func (s *Sender) Flush(ctx context.Context) error {
	err := s.newPass(true).run(ctx)
	if err == nil {
		err = ctx.Err()
	}
	return err
}

// keepStats sets the queue depth gauge and fails messages queued for unreachable owners, every
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

// deliver makes the calls of a claimed queue's messages, in order, each from where an earlier
// attempt left off, and says what became of the queue. ctx ending stops it between calls (the
// rest is given back).
func (s *Sender) deliver(ctx context.Context, q store.ClaimedQueue, bulkToken bool) store.QueueOutcome {
	out := store.QueueOutcome{QueueKey: q.QueueKey, Claim: q.Claim, Next: store.QueueDone, At: s.now()}
	log := s.log.With("chat_id", q.ChatID, "priority", q.Priority)
	if len(q.Messages) == 0 {
		out.Empty, out.SeenPending = true, q.Pending
		return out
	}
	if q.Attempts > s.cfg.MaxAttempts {
		// Claimed again and again without an outcome: an instance died while sending it.
		m := q.Messages[0]
		s.m.Sends.WithLabelValues("failed").Inc()
		log.Warn("sender: message failed", "outbox_id", m.ID, "reason", "too many attempts")
		out.FailedID, out.FailReason = m.ID, "too many attempts"
		return out
	}
	for _, m := range q.Messages {
		log := log.With("outbox_id", m.ID)
		payload, err := DecodePayload(m.Payload)
		if err != nil {
			s.m.Sends.WithLabelValues("failed").Inc()
			log.Warn("sender: message failed", "reason", "payload is not valid JSON")
			out.FailedID, out.FailReason = m.ID, "payload is not valid JSON"
			return out
		}
		if err := s.resolveEditRef(ctx, m.ChatID, &payload, out.Refs); err != nil {
			log.Warn("sender: reading a named message; will retry", "err", err)
			out.Next, out.At, out.HeadID, out.Reason = store.QueueRetry, s.now().Add(retryDelay(q.Attempts)), m.ID, "reading a named message"
			return out
		}
		ref := refName(payload)
		if payload.Sent > 0 {
			ref = "" // its first message went in an earlier attempt, and took the name then
		}
		class := s.queueClass(m.Priority)
		paid := class == classPaid
		calls, err := renderPayload(m.ChatID, payload, paid)
		if err != nil {
			s.m.Sends.WithLabelValues("failed").Inc()
			log.Warn("sender: message failed", "reason", err.Error())
			out.FailedID, out.FailReason = m.ID, err.Error()
			return out
		}
		if payload.Kind == KindCallbackAnswer {
			class = classAnswer // not a message: no budget
		}
		done := payload.Sent
		// giveBack ends the attempt at this message: what went before it is sent, it is the
		// queue's first unsent message.
		giveBack := func(next store.QueueNext, at time.Time, reason string) store.QueueOutcome {
			out.Next, out.At, out.HeadID, out.Reason = next, at, m.ID, reason
			if done != payload.Sent {
				p := payload
				p.Sent = done
				if b, err := EncodePayload(p); err == nil {
					out.Progress = b
				}
			}
			return out
		}
		for done < len(calls) {
			c := calls[done]
			if bulkToken {
				bulkToken = false // the dispatcher of jobs took this call's turn already
			} else if wait, ok := s.waitTurn(ctx, m.ChatID, class); !ok {
				return giveBack(store.QueueRelease, s.now().Add(wait), "")
			}
			sentID, err := s.call(ctx, c)
			res := classifySendError(err)
			if ref != "" && res.kind == outSentOK {
				// The name goes to the payload's first message: sent now, or edited (kept as it is).
				if sentID != 0 {
					out.Refs = append(out.Refs, store.MessageRef{Ref: ref, MessageID: sentID})
				}
				ref = ""
			}
			if res.kind == outEditGone {
				// The message to edit was deleted or is too old: say it anew. The send takes its
				// own turn, so it waits for the limiter like any other.
				if nc, ok := c.asNewMessage(); ok {
					calls[done] = nc
					log.Info("sender: message to edit is gone; sending a new one", "description", res.desc)
					continue
				}
				res = outcome{kind: outSentOK}
			}
			switch res.kind {
			case outSentOK:
				s.m.Sends.WithLabelValues("ok").Inc()
				done++
				continue
			case outRateLimited:
				s.m.Sends.WithLabelValues("rate_limited").Inc()
				s.tooManyRequests(log, c.method, res.retryAfter)
				return giveBack(store.QueueRelease, s.now().Add(time.Duration(res.retryAfter)*time.Second), "")
			case outUnauthorized:
				// Our token is refused: nothing can be sent. Wait without burning attempts, loudly.
				s.m.Sends.WithLabelValues("retry").Inc()
				log.Error("sender: Telegram refuses the bot token; pausing", "method", c.method, "description", res.desc)
				until := s.now().Add(time.Minute)
				s.lim.pause(until)
				return giveBack(store.QueueRelease, until, "")
			case outBlocked:
				s.m.Sends.WithLabelValues("blocked").Inc()
				log.Info("sender: owner unreachable; their queued messages are dropped", "description", res.desc)
				out = giveBack(store.QueueDone, s.now(), "")
				out.Unreachable = "forbidden: " + res.desc
				return out
			case outRejected:
				s.m.Sends.WithLabelValues("failed").Inc()
				log.Warn("sender: message failed", "method", c.method, "reason", res.desc)
				out.FailedID, out.FailReason = m.ID, res.desc
				return out
			case outTransient:
				attempts := q.Attempts
				if len(out.Sent) > 0 {
					attempts = 1 // this message's first try
				}
				if attempts >= s.cfg.MaxAttempts {
					s.m.Sends.WithLabelValues("failed").Inc()
					reason := "gave up after " + strconv.Itoa(attempts) + " attempts: " + res.desc
					log.Warn("sender: message failed", "method", c.method, "reason", reason)
					out.FailedID, out.FailReason = m.ID, reason
					return out
				}
				s.m.Sends.WithLabelValues("retry").Inc()
				at := s.now().Add(retryDelay(attempts))
				log.Warn("sender: call failed; will retry", "method", c.method, "attempt", attempts, "err", res.desc, "retry_at", at)
				return giveBack(store.QueueRetry, at, res.desc)
			}
		}
		out.Sent = append(out.Sent, m.ID)
	}
	if q.Priority != store.PriorityReply {
		// Bulk: at most one message per chat per 1/ChatRate.
		out.At = s.now().Add(time.Duration(float64(time.Second) / s.cfg.ChatRate))
	}
	return out
}

// queueClass says which of Telegram's limits the messages of a queue at priority count against
// (a callback answer counts against none).
func (s *Sender) queueClass(priority int) sendClass {
	switch {
	case priority == store.PriorityReply:
		return classReply
	case s.cfg.PaidBroadcast && priority == store.PriorityBroadcast:
		return classPaid
	}
	return classBulk
}

// waitTurn waits until the limiter lets a call of class to chatID go. It gives up (false, with
// how long until the limiter would allow it) when ctx ends or when the wait is long (a pause for
// Telegram's retry_after): the queue is then given back rather than holding a worker.
func (s *Sender) waitTurn(ctx context.Context, chatID int64, class sendClass) (time.Duration, bool) {
	for {
		wait := s.lim.take(s.now(), chatID, class)
		if wait == 0 {
			return 0, true
		}
		if wait > longWait {
			return wait, false
		}
		if !sleepCtx(ctx, wait) {
			return 0, false
		}
	}
}

// call makes one Telegram call and returns the id of the message it sent, if any. A stop does not
// cut it at once: a call cut midway may or may not have been delivered, and would be sent again.
// It gets callGrace to finish.
func (s *Sender) call(ctx context.Context, c tgCall) (int, error) {
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.SendTimeout)
	defer cancel()
	stop := context.AfterFunc(ctx, func() {
		t := time.AfterFunc(callGrace, cancel)
		context.AfterFunc(cctx, func() { t.Stop() })
	})
	defer stop()
	return c.doSent(cctx, s.cfg.Client)
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

// sleepCtx waits d; false when ctx ended first.
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
