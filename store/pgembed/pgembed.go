// Package pgembed runs umkmbot's own PostgreSQL when no DATABASE_URL is given: a private
// server on a free loopback port, from the PostgreSQL binaries already on the machine, whose
// data stays in a directory for the next run. It works on Linux and other Unix systems;
// only Linux stops the server by itself when umkmbot is killed outright.
package pgembed

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

const (
	// DatabaseName is the database Start creates for umkmbot on first use.
	DatabaseName = "umkmbot"
	// superuser is the role initdb creates; the same whoever runs umkmbot.
	superuser = "postgres"

	readyTimeout     = 60 * time.Second // crash recovery of a large database takes a while
	defaultStaleWait = 10 * time.Second // a parent-death fast shutdown takes well under a second
	fastStopTimeout  = 30 * time.Second
	quitStopTimeout  = 5 * time.Second
	portAttempts     = 3
)

// Options configures Start.
type Options struct {
	// DataDir is the PostgreSQL data directory itself, such as ./data/postgres. It is
	// created, and initialized, when missing. postgres.log and postgres.lock (after its
	// name) sit beside it.
	DataDir string
	// BinDir holds initdb, pg_ctl and postgres; empty means FindBinDir("") decides.
	BinDir string
	// Logger receives where the data lives, the port, and recovery from a crash; nil
	// discards.
	Logger *slog.Logger

	staleWait time.Duration // how long to wait for a postgres left by a killed umkmbot; tests shorten it
	ports     []int         // tests: the ports to try first, instead of free ones
}

// Server is a running PostgreSQL started by Start. Stop it when done.
type Server struct {
	dataDir string
	binDir  string
	account *account // nil: postgres runs as ourselves
	logger  *slog.Logger
	lock    *os.File // held while the server runs; keeps a second umkmbot out
	logFile *os.File
	logPath string
	port    int
	ports   []int // tests: ports to try before free ones

	cmd     *exec.Cmd
	exited  chan struct{} // closed once cmd has been waited for
	exitErr error         // how postgres exited; read after exited is closed

	stopOnce sync.Once
	stopErr  error
}

// Start runs PostgreSQL on opts.DataDir, initializing it first if needed, and returns once
// it accepts connections and the umkmbot database exists. If another umkmbot serves the
// directory, the error wraps ErrInUse; without PostgreSQL binaries it wraps ErrNoPostgres.
func Start(ctx context.Context, opts Options) (*Server, error) {
	if opts.DataDir == "" {
		return nil, errors.New("start embedded PostgreSQL: no data directory given")
	}
	dataDir, err := filepath.Abs(opts.DataDir)
	if err != nil {
		return nil, fmt.Errorf("start embedded PostgreSQL: resolve data directory: %w", err)
	}
	binDir, err := FindBinDir(opts.BinDir)
	if err != nil {
		return nil, fmt.Errorf("start embedded PostgreSQL: %w", err)
	}
	acct, err := serverAccount()
	if err != nil {
		return nil, fmt.Errorf("start embedded PostgreSQL: %w", err)
	}
	s := &Server{
		dataDir: dataDir,
		binDir:  binDir,
		account: acct,
		logger:  opts.Logger,
		logPath: dataDir + ".log",
		ports:   opts.ports,
	}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	staleWait := opts.staleWait
	if staleWait == 0 {
		staleWait = defaultStaleWait
	}
	if err := s.start(ctx, staleWait); err != nil {
		s.release()
		return nil, fmt.Errorf("start embedded PostgreSQL in %s: %w", dataDir, err)
	}
	s.logger.Info("embedded PostgreSQL ready", "data_dir", s.dataDir, "port", s.port, "log", s.logPath, "bin_dir", s.binDir)
	return s, nil
}

func (s *Server) start(ctx context.Context, staleWait time.Duration) error {
	if err := prepareDataDir(s.dataDir, s.account); err != nil {
		return err
	}
	lock, err := lockDataDir(s.dataDir)
	if err != nil {
		return err
	}
	s.lock = lock
	if err := s.initIfNeeded(ctx); err != nil {
		return err
	}
	if err := s.clearStaleServer(ctx, staleWait); err != nil {
		return err
	}
	s.logFile, err = os.OpenFile(s.logPath, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o640)
	if err != nil {
		return fmt.Errorf("open PostgreSQL log: %w", err)
	}
	// The port is free when we ask but may be taken before postgres binds it; then try another.
	for attempt := 1; ; attempt++ {
		err := s.run(ctx)
		if err == nil || !errors.Is(err, errPortTaken) || attempt == portAttempts {
			return err
		}
		s.logger.Info("PostgreSQL port taken meanwhile; trying another", "port", s.port)
	}
}

