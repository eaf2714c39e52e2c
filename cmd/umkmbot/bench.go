package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"umkmbot/bot/telegramtest"
	"umkmbot/locales"
	"umkmbot/store/pgembed"
)

const benchSummary = `Load benchmark: run ` + "`umkmbot serve`" + ` (long polling, as a child process) against a fake Telegram
in this process, with simulated business owners each playing the real conversation (profile with
a wrong NIB, a registration with document uploads and a wrong answer, a status check), all
starting at once, each answering as soon as the bot's reply arrives. Prints updates/s,
update→reply latency, SQL statements, commits and WAL syncs per update, the outbox depth over time,
peak RSS and CPU seconds of the bot and of PostgreSQL apart.

With DATABASE_URL unset a fresh embedded PostgreSQL (durable: fsync and synchronous_commit on,
pg_stat_statements loaded) is started in a temporary directory and removed afterwards; with it set,
that database is used as it is (add search_path=... to the URL to keep to one schema).

-broadcast M queues a broadcast of M messages (priority 2) to M other chats when the owners start,
makes the fake enforce Telegram's limits (30 messages/s, 1/s per chat) and sets the bot's rates to
Telegram's (-send-rate 25, -chat-rate 1, think time 3s): it prints the broadcast's sustained rate,
the 429s and the owners' reply latency.`

// benchOptions are the flags of one benchmark run.
type benchOptions struct {
	owners      int           // simulated owners, all starting at once
	updates     int           // updates per owner; 0 = the conversation once
	duration    time.Duration // the run stops here even if owners are not done
	think       time.Duration // pause of an owner before each answer
	stepTimeout time.Duration // an owner gives up when a reply takes longer
	broadcast   int           // messages of the broadcast queued at the start; 0 = none
	sendRate    float64       // SEND_RATE of the bot
	chatRate    float64       // SEND_CHAT_RATE of the bot
	workers     int           // DISPATCH_WORKERS of the bot; 0 = its default
	botEnv      []string      // more KEY=VALUE for the bot
	cpuProfile  string        // the bot writes a CPU profile here
	keep        bool          // keep the temporary directory (bot log, embedded database)
	commandLine string        // as typed, for the report

	// childArgs is how to start `umkmbot serve` with this executable; tests replace the
	// executable's main with an environment variable.
	childEnv []string
}

func runBench(ctx context.Context, env *runEnv, args []string) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	o := benchOptions{}
	fs.IntVar(&o.owners, "owners", 200, "simulated owners, all starting at once")
	fs.IntVar(&o.updates, "updates", 0, "updates each owner sends; 0 = the whole conversation once (34); more repeats a menu, a wrong input and a status check")
	fs.DurationVar(&o.duration, "duration", 5*time.Minute, "stop the run after this long even if owners are not done")
	think := fs.Duration("think", 0, "mean pause of an owner before each answer, 0.5 to 1.5 times it, the first within one (3s with -broadcast)")
	fs.DurationVar(&o.stepTimeout, "step-timeout", time.Minute, "an owner whose reply takes longer gives up (counted as failed)")
	fs.IntVar(&o.broadcast, "broadcast", 0, "queue a broadcast of this many messages to other chats when the owners start; the fake then enforces Telegram's limits")
	sendRate := fs.Float64("send-rate", 1000, "the bot's SEND_RATE, messages/s (25 with -broadcast)")
	chatRate := fs.Float64("chat-rate", 100, "the bot's SEND_CHAT_RATE, messages/s to one chat (1 with -broadcast)")
	fs.IntVar(&o.workers, "workers", 0, "the bot's DISPATCH_WORKERS (default: the bot's own default)")
	botEnv := fs.String("bot-env", "", "more settings for the bot, KEY=VALUE separated by commas")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write the bot's CPU profile to this file (read it with go tool pprof -top umkmbot FILE)")
	fs.BoolVar(&o.keep, "keep", false, "keep the temporary directory: the bot's log and the embedded database")
	asServe := fs.Bool("as-serve", false, "internal: run serve in this process, writing the -cpuprofile (the bot of a profiled run)")
	cfg, rest, err := parseConfigWith("bench", benchSummary, []string{"DATABASE_URL", "PG_BINDIR", "LOG_LEVEL", "LOG_FORMAT"}, args, env, fs)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("bench: unexpected arguments %q", rest)
	}
	if *asServe {
		return serveProfiled(ctx, env, o.cpuProfile)
	}
	o.sendRate, o.chatRate, o.think = *sendRate, *chatRate, *think
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	if o.broadcast > 0 { // Telegram's own limits, and owners who read before they answer
		for name, v := range map[string]func(){"send-rate": func() { o.sendRate = 25 }, "chat-rate": func() { o.chatRate = 1 },
			"think": func() { o.think = 3 * time.Second }} {
			if !given[name] {
				v()
			}
		}
	}
	for _, kv := range strings.Split(*botEnv, ",") {
		if kv = strings.TrimSpace(kv); kv != "" {
			if !strings.Contains(kv, "=") {
				return fmt.Errorf("bench: -bot-env %q: want KEY=VALUE", kv)
			}
			o.botEnv = append(o.botEnv, kv)
		}
	}
	switch {
	case o.owners < 1 || o.owners > maxBenchOwners:
		return fmt.Errorf("bench: -owners must be from 1 to %d", maxBenchOwners)
	case o.broadcast < 0 || o.broadcast > maxBenchBroadcast:
		return fmt.Errorf("bench: -broadcast must be from 0 to %d", maxBenchBroadcast)
	case o.updates < 0:
		return errors.New("bench: -updates must not be negative")
	case o.sendRate <= 0 || o.chatRate <= 0 || o.think < 0:
		return errors.New("bench: -send-rate and -chat-rate must be above 0, -think not negative")
	}
	o.commandLine = strings.Join(append([]string{"umkmbot", "bench"}, args...), " ")
	log := newLogger(env.stderr, cfg.LogLevel, cfg.LogFormat)
	rep, err := runBenchmark(ctx, cfg, o, log)
	if rep != nil {
		rep.print(env.stdout)
	}
	return err
}

