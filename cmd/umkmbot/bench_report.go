package main

import (
	"fmt"
	"io"
	"math"
	"runtime"
	"slices"
	"strings"
	"time"
)

// benchReport is what one benchmark run measured.
type benchReport struct {
	opts    benchOptions
	at      time.Time
	machine string
	db      []string
	botPID  int

	window  time.Duration // from the owners' start to the last owner done
	owners  ownersSummary
	errors  []string
	updates int
	first   []time.Duration // update → first answer, per update
	last    []time.Duration // update → whole reply
	// During the broadcast: the updates sent after its first message went out.
	firstDuring, lastDuring []time.Duration

	botMetrics  map[string]float64
	statements  int64 // the bot's, in the window and until it stopped; -1 unknown
	commits     int64
	rollbacks   int64
	walSyncs    int64 // -1 unknown
	walBytes    int64
	topSQL      []queryStat
	cpu         cpuReading // in the window
	cpuLife     float64    // the bot's CPU seconds over its whole life
	peakRSS     int64      // kB, the bot's VmHWM in the window (reset at its start when peakReset)
	peakReset   bool
	peakRSSLife int64 // kB, over the bot's whole life
	stopErr     error

	series struct{ depth, bcastDepth, rssMB, updates []int } // one value per second

	enqueueTook time.Duration
	enqueueErr  error
	bcast       broadcastSummary
	tooMany     int // 429s the fake answered, to anyone
}

type ownersSummary struct{ started, finished, failed, cut int }

type broadcastSummary struct {
	sent, limited, rejected int
	perSec                  []int
	steadyRate              float64 // broadcast messages/s over the steady part
	steadyFrom, steadyTo    int     // seconds since the start
	repliesRate             float64 // messages to the owners/s over the same seconds
	firstAt                 time.Duration
	ownerLimited            int // 429s to sends to the owners
}

// collect turns what the run saw into the report's figures.
func (rep *benchReport) collect(r *benchRun, before, after pgStats) {
	rep.owners.started = len(r.owners)
	var samples []benchSample
	for _, o := range r.owners {
		switch {
		case o.err != nil:
			rep.owners.failed++
			if len(rep.errors) < 5 {
				e := []rune(o.err.Error())
				rep.errors = append(rep.errors, string(e[:min(len(e), 400)]))
			}
		case o.cut:
			rep.owners.cut++
		default:
			rep.owners.finished++
		}
		samples = append(samples, o.samples...)
	}
	rep.updates = len(samples)
	began := r.startedAt()
	bcastStart := time.Time{}
	if r.bcast.total > 0 {
		bcastStart = r.bcast.first
	}
	for _, s := range samples {
		rep.first = append(rep.first, s.first)
		rep.last = append(rep.last, s.last)
		if !bcastStart.IsZero() && !s.at.Before(bcastStart) {
			rep.firstDuring = append(rep.firstDuring, s.first)
			rep.lastDuring = append(rep.lastDuring, s.last)
		}
	}
	own := func(f func(ownCount) int64) int64 { return f(after.own) - f(before.own) }
	rep.statements = -1
	if before.statements >= 0 && after.statements >= 0 {
		rep.statements = after.statements - before.statements - own(func(c ownCount) int64 { return c.statements })
		rep.topSQL = topQueries(before, after, 12)
	}
	rep.commits = after.commits - before.commits - own(func(c ownCount) int64 { return c.commits })
	rep.rollbacks = after.rollbacks - before.rollbacks
	rep.walSyncs, rep.walBytes = -1, -1
	if before.walSyncs >= 0 && after.walSyncs >= 0 {
		rep.walSyncs = after.walSyncs - before.walSyncs
		rep.walBytes = after.walBytes - before.walBytes
	}
	rep.tooMany = r.fake.TooManyRequestsCount()
	if r.opts.broadcast > 0 {
		rep.bcast = summarizeBroadcast(r, began, rep.window)
	}
}

// summarizeBroadcast finds the broadcast's sustained rate: from two seconds after its first
// message (the sender's ramp) to the end of the window, or to its last message if it ran out.
func summarizeBroadcast(r *benchRun, began time.Time, window time.Duration) broadcastSummary {
	r.bcast.mu.Lock()
	defer r.bcast.mu.Unlock()
	r.replies.mu.Lock()
	defer r.replies.mu.Unlock()
	r.ownerLimit.mu.Lock()
	defer r.ownerLimit.mu.Unlock()
	b := broadcastSummary{sent: r.bcast.total, limited: r.bcast.limited, rejected: r.bcast.rejected,
		perSec: slices.Clone(r.bcast.perSec), ownerLimited: r.ownerLimit.limited}
	if b.sent == 0 {
		return b
	}
	b.firstAt = r.bcast.first.Sub(began)
	first := int(b.firstAt / time.Second)
	end := int(window / time.Second) // whole seconds only
	if b.sent == r.opts.broadcast {
		end = min(end, int(r.bcast.last.Sub(began)/time.Second))
	}
	b.steadyFrom, b.steadyTo = first+2, min(end, len(b.perSec))
	if b.steadyTo <= b.steadyFrom {
		return b
	}
	sum := func(v []int, from, to int) (n int) {
		for i := from; i < to && i < len(v); i++ {
			n += v[i]
		}
		return n
	}
	secs := float64(b.steadyTo - b.steadyFrom)
	b.steadyRate = float64(sum(b.perSec, b.steadyFrom, b.steadyTo)) / secs
	b.repliesRate = float64(sum(r.replies.perSec, b.steadyFrom, b.steadyTo)) / secs
	return b
}

