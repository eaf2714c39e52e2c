package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"umkmbot/flows/jobs"
	"umkmbot/store/storetest"
)

// `umkmbot jobs` lists the jobs with their next run in WITA; `jobs run NAME` queues what is due
// and says how many, and a second run queues nothing more.
func TestJobsCommand(t *testing.T) {
	st, dsn := storetest.NewWithDSN(t)
	ctx := context.Background()
	// Two owners registered yesterday for a training an hour from now (its last reminder is
	// due), one for a cancelled one.
	if _, err := st.DB().Exec(ctx, `
		INSERT INTO owners (telegram_user_id, chat_id) VALUES (501, 501), (502, 502), (503, 503);
		INSERT INTO trainings (title, kind, starts_at, duration_minutes, place, quota) VALUES ('PKP Ngada', 'pkp', now() + interval '1 hour', 960, 'Bajawa', 30);
		INSERT INTO trainings (title, kind, starts_at, duration_minutes, place, quota, cancelled_at) VALUES ('Batal', 'pkp', now() + interval '1 hour', 60, 'Ende', 30, now());
		INSERT INTO training_registrations (training_id, owner_id, registered_at)
			SELECT t.id, o.id, now() - interval '1 day' FROM trainings t, owners o
			WHERE (t.title = 'PKP Ngada' AND o.telegram_user_id IN (501, 502)) OR (t.title = 'Batal' AND o.telegram_user_id = 503)`); err != nil {
		t.Fatal(err)
	}
	jobs := func(args ...string) (string, string, int) {
		t.Helper()
		var out, errOut bytes.Buffer
		env := &runEnv{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut,
			getenv: func(k string) string { return map[string]string{"DATABASE_URL": dsn, "LOG_LEVEL": "warn"}[k] }}
		code := run(ctx, append([]string{"jobs"}, args...), env)
		return out.String(), errOut.String(), code
	}
	out, errOut, code := jobs()
	if code != 0 || !strings.Contains(out, "housekeeping") || !strings.Contains(out, "training-reminders") || !strings.Contains(out, "correction-deadlines") || !strings.Contains(out, "missing-documents") || !strings.Contains(out, "idle-drafts") || !strings.Contains(out, "payment-due") || !strings.Contains(out, "permit-expiry") || !strings.Contains(out, "staff-digest") || !strings.Contains(out, "corrections-lapsed") || !strings.Contains(out, "WITA") {
		t.Fatalf("jobs: exit %d, %q %q", code, out, errOut)
	}
	if out, errOut, code := jobs("run", "training-reminders"); code != 0 || out != "training-reminders: 2 messages queued\n" {
		t.Fatalf("jobs run: exit %d, %q %q", code, out, errOut)
	}
	var queued int
	if err := st.DB().QueryRow(ctx, `SELECT count(*) FROM outbox WHERE chat_id IN (501, 502) AND priority = 1`).Scan(&queued); err != nil || queued != 2 {
		t.Fatalf("outbox holds %d reminders (%v), want 2", queued, err)
	}
	if out, _, code := jobs("run", "training-reminders"); code != 0 || out != "training-reminders: 0 messages queued\n" {
		t.Errorf("second run: exit %d, %q", code, out)
	}
	if _, errOut, code := jobs("run", "nothing"); code != 1 || !strings.Contains(errOut, "no such job") {
		t.Errorf("unknown job: exit %d, %q", code, errOut)
	}
	if _, _, code := jobs("walk"); code != 2 {
		t.Errorf("bad usage: exit %d", code)
	}
}

// A schedule that is not cron syntax is refused before anything connects.
func TestJobScheduleChecked(t *testing.T) {
	var errOut bytes.Buffer
	env := &runEnv{stdin: strings.NewReader(""), stdout: &bytes.Buffer{}, stderr: &errOut,
		getenv: func(k string) string { return map[string]string{"JOB_TRAINING_REMINDERS": "every hour"}[k] }}
	if code := run(context.Background(), []string{"jobs"}, env); code != 1 || !strings.Contains(errOut.String(), "JOB_TRAINING_REMINDERS") {
		t.Errorf("exit %d, %q", code, errOut.String())
	}
}

// Permit-expiry offsets per path come from PERMIT_REMIND_<PATH>; one that cannot be read is
// refused at start, naming the setting and the form it takes.
func TestPermitOffsetsChecked(t *testing.T) {
	var errOut bytes.Buffer
	env := &runEnv{stdin: strings.NewReader(""), stdout: &bytes.Buffer{}, stderr: &errOut,
		getenv: func(k string) string { return map[string]string{"PERMIT_REMIND_MD": "12 months,30wd"}[k] }}
	if code := run(context.Background(), []string{"jobs"}, env); code != 1 || !strings.Contains(errOut.String(), "PERMIT_REMIND_MD") ||
		!strings.Contains(errOut.String(), "12mo,30wd,10wd") {
		t.Errorf("exit %d, %q", code, errOut.String())
	}
	cfg, _, err := parseConfig("jobs", "", jobsEnv, nil, func(k string) string {
		return map[string]string{"PERMIT_REMIND_SPP_IRT": "60d, 14wd"}[k]
	}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if got := jobs.FormatPermitOffsets(cfg.PermitOffsets["spp_irt"]); got != "60d,14wd" {
		t.Errorf("spp_irt offsets %s, want 60d,14wd", got)
	}
	if got := jobs.FormatPermitOffsets(cfg.PermitOffsets["md"]); got != "12mo,30wd,10wd" {
		t.Errorf("md offsets %s, want the default 12mo,30wd,10wd", got)
	}
}
