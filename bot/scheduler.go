package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/robfig/cron/v3"

	"umkmbot/flows/jobs"
	"umkmbot/store"
)

// Job is one scheduled job: a name (for `umkmbot jobs run NAME` and the log), a schedule in
// standard cron syntax (minute hour day-of-month month day-of-week, or @hourly…) read in the
// scheduler's location, and what one run does, given the time it runs at. Run returns how much it
// did: messages queued, rows pruned.
type Job struct {
	Name string
	Spec string
	Run  func(ctx context.Context, now time.Time) (int, error)
	// Counts says what Run's number counts ("messages queued").
	Counts string
}

// SchedulerConfig is what a Scheduler needs. Jobs is required; zero values take the defaults.
type SchedulerConfig struct {
	Jobs []Job
	// Location is where the schedules are read (default WITA, Asia/Makassar).
	Location *time.Location
	// Timeout bounds one run of one job (default 5 minutes).
	Timeout time.Duration
	// Now is the clock the jobs are given (default time.Now); the schedule itself runs on the
	// real clock.
	Now    func() time.Time
	Logger *slog.Logger
}

// Scheduler runs the jobs on their schedules: a job still running when its next time comes is
// skipped that time, and a panic in a job is logged and the job runs again next time. Every job
// is safe on every instance at once (reminders carry dedupe keys, pruning twice removes nothing
// twice), so each instance runs a scheduler of its own.
type Scheduler struct {
	cfg   SchedulerConfig
	log   *slog.Logger
	jobs  map[string]Job
	specs map[string]cron.Schedule
}

// Planned is a job as `umkmbot jobs` lists it.
type Planned struct {
	Name, Spec string
	Next       time.Time
}

// NewScheduler checks every job's schedule.
func NewScheduler(cfg SchedulerConfig) (*Scheduler, error) {
	if cfg.Location == nil {
		loc, err := time.LoadLocation("Asia/Makassar")
		if err != nil {
			return nil, fmt.Errorf("scheduler: %w", err)
		}
		cfg.Location = loc
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 5 * time.Minute
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Scheduler{cfg: cfg, log: cfg.Logger, jobs: map[string]Job{}, specs: map[string]cron.Schedule{}}
	for _, j := range cfg.Jobs {
		if _, dup := s.jobs[j.Name]; dup || j.Name == "" || j.Run == nil {
			return nil, fmt.Errorf("scheduler: job %q is unnamed, has nothing to run or is there twice", j.Name)
		}
		sched, err := cron.ParseStandard(j.Spec)
		if err != nil {
			return nil, fmt.Errorf("scheduler: schedule %q of job %s: %w", j.Spec, j.Name, err)
		}
		s.jobs[j.Name], s.specs[j.Name] = j, sched
	}
	return s, nil
}

// Plan lists the jobs by name with their next run after now, in the scheduler's location.
func (s *Scheduler) Plan(now time.Time) []Planned {
	var ps []Planned
	for name, j := range s.jobs {
		ps = append(ps, Planned{Name: name, Spec: j.Spec, Next: s.specs[name].Next(now.In(s.cfg.Location))})
	}
	sort.Slice(ps, func(a, b int) bool { return ps[a].Name < ps[b].Name })
	return ps
}

// Counts says what the named job's count is of.
func (s *Scheduler) Counts(name string) string { return s.jobs[name].Counts }

// ErrNoSuchJob is RunJob's answer for a name no job has.
var ErrNoSuchJob = errors.New("no such job")

// RunJob runs the named job once, now, and returns how much it did.
func (s *Scheduler) RunJob(ctx context.Context, name string) (int, error) {
	j, ok := s.jobs[name]
	if !ok {
		return 0, fmt.Errorf("job %q: %w", name, ErrNoSuchJob)
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	n, err := j.Run(ctx, s.cfg.Now())
	if err != nil {
		return n, fmt.Errorf("job %s: %w", name, err)
	}
	return n, nil
}

// Run runs the jobs on their schedules until ctx is done, then waits for the runs in progress
// (which see ctx done).
func (s *Scheduler) Run(ctx context.Context) error {
	logger := cronLogger{s.log}
	// Recover goes inside SkipIfStillRunning: outside, a panic would skip the release of the
	// job's "running" token, and the job would be skipped for ever after.
	c := cron.New(cron.WithLocation(s.cfg.Location), cron.WithLogger(logger),
		cron.WithChain(cron.SkipIfStillRunning(logger), cron.Recover(logger)))
	for name := range s.jobs {
		c.Schedule(s.specs[name], cron.FuncJob(func() {
			n, err := s.RunJob(ctx, name)
			switch {
			case err != nil && ctx.Err() == nil:
				s.log.Warn("scheduled job failed; it runs again at its next time", "job", name, "err", err)
			case n > 0:
				s.log.Info("scheduled job done", "job", name, "count", n)
			}
		}))
	}
	c.Start()
	<-ctx.Done()
	<-c.Stop().Done()
	return nil
}

// cronLogger gives cron's log lines (a recovered panic, a skipped run) to slog.
type cronLogger struct{ log *slog.Logger }

func (l cronLogger) Info(msg string, kv ...any) { l.log.Debug("scheduler: "+msg, kv...) }
func (l cronLogger) Error(err error, msg string, kv ...any) {
	l.log.Error("scheduler: "+msg, append(kv, "err", err)...)
}

// ReminderJob is a job that puts the messages due decides in the outbox, at reminder priority,
// in one transaction with the reading: each message's dedupe key is taken once, so a reminder
// another run (or instance) already queued is left out. It returns how many were queued (a
// reminder to an owner who blocked the bot is recorded as failed, not counted).
func ReminderJob(st *store.Store, name, spec string, due jobs.Due) Job {
	return Job{Name: name, Spec: spec, Counts: "messages queued", Run: func(ctx context.Context, now time.Time) (int, error) {
		var queued int
		err := st.Tx(ctx, func(tx pgx.Tx) error {
			msgs, err := due(ctx, tx, now)
			if err != nil || len(msgs) == 0 {
				return err
			}
			out := make([]store.OutboxMessage, len(msgs))
			for i, m := range msgs {
				if m.Key == "" {
					return fmt.Errorf("a message to chat %d has no dedupe key", m.ChatID)
				}
				reply := m.Reply
				payload, err := EncodePayload(Payload{Kind: KindReply, Reply: &reply})
				if err != nil {
					return err
				}
				out[i] = store.OutboxMessage{ChatID: m.ChatID, Priority: store.PriorityReminder, Payload: payload, DedupeKey: m.Key}
			}
			ids, err := store.EnqueueMany(ctx, tx, out)
			queued = len(ids)
			return err
		})
		if err != nil {
			return 0, err
		}
		return queued, nil
	}}
}

// HousekeepingJob is the housekeeper's round as a job; it returns how many rows it pruned.
func HousekeepingJob(h *Housekeeper, spec string) Job {
	return Job{Name: "housekeeping", Spec: spec, Counts: "rows pruned", Run: func(ctx context.Context, now time.Time) (int, error) {
		p, err := h.prune(ctx, now)
		return int(p.Inbox + p.Lookups + p.Sessions + p.Drafts + p.Audit + p.Outbox), err
	}}
}
