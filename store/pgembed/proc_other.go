//go:build unix && !linux

package pgembed

import (
	"os/exec"
	"strconv"
	"strings"
	"syscall"
)

// sysProcAttr puts the server in its own process group, so a Ctrl-C at the terminal reaches
// umkmbot (which then calls Stop) but not postgres. Outside Linux there is no parent-death
// signal: a postgres left behind by a killed umkmbot is stopped by the next Start.
func sysProcAttr(acct *account) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Credential: acct.credential()}
}

// inspectProcess tells what the process pid is, as seen from dataDir's postmaster.pid. We
// start postgres with -D dataDir, so its command line names the directory.
func inspectProcess(pid int, dataDir string) processKind {
	out, err := exec.Command("ps", "-o", "stat=,command=", "-p", strconv.Itoa(pid)).Output()
	if err != nil {
		return processGone // ps exits 1 when there is no such process
	}
	stat, command, _ := strings.Cut(strings.TrimSpace(string(out)), " ")
	if strings.HasPrefix(stat, "Z") || !strings.Contains(command, "postgres") || !strings.Contains(command, dataDir) {
		return processOther
	}
	return processPostgres
}
