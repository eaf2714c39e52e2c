package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	tgbot "github.com/go-telegram/bot"
	"github.com/jackc/pgx/v5"

	"umkmbot/store"
)

// AllowedUpdates are the update kinds the bot asks Telegram for, in both intake modes.
var AllowedUpdates = []string{"message", "callback_query"}

// PollerConfig is what a Poller needs. APIURL, Token and Store are required.
type PollerConfig struct {
	APIURL string // the Bot API base URL, without /bot<token>
	Token  string
	Store  *store.Store
	// Notify is told the chats of the updates of each committed batch (the Dispatcher's
	// Notify).
	Notify func(chatIDs ...int64)
	// PollTimeout is how long one getUpdates waits for updates (default 25s).
	PollTimeout time.Duration
	// MaxBackoff bounds the pause after failures, which doubles from 250ms (default 30s).
	MaxBackoff time.Duration
	Client     *http.Client // default: an http.Client with a timeout above PollTimeout
	// Standby is how often an instance that is not the poller tries to become it (default 2s),
	// and how often the poller checks that it still is one.
	Standby time.Duration
	Metrics *Metrics
	Logger  *slog.Logger
}

// Poller is the long-polling intake: it fetches updates with getUpdates, keeps them in the
// inbox, and only then confirms them to Telegram by asking for the next offset. A crash between
// the fetch and the commit makes Telegram give the batch again; the inbox ignores what it
// already holds.
//
// With several instances on one database, one of them polls (Telegram allows one getUpdates at a
// time; two pollers would keep answering each other's 409s): the one holding a PostgreSQL
// advisory lock on a connection of its own. The others stand by and try every Standby; when the
// poller dies, its connection closes, the server drops the lock, and another takes over within
// seconds. Every instance dispatches and sends.
type Poller struct {
	cfg    PollerConfig
	api    *botAPI
	log    *slog.Logger
	m      *Metrics
	lastOK atomic.Int64 // unix nanos of the last batch kept (or, standing by, of the last look at the lock)

	// beforeCommit, when set (tests), runs inside the inbox transaction just before commit.
	beforeCommit func() error
}

// NewPoller makes a poller; Run starts it.
func NewPoller(cfg PollerConfig) *Poller {
	if cfg.PollTimeout <= 0 {
		cfg.PollTimeout = 25 * time.Second
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = 30 * time.Second
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: cfg.PollTimeout + 15*time.Second}
	}
	if cfg.Notify == nil {
		cfg.Notify = func(...int64) {}
	}
	if cfg.Standby <= 0 {
		cfg.Standby = 2 * time.Second
	}
	if cfg.Metrics == nil {
		cfg.Metrics = NewMetrics(nil)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Poller{cfg: cfg, api: &botAPI{base: cfg.APIURL, token: cfg.Token, client: cfg.Client},
		log: cfg.Logger, m: cfg.Metrics}
}

// Alive reports whether the intake works (/readyz): the poller kept a batch (or an empty answer)
// within the last two minutes and a long poll, or, standing by, reached the database to look at
// the lock. A poller whose getUpdates answers but whose batches cannot be kept is not alive.
func (p *Poller) Alive() bool {
	last := p.lastOK.Load()
	return last != 0 && time.Since(time.Unix(0, last)) < 2*time.Minute+p.cfg.PollTimeout
}

// pollerLock names the advisory lock of the one instance that polls: one per bot (the token's
// bot id, which is public; never the secret part), and the store adds the schema, so two bots (or
// staging and production) sharing one database each have their poller.
func pollerLock(token string) string {
	id, _, _ := strings.Cut(token, ":")
	return "umkmbot.poller:" + id
}

