package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"umkmbot/store"
	"umkmbot/store/pgembed"
)

// database is the store together with the embedded server that backs it, if any.
type database struct {
	Store    *store.Store
	embedded *pgembed.Server
	log      *slog.Logger
}

// openDatabase connects to DATABASE_URL, waiting up to DB_WAIT for it to answer, or, when it is
// unset, starts the embedded PostgreSQL under DATA_DIR/postgres and connects to that.
// openMigrated is openDatabase with the schema brought up to date: what every command that uses
// the data does first. The caller closes it.
func openMigrated(ctx context.Context, cfg *Config, log *slog.Logger) (*database, error) {
	db, err := openDatabase(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	if _, err := db.Store.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func openDatabase(ctx context.Context, cfg *Config, log *slog.Logger) (*database, error) {
	d := &database{log: log}
	opts := store.Options{Logger: log, MaxConns: cfg.PoolMaxConns}
	if cfg.DatabaseURL == "" {
		dir, err := filepath.Abs(filepath.Join(cfg.DataDir, "postgres"))
		if err != nil {
			return nil, fmt.Errorf("data directory: %w", err)
		}
		srv, err := pgembed.Start(ctx, pgembed.Options{DataDir: dir, BinDir: cfg.PGBinDir, Logger: log})
		if err != nil {
			return nil, fmt.Errorf("embedded PostgreSQL (DATABASE_URL is unset): %w", err)
		}
		d.embedded = srv
		s, err := store.Open(ctx, srv.DSN(), opts)
		if err != nil {
			d.Close()
			return nil, err
		}
		d.Store = s
		return d, nil
	}
	if n, ok := dsnPoolMaxConns(cfg.DatabaseURL); ok {
		opts.MaxConns = n // the operator's own choice, in the URL
	}
	s, err := connectWithRetry(ctx, cfg.DatabaseURL, opts, cfg.DBWait, log)
	if err != nil {
		return nil, err
	}
	d.Store = s
	return d, nil
}

// Backoff between attempts to reach the database at start.
const (
	dbRetryFirst = time.Second
	dbRetryMax   = 10 * time.Second
)

// connectWithRetry opens the store, trying again with backoff while the server cannot be
// reached (not yet started, still starting up, its name not yet in DNS), for at most wait in
// all, and no longer than ctx. A refusal that waiting cannot mend (a wrong password, a missing
// database, a malformed URL) returns at once.
func connectWithRetry(ctx context.Context, dsn string, opts store.Options, wait time.Duration, log *slog.Logger) (*store.Store, error) {
	deadline := time.Now().Add(wait)
	delay := dbRetryFirst
	for {
		s, err := store.Open(ctx, dsn, opts)
		if err == nil {
			return s, nil
		}
		if ctx.Err() != nil || !worthRetrying(err) {
			return nil, err
		}
		left := time.Until(deadline)
		if left <= 0 {
			if wait > 0 {
				return nil, fmt.Errorf("%w (still not reachable after DB_WAIT=%s)", err, wait)
			}
			return nil, err
		}
		pause := min(delay, left)
		// store's error names host, port and database, never the password.
		log.Warn(fmt.Sprintf("database not reachable, retrying in %s", pause.Round(100*time.Millisecond)), "err", err)
		t := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, fmt.Errorf("waiting for the database: %w", ctx.Err())
		case <-t.C:
		}
		delay = min(2*delay, dbRetryMax)
	}
}

// worthRetrying tells a server that is not there yet from one that refuses us.
func worthRetrying(err error) bool {
	var ce *pgconn.ConnectError
	if !errors.As(err, &ce) {
		return false // not a connection attempt: the URL itself is wrong
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "57P03", // cannot_connect_now: the server is starting up or shutting down
			"53300": // too_many_connections
			return true
		}
		return false // authentication, a missing database or role: waiting will not help
	}
	return true // refused, unreachable, timed out, name not resolved
}

// dsnPoolMaxConns returns pool_max_conns when the DSN names it (pgxpool reads it but then
// cannot tell it from its own default).
func dsnPoolMaxConns(dsn string) (int32, bool) {
	c, err := pgconn.ParseConfig(dsn)
	if err != nil {
		return 0, false
	}
	v, ok := c.RuntimeParams["pool_max_conns"]
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(v, 10, 32)
	if err != nil || n < 1 {
		return 0, false // store.Open refuses the DSN with its own words
	}
	return int32(n), true
}

// Close disconnects and stops the embedded server, if one was started.
func (d *database) Close() {
	if d.Store != nil {
		d.Store.Close()
	}
	if d.embedded != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := d.embedded.Stop(ctx); err != nil {
			d.log.Error("stopping the embedded PostgreSQL", "err", err)
		}
	}
}
