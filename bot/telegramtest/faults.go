package telegramtest

import (
	"context"
	"net/http"
	"strings"
	"time"
)

// Failure is an answer the server gives instead of the real one (see FailNext). A Failure with
// only a Delay answers normally, late.
type Failure struct {
	Code        int
	Description string
	RetryAfter  int
	Delay       time.Duration
}

// RetryAfter is Telegram's flood-control answer: 429 with parameters.retry_after.
func RetryAfter(seconds int) Failure {
	e := tooManyRequests(seconds)
	return Failure{Code: e.Code, Description: e.Description, RetryAfter: seconds}
}

// Blocked is the answer to a send to a user who blocked the bot.
func Blocked() Failure {
	return Failure{Code: http.StatusForbidden, Description: "Forbidden: bot was blocked by the user"}
}

// BadRequest is a 400 with the given description ("Bad Request: " is added when missing).
func BadRequest(description string) Failure {
	if !strings.HasPrefix(description, "Bad Request") {
		description = "Bad Request: " + description
	}
	return Failure{Code: http.StatusBadRequest, Description: description}
}

// ServerError is a 5xx such as 500 or 502, which Telegram answers now and then.
func ServerError(code int) Failure {
	return Failure{Code: code, Description: http.StatusText(code)}
}

// Slow answers normally after the delay (or when the caller gives up or the server closes).
func Slow(delay time.Duration) Failure { return Failure{Delay: delay} }

type faults struct {
	next    map[string][]Failure // by lower-case method
	blocked map[int64]bool
}

func (f *faults) init() {
	f.next = map[string][]Failure{}
	f.blocked = map[int64]bool{}
}

// FailNext makes the next n calls of method answer with failure instead of their result.
// Failures queued for the same method are used in the order they were queued.
func (s *Server) FailNext(method string, n int, failure Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := strings.ToLower(method)
	for range n {
		s.faults.next[m] = append(s.faults.next[m], failure)
	}
}

// Block makes every send to the chat answer 403 "Forbidden: bot was blocked by the user", as
// when the user blocks the bot, until Unblock.
func (s *Server) Block(chatID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.blocked[chatID] = true
}

// Unblock undoes Block.
func (s *Server) Unblock(chatID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.faults.blocked, chatID)
}

// injectedFault takes the next queued failure for the method, if any, and waits out its delay.
func (s *Server) injectedFault(ctx context.Context, method string) *apiError {
	s.mu.Lock()
	m := strings.ToLower(method)
	q := s.faults.next[m]
	if len(q) == 0 {
		s.mu.Unlock()
		return nil
	}
	f := q[0]
	s.faults.next[m] = q[1:]
	s.mu.Unlock()
	if f.Delay > 0 {
		t := time.NewTimer(f.Delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			return &apiError{Code: http.StatusGatewayTimeout, Description: "client gave up"}
		case <-s.ctx.Done():
			return &apiError{Code: http.StatusServiceUnavailable, Description: "server closed"}
		}
	}
	if f.Code == 0 {
		return nil
	}
	return &apiError{Code: f.Code, Description: f.Description, RetryAfter: f.RetryAfter}
}
