package main

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"umkmbot/store/storetest"
)

// benchChildEnv makes this test binary run main: the bench starts `umkmbot serve` as its own
// executable, which in a test is the test binary.
const benchChildEnv = "UMKMBOT_TEST_RUN_MAIN=1"

func TestMain(m *testing.M) {
	if os.Getenv("UMKMBOT_TEST_RUN_MAIN") == "1" {
		main()
	}
	os.Exit(m.Run())
}

func smallBench(t *testing.T, o benchOptions) *benchReport {
	t.Helper()
	if testing.Short() {
		t.Skip("a load benchmark, small: starts the bot as a child process")
	}
	_, dsn := storetest.NewWithDSN(t)
	o.duration, o.stepTimeout, o.childEnv = 2*time.Minute, time.Minute, []string{benchChildEnv}
	o.commandLine = "umkmbot bench (test)"
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	rep, err := runBenchmark(ctx, &Config{DatabaseURL: dsn, LogLevel: "warn", LogFormat: "text"}, o, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// Five owners play the whole conversation and more (the tail: menu, a word the bot does not
// understand, the status again) against `umkmbot serve` in a child process and a real
// PostgreSQL: every update is answered, and the report's figures agree with each other.
func TestBenchEveryOwnerFinishes(t *testing.T) {
	const owners, updates = 5, 40
	rep := smallBench(t, benchOptions{owners: owners, updates: updates, sendRate: 1000, chatRate: 100})
	if rep.owners.finished != owners || rep.owners.failed != 0 || rep.owners.cut != 0 {
		t.Fatalf("owners = %+v, errors %q", rep.owners, rep.errors)
	}
	if rep.updates != owners*updates || len(rep.first) != rep.updates || len(rep.last) != rep.updates {
		t.Fatalf("%d updates answered (%d, %d latencies), want %d", rep.updates, len(rep.first), len(rep.last), owners*updates)
	}
	if got := rep.botMetrics["umkmbot_updates_handled_total"]; got != float64(rep.updates) {
		t.Errorf("the bot handled %v updates, the owners sent %d", got, rep.updates)
	}
	for _, d := range rep.first {
		if d <= 0 {
			t.Fatalf("an update answered in %v", d)
		}
	}
	if quantile(rep.first, 1) > quantile(rep.last, 1) || quantile(rep.first, .5) > quantile(rep.last, .5) {
		t.Errorf("first answers later than whole replies: %s / %s", percentiles(rep.first), percentiles(rep.last))
	}
	if rep.commits < int64(rep.updates) {
		t.Errorf("%d commits for %d updates: each update is at least one", rep.commits, rep.updates)
	}
	if rep.statements == 0 || rep.cpu.bot <= 0 || rep.peakRSS <= 0 || len(rep.series.depth) == 0 {
		t.Errorf("statements %d, bot CPU %.2f s, peak RSS %d kB, %d depth samples", rep.statements, rep.cpu.bot, rep.peakRSS, len(rep.series.depth))
	}
	var out bytes.Buffer
	rep.print(&out)
	for _, want := range []string{"updates:   200 answered", "5 finished their conversation", "latency update→first answer:  p50"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the report lacks %q:\n%s", want, out.String())
		}
	}
}

// A broadcast queued while owners chat is delivered to its own chats, counted apart from the
// replies, under the fake's enforced limits.
func TestBenchBroadcast(t *testing.T) {
	const owners, updates, broadcast = 2, 3, 40
	rep := smallBench(t, benchOptions{owners: owners, updates: updates, broadcast: broadcast, sendRate: 25, chatRate: 1})
	if rep.owners.finished != owners || rep.enqueueErr != nil {
		t.Fatalf("owners = %+v (%q), queueing: %v", rep.owners, rep.errors, rep.enqueueErr)
	}
	delivered := 0
	for _, n := range rep.bcast.perSec {
		delivered += n
	}
	if rep.bcast.sent == 0 || rep.bcast.sent > broadcast || delivered != rep.bcast.sent || rep.bcast.rejected != 0 {
		t.Fatalf("broadcast: %d delivered (%d by the second), %d refused, of %d", rep.bcast.sent, delivered, rep.bcast.rejected, broadcast)
	}
	var out bytes.Buffer
	rep.print(&out)
	if !strings.Contains(out.String(), "broadcast: 40 messages, queued in") {
		t.Errorf("the report lacks the broadcast:\n%s", out.String())
	}
}

// The bench's own statements are taken away from what pg_stat_statements counted, by their
// text: as sent and as the server keeps it (constants replaced, parameters renumbered) they must
// compare equal, and different statements must not.
func TestCanonicalSQL(t *testing.T) {
	sent := "\n\t\tINSERT INTO outbox (chat_id, dedupe_key, broadcast_id)\n\t\tVALUES ($1, nullif($2, ''), nullif($3::bigint, 0))\n\t\tON CONFLICT (dedupe_key) DO NOTHING RETURNING id"
	kept := "INSERT INTO outbox (chat_id, dedupe_key, broadcast_id) VALUES ($1, nullif($2, $4), nullif($3::bigint, $5)) ON CONFLICT (dedupe_key) DO NOTHING RETURNING id"
	if canonicalSQL(sent) != canonicalSQL(kept) {
		t.Errorf("the same statement differs:\n%s\n%s", canonicalSQL(sent), canonicalSQL(kept))
	}
	other := "INSERT INTO outbox_keys (dedupe_key) VALUES ($1)"
	if canonicalSQL(other) == canonicalSQL(kept) {
		t.Errorf("two statements look the same: %s", canonicalSQL(other))
	}
}
