package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"umkmbot/store"
	"umkmbot/store/storetest"
)

func TestSession(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	db := s.DB()

	if _, _, err := store.LoadSession(ctx, db, 3); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("no session: %v, want ErrNotFound", err)
	}
	if err := store.SaveSession(ctx, db, 3, 30, []byte(`{"step": "ask_name", "n": 1}`), t0); err != nil {
		t.Fatal(err)
	}
	later := t0.Add(time.Minute)
	if err := store.SaveSession(ctx, db, 3, 30, []byte(`{"step":"ask_brand"}`), later); err != nil {
		t.Fatal(err)
	}
	state, at, err := store.LoadSession(ctx, db, 3)
	if err != nil {
		t.Fatal(err)
	}
	if string(state) != `{"step": "ask_brand"}` || !at.Equal(later) {
		t.Fatalf("session = %s at %v", state, at)
	}
	if err := store.SaveSession(ctx, db, 4, 40, nil, t0); err != nil {
		t.Fatal(err)
	}
	if state, _, err := store.LoadSession(ctx, db, 4); err != nil || string(state) != `{}` {
		t.Fatalf("empty state saved as %s (%v), want {}", state, err)
	}
	if err := store.DeleteSession(ctx, db, 3); err != nil {
		t.Fatal(err)
	}
	if err := store.DeleteSession(ctx, db, 3); err != nil {
		t.Fatal(err)
	}
	if _, _, err := store.LoadSession(ctx, db, 3); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("deleted session: %v, want ErrNotFound", err)
	}
}

// A second transaction cannot load a session another one has loaded until that one ends.
func TestLoadSessionLocksTheRow(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	if err := store.SaveSession(ctx, s.DB(), 3, 30, []byte(`{}`), t0); err != nil {
		t.Fatal(err)
	}
	first, err := s.Pool().Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Rollback(ctx)
	if _, _, err := store.LoadSession(ctx, first, 3); err != nil {
		t.Fatal(err)
	}

	second, err := s.Pool().Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer second.Rollback(ctx)
	if _, err := second.Exec(ctx, `SET LOCAL lock_timeout = '50ms'`); err != nil {
		t.Fatal(err)
	}
	_, _, err = store.LoadSession(ctx, second, 3)
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "55P03" { // lock_not_available
		t.Fatalf("second load while the first holds it: %v, want a lock timeout", err)
	}
	if err := first.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if _, _, err := store.LoadSession(ctx, s.DB(), 3); err != nil {
		t.Fatalf("load after the first committed: %v", err)
	}
}
