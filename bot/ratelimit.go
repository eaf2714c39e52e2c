package bot

import (
	"math"
	"sync"
	"time"
)

// sendClass says which of Telegram's limits a call counts against.
type sendClass int

const (
	// classReply is a message in a conversation, to someone who just wrote: per chat it may burst
	// (ChatBurst), then ChatRate; no global budget (only Telegram's own 429 holds replies back).
	classReply sendClass = iota
	// classBulk is a reminder or broadcast: the global budget (SEND_RATE). The per-chat rule (one
	// a chat per 1/ChatRate) is kept by the outbox: a bulk queue is due again only after the gap.
	classBulk
	// classPaid is a broadcast sent with allow_paid_broadcast: its own, much larger global
	// budget.
	classPaid
	// classAnswer answers a pressed button: not a message, so no budget at all.
	classAnswer
)

// rateLimiter keeps one Sender within Telegram's flood limits, before Telegram has to say so:
// a global token bucket for bulk messages (about 30/s allowed, we aim lower), a bucket per chat
// for replies, and a pause for the whole sender after a 429. It is driven by the caller's clock, so tests give it
// any time they like. Rates are per instance: with several instances, give each its share.
type rateLimiter struct {
	globalRate, paidRate float64
	chatRate, chatBurst  float64
	// overallRate, when > 0, is what Telegram allows the bot overall (about 30 messages/s):
	// replies and bulk messages both stay within it, the bulk leaving a reserve to replies, so
	// that neither earns a 429 (which pauses everything).
	overallRate float64

	mu          sync.Mutex
	overall     tokenBucket
	global      tokenBucket
	paid        tokenBucket
	chats       map[int64]*tokenBucket
	pausedUntil time.Time
	takes       int // since the last prune
}

// tokenBucket holds up to size tokens and refills at rate per second.
type tokenBucket struct {
	tokens float64
	last   time.Time
}

func (b *tokenBucket) refill(now time.Time, rate, size float64) {
	if b.last.IsZero() {
		b.tokens = size
	} else if d := now.Sub(b.last); d > 0 {
		b.tokens = math.Min(size, b.tokens+d.Seconds()*rate)
	}
	if now.After(b.last) {
		b.last = now
	}
}

// until is how long until the bucket holds a whole token (0 if it does).
func (b *tokenBucket) until(rate float64) time.Duration {
	if b.tokens >= 1 {
		return 0
	}
	return time.Duration(math.Ceil((1 - b.tokens) / rate * float64(time.Second)))
}

// globalBurst is how far the global bucket may run ahead: a tenth of a second's worth, so that
// within any one second we stay near the configured rate (a full second's burst on top of the
// rate would double it in the worst second).
func globalBurst(rate float64) float64 { return math.Max(1, rate/10) }

// chatMargin keeps replies to one chat a little under SEND_CHAT_RATE: Telegram counts a chat's
// messages when they arrive, and two calls a rate's interval apart here can arrive closer together
// there (one waited for a connection, the next did not), which Telegram answers with a 429 that
// pauses every send.
const chatMargin = 0.9

// pruneEvery is how many takes pass between sweeps of idle chats out of the map, so that a
// broadcast to 50,000 owners does not leave 50,000 entries behind.
const pruneEvery = 4096

func newRateLimiter(globalRate, paidRate, chatRate float64, chatBurst int) *rateLimiter {
	return &rateLimiter{globalRate: globalRate, paidRate: paidRate, chatRate: chatRate,
		chatBurst: float64(max(1, chatBurst)), chats: map[int64]*tokenBucket{}}
}

// overallReserve is the share of a second's overall budget that reminders and broadcasts leave to
// replies: they go only while the bucket holds more than that.
const overallReserve = 0.2

