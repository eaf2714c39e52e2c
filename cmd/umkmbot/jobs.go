package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"umkmbot/bot"
	"umkmbot/flows/domain"
	"umkmbot/flows/jobs"
	"umkmbot/locales"
	"umkmbot/store"
)

const jobsSummary = `List the scheduled jobs with their schedule and next run (WITA), or run one now:

  umkmbot jobs              list the jobs
  umkmbot jobs run NAME     run the job NAME once and print how many messages it queued (or rows
                            it pruned)

serve runs every job on its schedule; running one by hand, even while serve runs, queues no
reminder twice.`

// jobSettings are the settings of the scheduled jobs, which serve and `umkmbot jobs` both read:
// one list, so a new job's schedule cannot be known to one and not the other.
var jobSettings = []string{"RETAIN_INBOX", "RETAIN_LOOKUPS", "RETAIN_DRAFTS", "RETAIN_AUDIT", "RETAIN_OUTBOX",
	"JOB_HOUSEKEEPING", "JOB_TRAINING_REMINDERS", "JOB_CORRECTION_DEADLINES", "JOB_MISSING_DOCUMENTS", "JOB_IDLE_DRAFTS", "JOB_PAYMENT_DUE", "JOB_PERMIT_EXPIRY", "JOB_STAFF_DIGEST", "REMIND_HOUR", "TRAINING_REMIND_BEFORE",
	"JOB_CORRECTIONS_LAPSED", "JOB_TRAINING_OPENINGS", "JOB_STAFF_NOTICES", "STAFF_NOTICE_DELAY", "PERMIT_REMIND_MD", "PERMIT_REMIND_SPP_IRT", "PERMIT_REMIND_KOSMETIK", "PERMIT_REMIND_OBAT_TRADISIONAL"}

// jobsEnv are the settings the jobs read.
var jobsEnv = append(append([]string{}, commonEnv...), jobSettings...)

// newScheduler builds the scheduler of every job, as serve and `umkmbot jobs` run it.
func newScheduler(cfg *Config, st *store.Store, msgs *locales.Bundle, log *slog.Logger) (*bot.Scheduler, error) {
	rules, err := domain.LoadRules()
	if err != nil {
		return nil, err
	}
	js, err := jobs.New(jobs.Config{Messages: msgs, Rules: rules, Location: cfg.Location, RemindHour: cfg.RemindHour,
		TrainingBefore: cfg.TrainingRemindBefore, PermitOffsets: cfg.PermitOffsets})
	if err != nil {
		return nil, err
	}
	housekeeper := bot.NewHousekeeper(bot.HousekeeperConfig{Store: st, Logger: log,
		RetainInbox: cfg.RetainInbox, RetainLookups: cfg.RetainLookups, RetainDrafts: cfg.RetainDrafts,
		RetainAudit: cfg.RetainAudit, RetainOutbox: cfg.RetainOutbox})
	return bot.NewScheduler(bot.SchedulerConfig{Location: cfg.Location, Logger: log, Jobs: []bot.Job{
		bot.HousekeepingJob(housekeeper, cfg.JobHousekeeping),
		bot.ReminderJob(st, "training-reminders", cfg.JobTrainingReminders, js.TrainingReminders),
		// Every 15 minutes in the daytime (an opening scheduled at night is told in the morning).
		bot.ReminderJob(st, "training-openings", cfg.JobTrainingOpenings, js.TrainingOpenings),
		bot.ReminderJob(st, "correction-deadlines", cfg.JobCorrectionDeadlines, js.CorrectionDeadlines),
		bot.ReminderJob(st, "corrections-lapsed", cfg.JobCorrectionsLapsed, js.CorrectionsLapsed),
		bot.ReminderJob(st, "missing-documents", cfg.JobMissingDocuments, js.MissingDocuments),
		bot.ReminderJob(st, "idle-drafts", cfg.JobIdleDrafts, js.IdleDrafts),
		bot.ReminderJob(st, "payment-due", cfg.JobPaymentDue, js.PaymentDue),
		bot.ReminderJob(st, "permit-expiry", cfg.JobPermitExpiry, js.PermitExpiry),
		bot.ReminderJob(st, "staff-digest", cfg.JobStaffDigest, js.StaffDigest),
		bot.ReminderJob(st, "staff-notices", cfg.JobStaffNotices, js.StaffNotices(cfg.StaffNoticeDelay)),
	}})
}

func runJobs(ctx context.Context, env *runEnv, args []string) error {
	cfg, rest, err := parseConfigWith("jobs", jobsSummary, jobsEnv, args, env, nil)
	if err != nil {
		return err
	}
	var name string
	switch {
	case len(rest) == 0:
	case len(rest) == 2 && rest[0] == "run":
		name = rest[1]
	default:
		fmt.Fprintln(env.stderr, "usage: umkmbot jobs [run NAME]")
		return errUsage
	}
	log := newLogger(env.stderr, cfg.LogLevel, cfg.LogFormat)
	db, err := openMigrated(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer db.Close()
	msgs, err := locales.Load()
	if err != nil {
		return err
	}
	sched, err := newScheduler(cfg, db.Store, msgs, log)
	if err != nil {
		return err
	}
	if name == "" {
		for _, p := range sched.Plan(time.Now()) {
			fmt.Fprintf(env.stdout, "%-22s %-16s next %s\n", p.Name, p.Spec, p.Next.In(cfg.Location).Format("Mon 2006-01-02 15:04 MST"))
		}
		return nil
	}
	n, err := sched.RunJob(ctx, name)
	if errors.Is(err, bot.ErrNoSuchJob) {
		return fmt.Errorf("%w; `umkmbot jobs` lists them", err)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "%s: %d %s\n", name, n, sched.Counts(name))
	return nil
}