// initIfNeeded runs initdb when the data directory holds no cluster yet.
func (s *Server) initIfNeeded(ctx context.Context) error {
	if _, err := os.Stat(filepath.Join(s.dataDir, "PG_VERSION")); err == nil {
		return nil
	}
	s.logger.Info("initializing PostgreSQL data directory", "data_dir", s.dataDir, "bin_dir", s.binDir)
	// C.UTF-8 classifies non-ASCII letters properly; where it is missing (some macOS), C
	// still stores UTF-8. initdb empties the directory again when it fails.
	var out []byte
	var err error
	for _, locale := range []string{"C.UTF-8", "C"} {
		initdb := exec.CommandContext(ctx, filepath.Join(s.binDir, "initdb"),
			"-D", s.dataDir, "-U", superuser, "-E", "UTF8", "--locale="+locale, "--auth=trust")
		initdb.Dir = filepath.Dir(s.dataDir)
		initdb.SysProcAttr = &syscall.SysProcAttr{Credential: s.account.credential()}
		if out, err = initdb.CombinedOutput(); err == nil {
			return nil
		}
		if !bytes.Contains(out, []byte("invalid locale")) {
			break
		}
	}
	return fmt.Errorf("initdb: %w:\n%s", err, bytes.TrimSpace(out))
}

var errPortTaken = errors.New("port taken")

// run starts postgres on a free port and waits until it accepts connections.
func (s *Server) run(ctx context.Context) error {
	port, err := freePort()
	if len(s.ports) > 0 {
		port, err, s.ports = s.ports[0], nil, s.ports[1:]
	}
	if err != nil {
		return err
	}
	s.port = port
	logStart, err := s.logFile.Seek(0, io.SeekEnd)
	if err != nil {
		return fmt.Errorf("find end of PostgreSQL log: %w", err)
	}
	cmd := exec.Command(filepath.Join(s.binDir, "postgres"),
		"-D", s.dataDir,
		"-p", strconv.Itoa(port),
		"-c", "listen_addresses=127.0.0.1",
		"-c", "unix_socket_directories=", // TCP only: no socket path length limit, no /var/run
		"-c", "logging_collector=off",
		"-c", "log_destination=stderr",
	)
	cmd.Dir = s.dataDir
	cmd.Stdout, cmd.Stderr = s.logFile, s.logFile // the file itself, so logging outlives us
	cmd.SysProcAttr = sysProcAttr(s.account)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("run postgres: %w", err)
	}
	s.cmd = cmd
	s.exited = make(chan struct{})
	go func() {
		s.exitErr = cmd.Wait()
		close(s.exited)
	}()

	err = s.waitReady(ctx)
	if err == nil {
		return nil
	}
	s.kill()
	tail := s.logSince(logStart)
	if strings.Contains(tail, "could not bind") || strings.Contains(tail, "Address already in use") {
		return fmt.Errorf("%w: %w", errPortTaken, err)
	}
	return fmt.Errorf("%w; postgres log %s says:\n%s", err, s.logPath, tail)
}

