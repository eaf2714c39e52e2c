package main

import (
	"bytes"
	"context"
	"errors"
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