// serveProfiled is `umkmbot serve` writing a CPU profile until it stops.
func serveProfiled(ctx context.Context, env *runEnv, path string) error {
	if path == "" {
		return errors.New("bench: -as-serve needs -cpuprofile")
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := pprof.StartCPUProfile(f); err != nil {
		return err
	}
	defer pprof.StopCPUProfile()
	return runServe(ctx, env, nil)
}

// benchRun is one benchmark in progress: the fake Telegram, the owners, the bot and the database.
type benchRun struct {
	opts benchOptions
	log  *slog.Logger
	dir  string // temporary directory: bot log, embedded database
	fake *telegramtest.Server
	pg   *benchDB
	bot  *benchChild

	msgs       *locales.Bundle
	base       int64 // chat ids of this run: admin = base, owners base+1.., broadcast bcastBase+0..
	bcastBase  int64
	owners     []*benchOwner
	started    atomic.Int64 // when the owners were released, Unix nanoseconds
	completed  atomic.Int64 // updates answered so far
	bcast      sendCounter
	replies    sendCounter // messages (not button answers) delivered to owners
	ownerLimit sendCounter // 429s answered to sends to owners
}

const (
	maxBenchOwners    = 50_000
	maxBenchBroadcast = 400_000
	benchMarker       = "/* umkmbot-bench */" // on the bench's own SQL, for anyone reading pg_stat_statements
)

// runBenchmark runs one benchmark and returns its report; the report is returned, partly filled,
// also when the run fails after the bot started.
func runBenchmark(ctx context.Context, cfg *Config, o benchOptions, log *slog.Logger) (*benchReport, error) {
	dir, err := os.MkdirTemp("", "umkmbot-bench-")
	if err != nil {
		return nil, err
	}
	// The embedded PostgreSQL runs as user postgres when we are root: it must reach its directory.
	_ = os.Chmod(dir, 0o755)
	r := &benchRun{opts: o, log: log, dir: dir}
	defer func() {
		if o.keep {
			log.Info("kept", "dir", dir)
		} else {
			_ = os.RemoveAll(dir)
		}
	}()
	now := time.Now()
	r.base = 1_000_000_000_000 + (now.Unix()%1_000_000)*1_000_000
	r.bcastBase = r.base + maxBenchOwners + 1

	rep := &benchReport{opts: o, at: now, machine: describeMachine()}
	if r.msgs, err = locales.Load(); err != nil {
		return nil, err
	}
	if r.pg, err = openBenchDB(ctx, cfg, dir, log); err != nil {
		return nil, err
	}
	defer r.pg.close()
	rep.db = r.pg.describe(ctx)

	r.fake = telegramtest.NewServer(telegramtest.Options{EnforceLimits: o.broadcast > 0, OnCall: r.observe})
	defer r.fake.Close()
	r.fake.User(r.base, "Admin", "id")
	for i := range o.owners {
		r.owners = append(r.owners, newBenchOwner(r, r.base+1+int64(i), i))
	}
	for i := range o.broadcast {
		r.fake.User(r.bcastBase+int64(i), "Penerima", "id")
	}

	r.log.Info("starting the bot", "owners", o.owners, "broadcast", o.broadcast)
	if r.bot, err = startBenchChild(ctx, r); err != nil {
		return nil, err
	}
	r.log.Info("bot ready")
	defer r.bot.kill()
	rep.botPID = r.bot.cmd.Process.Pid

	err = r.measure(ctx, rep)
	return rep, err
}

// benchChild is the bot: `umkmbot serve` in a child process.
type benchChild struct {
	cmd     *exec.Cmd
	addr    string // LISTEN_ADDR: /readyz, /metrics
	logPath string
	exited  chan struct{}
	waitErr error
}

func startBenchChild(ctx context.Context, r *benchRun) (*benchChild, error) {
	return startServeChild(ctx, r, "serve.log", nil)
}

// telegramRate is the bot's TELEGRAM_RATE: Telegram's 30/s when the fake enforces Telegram's
// limits (-broadcast), none when it does not ("limits off": the bot's own speed is measured).
func (r *benchRun) telegramRate() string {
	if r.opts.broadcast > 0 {
		return "30"
	}
	return "0"
}

// startServeChild starts `umkmbot serve` against the run's fake Telegram and database, logging to
// logName in the run's directory, with env (KEY=VALUE) over the run's own settings, and waits
// until it is ready. The fault tests start several, one after another or side by side.
func startServeChild(ctx context.Context, r *benchRun, logName string, env []string) (*benchChild, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	port, err := freeTCPPort()
	if err != nil {
		return nil, err
	}
	c := &benchChild{addr: fmt.Sprintf("127.0.0.1:%d", port), logPath: filepath.Join(r.dir, logName), exited: make(chan struct{})}
	args := []string{"serve"}
	if r.opts.cpuProfile != "" {
		prof, err := filepath.Abs(r.opts.cpuProfile)
		if err != nil {
			return nil, err
		}
		args = []string{"bench", "-as-serve", "-cpuprofile", prof}
	}
	logFile, err := os.Create(c.logPath)
	if err != nil {
		return nil, err
	}
	defer logFile.Close()
	c.cmd = exec.Command(exe, args...)
	c.cmd.Stdout, c.cmd.Stderr = logFile, logFile
	c.cmd.SysProcAttr = benchChildAttr()
	c.cmd.Env = append(os.Environ(),
		"DATABASE_URL="+r.pg.dsn,
		"TELEGRAM_BOT_TOKEN="+r.fake.Token(),
		"TELEGRAM_API_URL="+r.fake.URL(),
		"LISTEN_ADDR="+c.addr,
		"METRICS_ADDR=", "WEBHOOK_URL=", "WEBHOOK_SECRET=", // long polling, metrics beside the health checks
		fmt.Sprintf("ADMIN_TELEGRAM_IDS=%d", r.base),
		fmt.Sprintf("SEND_RATE=%g", r.opts.sendRate),
		fmt.Sprintf("SEND_CHAT_RATE=%g", r.opts.chatRate),
		"TELEGRAM_RATE="+r.telegramRate(),
		"LOG_LEVEL=warn")
	if r.opts.workers > 0 {
		c.cmd.Env = append(c.cmd.Env, fmt.Sprintf("DISPATCH_WORKERS=%d", r.opts.workers))
	}
	c.cmd.Env = append(append(append(c.cmd.Env, r.opts.botEnv...), r.opts.childEnv...), env...)
	if err := c.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start the bot: %w", err)
	}
	go func() {
		c.waitErr = c.cmd.Wait()
		close(c.exited)
	}()
	ready, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	for {
		if c.get(ready, "/readyz") == nil {
			return c, nil
		}
		select {
		case <-c.exited:
			return nil, fmt.Errorf("the bot exited before it was ready (%v):\n%s", c.waitErr, tailOf(c.logPath, 2000))
		case <-ready.Done():
			c.kill()
			return nil, fmt.Errorf("the bot was not ready in time:\n%s", tailOf(c.logPath, 2000))
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// get fetches a path of the bot's HTTP endpoint; an answer other than 200 is an error.
func (c *benchChild) get(ctx context.Context, path string) error {
	_, err := c.fetch(ctx, path)
	return err
}

func (c *benchChild) fetch(ctx context.Context, path string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+c.addr+path, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("%s: HTTP %d", path, resp.StatusCode)
	}
	return body, err
}

// stop asks the bot to stop (SIGTERM) and waits for it, killing it after bound.
func (c *benchChild) stop(bound time.Duration) error {
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.exited:
		return c.waitErr
	case <-time.After(bound):
		c.kill()
		return fmt.Errorf("the bot did not stop within %s after SIGTERM", bound)
	}
}

func (c *benchChild) kill() {
	select {
	case <-c.exited:
	default:
		_ = c.cmd.Process.Kill()
		<-c.exited
	}
}

func freeTCPPort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// tailOf is the end of a log file, for error messages.
func tailOf(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}

// sendCounter counts deliveries per second since the owners started.
type sendCounter struct {
	mu       sync.Mutex
	perSec   []int
	first    time.Time
	last     time.Time
	total    int
	limited  int // answered 429
	rejected int // answered another error
}

func (s *sendCounter) add(at, since time.Time, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch status {
	case http.StatusOK:
	case http.StatusTooManyRequests:
		s.limited++
		return
	default:
		s.rejected++
		return
	}
	s.total++
	if s.first.IsZero() {
		s.first = at
	}
	s.last = at
	if since.IsZero() || at.Before(since) {
		return
	}
	sec := int(at.Sub(since) / time.Second)
	for len(s.perSec) <= sec {
		s.perSec = append(s.perSec, 0)
	}
	s.perSec[sec]++
}

// startedAt is when the owners were released; zero before.
func (r *benchRun) startedAt() time.Time {
	if n := r.started.Load(); n != 0 {
		return time.Unix(0, n)
	}
	return time.Time{}
}

// observe is the fake's OnCall: every call the bot made, once answered.
func (r *benchRun) observe(c telegramtest.Call) {
	chat := c.ChatID()
	switch {
	case chat > r.base && chat <= r.base+int64(len(r.owners)):
		o := r.owners[chat-r.base-1]
		o.see(c)
		if c.Status == http.StatusTooManyRequests {
			r.ownerLimit.add(c.At, r.startedAt(), c.Status)
		} else if isMessageCall(c.Method) {
			r.replies.add(c.At, r.startedAt(), c.Status)
		}
	case chat >= r.bcastBase && chat < r.bcastBase+int64(r.opts.broadcast):
		r.bcast.add(c.At, r.startedAt(), c.Status)
	}
}

func isMessageCall(method string) bool {
	switch strings.ToLower(method) {
	case "sendmessage", "editmessagetext", "editmessagereplymarkup", "senddocument", "sendphoto", "copymessage":
		return true
	}
	return false
}

// openBenchDB is the database of a run: DATABASE_URL as it is, or a fresh embedded PostgreSQL.
func openBenchDB(ctx context.Context, cfg *Config, dir string, log *slog.Logger) (*benchDB, error) {
	if cfg.DatabaseURL != "" {
		return connectBenchDB(ctx, cfg.DatabaseURL, nil)
	}
	opts := pgembed.Options{DataDir: filepath.Join(dir, "postgres"), BinDir: cfg.PGBinDir, Logger: log}
	srv, err := pgembed.Start(ctx, opts)
	if err != nil {
		return nil, err
	}
	// pg_stat_statements counts the bot's statements; it must be loaded at server start.
	if srv, err = preloadStatementStats(ctx, srv, opts); err != nil {
		return nil, err
	}
	db, err := connectBenchDB(ctx, srv.DSN(), srv)
	if err != nil {
		stopEmbedded(srv)
		return nil, err
	}
	return db, nil
}

func stopEmbedded(srv *pgembed.Server) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_ = srv.Stop(ctx)
}
