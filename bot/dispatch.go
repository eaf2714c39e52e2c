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
	// Nudge, when set, is called after every commit that put messages in the outbox (the
	// Sender's Nudge), so a reply goes out at once.
	Nudge   func()
	Metrics *Metrics
	Logger  *slog.Logger
}

// Dispatcher hands the inbox's updates to the Handler: one chat's updates in order, one at a
// time; different chats in parallel on a bounded number of workers; each update in one
// transaction together with its replies in the outbox and the inbox mark. A per-chat advisory
// lock in PostgreSQL keeps the order when several instances share one database.
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
func (d *Dispatcher) work(ctx context.Context) {
	for {
		chatID, ok := d.queue.pop(ctx)
		if !ok {
			return
		}
		more := false
		for n := 0; ; n++ {
			if ctx.Err() != nil {
				break
			}
			if n == perTurn {
				more = true
				break
			}
			handled, err := d.handleNext(ctx, chatID)
			if err != nil {
				// The database is unreachable or the transaction failed: the update stays
				// pending and the next scan tries again.
				d.log.Error("dispatcher: handling an update", "chat_id", chatID, "err", err)
				break
			}
			if !handled {
				break
			}
		}
		d.queue.done(chatID, more)
	}
}

// handleNext handles the chat's oldest pending update, if any, in one transaction. It reports
// whether there was one.
func (d *Dispatcher) handleNext(ctx context.Context, chatID int64) (bool, error) {
	// A stop lets the update in hand finish: its transaction does not see ctx's cancellation.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), d.cfg.HandleTimeout)
	defer cancel()
	start := time.Now()
	handled, queued := false, false
	err := d.cfg.Store.Tx(ctx, func(tx pgx.Tx) error {
		if err := store.LockChat(ctx, tx, chatID); err != nil {
			return err
		}
		row, err := store.NextPendingUpdate(ctx, tx, chatID)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		handled = true
		queued, err = d.handleRow(ctx, tx, row)
		return err
	})
	var failed *failedUpdate
	if errors.As(err, &failed) {
		// Rolled back: nothing of the attempt survives. A passing trouble (the database
		// restarting, a deadlock) is tried again on the next scans; only after maxAttempts is
		// the person told and the update given up.
		var retry bool
		if retry, err = d.deferUpdate(ctx, failed); err == nil && !retry {
			queued, err = true, d.recordFailureInNewTx(ctx, failed)
		} else if err == nil {
			err = fmt.Errorf("update %d will be tried again: %w", failed.row.UpdateID, failed.cause)
		}
	}
	if err != nil {
		return false, err
	}
	if handled {
		d.m.HandleSeconds.Observe(time.Since(start).Seconds())
	}
	if queued {
		d.cfg.Nudge()
	}
	return handled, nil
}

// handleRow runs the handler on one inbox row inside tx and records the outcome there. It
// reports whether it put anything in the outbox.
func (d *Dispatcher) handleRow(ctx context.Context, tx pgx.Tx, row store.InboxUpdate) (bool, error) {
	var u models.Update
	if err := json.Unmarshal(row.Payload, &u); err != nil {
		d.m.UpdatesFailed.Inc()
		d.log.Error("dispatcher: update cannot be decoded", "update_id", row.UpdateID, "err", err)
		return false, store.MarkFailed(ctx, tx, row.UpdateID, "decode: "+err.Error())
	}
	ev, ok := EventOf(&u, d.cfg.BotUsername)
	if !ok {
		d.m.UpdatesHandled.Inc()
		return false, store.MarkHandled(ctx, tx, row.UpdateID)
	}
	callbackID := ""
	if u.CallbackQuery != nil {
		callbackID = u.CallbackQuery.ID
	}

	// The handler runs in a savepoint: when it fails, what it wrote is rolled back and the
	// failure is recorded in the same transaction, under the same chat lock.
	res, herr := d.handleInSavepoint(ctx, tx, ev)
	if herr != nil {
		if errors.Is(herr, errTxBroken) || ctx.Err() != nil || transient(herr) {
			return false, &failedUpdate{row: row, ev: ev, callbackID: callbackID, cause: herr}
		}
		return true, d.recordFailure(ctx, tx, row, ev, callbackID, herr)
	}
	if err := d.enqueueResult(ctx, tx, row.ChatID, callbackID, res); err != nil {
		return false, err
	}
	if err := store.MarkHandled(ctx, tx, row.UpdateID); err != nil {
		return false, err
	}
	d.m.UpdatesHandled.Inc()
	return true, nil
}

// failedUpdate is a handler failure that left its transaction unusable (or out of time): it is
// recorded again in a new transaction.
type failedUpdate struct {
	row        store.InboxUpdate
	ev         flows.Event
	callbackID string
	cause      error
}

func (f *failedUpdate) Error() string { return fmt.Sprintf("update %d: %v", f.row.UpdateID, f.cause) }
func (f *failedUpdate) Unwrap() error { return f.cause }

// recordFailureInNewTx records a failed update in a transaction of its own, after the one it
// failed in was rolled back: unless another instance got to the update first, the person is
// told and the update marked failed.
func (d *Dispatcher) recordFailureInNewTx(ctx context.Context, f *failedUpdate) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), d.cfg.HandleTimeout)
	defer cancel()
	return d.cfg.Store.Tx(ctx, func(tx pgx.Tx) error {
		if err := store.LockChat(ctx, tx, f.row.ChatID); err != nil {
			return err
		}
		row, err := store.NextPendingUpdate(ctx, tx, f.row.ChatID)
		if errors.Is(err, store.ErrNotFound) || (err == nil && row.UpdateID != f.row.UpdateID) {
			return nil // handled meanwhile
		}
		if err != nil {
			return err
		}
		return d.recordFailure(ctx, tx, row, f.ev, f.callbackID, f.cause)
	})
}

