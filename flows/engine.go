package flows

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"umkmbot/flows/domain"
	"umkmbot/locales"
	"umkmbot/store"
)

// Config is what an Engine needs.
type Config struct {
	Messages *locales.Bundle
	Rules    *domain.Rules
	// AppPrefix is the prefix of application numbers ("NTT").
	AppPrefix string
	// BotUsername is the bot's Telegram username (without @), for links people share
	// (t.me/<bot>?start=…); "" where it is not known (the terminal chat).
	BotUsername string
	// Now and Rand are injectable for tests; defaults time.Now and crypto/rand.
	Now    func() time.Time
	Rand   io.Reader
	Logger *slog.Logger
	// LookupLimit caps status lookups by number per user per hour (enumeration guard);
	// LookupFailLimit caps the failed ones. Defaults 30 and 8.
	LookupLimit, LookupFailLimit int
	// ResumeAfter is how long a flow may sit untouched before a message is taken as a return
	// ("continue where you left off?") rather than as an answer. Default 12 hours.
	ResumeAfter time.Duration
	// Files reads the files people send (an admin's CSV to import); nil where none can be read.
	Files FileFetcher
}

// Engine turns one event plus the stored session into replies and a new session. It holds no
// per-chat state: everything lives in PostgreSQL, in the caller's transaction.
type Engine struct {
	cfg     Config
	msgs    *locales.Bundle
	rules   *domain.Rules
	sets    []*Flowset
	byRole  map[Role]*Flowset
	flows   map[string]*Flow
	flowSet map[string]*Flowset // the set each flow belongs to
	log     *slog.Logger
	appnum  domain.AppNumberer
}

