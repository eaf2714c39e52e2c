package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/go-telegram/bot/models"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"umkmbot/flows"
	"umkmbot/locales"
	"umkmbot/store"
)

// Handler is the conversation engine as the dispatcher sees it (flows.Engine is one). Handle runs
// inside the dispatcher's transaction and must not commit it.
type Handler interface {
	Handle(ctx context.Context, db store.DB, ev flows.Event) (flows.Result, error)
	InternalError(lang string) flows.Reply
}

// DispatcherConfig is what a Dispatcher needs. Store and Handler are required.
type DispatcherConfig struct {
	Store   *store.Store
	Handler Handler
	// Workers bounds how many chats are handled at once (default 8). One chat is never handled
	// by two workers at once.
	Workers int
	// ScanInterval is how often the inbox is scanned for pending updates nobody told this
	// dispatcher about: stored by another instance, or left by an earlier failure (default 2s).
	ScanInterval time.Duration
	// HandleTimeout bounds the transaction of one update (default 30s).
	HandleTimeout time.Duration
	// BotUsername (without @) tells commands for this bot from commands for others in groups.
	BotUsername string
	// OrderHold, when > 0, is how long an update may be held back while an earlier update may
	// still be on its way: webhook posts race on parallel connections, so update N+1 can arrive
	// before N. An update is held only when an id below it, within OrderWindow ids (Telegram's
	// max_connections), is missing from the inbox, and never longer than OrderHold after it
	// arrived. 0 (polling) never holds: getUpdates gives updates in order.
	OrderHold   time.Duration
	OrderWindow int
	// Nudge, when set, is called after every commit that put messages in the outbox (the
	// Sender's Nudge), so a reply goes out at once.
	Nudge   func()
	Metrics *Metrics
	Logger  *slog.Logger
}

// Dispatcher hands the inbox's updates to the Handler: one chat's updates in order, one at a
// time; different chats in parallel on a bounded number of workers; each update in one
// transaction together with its replies in the outbox and the inbox mark. The lock on a chat's
// next inbox row keeps the order when several instances share one database.
type Dispatcher struct {
	cfg   DispatcherConfig
	log   *slog.Logger
	m     *Metrics
	queue chatQueue
}

// perTurn is how many updates of one chat a worker handles before it lets other chats go first.
const perTurn = 16

// NewDispatcher makes a dispatcher; Run starts it.
func NewDispatcher(cfg DispatcherConfig) *Dispatcher {
	if cfg.Workers <= 0 {
		cfg.Workers = 8
	}
	if cfg.ScanInterval <= 0 {
		cfg.ScanInterval = 2 * time.Second
	}
	if cfg.HandleTimeout <= 0 {
		cfg.HandleTimeout = 30 * time.Second
	}
	if cfg.OrderWindow <= 0 {
		cfg.OrderWindow = 40
	}
	if cfg.Nudge == nil {
		cfg.Nudge = func() {}
	}
	if cfg.Metrics == nil {
		cfg.Metrics = NewMetrics(nil)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	d := &Dispatcher{cfg: cfg, log: cfg.Logger, m: cfg.Metrics}
	d.queue.init()
	return d
}

// Notify tells the dispatcher that these chats have new updates in the inbox (the intake calls
// it after each commit). It never blocks.
func (d *Dispatcher) Notify(chatIDs ...int64) {
	for _, id := range chatIDs {
		if id != 0 {
			d.queue.push(id)
		}
	}
}

// Run dispatches until ctx is done, then lets the updates being handled finish (each within
// HandleTimeout) and returns. Pending updates found in the inbox at start, left by a crash or
// a stop, are dispatched first.
func (d *Dispatcher) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	for range d.cfg.Workers {
		wg.Go(func() { d.work(ctx) })
	}
	d.scan(ctx)
	t := time.NewTicker(d.cfg.ScanInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			wg.Wait()
			return nil
		case <-t.C:
			d.scan(ctx)
		}
	}
}

// scan queues every chat with pending updates.
func (d *Dispatcher) scan(ctx context.Context) {
	chats, err := store.PendingChats(ctx, d.cfg.Store.DB(), 1000)
	if err != nil {
		if ctx.Err() == nil {
			d.log.Warn("dispatcher: scanning the inbox", "err", err)
		}
		return
	}
	d.Notify(chats...)
}

// work is one worker: it takes a chat, handles its pending updates in order, and gives it back.
// A panic anywhere in it is recovered: the chat is given back and tried again at the next scan.
func (d *Dispatcher) work(ctx context.Context) {
	for {
		chatID, ok := d.queue.pop(ctx)
		if !ok {
			return
		}
		d.m.DispatchBusy.Inc()
		more := d.turn(ctx, chatID)
		d.m.DispatchBusy.Dec()
		d.queue.done(chatID, more)
	}
}

