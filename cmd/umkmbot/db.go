package main

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"umkmbot/store"
	"umkmbot/store/pgembed"
)

// database is the store together with the embedded server that backs it, if any.
type database struct {
	Store    *store.Store
	embedded *pgembed.Server
	log      *slog.Logger
}

// openDatabase connects to DATABASE_URL, or, when it is unset, starts the embedded PostgreSQL
// under DATA_DIR/postgres and connects to that.
func openDatabase(ctx context.Context, cfg *Config, log *slog.Logger) (*database, error) {
	d := &database{log: log}
	dsn := cfg.DatabaseURL
	if dsn == "" {
		dir, err := filepath.Abs(filepath.Join(cfg.DataDir, "postgres"))
		if err != nil {
			return nil, fmt.Errorf("data directory: %w", err)
		}
		srv, err := pgembed.Start(ctx, pgembed.Options{DataDir: dir, BinDir: cfg.PGBinDir, Logger: log})
		if err != nil {
			return nil, fmt.Errorf("embedded PostgreSQL (DATABASE_URL is unset): %w", err)
		}
		d.embedded = srv
		dsn = srv.DSN()
	}
	s, err := store.Open(ctx, dsn, store.Options{Logger: log})
	if err != nil {
		d.Close()
		return nil, err
	}
	d.Store = s
	return d, nil
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
