package pgembed

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"strconv"
	"syscall"
)

// sysProcAttr puts the server in its own process group, so a Ctrl-C at the terminal reaches
// umkmbot (which then calls Stop) but not postgres, and asks the kernel to send postgres
// SIGINT, a fast shutdown, should umkmbot die without stopping it (kill -9). Go keeps the
// thread that started the child alive, so the signal comes when the process dies.
func sysProcAttr(acct *account) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGINT, Credential: acct.credential()}
}

// inspectProcess tells what the process pid is, as seen from dataDir's postmaster.pid.
func inspectProcess(pid int, dataDir string) processKind {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if errors.Is(err, fs.ErrNotExist) {
		return processGone
	}
	if err != nil {
		return processOther
	}
	// The state follows the command name in parentheses, which may itself hold ") ".
	if i := bytes.LastIndexByte(stat, ')'); i < 0 || i+2 >= len(stat) || stat[i+2] == 'Z' || stat[i+2] == 'X' {
		return processOther // a zombie still answers kill(pid, 0), so postgres would refuse the lock
	}
	comm, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/comm")
	if err != nil {
		return processOther
	}
	if name := string(bytes.TrimSpace(comm)); name != "postgres" && name != "postmaster" {
		return processOther
	}
	cwd, err := os.Readlink("/proc/" + strconv.Itoa(pid) + "/cwd")
	if err != nil || !sameFile(cwd, dataDir) {
		return processOther
	}
	return processPostgres
}

func sameFile(a, b string) bool {
	ia, err := os.Stat(a)
	if err != nil {
		return false
	}
	ib, err := os.Stat(b)
	return err == nil && os.SameFile(ia, ib)
}
