package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	tgbot "github.com/go-telegram/bot"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"umkmbot/bot"
	"umkmbot/store"
)

const serveSummary = `Run the bot: take Telegram updates (long polling, or a webhook when WEBHOOK_URL is set), answer
them through the conversation engine, deliver the outbox, and serve /healthz, /readyz and
/metrics. SIGTERM or SIGINT stops it gracefully.

Every setting is checked before anything connects. With METRICS_ADDR set, /metrics, /healthz and
/readyz listen there only: in webhook mode LISTEN_ADDR faces the internet, and the metrics (queue
depths, error counts) and readiness are the operator's, not the public's.`

// errNoToken is what serve says without a bot token.
var errNoToken = errors.New(`TELEGRAM_BOT_TOKEN is not set.
Get a token from @BotFather in Telegram: send /newbot, pick a name and a username, and copy the
token it gives you (123456789:AA…) into TELEGRAM_BOT_TOKEN, or into a file named by
TELEGRAM_BOT_TOKEN_FILE.
To try the conversations without Telegram, run: umkmbot chat`)

// shutdownBound is how long a stop may take before serve gives up on what is left.
const shutdownBound = 20 * time.Second

// serveEnv are the settings serve reads.
var serveEnv = append(append(append([]string{}, commonEnv...), "TELEGRAM_BOT_TOKEN", "TELEGRAM_API_URL", "LISTEN_ADDR", "METRICS_ADDR",
	"WEBHOOK_URL", "WEBHOOK_SECRET", "ADMIN_TELEGRAM_IDS", "APP_NUMBER_PREFIX",
	"SEND_RATE", "SEND_CHAT_RATE", "TELEGRAM_RATE", "SEND_WORKERS", "PAID_BROADCAST", "DISPATCH_WORKERS", "POOL_MAX_CONNS",
	"WEBHOOK_MAX_CONNECTIONS", "WEBHOOK_ORDER_HOLD"), jobSettings...)

func runServe(ctx context.Context, env *runEnv, args []string) error {
	cfg, rest, err := parseConfigWith("serve", serveSummary, serveEnv, args, env, nil)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("serve: unexpected arguments %q", rest)
	}
	if cfg.Token == "" {
		return errNoToken
	}
	log := newLogger(env.stderr, cfg.LogLevel, cfg.LogFormat, cfg.Token, cfg.WebhookSecret)
	return serve(ctx, cfg, log)
}

// senderWorkers is how many Telegram calls the sender has in flight at once: SEND_WORKERS, else
// 32 (at ~100 ms a call, ~300 replies/s), or 64 for paid broadcasts at up to 1000/s.
func senderWorkers(cfg *Config) int {
	switch {
	case cfg.SendWorkers > 0:
		return cfg.SendWorkers
	case cfg.PaidBroadcast:
		return 64
	}
	return 32
}

// overallRate is the sender's OverallRate for TELEGRAM_RATE (0 there: none, which the sender
// spells as a negative rate).
func overallRate(telegramRate float64) float64 {
	if telegramRate == 0 {
		return -1
	}
	return telegramRate
}

// poolSize is the database pool serve needs when the operator names none: a connection for each
// dispatcher worker, and a few for the rest: the intake (and the poller's lock, held on a
// connection of its own), the sender's claims, its recorder and its lease renewals (its workers
// only talk to Telegram), the statistics, housekeeping and /readyz.
func poolSize(dispatchWorkers int) int32 {
	return int32(dispatchWorkers + 8)
}

// listeners are serve's open sockets: the public one (webhook; and health and metrics unless
// ops is set) and the operator's own.
type listeners struct {
	public, ops net.Listener
}

// listen opens LISTEN_ADDR and METRICS_ADDR, first of all, so that a port already taken is found
// before the database is waited for.
func listen(cfg *Config) (*listeners, error) {
	ls := &listeners{}
	var err error
	if ls.public, err = net.Listen("tcp", cfg.ListenAddr); err != nil {
		return nil, fmt.Errorf("listen on LISTEN_ADDR %s: %w", cfg.ListenAddr, err)
	}
	if cfg.MetricsAddr != "" {
		if ls.ops, err = net.Listen("tcp", cfg.MetricsAddr); err != nil {
			ls.public.Close()
			return nil, fmt.Errorf("listen on METRICS_ADDR %s: %w", cfg.MetricsAddr, err)
		}
	}
	return ls, nil
}

func (ls *listeners) Close() {
	ls.public.Close()
	if ls.ops != nil {
		ls.ops.Close()
	}
}

