package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// migrationLockID is the PostgreSQL advisory lock that serialises migrations across instances
// ("umkmbot" in ASCII, so it is recognisable in pg_locks).
const migrationLockID int64 = 0x756d6b6d626f74

// MigrateResult says what Migrate did.
type MigrateResult struct {
	Applied []int64 // versions applied by this call, in order
	Version int64   // the schema version after the call
}

// Migrate applies every embedded migration that has not been applied yet. Two instances starting
// together take turns through an advisory lock; the second finds nothing left to do.
func (s *Store) Migrate(ctx context.Context) (MigrateResult, error) {
	return s.migrate(ctx, true)
}

func (s *Store) migrate(ctx context.Context, locked bool) (MigrateResult, error) {
	db := stdlib.OpenDBFromPool(s.pool)
	defer db.Close()
	opts := []goose.ProviderOption{goose.WithDisableGlobalRegistry(true)}
	if locked {
		locker, err := lock.NewPostgresSessionLocker(
			lock.WithLockID(migrationLockID),
			lock.WithLockTimeout(1, 600), // retry each second, for up to 10 minutes
		)
		if err != nil {
			return MigrateResult{}, fmt.Errorf("store: migration lock: %w", err)
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, Migrations(), opts...)
	if err != nil {
		return MigrateResult{}, fmt.Errorf("store: load migrations: %w", err)
	}
	results, err := p.Up(ctx)
	if err != nil {
		return MigrateResult{}, fmt.Errorf("store: apply migrations: %w", err)
	}
	var res MigrateResult
	for _, r := range results {
		res.Applied = append(res.Applied, r.Source.Version)
	}
	if res.Version, err = p.GetDBVersion(ctx); err != nil {
		return res, fmt.Errorf("store: read schema version: %w", err)
	}
	return res, nil
}

// MigrateUnlocked is Migrate without the cross-instance lock, for store/storetest, whose
// schemas are private to one test and which would otherwise queue behind each other.
func (s *Store) MigrateUnlocked(ctx context.Context) (MigrateResult, error) {
	return s.migrate(ctx, false)
}