// print writes the report for people: the command, the date and the machine first.
func (rep *benchReport) print(w io.Writer) {
	o := rep.opts
	p := func(format string, args ...any) { fmt.Fprintf(w, format+"\n", args...) }
	p("umkmbot bench — %s", rep.at.UTC().Format("2006-01-02 15:04 MST (Monday)"))
	p("command:   %s", o.commandLine)
	p("machine:   %s", rep.machine)
	for i, l := range rep.db {
		if i == 0 {
			p("database:  %s", l)
		} else {
			p("           %s", l)
		}
	}
	workers := "default"
	if o.workers > 0 {
		workers = fmt.Sprint(o.workers)
	}
	p("bot:       umkmbot serve %s (child process %d, long polling): SEND_RATE=%g SEND_CHAT_RATE=%g DISPATCH_WORKERS=%s %s",
		versionString(), rep.botPID, o.sendRate, o.chatRate, workers, strings.Join(o.botEnv, " "))
	limits := "limits off"
	if o.broadcast > 0 {
		limits = "enforcing Telegram's limits (30 messages/s overall, 1/s per chat with bursts of 3)"
	}
	p("fake:      bot/telegramtest in the bench process, %s", limits)
	p("")
	p("owners:    %d started, %d finished their conversation, %d failed, %d cut by -duration %s; think time %s",
		rep.owners.started, rep.owners.finished, rep.owners.failed, rep.owners.cut, o.duration, o.think)
	for _, e := range rep.errors {
		p("  failed:  %s", e)
	}
	secs := rep.window.Seconds()
	p("updates:   %d answered in %.1f s = %.0f updates/s (the bot counted %.0f handled, %.0f failed)",
		rep.updates, secs, float64(rep.updates)/secs,
		rep.botMetrics["umkmbot_updates_handled_total"], rep.botMetrics["umkmbot_updates_failed_total"])
	p("latency update→first answer:  %s", percentiles(rep.first))
	p("latency update→whole reply:   %s", percentiles(rep.last))
	if n := float64(rep.updates); n > 0 {
		stmts := "n/a"
		if rep.statements >= 0 {
			stmts = fmt.Sprintf("%.1f", float64(rep.statements)/n)
		}
		wal := "n/a WAL syncs"
		if rep.walSyncs >= 0 {
			wal = fmt.Sprintf("%.2f WAL syncs, %.1f kB WAL", float64(rep.walSyncs)/n, float64(rep.walBytes)/n/1024)
		}
		p("per update: %s SQL statements, %.2f commits (%d rollbacks in all), %s", stmts, float64(rep.commits)/n, rep.rollbacks, wal)
		if o.broadcast > 0 {
			p("            (the broadcast's deliveries and the bot's stop are counted too)")
		}
	}
	c := rep.cpu
	others := math.Max(0, c.machine-c.bot-c.pg-c.self)
	p("CPU seconds in the window: bot %.1f (%.0f%% of one core), PostgreSQL %.1f, bench (fake Telegram + owners) %.1f; whole machine busy %.1f of %.1f (other processes %.1f)",
		c.bot, 100*c.bot/secs, c.pg, c.self, c.machine, secs*float64(runtime.NumCPU()), others)
	if c.bot > 0 {
		p("            per update: bot %.2f ms, PostgreSQL %.2f ms; the bot over its whole life %.1f s", 1000*c.bot/float64(max(1, rep.updates)),
			1000*c.pg/float64(max(1, rep.updates)), rep.cpuLife)
	}
	peak := "peak RSS during the run"
	if !rep.peakReset {
		peak = "peak RSS since the bot started"
	}
	p("bot memory: %s %.1f MB (VmHWM; %.1f MB over its whole life); RSS MB %s", peak, float64(rep.peakRSS)/1024,
		float64(rep.peakRSSLife)/1024, compactSeries(rep.series.rssMB, 30, false))
	p("outbox waiting: %s", compactSeries(rep.series.depth, 30, false))
	p("updates answered per second: %s", compactSeries(rep.series.updates, 30, true))
	if o.broadcast > 0 {
		rep.printBroadcast(p)
	}
	if rep.stopErr != nil {
		p("the bot's stop: %v", rep.stopErr)
	}
	rep.printTargets(p)
	if len(rep.topSQL) > 0 {
		p("")
		p("statements by server time (window and stop; calls per update, ms in all, the statement):")
		for _, q := range rep.topSQL {
			text := strings.Join(strings.Fields(q.text), " ")
			if r := []rune(text); len(r) > 110 {
				text = string(r[:110]) + "…"
			}
			p("  %7.2f %8.0f  %s", float64(q.calls)/float64(max(1, rep.updates)), q.millis, text)
		}
	}
}

