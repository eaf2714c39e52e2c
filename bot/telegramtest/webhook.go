package telegramtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/go-telegram/bot/models"
)

// WebhookAttempt is one POST of an update to the bot's webhook.
type WebhookAttempt struct {
	UpdateID int64
	// Status is the HTTP status the bot answered; 0 when the request failed (see Err).
	Status int
	Err    string
	At     time.Time
}

type webhookState struct {
	url, secret    string
	maxConnections int
	allowed        []string
	lastErrDate    int
	lastErrMsg     string
	retryAt        time.Time
	backoff        time.Duration
	attempts       []WebhookAttempt
}

func (s *Server) setWebhook(_ context.Context, p Params) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var allowed []string
	if p.Has("allowed_updates") {
		_ = p.Decode("allowed_updates", &allowed)
	}
	s.webhook.url = p.Get("url")
	s.webhook.secret = p.Get("secret_token")
	s.webhook.maxConnections = int(p.Int("max_connections"))
	s.webhook.allowed = allowed
	s.webhook.retryAt, s.webhook.backoff = time.Time{}, 0
	if p.Bool("drop_pending_updates") {
		s.updates.pending = nil
	}
	s.notifyLocked()
	return true, nil
}

func (s *Server) deleteWebhook(_ context.Context, p Params) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.webhook.url, s.webhook.secret = "", ""
	if p.Bool("drop_pending_updates") {
		s.updates.pending = nil
	}
	s.notifyLocked()
	return true, nil
}

func (s *Server) getWebhookInfo(context.Context, Params) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return models.WebhookInfo{
		URL:                s.webhook.url,
		PendingUpdateCount: len(s.updates.pending),
		LastErrorDate:      s.webhook.lastErrDate,
		LastErrorMessage:   s.webhook.lastErrMsg,
		MaxConnections:     s.webhook.maxConnections,
		AllowedUpdates:     s.webhook.allowed,
	}, nil
}

// WebhookAttempts returns every webhook delivery tried so far, in order.
func (s *Server) WebhookAttempts() []WebhookAttempt {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.webhook.attempts)
}

// pushWebhooks runs for the server's life: while a webhook is set, it posts the oldest queued
// update, one at a time, and keeps it queued to retry with backoff until the bot answers 2xx.
func (s *Server) pushWebhooks() {
	defer s.wg.Done()
	client := &http.Client{Timeout: 10 * time.Second}
	for {
		s.mu.Lock()
		var next *queued
		var url, secret string
		var retry <-chan time.Time
		if s.webhook.url != "" && len(s.updates.pending) > 0 {
			if wait := time.Until(s.webhook.retryAt); wait > 0 {
				retry = time.After(wait)
			} else {
				next, url, secret = s.updates.pending[0], s.webhook.url, s.webhook.secret
			}
		}
		changed := s.changed
		s.mu.Unlock()

		if next == nil {
			select {
			case <-s.ctx.Done():
				return
			case <-changed:
			case <-retry:
			}
			continue
		}
		status, err := post(s.ctx, client, url, secret, next.u)
		if s.ctx.Err() != nil {
			return
		}
		s.recordDelivery(next, status, err)
	}
}

func (s *Server) recordDelivery(e *queued, status int, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	a := WebhookAttempt{UpdateID: e.u.ID, Status: status, At: now}
	if err != nil {
		a.Err = err.Error()
	}
	s.webhook.attempts = append(s.webhook.attempts, a)
	e.attempts++
	ok := err == nil && status >= 200 && status < 300
	if ok || e.attempts >= s.opts.WebhookMaxAttempts {
		s.updates.pending = slices.DeleteFunc(s.updates.pending, func(q *queued) bool { return q == e })
	}
	if ok {
		s.webhook.retryAt, s.webhook.backoff = time.Time{}, 0
	} else {
		s.webhook.lastErrDate = int(now.Unix())
		s.webhook.lastErrMsg = a.Err
		if a.Err == "" {
			s.webhook.lastErrMsg = fmt.Sprintf("Wrong response from the webhook: %d %s", status, http.StatusText(status))
		}
		s.webhook.backoff = min(max(2*s.webhook.backoff, s.opts.WebhookRetryDelay), time.Second)
		s.webhook.retryAt = now.Add(s.webhook.backoff)
	}
	s.notifyLocked()
}

func post(ctx context.Context, client *http.Client, url, secret string, u models.Update) (int, error) {
	body, err := json.Marshal(&u)
	if err != nil {
		return 0, fmt.Errorf("encode update %d: %w", u.ID, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, fmt.Errorf("build webhook request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	if secret != "" {
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}