// New builds an engine serving the given flowsets (flows/owner, flows/staff); one of them must
// serve owners.
func New(cfg Config, sets ...*Flowset) (*Engine, error) {
	if cfg.Messages == nil || cfg.Rules == nil {
		return nil, errors.New("flows: Messages and Rules are required")
	}
	if cfg.AppPrefix == "" {
		cfg.AppPrefix = "NTT"
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Reader
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.LookupLimit == 0 {
		cfg.LookupLimit = 30
	}
	if cfg.LookupFailLimit == 0 {
		cfg.LookupFailLimit = 8
	}
	if cfg.ResumeAfter == 0 {
		cfg.ResumeAfter = 12 * time.Hour
	}
	e := &Engine{cfg: cfg, msgs: cfg.Messages, rules: cfg.Rules, log: cfg.Logger,
		appnum: domain.AppNumberer{Prefix: cfg.AppPrefix}}
	e.flows, e.flowSet, e.byRole = map[string]*Flow{}, map[string]*Flowset{}, map[Role]*Flowset{}
	if err := e.register(sets); err != nil {
		return nil, err
	}
	e.warnHolidays()
	return e, nil
}

// Handle handles one event of one chat inside the caller's transaction db: it locks and loads
// the session, runs the flow, and saves the session (or deletes it, when the flow deleted the
// person's data). The caller commits (and sends the replies) or rolls back; on error nothing the
// engine wrote survives, and the caller tells the person with InternalError.
func (e *Engine) Handle(ctx context.Context, db store.DB, ev Event) (Result, error) {
	if ev.At.IsZero() {
		ev.At = e.cfg.Now()
	}
	ev.clean()
	owner, created, err := store.UpsertOwner(ctx, db, ev.UserID, ev.ChatID, locales.NormalizeLang(ev.LangCode))
	if err != nil {
		return Result{}, fmt.Errorf("flows: owner: %w", err)
	}
	sess, touched, err := loadSession(ctx, db, ev.ChatID)
	if errors.Is(err, errSessionUnreadable) {
		e.log.Warn("flows: a stored session could not be read; the chat starts afresh", "chat_id", ev.ChatID, "err", err)
	} else if err != nil {
		return Result{}, fmt.Errorf("flows: session: %w", err)
	}
	c := &Ctx{Context: ctx, e: e, DB: db, Ev: ev, Owner: owner, Sess: sess, Now: ev.At,
		L: e.msgs.For(owner.Lang), newOwner: created, lastTouched: touched}
	c.resolveActor()
	c.sanitize()
	if err := c.route(); err != nil {
		return Result{}, err
	}
	c.closeKeyboardIfLeft()
	c.rememberPress()
	if c.forget {
		if err := store.DeleteSession(ctx, db, ev.ChatID); err != nil {
			return Result{}, fmt.Errorf("flows: forget session: %w", err)
		}
		return c.res, nil
	}
	if err := saveSession(ctx, db, ev.ChatID, ev.UserID, c.Sess, ev.At); err != nil {
		return Result{}, fmt.Errorf("flows: save session: %w", err)
	}
	return c.res, nil
}

// InternalError is what a person is told when handling their message failed on our side.
func (e *Engine) InternalError(lang string) Reply {
	return Reply{Text: e.msgs.For(lang).T("CommonInternalError")}
}

// Rules are the domain rules the engine was built with.
func (e *Engine) Rules() *domain.Rules { return e.rules }

// Messages are the engine's messages.
func (e *Engine) Messages() *locales.Bundle { return e.msgs }

// Config is the engine's configuration, defaults filled in.
func (e *Engine) Config() Config { return e.cfg }

// AppNumbers makes and reads application numbers.
func (e *Engine) AppNumbers() domain.AppNumberer { return e.appnum }

// flow returns the flow of that name if it belongs to the set serving this update: a flow of
// another set (a staff flow, for someone no longer staff) does not exist for them.
func (c *Ctx) flow(name string) *Flow {
	if c.e.flowSet[name] != c.set {
		return nil
	}
	return c.e.flows[name]
}

// route decides what the event means: a global command, a button, or an answer to the current
// step.
func (c *Ctx) route() error {
	ev := c.Ev
	switch ev.Kind {
	case EventCommand:
		return c.command(ev.Command, strings.TrimSpace(ev.Text))
	case EventButton:
		if c.doubleTap(ev.Data) {
			c.silent = true
			return nil
		}
		return c.button(ev.Data)
	}
	if ev.Kind == EventText && ev.Text == "" {
		return c.cannotRead()
	}
	if ev.Kind == EventText {
		if cmd, ok := c.keyboardCommand(ev.Text); ok {
			if cmd == "menu" && c.questionOpen() {
				return c.weWereAt()
			}
			return c.command(cmd, "")
		}
	}
	if c.Sess.ResumeOffered != "" {
		// A typed yes or no answers the offer; anything else (but a command) asks it again.
		switch yesNo(ev.Text, c) {
		case 1:
			return c.resumeChoice("~resume")
		case 0:
			return c.resumeChoice("~menu")
		}
		return c.OfferResume(c.Sess.ResumeOffered)
	}
	if c.Sess.Flow == "" {
		return c.set.Idle(c)
	}
	if c.stale() {
		return c.offerResumeOfRunning()
	}
	if ev.Kind == EventText && IsGreeting(ev.Text) && !c.Sess.ConfirmingCancel {
		return c.weWereAt()
	}
	return c.answer()
}

// stale says whether the running flow was left long enough ago that a new message is a return
// rather than an answer.
func (c *Ctx) stale() bool {
	f := c.flow(c.Sess.Flow)
	return f != nil && f.Resumable && !c.lastTouched.IsZero() && c.Now.Sub(c.lastTouched) > c.e.cfg.ResumeAfter
}

// warnHolidays logs the years around now whose holidays are missing from the requirements data
// (due dates in working days then count weekends only) or are estimates: the operator adds the
// year's decree.
func (e *Engine) warnHolidays() {
	now := e.cfg.Now()
	if missing := e.rules.MissingHolidayYears(now); len(missing) > 0 {
		e.log.Warn("flows: national holidays missing from requirements.toml; working days in these years skip weekends only", "years", missing)
	}
	for _, y := range []int{now.Year(), now.Year() + 1} {
		if e.rules.HolidaysEstimated(y) {
			e.log.Warn("flows: national holidays in requirements.toml are estimates until the year's decree is entered", "year", y, "source", e.rules.HolidaySource(y))
		}
	}
}