// HTTP server timeouts. A webhook body is at most 1 MiB and its answer waits for one commit
// (bounded by the statement timeout); /metrics and /readyz answer within seconds.
const (
	httpReadHeaderTimeout = 10 * time.Second
	httpReadTimeout       = 30 * time.Second
	httpWriteTimeout      = 45 * time.Second
	httpIdleTimeout       = 2 * time.Minute
)

// newHTTPServer is every HTTP server serve runs: with timeouts, so a slow or idle client cannot
// hold a connection forever.
func newHTTPServer(h http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{Handler: h,
		ReadHeaderTimeout: httpReadHeaderTimeout, ReadTimeout: httpReadTimeout,
		WriteTimeout: httpWriteTimeout, IdleTimeout: httpIdleTimeout,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
}

func serve(ctx context.Context, cfg *Config, log *slog.Logger) error {
	ls, err := listen(cfg)
	if err != nil {
		return err
	}
	defer ls.Close()
	sendWorkers := senderWorkers(cfg)
	if cfg.PoolMaxConns == 0 {
		cfg.PoolMaxConns = poolSize(cfg.DispatchWorkers)
	}
	// Everything before the intake starts is bounded by ctx: a SIGTERM during start-up stops it.
	db, err := openMigrated(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := store.EnsureAdmins(ctx, db.Store.DB(), cfg.AdminIDs); err != nil {
		return err
	}

	// One keep-alive connection per sender worker: the default transport keeps two, and every
	// other call would open a new TLS connection to Telegram.
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = sendWorkers + 4
	tg, err := tgbot.New(cfg.Token, tgbot.WithServerURL(cfg.APIURL), tgbot.WithSkipGetMe(),
		tgbot.WithHTTPClient(time.Minute, &http.Client{Transport: transport, Timeout: time.Minute}),
		tgbot.WithErrorsHandler(func(err error) { log.Error("telegram client", "err", err) }))
	if err != nil {
		return fmt.Errorf("telegram client: %w", err)
	}
	me, err := tg.GetMe(ctx)
	if err != nil {
		if errors.Is(err, tgbot.ErrorUnauthorized) || errors.Is(err, tgbot.ErrorNotFound) {
			return errors.New("Telegram does not accept TELEGRAM_BOT_TOKEN; check it with @BotFather (/mybots → API Token)")
		}
		return fmt.Errorf("reaching Telegram at %s: %w", cfg.APIURL, err)
	}
	// The engine knows the bot's username (for the links it hands out), so it comes after getMe.
	engine, msgs, err := newEngine(cfg, log, me.Username, bot.NewFiles(tg, nil))
	if err != nil {
		return err
	}
	if err := bot.SetCommands(ctx, tg, msgs); err != nil {
		log.Warn("the command menu was not set; the bot works without it", "err", err)
	}
	if chats, err := store.StaffChats(ctx, db.Store.DB()); err != nil {
		log.Warn("the staff command menus were not set; the bot works without them", "err", err)
	} else if err := bot.SetStaffCommands(ctx, tg, msgs, chats); err != nil {
		log.Warn("the staff command menus were not set; the bot works without them", "err", err)
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	metrics := bot.NewMetrics(reg)

	sender := bot.NewSender(bot.SenderConfig{Store: db.Store, Client: tg, Metrics: metrics, Logger: log,
		GlobalRate: cfg.SendRate, ChatRate: cfg.ChatRate, OverallRate: overallRate(cfg.TelegramRate), PaidBroadcast: cfg.PaidBroadcast, Workers: sendWorkers})
	dcfg := bot.DispatcherConfig{Store: db.Store, Handler: engine, Workers: cfg.DispatchWorkers,
		BotUsername: me.Username, Nudge: sender.Nudge, Metrics: metrics, Logger: log}
	if cfg.WebhookURL != "" {
		dcfg.OrderHold, dcfg.OrderWindow = cfg.WebhookHold, cfg.WebhookMaxConns
	}
	disp := bot.NewDispatcher(dcfg)
	scheduler, err := newScheduler(cfg, db.Store, msgs, log)
	if err != nil {
		return err
	}

	mux := http.NewServeMux()
	health := &bot.Health{Ping: db.Store.Ping, Gatherer: reg}
	var poller *bot.Poller
	var webhook *bot.Webhook
	if cfg.WebhookURL != "" {
		webhook = bot.NewWebhook(bot.WebhookConfig{Secret: cfg.WebhookSecret, Store: db.Store, Notify: disp.Notify,
			MaxConnections: cfg.WebhookMaxConns, Metrics: metrics, Logger: log})
		path, _ := bot.WebhookPath(cfg.WebhookURL)
		mux.Handle("POST "+path, webhook)
		health.IntakeAlive = webhook.Alive
	} else {
		poller = bot.NewPoller(bot.PollerConfig{APIURL: cfg.APIURL, Token: cfg.Token, Store: db.Store, Notify: disp.Notify,
			Metrics: metrics, Logger: log})
		health.IntakeAlive = poller.Alive
	}
	servers := []*http.Server{newHTTPServer(mux, log)}
	serving := []net.Listener{ls.public}
	if ls.ops != nil {
		opsMux := http.NewServeMux()
		health.Register(opsMux)
		servers = append(servers, newHTTPServer(opsMux, log))
		serving = append(serving, ls.ops)
	} else {
		health.Register(mux)
	}

	// Each part has its own context, so a stop goes in order: intake, dispatcher, sender.
	bg := context.WithoutCancel(ctx)
	intakeCtx, stopIntake := context.WithCancel(bg)
	dispCtx, stopDisp := context.WithCancel(bg)
	sendCtx, stopSend := context.WithCancel(bg)
	defer stopIntake()
	defer stopDisp()
	defer stopSend()
	fatal := make(chan error, 5)
	var httpDone, intakeDone, dispDone, sendDone sync.WaitGroup
	for i, srv := range servers {
		httpDone.Go(func() {
			if err := srv.Serve(serving[i]); err != nil && !errors.Is(err, http.ErrServerClosed) {
				fatal <- fmt.Errorf("http server on %s: %w", serving[i].Addr(), err)
			}
		})
	}
	sendDone.Go(func() {
		if err := sender.Run(sendCtx); err != nil {
			fatal <- fmt.Errorf("sender: %w", err)
		}
	})
	dispDone.Go(func() {
		if err := disp.Run(dispCtx); err != nil {
			fatal <- fmt.Errorf("dispatcher: %w", err)
		}
	})
	intakeDone.Go(func() {
		if poller != nil {
			if err := poller.Run(intakeCtx); err != nil {
				fatal <- err
			}
			return
		}
		url, _ := bot.WebhookURL(cfg.WebhookURL)
		for {
			err := webhook.Register(intakeCtx, tg, url)
			if err == nil || intakeCtx.Err() != nil {
				return
			}
			log.Error("setWebhook failed, trying again in 10s", "err", err)
			select {
			case <-intakeCtx.Done():
				return
			case <-time.After(10 * time.Second):
			}
		}
	})
	// The scheduled jobs (housekeeping, reminders) stop with the intake: nothing new is queued
	// while the sender flushes.
	intakeDone.Go(func() { _ = scheduler.Run(intakeCtx) })
	// Confirmed broadcasts are fanned out in batches (and finished, with the staff member's
	// report), beside the intake: a stop leaves the rest queued for the next start.
	caster := bot.NewBroadcaster(bot.BroadcasterConfig{Store: db.Store, Messages: msgs, Nudge: sender.Nudge, Logger: log})
	intakeDone.Go(func() { _ = caster.Run(intakeCtx) })
	mode := "long polling"
	if webhook != nil {
		mode = "webhook"
	}
	opsAddr := ls.public.Addr().String()
	if ls.ops != nil {
		opsAddr = ls.ops.Addr().String()
	}
	log.Info("umkmbot is serving", "bot", me.Username, "intake", mode, "listen", ls.public.Addr().String(),
		"metrics", opsAddr, "workers", cfg.DispatchWorkers, "db_pool", db.Store.Pool().Config().MaxConns)

	var runErr error
	select {
	case <-ctx.Done():
		log.Info("stopping")
	case runErr = <-fatal:
		log.Error("stopping after a failure", "err", runErr)
	}

	// The stop: no new updates in, the updates in hand finished, what can be sent sent.
	deadline, cancel := context.WithTimeout(bg, shutdownBound)
	defer cancel()
	stopIntake()
	if webhook != nil {
		// In-flight webhook requests finish (and commit); Telegram redelivers the rest.
		_ = servers[0].Shutdown(deadline)
	}
	waitUntil(deadline, &intakeDone)
	stopDisp()
	if !waitUntil(deadline, &dispDone) {
		log.Warn("updates still being handled at the stop; they stay pending for the next start")
	}
	flushCtx, cancelFlush := context.WithTimeout(deadline, shutdownBound/2)
	if err := sender.Flush(flushCtx); err != nil {
		log.Warn("not everything was sent before the stop; the rest stays in the outbox", "err", err)
	}
	cancelFlush()
	stopSend()
	waitUntil(deadline, &sendDone)
	for _, srv := range servers {
		_ = srv.Shutdown(deadline)
	}
	waitUntil(deadline, &httpDone)
	log.Info("stopped")
	return runErr
}

// waitUntil waits for wg, or for ctx; it reports whether wg was done.
func waitUntil(ctx context.Context, wg *sync.WaitGroup) bool {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
		return true
	case <-ctx.Done():
		return false
	}
}
