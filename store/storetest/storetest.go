// Package storetest gives each test an isolated, migrated schema in the real PostgreSQL named by
// DATABASE_URL, dropped when the test ends:
//
//	db := storetest.New(t)
//
// Without DATABASE_URL a test that needs data is skipped with a message saying how to run it,
// except when the CI variable is set: CI must never silently skip the data tests.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"umkmbot/store"
)

// DSN returns DATABASE_URL, or skips the test (fails it under CI) when it is unset.
func DSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv("DATABASE_URL")
	if dsn == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("storetest: DATABASE_URL is not set, and CI must not skip the data tests")
		}
		t.Skip("storetest: DATABASE_URL is not set; run `make test` (or bash .ci/run) to get a PostgreSQL for the data tests")
	}
	return dsn
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
