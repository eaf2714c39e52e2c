package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"umkmbot/bot/telegramtest"
	"umkmbot/store/storetest"
)

func TestServeWithoutToken(t *testing.T) {
	var out, errOut bytes.Buffer
	env := &runEnv{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut,
		getenv: func(k string) string { return map[string]string{"DATABASE_URL": "postgres://nowhere/db"}[k] }}
	if code := run(context.Background(), []string{"serve"}, env); code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	for _, want := range []string{"TELEGRAM_BOT_TOKEN", "@BotFather", "umkmbot chat"} {
		if !strings.Contains(errOut.String(), want) {
			t.Errorf("the message does not say %q:\n%s", want, errOut.String())
		}
	}
}

func TestServeWebhookSettingsGoTogether(t *testing.T) {
	for _, vars := range []map[string]string{
		{"WEBHOOK_URL": "https://bot.example.org"},
		{"WEBHOOK_SECRET": "abc"},
		{"WEBHOOK_URL": "https://bot.example.org", "WEBHOOK_SECRET": "not allowed!"},
	} {
		vars["TELEGRAM_BOT_TOKEN"] = telegramtest.DefaultToken
		var errOut bytes.Buffer
		env := &runEnv{stdin: strings.NewReader(""), stdout: &bytes.Buffer{}, stderr: &errOut, getenv: func(k string) string { return vars[k] }}
		if code := run(context.Background(), []string{"serve"}, env); code != 1 || !strings.Contains(errOut.String(), "WEBHOOK_") {
			t.Errorf("%v: exit %d: %s", vars, code, errOut.String())
		}
		if strings.Contains(errOut.String(), "not allowed!") {
			t.Errorf("the secret was echoed: %s", errOut.String())
		}
	}
}

// lockedBuffer collects a subprocess's output while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// serveProcess is `umkmbot serve` running as a process of its own.
type serveProcess struct {
	cmd    *exec.Cmd
	stderr *lockedBuffer
	exited chan error
	// listen and metrics are the addresses it reported serving on.
	listen, metrics string
}

// startServe runs `bin serve` with env added to this process's environment and waits until it
// reports serving.
func startServe(t *testing.T, bin string, env ...string) *serveProcess {
	t.Helper()
	p := &serveProcess{cmd: exec.Command(bin, "serve"), stderr: &lockedBuffer{}, exited: make(chan error, 1)}
	p.cmd.Env = append(os.Environ(), env...)
	p.cmd.Stderr, p.cmd.Stdout = p.stderr, p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.exited <- p.cmd.Wait() }()
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			_ = p.cmd.Process.Kill()
			<-p.exited
		}
	})
	serving := regexp.MustCompile(`umkmbot is serving.* listen=(\S+) metrics=(\S+)`)
	deadline := time.Now().Add(time.Minute)
	for {
		if m := serving.FindStringSubmatch(p.stderr.String()); m != nil {
			p.listen, p.metrics = m[1], m[2]
			return p
		}
		select {
		case err := <-p.exited:
			t.Fatalf("serve exited at start: %v\n%s", err, p.stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not report serving within a minute:\n%s", p.stderr.String())
		}
	}
}

// stop sends SIGTERM and expects a clean exit within the shutdown bound.
func (p *serveProcess) stop(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-p.exited:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v\n%s", err, p.stderr.String())
		}
	case <-time.After(shutdownBound + 10*time.Second):
		t.Fatalf("still running %v after SIGTERM\n%s", shutdownBound+10*time.Second, p.stderr.String())
	}
}