// turn handles up to perTurn of the chat's pending updates and reports whether it may have more.
func (d *Dispatcher) turn(ctx context.Context, chatID int64) (more bool) {
	defer func() {
		if p := recover(); p != nil {
			d.m.UpdatesFailed.Inc()
			d.log.Error("dispatcher: panic outside the handler; the chat is tried again at the next scan",
				"chat_id", chatID, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			more = false
		}
	}()
	for n := 0; ctx.Err() == nil; n++ {
		if n == perTurn {
			return true
		}
		next, err := d.handleNext(ctx, chatID)
		if err != nil {
			// The database is unreachable or the update failed for a passing reason: it stays
			// pending and the next scan tries again.
			d.log.Error("dispatcher: handling an update", "chat_id", chatID, "err", err)
			return false
		}
		if !next {
			return false
		}
	}
	return false
}

// handleNext handles the chat's oldest pending update, if any, in one transaction, and reports
// whether the chat has another one waiting.
//
// The common path is one transaction of five statements: the next update (locked), the engine's
// own (owner, session, session save, and what the flow writes), and one statement that puts the
// replies in the outbox and marks the update done. Nothing else: no advisory lock (the inbox row's
// lock keeps the order, see store.NextPendingUpdate), no savepoint (a failed handler rolls the
// whole transaction back and the failure is recorded in a new one).
func (d *Dispatcher) handleNext(ctx context.Context, chatID int64) (more bool, err error) {
	// A stop lets the update in hand finish: its transaction does not see ctx's cancellation.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), d.cfg.HandleTimeout)
	defer cancel()
	start := time.Now()
	var row store.InboxUpdate
	var ev flows.Event
	var callbackID string
	var hold time.Duration
	picked, queued := false, false
	err = d.cfg.Store.Tx(ctx, func(tx pgx.Tx) error {
		var err error
		row, err = store.NextPendingUpdate(ctx, tx, chatID)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if hold, err = d.orderHold(ctx, tx, row); err != nil || hold > 0 {
			return err
		}
		picked = true
		var msgs []store.OutboxMessage
		ev, callbackID, msgs, err = d.process(ctx, tx, row)
		if err != nil {
			return err
		}
		queued = len(msgs) > 0
		return store.FinishUpdate(ctx, tx, row.UpdateID, msgs)
	})
	if hold > 0 {
		// An earlier update may still be on its way (webhook posts race): look again later.
		time.AfterFunc(hold, func() { d.Notify(chatID) })
		return false, nil
	}
	if err != nil {
		if !picked {
			return false, err
		}
		return d.failed(ctx, row, ev, callbackID, err)
	}
	if !picked {
		return false, nil
	}
	d.m.HandleSeconds.Observe(time.Since(start).Seconds())
	d.m.UpdatesHandled.Inc()
	if queued {
		d.cfg.Nudge()
	}
	return row.More, nil
}

// process runs the handler on one inbox row inside tx and returns what to put in the outbox. An
// update that cannot be decoded, or is nothing the bot handles, gets no messages.
func (d *Dispatcher) process(ctx context.Context, tx pgx.Tx, row store.InboxUpdate) (flows.Event, string, []store.OutboxMessage, error) {
	var u models.Update
	if err := json.Unmarshal(row.Payload, &u); err != nil {
		return flows.Event{}, "", nil, permanent(fmt.Errorf("decode update: %w", err))
	}
	ev, ok := EventOf(&u, d.cfg.BotUsername)
	if !ok {
		return ev, "", nil, nil
	}
	callbackID := ""
	if u.CallbackQuery != nil {
		callbackID = u.CallbackQuery.ID
	}
	res, err := d.safeHandle(ctx, tx, ev)
	if err != nil {
		return ev, callbackID, nil, err
	}
	msgs, err := outboxMessages(row.ChatID, callbackID, res)
	return ev, callbackID, msgs, err
}

// failed deals with an update whose transaction failed and was rolled back: nothing of the
// attempt survives. A passing trouble (the database restarting, a deadlock, a lost connection,
// a failure after the handler) is tried again on the next scans; after maxAttempts, or at once for
// a handler's own error or panic (trying again would fail again), the person is told and the
// update given up, in a new transaction. It reports whether the chat may have more to do.
func (d *Dispatcher) failed(ctx context.Context, row store.InboxUpdate, ev flows.Event, callbackID string, cause error) (bool, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), d.cfg.HandleTimeout)
	defer cancel()
	if transient(cause) || !handlerError(cause) {
		n, err := store.DeferUpdate(ctx, d.cfg.Store.DB(), row.UpdateID, safeError(cause))
		if errors.Is(err, store.ErrNotFound) {
			return true, nil // handled meanwhile by another instance
		}
		if err != nil {
			return false, errors.Join(cause, err)
		}
		if n < maxAttempts {
			d.m.UpdatesRetried.Inc()
			return false, fmt.Errorf("update %d will be tried again (attempt %d): %w", row.UpdateID, n, cause)
		}
	}
	if err := d.recordFailureInNewTx(ctx, row, ev, callbackID, cause); err != nil {
		return false, errors.Join(cause, err)
	}
	d.cfg.Nudge()
	return true, nil
}