// overallWait refills the overall bucket and says how long until it holds need tokens (0 if it
// does). Its size is half a second's budget: Telegram's own bucket takes bursts, ours stays under
// it.
func (l *rateLimiter) overallWait(now time.Time, need float64) time.Duration {
	rate := l.overallRate * overallMargin
	size := math.Max(need, rate/2)
	l.overall.refill(now, rate, size)
	if l.overall.tokens >= need {
		return 0
	}
	return time.Duration(math.Ceil((need - l.overall.tokens) / rate * float64(time.Second)))
}

// overallMargin keeps the whole bot a little under TELEGRAM_RATE, for the same reason as
// chatMargin.
const overallMargin = 0.95

// withOverall sets the overall budget (0 or less: none).
func (l *rateLimiter) withOverall(rate float64) *rateLimiter {
	l.overallRate = max(rate, 0)
	return l
}

// take spends one call of the budget that applies to class for chatID at now and returns 0, or
// spends nothing and returns how long to wait before asking again. A pause (Telegram's
// retry_after) holds every class.
func (l *rateLimiter) take(now time.Time, chatID int64, class sendClass) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Before(l.pausedUntil) {
		return l.pausedUntil.Sub(now)
	}
	switch class {
	case classAnswer:
		return 0
	case classBulk, classPaid:
		b, rate := &l.global, l.globalRate
		if class == classPaid {
			b, rate = &l.paid, l.paidRate
		}
		b.refill(now, rate, globalBurst(rate))
		// A broadcast or reminder to someone chatting now counts in their chat's budget too:
		// Telegram's per-chat limit is for every message, and a 429 pauses the whole bot.
		c := l.chatBucket(now, chatID)
		wait := max(b.until(rate), c.until(l.chatRate*chatMargin))
		if class == classBulk && l.overallRate > 0 {
			// The bulk leaves a reserve of the overall budget to replies.
			wait = max(wait, l.overallWait(now, 1+overallReserve*l.overallRate))
		}
		if wait > 0 {
			return wait
		}
		b.tokens--
		c.tokens--
		if class == classBulk && l.overallRate > 0 {
			l.overall.tokens--
		}
		l.counted(now)
		return 0
	}
	c := l.chatBucket(now, chatID)
	rate := l.chatRate * chatMargin
	wait := c.until(rate)
	if l.overallRate > 0 {
		// Replies come first within the overall budget, but stay within it: more would earn a
		// 429 that pauses everything.
		wait = max(wait, l.overallWait(now, 1))
	}
	if wait > 0 {
		return wait
	}
	c.tokens--
	if l.overallRate > 0 {
		l.overall.tokens--
	}
	l.counted(now)
	return 0
}

// chatBucket is the chat's bucket, refilled to now.
func (l *rateLimiter) chatBucket(now time.Time, chatID int64) *tokenBucket {
	c := l.chats[chatID]
	if c == nil {
		c = &tokenBucket{}
		l.chats[chatID] = c
	}
	c.refill(now, l.chatRate*chatMargin, l.chatBurst)
	return c
}

// counted notes a take that spent a chat's token, and now and then forgets idle chats.
func (l *rateLimiter) counted(now time.Time) {
	if l.takes++; l.takes >= pruneEvery {
		l.pruneLocked(now)
	}
}

// pruneLocked forgets chats whose bucket has refilled: a new entry for them would behave the
// same.
func (l *rateLimiter) pruneLocked(now time.Time) {
	l.takes = 0
	full := time.Duration(l.chatBurst / l.chatRate * float64(time.Second))
	for id, c := range l.chats {
		if now.Sub(c.last) >= full {
			delete(l.chats, id)
		}
	}
}

// pause stops every take until until (Telegram's retry_after applies to the whole bot).
func (l *rateLimiter) pause(until time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if until.After(l.pausedUntil) {
		l.pausedUntil = until
	}
}

// paused reports how long the pause still lasts at now (0 when not paused).
func (l *rateLimiter) paused(now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	return max(0, l.pausedUntil.Sub(now))
}
