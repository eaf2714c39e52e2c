package storetest_test

import (
	"context"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"umkmbot/store"
	"umkmbot/store/storetest"
)

// Two stores from New see nothing of each other, and each has the whole schema.
func TestIsolation(t *testing.T) {
	ctx := context.Background()
	a := storetest.New(t)
	b := storetest.New(t)
	if _, err := a.DB().Exec(ctx, `INSERT INTO staff (telegram_user_id, name) VALUES (1, 'A')`); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := b.DB().QueryRow(ctx, `SELECT count(*) FROM staff`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("schema b sees %d staff rows written in schema a", n)
	}
	if err := a.DB().QueryRow(ctx, `SELECT count(*) FROM staff`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("schema a: n=%d err=%v", n, err)
	}
}

// The schema goes away when the test ends.
func TestCleanupDropsSchema(t *testing.T) {
	ctx := context.Background()
	var schema string
	t.Run("inner", func(t *testing.T) {
		s := storetest.New(t)
		if err := s.DB().QueryRow(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
			t.Fatal(err)
		}
	})
	admin, err := store.Open(ctx, storetest.DSN(t), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	var exists bool
	if err := admin.DB().QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)`, schema).Scan(&exists); err != nil {
		t.Fatal(err)
	}
	if schema == "" || exists {
		t.Fatalf("schema %q still exists after its test ended", schema)
	}
}

// Migrating again is a no-op.
func TestMigrateTwiceIsNoop(t *testing.T) {
	s := storetest.New(t)
	res, err := s.MigrateUnlocked(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Applied) != 0 || res.Version < 1 {
		t.Fatalf("second migrate applied %v (version %d)", res.Applied, res.Version)
	}
}

// Without DATABASE_URL the data tests do not pass quietly: the package's first one fails saying
// how to get a database and the rest skip; SKIP_DATA_TESTS skips them all; CI fails them all.
// Each case runs this test binary again, as `go test` would, with its environment.
func TestMissingDatabaseURLIsLoud(t *testing.T) {
	for _, tc := range []struct {
		name      string
		env       []string
		wantExit  bool // exits non-zero
		fail, skp int  // data tests failed and skipped
	}{
		{"plain go test", nil, true, 1, 2},
		{"skip asked for", []string{storetest.SkipEnv + "=1"}, false, 0, 3},
		{"CI", []string{"CI=true", storetest.SkipEnv + "=1"}, true, 3, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestDataTestsWithoutDatabase$", "-test.v")
			cmd.Env = append(withoutEnv(os.Environ(), "DATABASE_URL", "CI", storetest.SkipEnv), helperEnv+"=1")
			cmd.Env = append(cmd.Env, tc.env...)
			out, err := cmd.CombinedOutput()
			if failed := err != nil; failed != tc.wantExit {
				t.Fatalf("exit error %v, want failure %v:\n%s", err, tc.wantExit, out)
			}
			fail := strings.Count(string(out), "    --- FAIL: TestDataTestsWithoutDatabase/")
			skp := strings.Count(string(out), "    --- SKIP: TestDataTestsWithoutDatabase/")
			if fail != tc.fail || skp != tc.skp {
				t.Fatalf("%d failed and %d skipped, want %d and %d:\n%s", fail, skp, tc.fail, tc.skp, out)
			}
			if tc.fail > 0 && !strings.Contains(string(out), "DATABASE_URL is unset") {
				t.Fatalf("the failure does not say why:\n%s", out)
			}
		})
	}
}

const helperEnv = "STORETEST_HELPER_PROCESS"

// TestDataTestsWithoutDatabase is the package of data tests that TestMissingDatabaseURLIsLoud
// runs with DATABASE_URL unset; by itself it does nothing.
func TestDataTestsWithoutDatabase(t *testing.T) {
	if os.Getenv(helperEnv) == "" {
		t.Skip("helper process of TestMissingDatabaseURLIsLoud")
	}
	for _, name := range []string{"a", "b", "c"} {
		t.Run(name, func(t *testing.T) { storetest.New(t) })
	}
}

func withoutEnv(env []string, names ...string) []string {
	var out []string
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		if !slices.Contains(names, name) {
			out = append(out, kv)
		}
	}
	return out
}