// waitReady polls until postgres accepts connections, then creates the umkmbot database
// if it is missing.
func (s *Server) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	adminDSN := s.dsn("postgres")
	for {
		conn, err := s.tryConnect(ctx, adminDSN)
		if err == nil {
			// The port was free when chosen, but another server may have taken it before ours
			// bound it (then ours exits, "port taken"): only our own data directory counts.
			if err = s.checkOwnServer(ctx, conn); err == nil {
				defer conn.Close(context.WithoutCancel(ctx))
				return ensureDatabase(ctx, conn)
			}
			conn.Close(context.WithoutCancel(ctx))
		}
		select {
		case <-s.exited:
			return fmt.Errorf("postgres exited while starting: %v", s.exitErr)
		case <-ctx.Done():
			return fmt.Errorf("wait for postgres to accept connections: %w (last attempt: %v)", ctx.Err(), err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func (s *Server) tryConnect(ctx context.Context, dsn string) (*pgx.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	return pgx.Connect(ctx, dsn)
}

// checkOwnServer says whether conn reached the postgres serving this Server's data directory.
func (s *Server) checkOwnServer(ctx context.Context, conn *pgx.Conn) error {
	var dir string
	if err := conn.QueryRow(ctx, "SELECT current_setting('data_directory')").Scan(&dir); err != nil {
		return fmt.Errorf("ask the server for its data directory: %w", err)
	}
	if filepath.Clean(dir) != filepath.Clean(s.dataDir) {
		return fmt.Errorf("port %d is served by another PostgreSQL (data directory %s)", s.port, dir)
	}
	return nil
}

func ensureDatabase(ctx context.Context, conn *pgx.Conn) error {
	var exists bool
	err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", DatabaseName).Scan(&exists)
	if err != nil {
		return fmt.Errorf("look for database %s: %w", DatabaseName, err)
	}
	if exists {
		return nil
	}
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{DatabaseName}.Sanitize()); err != nil {
		return fmt.Errorf("create database %s: %w", DatabaseName, err)
	}
	return nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free loopback port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// logSince returns the last lines postgres logged after offset, for error messages.
func (s *Server) logSince(offset int64) string {
	f, err := os.Open(s.logPath)
	if err != nil {
		return ""
	}
	defer f.Close()
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return ""
	}
	b, _ := io.ReadAll(io.LimitReader(f, 1<<20))
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return strings.Join(lines[max(0, len(lines)-20):], "\n")
}

// DSN is a pgx connection URL for the umkmbot database.
func (s *Server) DSN() string { return s.dsn(DatabaseName) }

func (s *Server) dsn(database string) string {
	u := url.URL{
		Scheme:   "postgres",
		User:     url.User(superuser),
		Host:     net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port)),
		Path:     "/" + database,
		RawQuery: "sslmode=disable",
	}
	return u.String()
}

// DataDir is the absolute path of the data directory.
func (s *Server) DataDir() string { return s.dataDir }

// Done is closed when postgres has exited, whether stopped or not.
func (s *Server) Done() <-chan struct{} { return s.exited }

// Stop shuts postgres down: a fast shutdown (SIGINT), which rolls back open transactions
// and checkpoints; if that takes too long or ctx ends, an immediate one (SIGQUIT), then
// SIGKILL. It reports an error when the fast shutdown did not do. Calling it again
// returns the first result.
func (s *Server) Stop(ctx context.Context) error {
	s.stopOnce.Do(func() {
		s.stopErr = s.stop(ctx)
		s.release()
		if s.stopErr == nil {
			s.logger.Info("embedded PostgreSQL stopped", "data_dir", s.dataDir)
		}
	})
	return s.stopErr
}

func (s *Server) stop(ctx context.Context) error {
	select {
	case <-s.exited:
		if s.exitErr != nil {
			return fmt.Errorf("PostgreSQL had already exited: %w", s.exitErr)
		}
		return nil
	default:
	}
	if err := s.cmd.Process.Signal(syscall.SIGINT); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("ask PostgreSQL to stop: %w", err)
	}
	timer := time.NewTimer(fastStopTimeout)
	defer timer.Stop()
	var why string
	select {
	case <-s.exited:
		return nil
	case <-ctx.Done():
		why = ctx.Err().Error()
	case <-timer.C:
		why = "no fast shutdown within " + fastStopTimeout.String()
	}
	s.logger.Warn("PostgreSQL slow to stop; shutting it down immediately", "reason", why, "data_dir", s.dataDir)
	s.kill()
	return fmt.Errorf("stop PostgreSQL: %s; shut it down immediately", why)
}

// kill ends postgres at once: an immediate shutdown, which takes its backends with it and
// means crash recovery at the next start, then SIGKILL if even that hangs.
func (s *Server) kill() {
	_ = s.cmd.Process.Signal(syscall.SIGQUIT)
	select {
	case <-s.exited:
		return
	case <-time.After(quitStopTimeout):
	}
	_ = s.cmd.Process.Kill()
	<-s.exited
}

// release closes the log and gives up the data directory's lock.
func (s *Server) release() {
	if s.logFile != nil {
		s.logFile.Close()
	}
	if s.lock != nil {
		s.lock.Close()
	}
}
