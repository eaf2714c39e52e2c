package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
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
/metrics on LISTEN_ADDR (the webhook too). SIGTERM or SIGINT stops it gracefully.

Also read from the environment only (no flag, so they never show in a process list):
  WEBHOOK_SECRET     1-256 characters of A-Z a-z 0-9 _ -; required with WEBHOOK_URL`

// errNoToken is what serve says without a bot token.
var errNoToken = errors.New(`TELEGRAM_BOT_TOKEN is not set.
Get a token from @BotFather in Telegram: send /newbot, pick a name and a username, and copy the
token it gives you (123456789:AA…) into TELEGRAM_BOT_TOKEN.
To try the conversations without Telegram, run: umkmbot chat`)

// shutdownBound is how long a stop may take before serve gives up on what is left.
const shutdownBound = 20 * time.Second

func runServe(ctx context.Context, env *runEnv, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	webhookURL := fs.String("webhook-url", env.getenv("WEBHOOK_URL"), "public https URL Telegram posts updates to; unset = long polling (env WEBHOOK_URL)")
	workers := fs.Int("workers", 8, "chats handled at once (env DISPATCH_WORKERS)")
	if v := env.getenv("DISPATCH_WORKERS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return fmt.Errorf("configuration: DISPATCH_WORKERS=%q: must be a number from 1 to 1000", v)
		}
		*workers = n
	}
	cfg, rest, err := parseConfigWith("serve", serveSummary,
		append(commonEnv, "TELEGRAM_BOT_TOKEN", "TELEGRAM_API_URL", "LISTEN_ADDR", "ADMIN_TELEGRAM_IDS", "APP_NUMBER_PREFIX",
			"SEND_RATE", "SEND_CHAT_RATE", "PAID_BROADCAST"),
		args, env, fs)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("serve: unexpected arguments %q", rest)
	}
	if cfg.Token == "" {
		return errNoToken
	}
	secret := env.getenv("WEBHOOK_SECRET")
	if (*webhookURL == "") != (secret == "") {
		return errors.New("configuration: WEBHOOK_URL and WEBHOOK_SECRET go together: set both for a webhook, neither for long polling")
	}
	if *webhookURL != "" {
		if _, err := bot.WebhookPath(*webhookURL); err != nil {
			return fmt.Errorf("configuration: %w", err)
		}
		if err := bot.CheckWebhookSecret(secret); err != nil {
			return fmt.Errorf("configuration: WEBHOOK_SECRET %w", err)
		}
	}
	log := newLogger(env.stderr, cfg.LogLevel, cfg.LogFormat, cfg.Token, secret)
	return serve(ctx, cfg, serveOptions{webhookURL: *webhookURL, secret: secret, workers: *workers}, log)
}

type serveOptions struct {
	webhookURL, secret string
	workers            int
}

func serve(ctx context.Context, cfg *Config, opts serveOptions, log *slog.Logger) error {
	// Everything before the intake starts is bounded by ctx: a SIGTERM during start-up stops it.
	db, err := openDatabase(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.Store.Migrate(ctx); err != nil {
		return err
	}
	if err := store.EnsureAdmins(ctx, db.Store.DB(), cfg.AdminIDs); err != nil {
		return err
	}
	engine, msgs, err := newEngine(cfg, log)
	if err != nil {
		return err
	}

	tg, err := tgbot.New(cfg.Token, tgbot.WithServerURL(cfg.APIURL), tgbot.WithSkipGetMe(),
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
	if err := bot.SetCommands(ctx, tg, msgs); err != nil {
		log.Warn("the command menu was not set; the bot works without it", "err", err)
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	metrics := bot.NewMetrics(reg)

	sender := bot.NewSender(bot.SenderConfig{Store: db.Store, Client: tg, Metrics: metrics, Logger: log,
		GlobalRate: cfg.SendRate, ChatRate: cfg.ChatRate, PaidBroadcast: cfg.PaidBroadcast})
	disp := bot.NewDispatcher(bot.DispatcherConfig{Store: db.Store, Handler: engine, Workers: opts.workers,
		BotUsername: me.Username, Nudge: sender.Nudge, Metrics: metrics, Logger: log})

	mux := http.NewServeMux()
	health := &bot.Health{Ping: db.Store.Ping, Gatherer: reg}
	var poller *bot.Poller
	var webhook *bot.Webhook
	if opts.webhookURL != "" {
		webhook = bot.NewWebhook(bot.WebhookConfig{Secret: opts.secret, Store: db.Store, Notify: disp.Notify, Metrics: metrics, Logger: log})
		path, _ := bot.WebhookPath(opts.webhookURL)
		mux.Handle("POST "+path, webhook)
		health.IntakeAlive = webhook.Alive
	} else {
		poller = bot.NewPoller(bot.PollerConfig{APIURL: cfg.APIURL, Token: cfg.Token, Store: db.Store, Notify: disp.Notify,
			Metrics: metrics, Logger: log})
		health.IntakeAlive = poller.Alive
	}
	health.Register(mux)
	ln, err := net.Listen("tcp", cfg.ListenAddr)
	if err != nil {
		return fmt.Errorf("listen on LISTEN_ADDR %s: %w", cfg.ListenAddr, err)
	}
	httpSrv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}

	// Each part has its own context, so a stop goes in order: intake, dispatcher, sender.
	bg := context.WithoutCancel(ctx)
	intakeCtx, stopIntake := context.WithCancel(bg)
	dispCtx, stopDisp := context.WithCancel(bg)
	sendCtx, stopSend := context.WithCancel(bg)
	defer stopIntake()
	defer stopDisp()
	defer stopSend()
	fatal := make(chan error, 4)
	var httpDone, intakeDone, dispDone, sendDone sync.WaitGroup
	httpDone.Go(func() {
		if err := httpSrv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			fatal <- fmt.Errorf("http server: %w", err)
		}
	})
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
		url, _ := bot.WebhookURL(opts.webhookURL)
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
	intakeDone.Go(func() { pruneInbox(intakeCtx, db.Store, log) })
	mode := "long polling"
	if webhook != nil {
		mode = "webhook"
	}
	log.Info("umkmbot is serving", "bot", me.Username, "intake", mode, "listen", ln.Addr().String(), "workers", opts.workers)

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
		_ = httpSrv.Shutdown(deadline)
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
	_ = httpSrv.Shutdown(deadline)
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

// inboxRetention is how long handled updates are kept to recognise Telegram's redeliveries.
// Telegram may start numbering updates again after a week without any, so not much longer.
const inboxRetention = 7 * 24 * time.Hour

// pruneInbox deletes handled updates past the retention window, hourly.
func pruneInbox(ctx context.Context, s *store.Store, log *slog.Logger) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		if n, err := store.PruneInbox(ctx, s.DB(), time.Now().Add(-inboxRetention)); err != nil {
			if ctx.Err() == nil {
				log.Warn("pruning the inbox", "err", err)
			}
		} else if n > 0 {
			log.Info("inbox pruned", "updates", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