func (rep *benchReport) printBroadcast(p func(string, ...any)) {
	b := rep.bcast
	enq := fmt.Sprintf("queued in %.1f s", rep.enqueueTook.Seconds())
	if rep.enqueueErr != nil {
		enq = "queueing failed: " + rep.enqueueErr.Error()
	}
	p("broadcast: %d messages, %s; %d delivered, first after %.1f s; %d answered 429 (all calls: %d 429s, %d to owners), %d refused otherwise",
		rep.opts.broadcast, enq, b.sent, b.firstAt.Seconds(), b.limited, rep.tooMany, b.ownerLimited, b.rejected)
	if b.steadyTo > b.steadyFrom {
		p("  sustained %.1f messages/s from second %d to %d = %.0f%% of SEND_RATE %g; replies to owners meanwhile %.1f/s (together %.0f%%)",
			b.steadyRate, b.steadyFrom, b.steadyTo, 100*b.steadyRate/rep.opts.sendRate, rep.opts.sendRate,
			b.repliesRate, 100*(b.steadyRate+b.repliesRate)/rep.opts.sendRate)
	}
	p("  delivered per second: %s", compactSeries(b.perSec, 30, true))
	p("  broadcast waiting: %s", compactSeries(rep.series.bcastDepth, 30, false))
	p("  owners' latency while it was being delivered (%d updates): first answer %s; whole reply %s",
		len(rep.firstDuring), percentiles(rep.firstDuring), percentiles(rep.lastDuring))
}

// printTargets compares with the targets of issue 7 where the run's shape is theirs.
func (rep *benchReport) printTargets(p func(string, ...any)) {
	verdict := func(ok bool) string {
		if ok {
			return "met"
		}
		return "MISSED"
	}
	rate := float64(rep.updates) / rep.window.Seconds()
	p99 := quantile(rep.first, 0.99)
	rss := float64(rep.peakRSS) / 1024
	o := rep.opts
	switch {
	case o.broadcast >= 100_000:
		ok429 := rep.tooMany == 0
		okRate := rep.bcast.steadyRate >= 0.97*o.sendRate
		okLat := quantile(rep.firstDuring, 0.99) <= time.Second
		p("targets (issue 7, broadcast of 100,000): owners' p99 ≤ 1 s %s, broadcast ≥ 97%% of its rate %s, no 429 %s",
			verdict(okLat), verdict(okRate), verdict(ok429))
	case o.broadcast > 0:
	case o.owners == 200 && o.think == 0:
		p("targets (issue 7, 200 owners): ≥ 1,500 updates/s %s (%.0f), p99 ≤ 150 ms %s (%s)",
			verdict(rate >= 1500), rate, verdict(p99 <= 150*time.Millisecond), fmtDur(p99))
	case o.owners == 1000 && o.think == 0:
		p("targets (issue 7, 1,000 owners): ≥ 2,000 updates/s %s (%.0f), p99 ≤ 600 ms %s (%s), RSS ≤ 60 MB %s (%.1f MB)",
			verdict(rate >= 2000), rate, verdict(p99 <= 600*time.Millisecond), fmtDur(p99), verdict(rss <= 60), rss)
	}
}

// percentiles prints p50, p95, p99 and max.
func percentiles(d []time.Duration) string {
	if len(d) == 0 {
		return "no samples"
	}
	return fmt.Sprintf("p50 %s  p95 %s  p99 %s  max %s", fmtDur(quantile(d, .5)), fmtDur(quantile(d, .95)),
		fmtDur(quantile(d, .99)), fmtDur(quantile(d, 1)))
}

// quantile is the nearest-rank quantile q of d (d is sorted in place); 0 for no samples.
func quantile(d []time.Duration, q float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	slices.Sort(d)
	i := int(math.Ceil(q*float64(len(d)))) - 1
	return d[max(0, min(i, len(d)-1))]
}

func fmtDur(d time.Duration) string {
	switch {
	case d >= 10*time.Second:
		return fmt.Sprintf("%.1f s", d.Seconds())
	case d >= time.Second:
		return fmt.Sprintf("%.2f s", d.Seconds())
	default:
		return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
	}
}

// compactSeries prints a per-second series in at most points values: each the largest of its
// seconds, or their mean when mean is set.
func compactSeries(v []int, points int, mean bool) string {
	if len(v) == 0 {
		return "no samples"
	}
	step := (len(v) + points - 1) / points
	var parts []string
	for i := 0; i < len(v); i += step {
		chunk := v[i:min(i+step, len(v))]
		agg := slices.Max(chunk)
		if mean {
			sum := 0
			for _, x := range chunk {
				sum += x
			}
			agg = int(math.Round(float64(sum) / float64(len(chunk))))
		}
		parts = append(parts, fmt.Sprint(agg))
	}
	every := "every second"
	if step > 1 {
		every = fmt.Sprintf("every %d s", step)
	}
	return every + ": " + strings.Join(parts, " ")
}