// Run polls while this instance is the poller and stands by otherwise, until ctx is done. It
// returns nil on a stop, or an error when Telegram refuses the token.
func (p *Poller) Run(ctx context.Context) error {
	for ctx.Err() == nil {
		lock, err := p.cfg.Store.TryLock(ctx, pollerLock(p.cfg.Token))
		if err != nil && ctx.Err() == nil {
			p.log.Warn("polling: cannot reach the database to see who polls; trying again", "err", err)
		}
		if lock == nil {
			if err == nil {
				p.lastOK.Store(time.Now().UnixNano()) // standing by is working
			}
			if !sleepCtx(ctx, p.cfg.Standby) {
				return nil
			}
			continue
		}
		p.log.Info("polling: this instance polls Telegram")
		p.m.IntakeLeader.Set(1)
		err = p.lead(ctx, lock)
		p.m.IntakeLeader.Set(0)
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		lock.Release(rctx)
		cancel()
		if err != nil {
			return err
		}
	}
	return nil
}

// lead polls while the lock holds: it checks the lock every Standby and stops polling when it is
// lost (its connection failed: another instance may poll now).
func (p *Poller) lead(ctx context.Context, lock *store.SessionLock) error {
	pctx, stop := context.WithCancel(ctx)
	defer stop()
	lost := make(chan struct{})
	go func() {
		t := time.NewTicker(p.cfg.Standby)
		defer t.Stop()
		for {
			select {
			case <-pctx.Done():
				return
			case <-t.C:
			}
			cctx, cancel := context.WithTimeout(pctx, 5*time.Second)
			err := lock.Check(cctx)
			cancel()
			if err != nil && pctx.Err() == nil {
				p.log.Warn("polling: lost the poller's lock; standing by", "err", err)
				close(lost)
				stop()
				return
			}
		}
	}()
	err := p.poll(pctx)
	select {
	case <-lost:
		return nil
	default:
	}
	return err
}

// poll removes any webhook (Telegram refuses getUpdates while one is set), then polls until ctx
// is done. It returns nil on a stop, or an error when Telegram refuses the token.
func (p *Poller) poll(ctx context.Context) error {
	var b backoff
	for {
		err := p.api.call(ctx, "deleteWebhook", map[string]any{"drop_pending_updates": false}, nil)
		if err == nil {
			p.lastOK.Store(time.Now().UnixNano()) // Telegram answers: ready before the first long poll ends
			break
		}
		if ctx.Err() != nil {
			return nil
		}
		if errors.Is(err, tgbot.ErrorUnauthorized) {
			return fmt.Errorf("polling: Telegram refused the bot token: %w", err)
		}
		p.log.Warn("polling: deleteWebhook failed, trying again", "err", err)
		if !b.wait(ctx, err, p.cfg.MaxBackoff, p.m) {
			return nil
		}
	}
	b = backoff{}
	var offset int64
	for {
		if ctx.Err() != nil {
			return nil
		}
		var batch []json.RawMessage
		err := p.api.call(ctx, "getUpdates", map[string]any{
			"offset": offset, "limit": 100, "timeout": int(p.cfg.PollTimeout / time.Second),
			"allowed_updates": AllowedUpdates,
		}, &batch)
		if err == nil {
			var next int64
			next, err = p.keep(ctx, batch)
			if err == nil {
				p.lastOK.Store(time.Now().UnixNano())
				offset = max(offset, next)
				b = backoff{}
				continue
			}
			err = fmt.Errorf("keeping %d updates in the inbox: %w", len(batch), err)
		}
		if ctx.Err() != nil {
			return nil
		}
		if errors.Is(err, tgbot.ErrorUnauthorized) {
			return fmt.Errorf("polling: Telegram refused the bot token: %w", err)
		}
		p.log.Warn("polling: getUpdates failed, trying again", "err", err)
		if !b.wait(ctx, err, p.cfg.MaxBackoff, p.m) {
			return nil
		}
	}
}

// keep commits a batch to the inbox and returns the offset that confirms it (0 for an empty
// batch).
func (p *Poller) keep(ctx context.Context, batch []json.RawMessage) (int64, error) {
	if len(batch) == 0 {
		return 0, nil
	}
	var next int64
	for _, raw := range batch {
		if id, _, err := updateHead(raw); err == nil {
			next = max(next, id+1)
		}
	}
	if next == 0 {
		// Nothing in the batch has an update id: there is nothing to confirm it with, and
		// asking again would get the same batch. Telegram never does this.
		return 0, errors.New("getUpdates gave updates without update_id")
	}
	chats, err := keepUpdates(ctx, p.cfg.Store, batch, p.m, p.log, p.beforeCommit)
	if err != nil {
		return 0, err
	}
	p.cfg.Notify(chats...)
	return next, nil
}

