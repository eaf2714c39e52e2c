package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"umkmbot/store/pgembed"
	"umkmbot/store/storetest"
)

// faultPG is a PostgreSQL server of one fault test, in a temporary directory, on a port that
// stays the same across restarts: the serve children keep their DATABASE_URL while it goes down
// and comes back. A server of its own also keeps the test clear of other tests' bots on the
// shared server (the poller's advisory lock is one per database, whatever the schema).
type faultPG struct {
	t      *testing.T
	bin    string
	data   string
	log    string
	port   int
	cred   *syscall.Credential // run as user postgres when we are root (initdb refuses root)
	cmd    *exec.Cmd
	exited chan struct{}
}

// startFaultPG initialises and starts a server; the test's cleanup stops it and removes it.
// fsync is off: these tests restart the server cleanly (a fast shutdown writes everything out),
// they do not crash the machine, and the suite runs on 2 shared cores.
func startFaultPG(t *testing.T) *faultPG {
	t.Helper()
	if os.Getenv(storetest.SkipEnv) != "" && os.Getenv("CI") == "" {
		t.Skipf("a data test, skipped as %s asks", storetest.SkipEnv)
	}
	bin, err := pgembed.FindBinDir("")
	if err != nil {
		t.Fatalf("fault tests need PostgreSQL's server binaries (initdb, postgres): %v", err)
	}
	dir, err := os.MkdirTemp("", "umkmbot-fault-pg-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	p := &faultPG{t: t, bin: bin, data: filepath.Join(dir, "data"), log: filepath.Join(dir, "postgres.log")}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Fatalf("running as root, the fault tests' PostgreSQL needs a user postgres: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		p.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	initdb := p.command(filepath.Join(bin, "initdb"), "-D", p.data, "-U", "postgres", "-A", "trust", "-E", "UTF8",
		"--locale=C.UTF-8", "--no-sync")
	if out, err := initdb.CombinedOutput(); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	if p.port, err = freeTCPPort(); err != nil {
		t.Fatal(err)
	}
	p.start()
	t.Cleanup(p.stop)
	return p
}

func (p *faultPG) command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	cmd.Dir = "/" // postgres need not be able to enter our working directory
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGINT, Credential: p.cred}
	return cmd
}

// DSN is the URL of the server's postgres database.
func (p *faultPG) DSN() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", p.port)
}

// start runs postgres and waits until it accepts connections.
func (p *faultPG) start() {
	p.t.Helper()
	logFile, err := os.OpenFile(p.log, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		p.t.Fatal(err)
	}
	defer logFile.Close()
	p.cmd = p.command(filepath.Join(p.bin, "postgres"), "-D", p.data, "-p", strconv.Itoa(p.port),
		"-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", "-c", "fsync=off",
		"-c", "max_connections=100")
	p.cmd.Stdout, p.cmd.Stderr = logFile, logFile
	if err := p.cmd.Start(); err != nil {
		p.t.Fatalf("start postgres: %v", err)
	}
	exited := make(chan struct{})
	p.exited = exited
	go func(cmd *exec.Cmd) { _ = cmd.Wait(); close(exited) }(p.cmd)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for {
		cctx, ccancel := context.WithTimeout(ctx, 2*time.Second)
		conn, err := pgx.Connect(cctx, p.DSN())
		ccancel()
		if err == nil {
			_ = conn.Close(ctx)
			return
		}
		select {
		case <-exited:
			p.t.Fatalf("postgres exited while starting:\n%s", tailOf(p.log, 2000))
		case <-ctx.Done():
			p.t.Fatalf("postgres did not accept connections within a minute (%v):\n%s", err, tailOf(p.log, 2000))
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// restart is `pg_ctl restart -m fast` that takes a while: a fast shutdown (every session ended,
// open transactions rolled back, a checkpoint), the server away for outage, then started again on
// the same port.
func (p *faultPG) restart(outage time.Duration) {
	p.t.Helper()
	p.shutdown()
	time.Sleep(outage) // the fault's length, not a wait for anything
	p.start()
}

func (p *faultPG) shutdown() {
	p.t.Helper()
	_ = p.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-p.exited:
	case <-time.After(time.Minute):
		_ = p.cmd.Process.Kill()
		<-p.exited
		p.t.Fatalf("postgres did not stop within a minute of a fast shutdown:\n%s", tailOf(p.log, 2000))
	}
}

func (p *faultPG) stop() {
	select {
	case <-p.exited:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-p.exited:
	case <-time.After(30 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
}
