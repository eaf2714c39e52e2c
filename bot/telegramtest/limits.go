package telegramtest

import (
	"math"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"
)

// Telegram's limits, as documented and as observed.
const (
	maxText         = 4096 // UTF-16 code units
	maxCaption      = 1024 // UTF-16 code units
	maxCallbackData = 64   // bytes
	globalPerSecond = 30
	chatPerSecond   = 1
	chatBurst       = 3
)

// bucket is a token bucket: it holds up to size tokens and refills at rate per second.
type bucket struct {
	tokens float64
	last   time.Time
}

func (b *bucket) refill(now time.Time, rate, size float64) {
	if b.last.IsZero() {
		b.tokens = size
	} else {
		b.tokens = math.Min(size, b.tokens+now.Sub(b.last).Seconds()*rate)
	}
	b.last = now
}

// wait is how many whole seconds until a token is available; at least 1, as Telegram says.
func (b *bucket) wait(rate float64) int {
	return max(1, int(math.Ceil((1-b.tokens)/rate)))
}

type limiter struct {
	on       atomic.Bool
	rate     float64 // messages per second overall; globalPerSecond when 0
	global   bucket
	perChat  map[int64]*bucket
	count429 int
}

func (l *limiter) init(on bool) {
	l.on.Store(on)
	l.perChat = map[int64]*bucket{}
}

func (l *limiter) enabled() bool { return l.on.Load() }

// takeLocked spends one message of the global and the chat's budget, or answers 429.
func (l *limiter) takeLocked(chatID int64, now time.Time) *apiError {
	if !l.enabled() {
		return nil
	}
	c := l.perChat[chatID]
	if c == nil {
		c = &bucket{}
		l.perChat[chatID] = c
	}
	rate := l.rate
	if rate <= 0 {
		rate = globalPerSecond
	}
	l.global.refill(now, rate, rate)
	c.refill(now, chatPerSecond, chatBurst)
	retry := 0
	if l.global.tokens < 1 {
		retry = l.global.wait(rate)
	}
	if c.tokens < 1 {
		retry = max(retry, c.wait(chatPerSecond))
	}
	if retry > 0 {
		return tooManyRequests(retry)
	}
	l.global.tokens--
	c.tokens--
	return nil
}

func tooManyRequests(retryAfter int) *apiError {
	return &apiError{Code: http.StatusTooManyRequests,
		Description: "Too Many Requests: retry after " + strconv.Itoa(retryAfter), RetryAfter: retryAfter}
}

// SetEnforceLimits switches Telegram's rate and size limits on or off (see Options.EnforceLimits).
func (s *Server) SetEnforceLimits(on bool) { s.limits.on.Store(on) }

// SetGlobalRate changes the overall limit the server enforces, Telegram's 30 messages/s, for a
// test that scales Telegram's limits up to take less time (the bot's own rates scaled alike). The
// per-chat limit stays Telegram's. 0 restores 30.
func (s *Server) SetGlobalRate(perSecond float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limits.rate = perSecond
}

// TooManyRequestsCount is how many calls the server has answered with 429, enforced by the
// limits or injected with FailNext.
func (s *Server) TooManyRequestsCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.limits.count429
}

// utf16Len counts text the way Telegram does: in UTF-16 code units, so an emoji outside the
// Basic Multilingual Plane counts twice.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

func (s *Server) checkText(text string) *apiError {
	if s.limits.enabled() && utf16Len(text) > maxText {
		return badRequest("message is too long")
	}
	return nil
}

func (s *Server) checkCaption(caption string) *apiError {
	if s.limits.enabled() && utf16Len(caption) > maxCaption {
		return badRequest("message caption is too long")
	}
	return nil
}