// recordFailureInNewTx records a failed update in a transaction of its own, after the one it
// failed in was rolled back: unless another instance got to the update first, the person is
// told and the update marked failed.
func (d *Dispatcher) recordFailureInNewTx(ctx context.Context, failed store.InboxUpdate, ev flows.Event, callbackID string, cause error) error {
	return d.cfg.Store.Tx(ctx, func(tx pgx.Tx) error {
		row, err := store.NextPendingUpdate(ctx, tx, failed.ChatID)
		if errors.Is(err, store.ErrNotFound) || (err == nil && row.UpdateID != failed.UpdateID) {
			return nil // handled meanwhile
		}
		if err != nil {
			return err
		}
		return d.recordFailure(ctx, tx, row, ev, callbackID, cause)
	})
}

// recordFailure tells the person that something went wrong on our side (and answers their
// button press), and marks the update failed. The log gets the update id and the error, never
// what the person wrote.
func (d *Dispatcher) recordFailure(ctx context.Context, tx store.DB, row store.InboxUpdate, ev flows.Event, callbackID string, cause error) error {
	d.m.UpdatesFailed.Inc()
	d.log.Error("dispatcher: update failed; the person is told", "update_id", row.UpdateID, "chat_id", row.ChatID,
		"kind", string(ev.Kind), "err", cause)
	if ev.UserID == 0 {
		// Not even an event: nobody to tell.
		return store.MarkFailed(ctx, tx, row.UpdateID, safeError(cause))
	}
	lang, err := store.OwnerLang(ctx, tx, ev.UserID)
	if err != nil || lang == "" {
		lang = locales.NormalizeLang(ev.LangCode)
	}
	msgs, err := outboxMessages(row.ChatID, callbackID, flows.Result{Replies: []flows.Reply{d.cfg.Handler.InternalError(lang)}})
	if err != nil {
		return err
	}
	if _, err := store.EnqueueMany(ctx, tx, msgs); err != nil {
		return err
	}
	return store.MarkFailed(ctx, tx, row.UpdateID, safeError(cause))
}

// maxAttempts is how often an update that failed for a passing reason is tried before the
// person is told something went wrong.
const maxAttempts = 5

// transient says whether an error is a passing database trouble worth another try:
// serialization failure, deadlock, lock or statement timeout, a lost or refused connection.
func transient(err error) bool {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		switch pg.Code {
		case "40001", "40P01", "55P03", "57014", "57P01", "57P02", "57P03", "53300":
			return true
		}
		return strings.HasPrefix(pg.Code, "08")
	}
	return pgconn.SafeToRetry(err) || errors.Is(err, context.DeadlineExceeded)
}

// handlerFailure marks an error of the handler itself (or a panic in it, or an update that cannot
// be read): trying again would fail again, so the person is told at once.
type handlerFailure struct{ err error }

func (e *handlerFailure) Error() string { return e.err.Error() }
func (e *handlerFailure) Unwrap() error { return e.err }

func permanent(err error) error { return &handlerFailure{err} }

func handlerError(err error) bool {
	var h *handlerFailure
	return errors.As(err, &h)
}

// safeError is an error's text for the inbox's last_error column, bounded.
func safeError(err error) string {
	s := err.Error()
	if len(s) > 2000 {
		s = s[:2000]
	}
	return s
}

// safeHandle calls the handler and turns a panic into an error carrying the stack. Every error
// of the handler is a handlerFailure unless it is a passing database trouble.
func (d *Dispatcher) safeHandle(ctx context.Context, db store.DB, ev flows.Event) (res flows.Result, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = permanent(&panicError{value: fmt.Sprint(p), stack: debug.Stack()})
		}
	}()
	res, err = d.cfg.Handler.Handle(ctx, db, ev)
	if err != nil && !transient(err) && ctx.Err() == nil {
		err = permanent(err)
	}
	return res, err
}

