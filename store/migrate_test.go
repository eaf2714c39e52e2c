package store_test

import (
	"context"
	"io/fs"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"umkmbot/store"
	"umkmbot/store/storetest"
)

// Two instances starting together on an empty schema: the advisory lock makes them take turns,
// so the migrations are applied exactly once and neither fails.
func TestMigrateConcurrentInstances(t *testing.T) {
	ctx := context.Background()
	base := storetest.DSN(t)
	schema := "t_concurrent_migrate"
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "DROP SCHEMA IF EXISTS "+schema+" CASCADE; CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = admin.Exec(context.Background(), "DROP SCHEMA IF EXISTS "+schema+" CASCADE") })

	var wg sync.WaitGroup
	results := make([]store.MigrateResult, 2)
	errs := make([]error, 2)
	for i := range 2 {
		wg.Go(func() {
			s, err := store.Open(ctx, base, store.Options{SearchPath: schema})
			if err != nil {
				errs[i] = err
				return
			}
			defer s.Close()
			results[i], errs[i] = s.Migrate(ctx)
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("instance %d: %v", i, err)
		}
	}
	applied := len(results[0].Applied) + len(results[1].Applied)
	entries, err := fs.ReadDir(store.Migrations(), ".")
	if err != nil {
		t.Fatal(err)
	}
	files := len(entries)
	if applied != files {
		t.Fatalf("applied %d migrations in total across two instances, want %d (once each)", applied, files)
	}
	if results[0].Version != results[1].Version {
		t.Fatalf("instances disagree on the version: %d vs %d", results[0].Version, results[1].Version)
	}
}