// httpStatus is the status of GET http://addr/path.
func httpStatus(t *testing.T, addr, path string) int {
	t.Helper()
	resp, err := http.Get("http://" + addr + path)
	if err != nil {
		t.Fatalf("GET %s%s: %v", addr, path, err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "umkmbot")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// The real binary, as a process of its own, against the fake Bot API and a real PostgreSQL:
// /start is answered; with METRICS_ADDR, /metrics, /healthz and /readyz are there and not on
// the public LISTEN_ADDR; the pool is sized from the workers; SIGTERM stops it cleanly within
// the bound.
func TestServeProcess(t *testing.T) {
	_, dsn := storetest.NewWithDSN(t)
	srv := telegramtest.New(t)
	bin := buildBinary(t)
	base := []string{"TELEGRAM_API_URL=" + srv.URL(), "TELEGRAM_BOT_TOKEN=" + srv.Token(), "TELEGRAM_BOT_TOKEN_FILE=",
		"DATABASE_URL=" + dsn, "LISTEN_ADDR=127.0.0.1:0", "WEBHOOK_URL=", "WEBHOOK_SECRET=", "POOL_MAX_CONNS=", "LOG_LEVEL=debug"}
	p := startServe(t, bin, append(base, "METRICS_ADDR=127.0.0.1:0", "DISPATCH_WORKERS=3")...)

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	owner := srv.User(7001, "Maria", "id")
	owner.Send("/start")
	msgs, err := owner.WaitBotMessages(ctx, 1)
	if err != nil {
		t.Fatalf("no answer to /start: %v\n--- umkmbot serve:\n%s", err, p.stderr.String())
	}
	if msgs[0].Text == "" {
		t.Fatalf("empty answer: %+v", msgs[0])
	}

	if p.listen == p.metrics {
		t.Fatalf("METRICS_ADDR is set, yet metrics are served on LISTEN_ADDR %s", p.listen)
	}
	for _, path := range []string{"/metrics", "/healthz", "/readyz"} {
		if got := httpStatus(t, p.metrics, path); got != http.StatusOK {
			t.Errorf("GET %s on METRICS_ADDR: %d, want 200", path, got)
		}
		if got := httpStatus(t, p.listen, path); got != http.StatusNotFound {
			t.Errorf("GET %s on LISTEN_ADDR: %d, want 404", path, got)
		}
	}
	hc := exec.Command(bin, "healthcheck")
	hc.Env = append(os.Environ(), "LISTEN_ADDR="+p.listen, "METRICS_ADDR="+p.metrics)
	if out, err := hc.CombinedOutput(); err != nil {
		t.Errorf("healthcheck with METRICS_ADDR: %v\n%s", err, out)
	}
	if logs := p.stderr.String(); !strings.Contains(logs, "workers=3") || !strings.Contains(logs, fmt.Sprintf("db_pool=%d", poolSize(3))) {
		t.Errorf("the pool is not sized from 3 dispatcher workers and 8 sender workers:\n%s", logs)
	}

	p.stop(t)
	if logs := p.stderr.String(); strings.Contains(logs, srv.Token()) {
		t.Fatalf("the logs hold the bot token:\n%s", logs)
	}

	// Without METRICS_ADDR, everything is on LISTEN_ADDR, as before.
	p = startServe(t, bin, append(base, "METRICS_ADDR=")...)
	if got := httpStatus(t, p.listen, "/metrics"); got != http.StatusOK {
		t.Errorf("GET /metrics on LISTEN_ADDR without METRICS_ADDR: %d, want 200", got)
	}
	p.stop(t)
}

// tripwire stands where a database would be: a TCP listener that never answers, which tells
// afterwards whether anything connected to it.
type tripwire struct{ ln net.Listener }

func newTripwire(t *testing.T) *tripwire {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return &tripwire{ln: ln}
}

// dsn is a DATABASE_URL naming the tripwire, with a password that must never be printed.
func (w *tripwire) dsn() string {
	return "postgres://umkm:hunter2@" + w.ln.Addr().String() + "/umkm?sslmode=disable"
}

// connections counts the connections made to the tripwire so far: it connects itself and
// accepts until its own connection comes out of the queue.
func (w *tripwire) connections(t *testing.T) int {
	t.Helper()
	own, err := net.Dial("tcp", w.ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer own.Close()
	_ = w.ln.(*net.TCPListener).SetDeadline(time.Now().Add(30 * time.Second))
	n := 0
	for {
		c, err := w.ln.Accept()
		if err != nil {
			t.Fatalf("tripwire: %v", err)
		}
		mine := c.RemoteAddr().String() == own.LocalAddr().String()
		c.Close()
		if mine {
			return n
		}
		n++
	}
}

// Every configuration error is reported before anything connects: the database named by
// DATABASE_URL sees no connection, and the error names the setting.
func TestConfigErrorsBeforeConnecting(t *testing.T) {
	const token = "123456789:AAF-abcdefghijklmnopqrstuvwxyz012345"
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	free, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	free.Close() // only ever named, never listened on: the check comes first
	cases := []struct {
		name string
		cmd  string
		vars map[string]string
		want string
	}{
		{"listen nonsense", "serve", map[string]string{"LISTEN_ADDR": "nonsense"}, "LISTEN_ADDR"},
		{"listen port out of range", "serve", map[string]string{"LISTEN_ADDR": ":99999"}, "LISTEN_ADDR"},
		{"listen port taken", "serve", map[string]string{"LISTEN_ADDR": taken.Addr().String()}, "LISTEN_ADDR"},
		{"metrics without port", "serve", map[string]string{"METRICS_ADDR": "localhost"}, "METRICS_ADDR"},
		{"metrics port taken", "serve", map[string]string{"LISTEN_ADDR": "127.0.0.1:0", "METRICS_ADDR": taken.Addr().String()}, "METRICS_ADDR"},
		{"metrics same as listen", "serve", map[string]string{"LISTEN_ADDR": free.Addr().String(), "METRICS_ADDR": free.Addr().String()}, "METRICS_ADDR must differ"},
		{"webhook over http", "serve", map[string]string{"WEBHOOK_URL": "http://bot.example.org/tg", "WEBHOOK_SECRET": "abc"}, "WEBHOOK_URL"},
		{"webhook without secret", "serve", map[string]string{"WEBHOOK_URL": "https://bot.example.org/tg"}, "WEBHOOK_SECRET"},
		{"workers zero", "serve", map[string]string{"DISPATCH_WORKERS": "0"}, "DISPATCH_WORKERS"},
		{"workers not a number", "serve", map[string]string{"DISPATCH_WORKERS": "many"}, "DISPATCH_WORKERS"},
		{"pool size not a number", "serve", map[string]string{"POOL_MAX_CONNS": "lots"}, "POOL_MAX_CONNS"},
		{"pool size twice", "serve", map[string]string{"POOL_MAX_CONNS": "5", "DATABASE_URL": "+&pool_max_conns=7"}, "pool_max_conns"},
		{"db wait not a duration", "serve", map[string]string{"DB_WAIT": "forever"}, "DB_WAIT"},
		{"token file missing", "serve", map[string]string{"TELEGRAM_BOT_TOKEN": "", "TELEGRAM_BOT_TOKEN_FILE": "/nonexistent/token"}, "TELEGRAM_BOT_TOKEN_FILE"},
		{"token twice", "serve", map[string]string{"TELEGRAM_BOT_TOKEN_FILE": writeFile(t, token)}, "TELEGRAM_BOT_TOKEN"},
		{"no token", "serve", map[string]string{"TELEGRAM_BOT_TOKEN": ""}, "TELEGRAM_BOT_TOKEN"},
		{"migrate db wait", "migrate", map[string]string{"DB_WAIT": "-1s"}, "DB_WAIT"},
		{"chat prefix", "chat", map[string]string{"APP_NUMBER_PREFIX": "ntt"}, "APP_NUMBER_PREFIX"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			db := newTripwire(t)
			vars := map[string]string{"TELEGRAM_BOT_TOKEN": token, "DATABASE_URL": db.dsn(), "DB_WAIT": "0",
				"LISTEN_ADDR": "127.0.0.1:0"}
			for k, v := range c.vars {
				if k == "DATABASE_URL" {
					v = db.dsn() + strings.TrimPrefix(v, "+")
				}
				vars[k] = v
			}
			code, out := runCmd(t, vars, c.cmd)
			if code == 0 || !strings.Contains(out, c.want) {
				t.Errorf("exit %d, want an error naming %s:\n%s", code, c.want, out)
			}
			if n := db.connections(t); n != 0 {
				t.Errorf("%d connection(s) to the database before the error:\n%s", n, out)
			}
			for _, secret := range []string{"hunter2", "AAF-abc"} {
				if strings.Contains(out, secret) {
					t.Errorf("the output holds a secret (%s):\n%s", secret, out)
				}
			}
		})
	}
}

// Every HTTP server serve runs bounds how long a client may take.
func TestHTTPServerTimeouts(t *testing.T) {
	srv := newHTTPServer(http.NotFoundHandler(), newLogger(&bytes.Buffer{}, "info", "text"))
	if srv.ReadHeaderTimeout <= 0 || srv.ReadTimeout <= 0 || srv.WriteTimeout <= 0 || srv.IdleTimeout <= 0 {
		t.Fatalf("a timeout is missing: header %v, read %v, write %v, idle %v",
			srv.ReadHeaderTimeout, srv.ReadTimeout, srv.WriteTimeout, srv.IdleTimeout)
	}
	if srv.WriteTimeout <= srv.ReadTimeout {
		t.Errorf("WriteTimeout %v must outlast ReadTimeout %v: a webhook answer comes after its body is read and committed",
			srv.WriteTimeout, srv.ReadTimeout)
	}
}
