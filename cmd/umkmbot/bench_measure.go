package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// measure runs the owners against the ready bot and fills rep: the window is from the moment
// every owner starts to the moment the last one is done.
func (r *benchRun) measure(ctx context.Context, rep *benchReport) error {
	if err := r.pg.useOutbox(ctx); err != nil {
		return err
	}
	if err := r.pg.reconnect(ctx, nil); err != nil {
		return err
	}
	before, err := r.pg.stats(ctx)
	if err != nil {
		return err
	}
	pid := r.bot.cmd.Process.Pid
	rep.peakReset = resetPeakRSS(pid) == nil
	cpu0 := r.cpu()

	runCtx, cancel := context.WithTimeout(ctx, r.opts.duration)
	defer cancel()
	start := make(chan struct{})
	var owners, enqueue sync.WaitGroup
	for _, o := range r.owners {
		owners.Go(func() { o.play(runCtx, start) })
	}
	stopSampling := make(chan struct{})
	var sampling sync.WaitGroup
	sampling.Go(func() { r.sample(ctx, rep, stopSampling) })
	began := time.Now()
	r.started.Store(began.UnixNano())
	if r.opts.broadcast > 0 {
		enqueue.Go(func() {
			t := time.Now()
			rep.enqueueErr = r.pg.enqueueBroadcast(ctx, r.bcastBase, r.opts.broadcast)
			rep.enqueueTook = time.Since(t)
		})
	}
	close(start)
	owners.Wait()
	rep.window = time.Since(began)
	close(stopSampling)
	sampling.Wait()

	rep.cpu = r.cpu().minus(cpu0)
	rep.peakRSS = procStatusKB(pid, "VmHWM")
	if m, err := r.bot.fetch(ctx, "/metrics"); err == nil {
		rep.botMetrics = parseMetrics(m)
	}
	backends := r.pg.botBackends(ctx)
	enqueue.Wait()
	r.log.Info("owners done; stopping the bot", "updates", r.completed.Load(), "seconds", rep.window.Seconds())
	rep.stopErr = r.bot.stop(40 * time.Second)
	r.log.Info("bot stopped")
	if st := r.bot.cmd.ProcessState; st != nil {
		rep.cpuLife = (st.UserTime() + st.SystemTime()).Seconds()
		if ru, ok := st.SysUsage().(*syscall.Rusage); ok && runtime.GOOS == "linux" {
			rep.peakRSSLife = ru.Maxrss // kilobytes on Linux
		}
	}
	if err := r.pg.reconnect(ctx, backends); err != nil {
		return err
	}
	after, err := r.pg.stats(ctx)
	if err != nil {
		return err
	}
	rep.collect(r, before, after)
	return nil
}

// sample records, every second of the run, the outbox's depth, the bot's RSS and the updates
// answered.
func (r *benchRun) sample(ctx context.Context, rep *benchReport, stop <-chan struct{}) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	pid := r.bot.cmd.Process.Pid
	var done int64
	for last := false; !last; {
		select {
		case <-stop:
			last = true // one more, so that even a run under a second has its figures
		case <-t.C:
		}
		all, bcast, err := r.pg.outboxDepth(ctx)
		if err != nil {
			all, bcast = -1, -1
		}
		n := r.completed.Load()
		rep.series.depth = append(rep.series.depth, all)
		rep.series.bcastDepth = append(rep.series.bcastDepth, bcast)
		rep.series.rssMB = append(rep.series.rssMB, int((procStatusKB(pid, "VmRSS")+512)/1024))
		rep.series.updates = append(rep.series.updates, int(n-done))
		done = n
	}
}

// cpuReading is CPU time in seconds: of the bot, of PostgreSQL (all its processes), of this
// process (the fake Telegram and the owners), and of the whole machine (busy, all cores).
type cpuReading struct{ bot, pg, self, machine float64 }

func (r *benchRun) cpu() cpuReading {
	return cpuReading{bot: procCPU(r.bot.cmd.Process.Pid), pg: postgresCPU(r.pg.postmaster), self: selfCPU(), machine: machineBusy()}
}

