package main

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
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

// The real binary, as a process of its own, against the fake Bot API and a real PostgreSQL:
// /start is answered, and SIGTERM stops it cleanly within the bound.
func TestServeProcess(t *testing.T) {
	_, dsn := storetest.NewWithDSN(t)
	srv := telegramtest.New(t)
	bin := filepath.Join(t.TempDir(), "umkmbot")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(os.Environ(),
		"TELEGRAM_API_URL="+srv.URL(), "TELEGRAM_BOT_TOKEN="+srv.Token(), "DATABASE_URL="+dsn,
		"LISTEN_ADDR=127.0.0.1:0", "WEBHOOK_URL=", "WEBHOOK_SECRET=", "LOG_LEVEL=debug")
	var stderr lockedBuffer
	cmd.Stderr, cmd.Stdout = &stderr, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			<-exited
		}
	})

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	owner := srv.User(7001, "Maria", "id")
	owner.Send("/start")
	msgs, err := owner.WaitBotMessages(ctx, 1)
	if err != nil {
		t.Fatalf("no answer to /start: %v\n--- umkmbot serve:\n%s", err, stderr.String())
	}
	if msgs[0].Text == "" {
		t.Fatalf("empty answer: %+v", msgs[0])
	}

	start := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		var exit *exec.ExitError
		if errors.As(err, &exit) || err != nil {
			t.Fatalf("exit after SIGTERM: %v\n%s", err, stderr.String())
		}
	case <-time.After(shutdownBound + 10*time.Second):
		t.Fatalf("still running %v after SIGTERM\n%s", time.Since(start), stderr.String())
	}
	logs := stderr.String()
	if strings.Contains(logs, srv.Token()) {
		t.Fatalf("the logs hold the bot token:\n%s", logs)
	}
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
