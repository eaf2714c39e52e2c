// Package storetest gives each test an isolated, migrated schema in the real PostgreSQL named by
// DATABASE_URL, dropped when the test ends:
//
//	db := storetest.New(t)
//
// Without DATABASE_URL a plain `go test ./...` must not pass as if the data tests had run: the
// first data test of each package fails saying how to get a database (`make test` starts one),
// the package's other data tests skip pointing at that failure. SKIP_DATA_TESTS=1 skips them all
// instead, knowingly. Under CI (the CI variable set) every one of them fails: CI never skips them.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"umkmbot/store"
)

// SkipEnv names the variable that, set to anything, lets the data tests skip when DATABASE_URL
// is unset (outside CI).
const SkipEnv = "SKIP_DATA_TESTS"

// missingDSN makes the first data test of a package that finds DATABASE_URL unset the one that
// says so out loud; it is process-wide state, as a package's tests share one process.
var missingDSN sync.Once

// DSN returns DATABASE_URL. When it is unset the test fails (the first data test of the package,
// with the explanation) or skips (the package's others, or all of them with SKIP_DATA_TESTS set),
// and under CI it always fails.
func DSN(t testing.TB) string {
	t.Helper()
	if dsn := os.Getenv("DATABASE_URL"); dsn != "" {
		return dsn
	}
	if os.Getenv("CI") != "" {
		t.Fatal("storetest: DATABASE_URL is unset, and CI must not skip the data tests")
	}
	if os.Getenv(SkipEnv) != "" {
		missingDSN.Do(func() {
			fmt.Fprintf(os.Stderr, "storetest: DATABASE_URL is unset and %s is set: this package's data tests are skipped\n", SkipEnv)
		})
		t.Skipf("storetest: DATABASE_URL is unset; skipped as %s asks", SkipEnv)
	}
	first := false
	missingDSN.Do(func() { first = true })
	if first {
		t.Fatalf("storetest: DATABASE_URL is unset, so this package's data tests cannot run (the others skip): "+
			"run `make test`, which starts a throwaway PostgreSQL, or set DATABASE_URL; %s=1 skips them knowingly", SkipEnv)
	}
	t.Skip("storetest: DATABASE_URL is unset (see the failure of this package's first data test)")
	return ""
}

// New returns a Store on a fresh schema of its own, with every migration applied.
func New(t testing.TB) *store.Store {
	t.Helper()
	s, _ := NewWithDSN(t)
	return s
}

// NewWithDSN is New, and also returns a DSN that opens the same schema, for code under test that
// connects by itself (a subprocess, a second instance).
func NewWithDSN(t testing.TB) (*store.Store, string) {
	t.Helper()
	base := DSN(t)
	schema := newSchema(t, base)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := store.Open(ctx, base, store.Options{SearchPath: schema, MaxConns: 16})
	if err != nil {
		t.Fatalf("storetest: open: %v", err)
	}
	t.Cleanup(s.Close) // registered after the drop, so it runs before it
	if _, err := s.MigrateUnlocked(ctx); err != nil {
		t.Fatalf("storetest: migrate: %v", err)
	}
	return s, withSearchPath(base, schema)
}

// EmptyDSN returns a DSN that opens a fresh schema of its own with nothing in it, not even the
// migrations: for a test of code that applies them. It is dropped when the test ends.
func EmptyDSN(t testing.TB) string {
	t.Helper()
	base := DSN(t)
	return withSearchPath(base, newSchema(t, base))
}

// newSchema creates a schema with a random name and drops it when the test ends.
func newSchema(t testing.TB, base string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	schema := "t_" + randomHex(8)
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("storetest: connect: %v", err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("storetest: create schema: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		c, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Errorf("storetest: drop schema %s: %v", schema, err)
			return
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("storetest: drop schema %s: %v", schema, err)
		}
	})
	return schema
}

func withSearchPath(dsn, schema string) string {
	if u, err := url.Parse(dsn); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		return u.String()
	}
	return strings.TrimSpace(dsn) + " search_path=" + schema
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
