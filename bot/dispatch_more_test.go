package bot

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"umkmbot/bot/telegramtest"
	"umkmbot/store/storetest"
)

// A chat with many updates waiting does not keep a single worker from another chat: after a turn
// of perTurn updates it goes to the back of the line.
func TestDispatchIsFairBetweenChats(t *testing.T) {
	s := storetest.New(t)
	const busy, turn = 48, 16 // a turn is perTurn updates
	for i := int64(1); i <= busy; i++ {
		put(t, s, i, 1, textUpdate(i, 1, fmt.Sprint(i)))
	}
	put(t, s, busy+1, 2, textUpdate(busy+1, 2, "sekali"))
	d, n := startDispatcher(t, s, &echoHandler{}, 1)
	d.Notify(1, 2)
	msgs := waitOutbox(t, s, n, busy+1)
	at := -1
	for i, m := range msgs {
		if m.ChatID == 2 {
			at = i
		}
	}
	if at < 0 || at > turn+1 {
		t.Fatalf("chat 2's only update was answered as reply %d of %d; want within the first turn of chat 1 (%d)", at+1, len(msgs), turn)
	}
}

// An update whose handling outlasts HandleTimeout is tried again (a passing trouble), and after
// maxAttempts the person is told; the chat goes on.
func TestDispatchHandleTimeout(t *testing.T) {
	s := storetest.New(t)
	n := make(nudges, 1)
	d := NewDispatcher(DispatcherConfig{Store: s, Handler: &echoHandler{}, Workers: 2, Nudge: n.nudge,
		ScanInterval: 20 * time.Millisecond, HandleTimeout: 100 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = d.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	put(t, s, 1, 4, textUpdate(1, 4, "slow"))
	put(t, s, 2, 4, textUpdate(2, 4, "then"))
	d.Notify(4)
	if got := replyTexts(waitOutbox(t, s, n, 2), 4); fmt.Sprint(got) != "[internal error (id) echo: then]" {
		t.Fatalf("replies %q", got)
	}
	if st := inboxStatus(t, s, 1); st != "failed" {
		t.Fatalf("the slow update is %s, want failed", st)
	}
}

// A handler that leaves its transaction unusable (a failed statement it ignored) makes what comes
// after it fail; that is counted like any failure, and after maxAttempts the person is told.
// Nothing the handler wrote survives.
func TestDispatchBrokenTransaction(t *testing.T) {
	s := storetest.New(t)
	n := make(nudges, 1)
	d := NewDispatcher(DispatcherConfig{Store: s, Handler: &echoHandler{}, Workers: 2, Nudge: n.nudge,
		ScanInterval: 20 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = d.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	put(t, s, 1, 6, textUpdate(1, 6, "break"))
	put(t, s, 2, 6, textUpdate(2, 6, "then"))
	d.Notify(6)
	if got := replyTexts(waitOutbox(t, s, n, 2), 6); fmt.Sprint(got) != "[internal error (id) echo: then]" {
		t.Fatalf("replies %q", got)
	}
	var attempts int
	var status string
	if err := s.DB().QueryRow(context.Background(), `SELECT attempts, status FROM inbox WHERE update_id = 1`).Scan(&attempts, &status); err != nil {
		t.Fatal(err)
	}
	if status != "failed" || attempts < maxAttempts {
		t.Fatalf("the broken update: %s after %d attempts", status, attempts)
	}
	var writes int
	if err := s.DB().QueryRow(context.Background(), `SELECT count(*) FROM audit_log WHERE detail->>'text' = 'break'`).Scan(&writes); err != nil {
		t.Fatal(err)
	}
	if writes != 0 {
		t.Fatalf("%d writes of the broken update survived", writes)
	}
}

// What a person writes never reaches the log, not even when handling it fails.
func TestDispatchNeverLogsWhatThePersonWrote(t *testing.T) {
	s := storetest.New(t)
	var mu sync.Mutex
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(lockedWriter{&mu, &buf}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	n := make(nudges, 1)
	d := NewDispatcher(DispatcherConfig{Store: s, Handler: &echoHandler{}, Workers: 2, Nudge: n.nudge, Logger: log,
		ScanInterval: 20 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = d.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	// The secret rides along with words the echo handler reacts to: a panic, an error, a deadlock.
	for i, text := range []string{"panic", "fail", "stuck"} {
		put(t, s, int64(i+1), 8, textUpdate(int64(i+1), 8, text))
	}
	for i, raw := range []string{"Maria 081234567890 rahasia"} {
		put(t, s, int64(10+i), 8, textUpdate(int64(10+i), 8, raw))
	}
	d.Notify(8)
	waitOutbox(t, s, n, 4)
	mu.Lock()
	logs := buf.String()
	mu.Unlock()
	if !strings.Contains(logs, "update failed") {
		t.Fatalf("the failures were not logged at all:\n%s", logs)
	}
	for _, secret := range []string{"rahasia", "081234567890", "Maria", "panic\"", "text="} {
		if strings.Contains(logs, secret) {
			t.Errorf("the log holds %q:\n%s", secret, logs)
		}
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// Telegram refusing the token stops the poller with an error that says so (and never the token).
func TestPollerStopsOn401(t *testing.T) {
	srv := telegramtest.New(t)
	s := storetest.New(t)
	srv.FailNext("getUpdates", 1, telegramtest.Failure{Code: 401, Description: "Unauthorized"})
	p := NewPoller(PollerConfig{APIURL: srv.URL(), Token: srv.Token(), Store: s, PollTimeout: time.Second,
		Standby: 50 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err := p.Run(ctx)
	if err == nil || !strings.Contains(err.Error(), "refused the bot token") {
		t.Fatalf("Run = %v, want the token refused", err)
	}
	if strings.Contains(err.Error(), srv.Token()) {
		t.Fatalf("the error holds the token: %v", err)
	}
	if ctx.Err() != nil {
		t.Fatal("the poller went on until the test's deadline")
	}
}