// keepUpdates stores raw updates in the inbox in one statement (and one commit) and returns the
// chats of the new ones. Duplicates are counted and ignored. An entry without an update id is
// logged and left out: it cannot be stored, and must not keep the rest of the batch from being
// stored. Whatever else an update holds, it is kept as the bytes Telegram sent.
func keepUpdates(ctx context.Context, s *store.Store, raws []json.RawMessage, m *Metrics, log *slog.Logger, beforeCommit func() error) ([]int64, error) {
	updates := make([]store.InboxUpdate, 0, len(raws))
	for _, raw := range raws {
		id, chat, err := updateHead(raw)
		if err != nil {
			m.UpdatesFailed.Inc()
			log.Error("intake: an update without update_id is left out", "err", err)
			continue
		}
		updates = append(updates, store.InboxUpdate{UpdateID: id, ChatID: chat, Payload: raw})
	}
	var added []store.InboxUpdate
	store1 := func(db store.DB) error {
		var err error
		added, err = store.StoreUpdates(ctx, db, updates, time.Now())
		return err
	}
	var err error
	if beforeCommit == nil {
		err = store1(s.DB()) // one statement: its own transaction
	} else {
		err = s.Tx(ctx, func(tx pgx.Tx) error {
			if err := store1(tx); err != nil {
				return err
			}
			return beforeCommit()
		})
	}
	if err != nil {
		return nil, err
	}
	chats := make([]int64, 0, len(added))
	for _, u := range added {
		if u.ChatID != 0 {
			chats = append(chats, u.ChatID)
		}
	}
	m.UpdatesIn.Add(float64(len(added)))
	m.UpdatesDup.Add(float64(len(updates) - len(added)))
	return chats, nil
}

// updateHead reads an update's id and chat, decoding only those fields (the dispatcher decodes the
// whole update later, once). The chat is found as UpdateChatID finds it. An update that is not a
// JSON object with an update_id is refused.
func updateHead(raw json.RawMessage) (id, chatID int64, err error) {
	var h updateHeadFields
	if err := json.Unmarshal(raw, &h); err != nil || h.ID <= 0 {
		return 0, 0, errors.New("decode update: no update_id")
	}
	for _, m := range []*chatRef{h.Message, h.EditedMessage, h.ChannelPost, h.EditedChannelPost, h.BusinessMessage,
		h.EditedBusinessMessage} {
		if m != nil {
			return h.ID, m.Chat.ID, nil
		}
	}
	switch {
	case h.CallbackQuery != nil:
		if m := h.CallbackQuery.Message; m != nil && m.Chat.ID != 0 {
			return h.ID, m.Chat.ID, nil
		}
		if h.CallbackQuery.InlineMessageID == "" {
			return h.ID, h.CallbackQuery.From.ID, nil // a press with no message: answer in the user's chat
		}
	case h.MyChatMember != nil:
		return h.ID, h.MyChatMember.Chat.ID, nil
	case h.ChatMember != nil:
		return h.ID, h.ChatMember.Chat.ID, nil
	case h.ChatJoinRequest != nil:
		return h.ID, h.ChatJoinRequest.Chat.ID, nil
	case h.MessageReaction != nil:
		return h.ID, h.MessageReaction.Chat.ID, nil
	}
	return h.ID, 0, nil
}

// chatRef is the part of a message (or of another update kind) that names its chat.
type chatRef struct {
	Chat struct {
		ID int64 `json:"id"`
	} `json:"chat"`
}

