package store

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// DB is what every query function takes: a transaction, a pooled connection or the pool itself.
// Functions that write several rows expect to be given a transaction so that they commit together
// with everything else the caller does (one update = one transaction).
type DB interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	// SendBatch sends several statements in one round trip; outside a transaction they run in
	// one implicit transaction.
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

// Store is umkmbot's handle on PostgreSQL.
type Store struct {
	pool *pgxpool.Pool
	log  *slog.Logger
}

// Options tune the pool. Zero values pick sane defaults.
type Options struct {
	MaxConns       int32         // default 10
	ConnectTimeout time.Duration // default 10s
	// StatementTimeout bounds every statement on the server (default 30s) so a stuck query cannot
	// hold a chat's lock forever.
	StatementTimeout time.Duration
	// SearchPath, when set, is the schema every connection uses (tests isolate themselves this way).
	SearchPath string
	Logger     *slog.Logger
}

// ErrNotFound is returned when a row asked for by key does not exist.
var ErrNotFound = errors.New("not found")

// Open connects to the database at dsn and checks that it answers. It does not migrate.
func Open(ctx context.Context, dsn string, opts Options) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		// pgx's parse errors can quote the DSN, password included: keep only our words.
		return nil, errors.New("store: DATABASE_URL is not a valid PostgreSQL URL or DSN")
	}
	if opts.MaxConns == 0 {
		opts.MaxConns = 10
	}
	if opts.ConnectTimeout == 0 {
		opts.ConnectTimeout = 10 * time.Second
	}
	if opts.StatementTimeout == 0 {
		opts.StatementTimeout = 30 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	cfg.MaxConns = opts.MaxConns
	cfg.MaxConnIdleTime = 5 * time.Minute
	cfg.HealthCheckPeriod = 30 * time.Second
	cfg.ConnConfig.ConnectTimeout = opts.ConnectTimeout
	rp := cfg.ConnConfig.RuntimeParams
	rp["statement_timeout"] = fmt.Sprint(opts.StatementTimeout.Milliseconds())
	rp["idle_in_transaction_session_timeout"] = "60000"
	rp["application_name"] = "umkmbot"
	rp["timezone"] = "UTC"
	// Every statement is prepared once per connection (pgx caches them) and its plan kept: the
	// queries are short and keyed (an id, a chat), so one generic plan serves every value, and
	// planning each execution anew (PostgreSQL's custom plans) cost more than running it — about
	// half the database's time per update in the load benchmark (docs/PERFORMANCE.md).
	rp["plan_cache_mode"] = "force_generic_plan"
	if opts.SearchPath != "" {
		rp["search_path"] = opts.SearchPath
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("store: open pool: %w", err)
	}
	pctx, cancel := context.WithTimeout(ctx, opts.ConnectTimeout)
	defer cancel()
	if err := pool.Ping(pctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("store: connect to %s: %w", redactedTarget(cfg), err)
	}
	return &Store{pool: pool, log: opts.Logger}, nil
}

// redactedTarget names the server without credentials, for error messages and logs.
func redactedTarget(cfg *pgxpool.Config) string {
	return fmt.Sprintf("%s:%d/%s", cfg.ConnConfig.Host, cfg.ConnConfig.Port, cfg.ConnConfig.Database)
}

// Close releases every connection.
func (s *Store) Close() { s.pool.Close() }

// Pool exposes the pool for the few callers that need it (advisory locks, LISTEN).
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// DB returns the pool as a DB, for single statements outside a transaction.
func (s *Store) DB() DB { return s.pool }

// Ping checks that the database answers (used by /readyz).
func (s *Store) Ping(ctx context.Context) error { return s.pool.Ping(ctx) }

// Tx runs fn in one transaction: committed when fn returns nil, rolled back otherwise (and on
// panic, which is then re-raised for the caller's recover).
func (s *Store) Tx(ctx context.Context, fn func(tx pgx.Tx) error) (err error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback(context.WithoutCancel(ctx))
			panic(p)
		}
		if err != nil {
			_ = tx.Rollback(context.WithoutCancel(ctx))
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	if err = tx.Commit(ctx); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations returns the embedded schema migrations (files named NNNNN_name.sql).
func Migrations() fs.FS {
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		panic(err) // the embed pattern above guarantees the directory
	}
	return sub
}
