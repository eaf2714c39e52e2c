package bot

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"umkmbot/store/storetest"
)

// waitFor polls cond until it holds (a condition, not a timing), failing after 30s.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestSchedulerRejectsBadJobs(t *testing.T) {
	run := func(context.Context, time.Time) (int, error) { return 0, nil }
	for name, jobs := range map[string][]Job{
		"bad spec":  {{Name: "a", Spec: "every hour", Run: run}},
		"seconds":   {{Name: "a", Spec: "0 0 * * * *", Run: run}},
		"twice":     {{Name: "a", Spec: "@hourly", Run: run}, {Name: "a", Spec: "@daily", Run: run}},
		"unnamed":   {{Spec: "@hourly", Run: run}},
		"no Run":    {{Name: "a", Spec: "@hourly"}},
		"bad field": {{Name: "a", Spec: "61 * * * *", Run: run}},
	} {
		if _, err := NewScheduler(SchedulerConfig{Jobs: jobs}); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// Schedules are read in WITA: "0 8 * * *" is 08:00 WITA, 00:00 UTC.
func TestSchedulerPlanInWITA(t *testing.T) {
	s, err := NewScheduler(SchedulerConfig{Jobs: []Job{
		{Name: "morning", Spec: "0 8 * * *", Run: func(context.Context, time.Time) (int, error) { return 0, nil }},
		{Name: "hourly", Spec: "0 * * * *", Run: func(context.Context, time.Time) (int, error) { return 0, nil }},
	}})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 30, 23, 30, 0, 0, time.UTC) // 1 Dec 07:30 WITA
	plan := s.Plan(now)
	if len(plan) != 2 || plan[0].Name != "hourly" || plan[1].Name != "morning" {
		t.Fatalf("plan %+v", plan)
	}
	if want := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC); !plan[0].Next.Equal(want) || !plan[1].Next.Equal(want) {
		t.Errorf("next runs %v, %v; want %v", plan[0].Next, plan[1].Next, want)
	}
}

// RunJob runs a job at the scheduler's clock; an unknown name is ErrNoSuchJob.
func TestSchedulerRunJob(t *testing.T) {
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	var got time.Time
	s, err := NewScheduler(SchedulerConfig{Now: func() time.Time { return now }, Jobs: []Job{
		{Name: "a", Spec: "@hourly", Run: func(_ context.Context, at time.Time) (int, error) { got = at; return 3, nil }},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := s.RunJob(context.Background(), "a"); err != nil || n != 3 || !got.Equal(now) {
		t.Errorf("RunJob = %d, %v at %v; want 3 at %v", n, err, got, now)
	}
	if _, err := s.RunJob(context.Background(), "b"); !errors.Is(err, ErrNoSuchJob) {
		t.Errorf("unknown job: %v", err)
	}
}

// Run runs the jobs on their schedules: a panicking job is recovered and runs again, a job still
// running when its time comes again is skipped (never two runs of one job at once), and Run
// returns when its context ends, after the runs in progress.
func TestSchedulerRunRecoversAndSkips(t *testing.T) {
	var panics, slowRuns, running, overlap atomic.Int32
	release := make(chan struct{})
	s, err := NewScheduler(SchedulerConfig{Jobs: []Job{
		{Name: "panics", Spec: "@every 1s", Run: func(context.Context, time.Time) (int, error) {
			panics.Add(1)
			panic("boom")
		}},
		{Name: "slow", Spec: "@every 1s", Run: func(ctx context.Context, _ time.Time) (int, error) {
			if running.Add(1) > 1 {
				overlap.Add(1)
			}
			defer running.Add(-1)
			slowRuns.Add(1)
			select {
			case <-release:
			case <-ctx.Done():
			}
			return 0, nil
		}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	waitFor(t, "the panicking job to run again", func() bool { return panics.Load() >= 3 })
	if n := slowRuns.Load(); n != 1 || overlap.Load() != 0 {
		t.Errorf("the slow job started %d times while its first run went on (overlaps %d)", n, overlap.Load())
	}
	close(release)
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	if running.Load() != 0 {
		t.Error("Run returned while a job was running")
	}
}

// The housekeeping job prunes at the scheduler's clock and counts what it removed.
func TestHousekeepingJob(t *testing.T) {
	s := storetest.New(t)
	now := time.Date(2026, 12, 3, 1, 0, 0, 0, time.UTC)
	seedRetention(t, s.DB(), now)
	h := NewHousekeeper(HousekeeperConfig{Store: s, Now: func() time.Time { return now.Add(-365 * 24 * time.Hour) }})
	sched, err := NewScheduler(SchedulerConfig{Now: func() time.Time { return now }, Jobs: []Job{HousekeepingJob(h, "0 * * * *")}})
	if err != nil {
		t.Fatal(err)
	}
	n, err := sched.RunJob(context.Background(), "housekeeping")
	if err != nil || n == 0 {
		t.Fatalf("housekeeping = %d, %v; want rows pruned", n, err)
	}
	var lookups int
	if err := s.DB().QueryRow(context.Background(), `SELECT count(*) FROM lookups`).Scan(&lookups); err != nil {
		t.Fatal(err)
	}
	if lookups != 1 {
		t.Errorf("%d lookups left, want the one inside its window", lookups)
	}
}
