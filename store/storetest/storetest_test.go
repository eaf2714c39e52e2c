package storetest_test

import (
	"context"
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
