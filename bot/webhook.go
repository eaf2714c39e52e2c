package bot

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"sync/atomic"

	tgbot "github.com/go-telegram/bot"

	"umkmbot/store"
)

// DefaultWebhookPath is where the webhook listens when WEBHOOK_URL names no path.
const DefaultWebhookPath = "/telegram/webhook"

// maxWebhookBody caps one webhook request; Telegram's updates are far smaller.
const maxWebhookBody = 1 << 20

// WebhookConfig is what a Webhook needs. Secret and Store are required.
type WebhookConfig struct {
	// Secret is the secret_token given to setWebhook; Telegram sends it back in the
	// X-Telegram-Bot-Api-Secret-Token header of every request.
	Secret string
	Store  *store.Store
	// Notify is told the chat of each new update after commit (the Dispatcher's Notify).
	Notify func(chatIDs ...int64)
	// MaxConnections is given to setWebhook: how many posts Telegram makes at once (default
	// 40). Posts on parallel connections race, so one chat's updates can arrive out of order;
	// the dispatcher's OrderHold puts them back in order.
	MaxConnections int
	Metrics        *Metrics
	Logger         *slog.Logger
}

// Webhook is the webhook intake: an http.Handler that keeps each update Telegram posts in the
// inbox and answers 200 only after the commit. Anything else Telegram sees as a failure and
// delivers again: 401 without the right secret (nothing stored), 413 for a body over 1 MiB,
// 400 for one that is not an update, 503 when the database cannot keep it.
type Webhook struct {
	cfg   WebhookConfig
	log   *slog.Logger
	m     *Metrics
	ready atomic.Bool
}

// NewWebhook makes the handler.
func NewWebhook(cfg WebhookConfig) *Webhook {
	if cfg.Notify == nil {
		cfg.Notify = func(...int64) {}
	}
	if cfg.Metrics == nil {
		cfg.Metrics = NewMetrics(nil)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Webhook{cfg: cfg, log: cfg.Logger, m: cfg.Metrics}
}

func (h *Webhook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	got := r.Header.Get("X-Telegram-Bot-Api-Secret-Token")
	if h.cfg.Secret == "" || subtle.ConstantTimeCompare([]byte(got), []byte(h.cfg.Secret)) != 1 {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxWebhookBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "cannot read body", http.StatusBadRequest)
		return
	}
	var head struct {
		ID int64 `json:"update_id"`
	}
	if err := json.Unmarshal(body, &head); err != nil || head.ID <= 0 {
		http.Error(w, "not a Telegram update", http.StatusBadRequest)
		return
	}
	chats, err := keepUpdates(r.Context(), h.cfg.Store, []json.RawMessage{body}, h.m, h.log, nil)
	if err != nil {
		h.log.Error("webhook: keeping an update; Telegram will deliver it again", "update_id", head.ID, "err", err)
		http.Error(w, "cannot keep the update now", http.StatusServiceUnavailable)
		return
	}
	h.cfg.Notify(chats...)
	w.WriteHeader(http.StatusOK)
}

// Alive reports whether the webhook was registered with Telegram (/readyz): from then on,
// Telegram delivers whenever there is something to deliver.
func (h *Webhook) Alive() bool { return h.ready.Load() }

// Register tells Telegram to post updates to publicURL with the secret (setWebhook).
func (h *Webhook) Register(ctx context.Context, b *tgbot.Bot, publicURL string) error {
	maxConns := h.cfg.MaxConnections
	if maxConns <= 0 {
		maxConns = 40
	}
	_, err := b.SetWebhook(ctx, &tgbot.SetWebhookParams{URL: publicURL, SecretToken: h.cfg.Secret,
		AllowedUpdates: AllowedUpdates, MaxConnections: maxConns})
	if err != nil {
		return fmt.Errorf("setWebhook: %w", err)
	}
	h.ready.Store(true)
	return nil
}

// WebhookPath is the path the webhook handler is mounted at: the path of the public
// WEBHOOK_URL, or DefaultWebhookPath when it names none (then the URL given to Telegram gets
// that path too; see WebhookURL).
func WebhookPath(publicURL string) (string, error) {
	u, err := url.Parse(publicURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", errors.New("WEBHOOK_URL must be an https URL")
	}
	if u.Path == "" || u.Path == "/" {
		return DefaultWebhookPath, nil
	}
	return u.Path, nil
}

// WebhookURL is the URL given to setWebhook: publicURL with DefaultWebhookPath when it names no
// path.
func WebhookURL(publicURL string) (string, error) {
	u, err := url.Parse(publicURL)
	if err != nil {
		return "", errors.New("WEBHOOK_URL must be an https URL")
	}
	p, err := WebhookPath(publicURL)
	if err != nil {
		return "", err
	}
	u.Path = p
	return u.String(), nil
}

// CheckWebhookSecret checks a secret_token as Telegram requires it: 1 to 256 characters of
// A-Z, a-z, 0-9, _ and -.
func CheckWebhookSecret(s string) error {
	if len(s) < 1 || len(s) > 256 {
		return errors.New("must be 1 to 256 characters")
	}
	for _, r := range s {
		if !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return errors.New("may hold only A-Z, a-z, 0-9, _ and -")
		}
	}
	return nil
}