// recordFailure tells the person that something went wrong on our side (and answers their
// button press), and marks the update failed. The log gets the update id and the error, never
// what the person wrote.
func (d *Dispatcher) recordFailure(ctx context.Context, tx store.DB, row store.InboxUpdate, ev flows.Event, callbackID string, cause error) error {
	d.m.UpdatesFailed.Inc()
	d.log.Error("dispatcher: update failed; the person is told", "update_id", row.UpdateID, "chat_id", row.ChatID,
		"kind", string(ev.Kind), "err", cause)
	lang, err := store.OwnerLang(ctx, tx, ev.UserID)
	if err != nil || lang == "" {
		lang = locales.NormalizeLang(ev.LangCode)
	}
	res := flows.Result{Replies: []flows.Reply{d.cfg.Handler.InternalError(lang)}}
	if err := d.enqueueResult(ctx, tx, row.ChatID, callbackID, res); err != nil {
		return err
	}
	return store.MarkFailed(ctx, tx, row.UpdateID, cause.Error())
}

// handleInSavepoint runs the handler in a savepoint of tx, turning a panic into an error, and
// rolls the savepoint back when it fails.
func (d *Dispatcher) handleInSavepoint(ctx context.Context, tx pgx.Tx, ev flows.Event) (res flows.Result, err error) {
	sp, err := tx.Begin(ctx)
	if err != nil {
		return flows.Result{}, fmt.Errorf("savepoint: %w", err)
	}
	res, err = d.safeHandle(ctx, sp, ev)
	if err == nil {
		if err = sp.Commit(ctx); err == nil {
			return res, nil
		}
	}
	if rerr := sp.Rollback(ctx); rerr != nil && !errors.Is(rerr, pgx.ErrTxClosed) {
		// The transaction itself is broken: give up on it, the update stays pending.
		return flows.Result{}, errors.Join(err, fmt.Errorf("rollback to savepoint: %w", rerr), errTxBroken)
	}
	return flows.Result{}, err
}

// maxAttempts is how often an update that failed for a passing reason is tried before the
// person is told something went wrong.
const maxAttempts = 5

// deferUpdate counts a failed attempt; retry says whether the update should be tried again.
func (d *Dispatcher) deferUpdate(ctx context.Context, f *failedUpdate) (retry bool, err error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), d.cfg.HandleTimeout)
	defer cancel()
	n, err := store.DeferUpdate(ctx, d.cfg.Store.DB(), f.row.UpdateID, f.cause.Error())
	if errors.Is(err, store.ErrNotFound) {
		return false, nil // handled meanwhile; recordFailureInNewTx sees that too
	}
	if err != nil {
		return false, err
	}
	return n < maxAttempts, nil
}

// transient says whether a handler error is a passing database trouble worth another try:
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

// errTxBroken marks a failure after which the update's transaction cannot record anything.
var errTxBroken = errors.New("transaction unusable")

// safeHandle calls the handler and turns a panic into an error carrying the stack.
func (d *Dispatcher) safeHandle(ctx context.Context, db store.DB, ev flows.Event) (res flows.Result, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = &panicError{value: fmt.Sprint(p), stack: debug.Stack()}
		}
	}()
	return d.cfg.Handler.Handle(ctx, db, ev)
}

// panicError is a recovered panic of the handler.
type panicError struct {
	value string
	stack []byte
}

func (e *panicError) Error() string { return "panic: " + e.value + "\n" + string(e.stack) }

// enqueueResult puts the callback answer (always, for a button press), the replies and the
// notices of one update in the outbox.
func (d *Dispatcher) enqueueResult(ctx context.Context, tx store.DB, chatID int64, callbackID string, res flows.Result) error {
	if callbackID != "" {
		if err := enqueuePayload(ctx, tx, chatID, Payload{Kind: KindCallbackAnswer, CallbackID: callbackID, Text: res.Answer}, ""); err != nil {
			return err
		}
	}
	for i := range res.Replies {
		if err := enqueuePayload(ctx, tx, chatID, Payload{Kind: KindReply, Reply: &res.Replies[i]}, ""); err != nil {
			return err
		}
	}
	for i := range res.Notices {
		n := &res.Notices[i]
		if err := enqueuePayload(ctx, tx, n.ChatID, Payload{Kind: KindReply, Reply: &n.Reply}, n.DedupeKey); err != nil {
			return err
		}
	}
	return nil
}

// enqueuePayload writes one outgoing call to the outbox at reply priority.
func enqueuePayload(ctx context.Context, tx store.DB, chatID int64, p Payload, dedupeKey string) error {
	b, err := EncodePayload(p)
	if err != nil {
		return fmt.Errorf("encode %s payload: %w", p.Kind, err)
	}
	if _, _, err := store.Enqueue(ctx, tx, store.OutboxMessage{ChatID: chatID, Priority: store.PriorityReply, Payload: b, DedupeKey: dedupeKey}); err != nil {
		return fmt.Errorf("enqueue %s: %w", p.Kind, err)
	}
	return nil
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