// updateHeadFields are the fields of an update that updateHead reads.
type updateHeadFields struct {
	ID                    int64    `json:"update_id"`
	Message               *chatRef `json:"message"`
	EditedMessage         *chatRef `json:"edited_message"`
	ChannelPost           *chatRef `json:"channel_post"`
	EditedChannelPost     *chatRef `json:"edited_channel_post"`
	BusinessMessage       *chatRef `json:"business_message"`
	EditedBusinessMessage *chatRef `json:"edited_business_message"`
	CallbackQuery         *struct {
		From struct {
			ID int64 `json:"id"`
		} `json:"from"`
		Message         *chatRef `json:"message"`
		InlineMessageID string   `json:"inline_message_id"`
	} `json:"callback_query"`
	MyChatMember    *chatRef `json:"my_chat_member"`
	ChatMember      *chatRef `json:"chat_member"`
	ChatJoinRequest *chatRef `json:"chat_join_request"`
	MessageReaction *chatRef `json:"message_reaction"`
}

// backoff is the pause after consecutive failures: 250ms doubling up to a bound, or what a 429
// asks for.
type backoff struct{ d time.Duration }

// wait sleeps after err; false when ctx ended the sleep.
func (b *backoff) wait(ctx context.Context, err error, maxWait time.Duration, m *Metrics) bool {
	b.d = min(max(2*b.d, 250*time.Millisecond), maxWait)
	d := b.d
	var tmr *tgbot.TooManyRequestsError
	if errors.As(err, &tmr) && tmr.RetryAfter > 0 {
		d = time.Duration(tmr.RetryAfter) * time.Second
		m.TooManyRequests.Inc()
	}
	return sleepCtx(ctx, d)
}

// botAPI makes raw Bot API calls for what go-telegram/bot does not expose the way we need
// (getUpdates with our own offsets). Its errors are go-telegram/bot's error values, and never
// hold the token.
type botAPI struct {
	base, token string
	client      *http.Client
}

func (a *botAPI) call(ctx context.Context, method string, params any, result any) error {
	body, err := json.Marshal(params)
	if err != nil {
		return fmt.Errorf("%s: encode: %w", method, err)
	}
	u := strings.TrimRight(a.base, "/") + "/bot" + a.token + "/" + method
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("%s: bad API URL", method) // the error would quote the token
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := a.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // drop the URL: it holds the token
		}
		return fmt.Errorf("%s: %w", method, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return fmt.Errorf("%s: read answer: %w", method, err)
	}
	var env struct {
		OK          bool            `json:"ok"`
		Result      json.RawMessage `json:"result"`
		ErrorCode   int             `json:"error_code"`
		Description string          `json:"description"`
		Parameters  struct {
			RetryAfter int `json:"retry_after"`
		} `json:"parameters"`
	}
	if err := json.Unmarshal(raw, &env); err != nil {
		return fmt.Errorf("%s: HTTP %d with an answer that is not the Bot API's", method, resp.StatusCode)
	}
	if !env.OK {
		return apiError(method, env.ErrorCode, env.Description, env.Parameters.RetryAfter)
	}
	if result != nil {
		if err := json.Unmarshal(env.Result, result); err != nil {
			return fmt.Errorf("%s: decode result: %w", method, err)
		}
	}
	return nil
}

// apiError turns a Bot API error answer into go-telegram/bot's error values.
func apiError(method string, code int, desc string, retryAfter int) error {
	switch code {
	case http.StatusTooManyRequests:
		return &tgbot.TooManyRequestsError{Message: fmt.Sprintf("%s: %v, %s", method, tgbot.ErrorTooManyRequests, desc), RetryAfter: retryAfter}
	case http.StatusUnauthorized:
		return fmt.Errorf("%s: %w, %s", method, tgbot.ErrorUnauthorized, desc)
	case http.StatusForbidden:
		return fmt.Errorf("%s: %w, %s", method, tgbot.ErrorForbidden, desc)
	case http.StatusBadRequest:
		return fmt.Errorf("%s: %w, %s", method, tgbot.ErrorBadRequest, desc)
	case http.StatusNotFound:
		return fmt.Errorf("%s: %w, %s", method, tgbot.ErrorNotFound, desc)
	case http.StatusConflict:
		return fmt.Errorf("%s: %w, %s", method, tgbot.ErrorConflict, desc)
	}
	return fmt.Errorf("%s: Telegram answered %d %s", method, code, desc)
}