func (a cpuReading) minus(b cpuReading) cpuReading {
	return cpuReading{bot: a.bot - b.bot, pg: a.pg - b.pg, self: a.self - b.self, machine: a.machine - b.machine}
}

// clockTicks is USER_HZ, the unit of /proc's CPU times: 100 on every Linux.
const clockTicks = 100

// procStat reads the fields of /proc/<pid>/stat after the command name (field 3 first).
func procStat(pid int) []string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return nil
	}
	i := bytes.LastIndexByte(b, ')') // the command name may hold spaces and parentheses
	if i < 0 {
		return nil
	}
	return strings.Fields(string(b[i+1:]))
}

// statField is field n (numbered as in proc(5)) of a procStat.
func statField(f []string, n int) float64 {
	if len(f) <= n-3 {
		return 0
	}
	v, _ := strconv.ParseFloat(f[n-3], 64)
	return v
}

// procCPU is the user and system CPU seconds of a process.
func procCPU(pid int) float64 {
	f := procStat(pid)
	return (statField(f, 14) + statField(f, 15)) / clockTicks
}

// parentPID is the parent of a process on this machine; 0 when it cannot be read (a server on
// another machine).
func parentPID(pid int) int {
	return int(statField(procStat(pid), 4))
}

// postgresCPU is the CPU seconds of a PostgreSQL server: its main process, the children it has
// reaped (connections closed), and its children alive now.
func postgresCPU(postmaster int) float64 {
	if postmaster <= 1 {
		return 0
	}
	f := procStat(postmaster)
	total := statField(f, 14) + statField(f, 15) + statField(f, 16) + statField(f, 17)
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		pid, err := strconv.Atoi(filepath.Base(d))
		if err != nil || pid == postmaster {
			continue
		}
		if c := procStat(pid); int(statField(c, 4)) == postmaster {
			total += statField(c, 14) + statField(c, 15)
		}
	}
	return total / clockTicks
}

// selfCPU is the CPU seconds of this process.
func selfCPU() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

// machineBusy is the CPU seconds the whole machine spent not idle, all cores together.
func machineBusy() float64 {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := bytes.Cut(b, []byte("\n"))
	f := strings.Fields(string(line))
	if len(f) < 8 || f[0] != "cpu" {
		return 0
	}
	var busy float64
	for i, v := range f[1:8] { // user nice system idle iowait irq softirq
		n, _ := strconv.ParseFloat(v, 64)
		if i != 3 && i != 4 {
			busy += n
		}
	}
	return busy / clockTicks
}

// procStatusKB reads a kB field of /proc/<pid>/status (VmRSS, VmHWM); 0 when unknown.
func procStatusKB(pid int, field string) int64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

// resetPeakRSS makes VmHWM start again from the current RSS (Linux 4.0+), so the peak is the
// run's, not the start-up's.
func resetPeakRSS(pid int) error {
	return os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0)
}

// parseMetrics reads the samples of a Prometheus text exposition, by full series name.
func parseMetrics(b []byte) map[string]float64 {
	m := map[string]float64{}
	for _, line := range strings.Split(string(b), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if i < 0 {
			continue
		}
		if v, err := strconv.ParseFloat(line[i+1:], 64); err == nil {
			m[line[:i]] = v
		}
	}
	return m
}

// describeMachine names the machine the figures come from.
func describeMachine() string {
	model := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "model name"); ok {
				model = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
				break
			}
		}
	}
	kernel, _ := os.ReadFile("/proc/sys/kernel/osrelease")
	load, _ := os.ReadFile("/proc/loadavg")
	mem := procMemTotalGB()
	return fmt.Sprintf("%d CPUs (%s), %.0f GB RAM, Linux %s, %s; load average at start %s",
		runtime.NumCPU(), model, mem, strings.TrimSpace(string(kernel)), runtime.Version(),
		strings.Join(strings.Fields(string(load))[:min(3, len(strings.Fields(string(load))))], " "))
}

func procMemTotalGB() float64 {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "MemTotal:"); ok {
			n, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			return n / (1 << 20)
		}
	}
	return 0
}
