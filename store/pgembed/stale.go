package pgembed

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// ErrInUse reports that another umkmbot already runs PostgreSQL on the data directory.
var ErrInUse = errors.New("data directory in use by another umkmbot")

// lockDataDir takes the lock that keeps a second umkmbot off dataDir. The lock lives beside
// the data directory, as initdb wants an empty one, and holds the owner's pid for the error
// message. The kernel drops it when its holder dies, however it dies.
func lockDataDir(dataDir string) (*os.File, error) {
	path := dataDir + ".lock"
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open lock file of PostgreSQL data directory: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		content, _ := os.ReadFile(path)
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%w, pid %s", ErrInUse, bytes.TrimSpace(content))
		}
		return nil, fmt.Errorf("lock PostgreSQL data directory %s: %w", dataDir, err)
	}
	if err := f.Truncate(0); err != nil {
		f.Close()
		return nil, fmt.Errorf("write lock file of PostgreSQL data directory: %w", err)
	}
	if _, err := f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0); err != nil {
		f.Close()
		return nil, fmt.Errorf("write lock file of PostgreSQL data directory: %w", err)
	}
	return f, nil
}

// processKind is what we find at the pid a postmaster.pid names.
type processKind int

const (
	processGone     processKind = iota // no such process: postgres clears the stale file itself
	processOther                       // pid reused (or a zombie): postgres would refuse to start
	processPostgres                    // a postgres serving this data directory
)

// clearStaleServer deals with what a killed umkmbot leaves behind. We hold the data
// directory's lock, so a postgres still serving it belongs to no running umkmbot: it is
// shutting down on its parent-death signal, or it would be stopped with pg_ctl.
func (s *Server) clearStaleServer(ctx context.Context, staleWait time.Duration) error {
	pid, kind, err := s.postmasterPID()
	if err != nil || kind == processGone {
		return err
	}
	if kind == processPostgres {
		if err := s.stopPrevious(ctx, pid, staleWait); err != nil {
			return err
		}
		// It removes postmaster.pid as it exits; if it did not, look at what is left.
		if pid, kind, err = s.postmasterPID(); err != nil || kind == processGone {
			return err
		}
	}
	s.logger.Warn("removing stale postmaster.pid naming another process", "pid", pid, "data_dir", s.dataDir)
	if err := os.Remove(s.postmasterPIDFile()); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove stale postmaster.pid: %w", err)
	}
	return nil
}

func (s *Server) postmasterPIDFile() string { return filepath.Join(s.dataDir, "postmaster.pid") }

// postmasterPID reads the pid postmaster.pid names and what runs there now; without a
// readable pid the answer is processGone, leaving the judgement to postgres.
func (s *Server) postmasterPID() (int, processKind, error) {
	content, err := os.ReadFile(s.postmasterPIDFile())
	if errors.Is(err, fs.ErrNotExist) {
		return 0, processGone, nil
	}
	if err != nil {
		return 0, processGone, fmt.Errorf("read postmaster.pid: %w", err)
	}
	firstLine, _, _ := bytes.Cut(content, []byte("\n"))
	pid, err := strconv.Atoi(string(bytes.TrimSpace(firstLine)))
	if err != nil || pid <= 0 {
		return 0, processGone, nil
	}
	return pid, inspectProcess(pid, s.dataDir), nil
}

// stopPrevious waits up to staleWait for the postgres at pid, left by a killed umkmbot, to
// finish shutting down, then stops it with pg_ctl.
func (s *Server) stopPrevious(ctx context.Context, pid int, staleWait time.Duration) error {
	s.logger.Info("waiting for PostgreSQL left by a previous umkmbot to exit", "pid", pid, "data_dir", s.dataDir)
	if s.waitForExit(ctx, pid, staleWait) {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("wait for previous PostgreSQL (pid %d) to exit: %w", pid, err)
	}
	s.logger.Warn("previous PostgreSQL still running; stopping it", "pid", pid, "data_dir", s.dataDir)
	stop := exec.CommandContext(ctx, filepath.Join(s.binDir, "pg_ctl"), "stop", "-D", s.dataDir, "-m", "fast", "-w", "-t", "60")
	stop.Dir = s.dataDir
	stop.SysProcAttr = &syscall.SysProcAttr{Credential: s.account.credential()}
	if out, err := stop.CombinedOutput(); err != nil {
		return fmt.Errorf("stop previous PostgreSQL (pid %d) with pg_ctl: %w: %s", pid, err, bytes.TrimSpace(out))
	}
	if !s.waitForExit(ctx, pid, 5*time.Second) {
		return fmt.Errorf("previous PostgreSQL (pid %d) on %s did not stop", pid, s.dataDir)
	}
	return nil
}

// waitForExit polls until pid no longer is a postgres on our data directory, for at most
// wait; it reports whether it went.
func (s *Server) waitForExit(ctx context.Context, pid int, wait time.Duration) bool {
	deadline := time.Now().Add(wait)
	for inspectProcess(pid, s.dataDir) == processPostgres {
		if time.Now().After(deadline) || ctx.Err() != nil {
			return false
		}
		select {
		case <-ctx.Done():
		case <-time.After(50 * time.Millisecond):
		}
	}
	return true
}
