package main

import (
	"context"
	"errors"
	"io"
	"net"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"umkmbot/store/storetest"
)

// lateDatabase stands in front of the test PostgreSQL: until opened, it hangs up on every
// connection (as a server still starting would); once opened, it forwards them.
type lateDatabase struct {
	ln     net.Listener
	target string
	open   atomic.Bool
	wg     sync.WaitGroup
}

func newLateDatabase(t *testing.T, target string) *lateDatabase {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &lateDatabase{ln: ln, target: target}
	p.wg.Go(p.serve)
	t.Cleanup(func() { ln.Close(); p.wg.Wait() })
	return p
}

func (p *lateDatabase) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		if !p.open.Load() {
			c.Close()
			continue
		}
		p.wg.Go(func() {
			defer c.Close()
			up, err := net.Dial("tcp", p.target)
			if err != nil {
				return
			}
			defer up.Close()
			done := make(chan struct{}, 2)
			go func() { _, _ = io.Copy(up, c); done <- struct{}{} }()
			go func() { _, _ = io.Copy(c, up); done <- struct{}{} }()
			<-done
		})
	}
}

// dsnVia is dsn pointed at addr instead of its own host, with a password added that the
// logs must never show (the test server trusts every local connection).
func dsnVia(t *testing.T, dsn, addr string) (string, string) {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil || u.Scheme == "" {
		t.Skipf("DATABASE_URL is not a URL: %v", err)
	}
	target := u.Host
	u.Host = addr
	u.User = url.UserPassword(u.User.Username(), "pw-never-logged")
	return u.String(), target
}

// waitForLog polls until the log says text, or fails the test when openDatabase returns first
// or after a minute.
func waitForLog(t *testing.T, logs *lockedBuffer, done <-chan opened, text string) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !strings.Contains(logs.String(), text) {
		if len(done) > 0 {
			t.Fatalf("openDatabase returned before logging %q:\n%s", text, logs.String())
		}
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %q in the log:\n%s", text, logs.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// result waits for openDatabase's outcome, or fails the test after a minute.
func result(t *testing.T, logs *lockedBuffer, done <-chan opened) opened {
	t.Helper()
	select {
	case r := <-done:
		return r
	case <-time.After(time.Minute):
		t.Fatalf("openDatabase still waiting after a minute:\n%s", logs.String())
		return opened{}
	}
}

type opened struct {
	db  *database
	err error
}

// openInBackground runs openDatabase the way serve does, with logs collected.
func openInBackground(ctx context.Context, cfg *Config) (<-chan opened, *lockedBuffer) {
	logs := &lockedBuffer{}
	done := make(chan opened, 1)
	go func() {
		db, err := openDatabase(ctx, cfg, newLogger(logs, "info", "text"))
		done <- opened{db, err}
	}()
	return done, logs
}

// A database that comes up after serve starts is waited for, with the wait in the log.
func TestDatabaseWaitedForAtStart(t *testing.T) {
	_, base := storetest.NewWithDSN(t)
	late := newLateDatabase(t, "")
	dsn, target := dsnVia(t, base, late.ln.Addr().String())
	late.target = target

	done, logs := openInBackground(context.Background(), &Config{DatabaseURL: dsn, DBWait: time.Minute})
	waitForLog(t, logs, done, "database not reachable, retrying in 1s")
	late.open.Store(true)
	r := result(t, logs, done)
	if r.err != nil {
		t.Fatalf("openDatabase: %v\n%s", r.err, logs.String())
	}
	defer r.db.Close()
	if err := r.db.Store.Ping(context.Background()); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(logs.String(), "pw-never-logged") {
		t.Fatalf("the log holds the password:\n%s", logs.String())
	}
}

// SIGTERM (the context) ends the wait at once.
func TestDatabaseWaitStopsWithContext(t *testing.T) {
	late := newLateDatabase(t, "")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done, logs := openInBackground(ctx, &Config{DatabaseURL: "postgres://u@" + late.ln.Addr().String() + "/db?sslmode=disable", DBWait: time.Hour})
	waitForLog(t, logs, done, "database not reachable")
	cancel()
	if r := result(t, logs, done); !errors.Is(r.err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled\n%s", r.err, logs.String())
	}
}

// The wait is bounded by DB_WAIT, and says so when it gives up.
func TestDatabaseWaitGivesUp(t *testing.T) {
	late := newLateDatabase(t, "")
	done, logs := openInBackground(context.Background(), &Config{DatabaseURL: "postgres://u@" + late.ln.Addr().String() + "/db?sslmode=disable", DBWait: 1500 * time.Millisecond})
	r := result(t, logs, done)
	if r.err == nil || !strings.Contains(r.err.Error(), "DB_WAIT=1.5s") {
		t.Fatalf("err = %v, want it to name DB_WAIT\n%s", r.err, logs.String())
	}
	if n := strings.Count(logs.String(), "database not reachable"); n < 1 {
		t.Fatalf("no retry was logged:\n%s", logs.String())
	}
}

// A server that answers and refuses (here: no such database) is not waited for.
func TestDatabaseRefusalIsNotWaitedFor(t *testing.T) {
	base := storetest.DSN(t)
	u, err := url.Parse(base)
	if err != nil || u.Scheme == "" {
		t.Skipf("DATABASE_URL is not a URL: %v", err)
	}
	u.Path = "/no_such_database_umkmbot"
	done, logs := openInBackground(context.Background(), &Config{DatabaseURL: u.String(), DBWait: 5 * time.Second})
	if r := result(t, logs, done); r.err == nil || strings.Contains(logs.String(), "retrying") {
		t.Fatalf("err = %v, log:\n%s", r.err, logs.String())
	}
}

// The pool is the size asked for, unless DATABASE_URL names pool_max_conns.
func TestPoolSize(t *testing.T) {
	_, dsn := storetest.NewWithDSN(t)
	for _, c := range []struct {
		dsn  string
		size int32
		want int32
	}{
		{dsn, 23, 23},
		{dsn + "&pool_max_conns=5", 0, 5},
	} {
		db, err := openDatabase(context.Background(), &Config{DatabaseURL: c.dsn, PoolMaxConns: c.size}, newLogger(io.Discard, "info", "text"))
		if err != nil {
			t.Fatal(err)
		}
		got := db.Store.Pool().Config().MaxConns
		db.Close()
		if got != c.want {
			t.Errorf("%s, PoolMaxConns %d: pool of %d, want %d", c.dsn, c.size, got, c.want)
		}
	}
	if got := poolSize(30); got < 31 {
		t.Errorf("poolSize(30 dispatcher workers) = %d: fewer connections than workers", got)
	}
}