// panicError is a recovered panic of the handler.
type panicError struct {
	value string
	stack []byte
}

func (e *panicError) Error() string { return "panic: " + e.value + "\n" + string(e.stack) }

// outboxMessages turns one update's result into outbox rows at reply priority: the callback
// answer (always, for a button press), the replies, and the notices for other chats (a bulk
// notice at reminder priority).
func outboxMessages(chatID int64, callbackID string, res flows.Result) ([]store.OutboxMessage, error) {
	msgs := make([]store.OutboxMessage, 0, 1+len(res.Replies)+len(res.Notices))
	add := func(chat int64, p Payload, key string, priority int) error {
		b, err := EncodePayload(p)
		if err != nil {
			return fmt.Errorf("encode %s payload: %w", p.Kind, err)
		}
		msgs = append(msgs, store.OutboxMessage{ChatID: chat, Priority: priority, Payload: b, DedupeKey: key})
		return nil
	}
	if callbackID != "" {
		if err := add(chatID, Payload{Kind: KindCallbackAnswer, CallbackID: callbackID, Text: res.Answer}, "", store.PriorityReply); err != nil {
			return nil, err
		}
	}
	for i := range res.Replies {
		if err := add(chatID, Payload{Kind: KindReply, Reply: &res.Replies[i]}, "", store.PriorityReply); err != nil {
			return nil, err
		}
	}
	for i := range res.Notices {
		n := &res.Notices[i]
		priority := store.PriorityReply
		if n.Bulk {
			priority = store.PriorityReminder
		}
		if err := add(n.ChatID, Payload{Kind: KindReply, Reply: &n.Reply}, n.DedupeKey, priority); err != nil {
			return nil, err
		}
	}
	return msgs, nil
}

// orderHold says how long to wait before handling row, when updates can arrive out of order
// (webhook posts race on parallel connections) and an earlier update may still be on its way: 0
// when the row may be handled now.
func (d *Dispatcher) orderHold(ctx context.Context, tx store.DB, row store.InboxUpdate) (time.Duration, error) {
	if d.cfg.OrderHold <= 0 {
		return 0, nil
	}
	left := d.cfg.OrderHold - time.Since(row.ReceivedAt)
	if left <= 0 {
		return 0, nil
	}
	gap, err := store.InboxGapBelow(ctx, tx, row.ChatID, row.UpdateID, d.cfg.OrderWindow)
	if err != nil || !gap {
		return 0, err
	}
	d.m.UpdatesHeld.Inc()
	return left, nil
}

// chatQueue is the set of chats waiting for a worker, in the order they asked, with each chat
// at most once and never given to two workers at once.
type chatQueue struct {
	mu    sync.Mutex
	state map[int64]chatState
	order []int64
	wake  chan struct{} // a token: some chat may be waiting
}

type chatState uint8

const (
	chatQueued   chatState = iota + 1
	chatRunning            // a worker has it
	chatRunAgain           // a worker has it and more arrived meanwhile
)

func (q *chatQueue) init() {
	q.state = map[int64]chatState{}
	q.wake = make(chan struct{}, 1)
}

func (q *chatQueue) push(chatID int64) {
	q.mu.Lock()
	defer q.mu.Unlock()
	switch q.state[chatID] {
	case 0:
		q.state[chatID] = chatQueued
		q.order = append(q.order, chatID)
		q.signal()
	case chatRunning:
		q.state[chatID] = chatRunAgain
	}
}

// signal leaves a wake token for a waiting worker; q.mu is held.
func (q *chatQueue) signal() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// pop waits for a chat and marks it running; false when ctx is done.
func (q *chatQueue) pop(ctx context.Context) (int64, bool) {
	for {
		if ctx.Err() != nil {
			return 0, false
		}
		q.mu.Lock()
		if len(q.order) > 0 {
			id := q.order[0]
			q.order = q.order[1:]
			q.state[id] = chatRunning
			if len(q.order) > 0 {
				q.signal() // pass the token on to the next worker
			}
			q.mu.Unlock()
			return id, true
		}
		q.mu.Unlock()
		select {
		case <-ctx.Done():
			return 0, false
		case <-q.wake:
		}
	}
}

// done gives the chat back: queued again at the end when it has (or may have) more to do.
func (q *chatQueue) done(chatID int64, more bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if more || q.state[chatID] == chatRunAgain {
		q.state[chatID] = chatQueued
		q.order = append(q.order, chatID)
		q.signal()
		return
	}
	delete(q.state, chatID)
}
