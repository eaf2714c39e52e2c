package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"
)

// SessionLock is a PostgreSQL session-level advisory lock held on a connection of its own: the
// lock lasts as long as that connection, so when the process holding it dies (or loses the
// database), the server lets it go at once and another instance can take it.
type SessionLock struct {
	conn *pgxpool.Conn
	key  string
}

// lockKeySQL is the advisory lock key of the name $1 in the connection's current schema.
const lockKeySQL = `hashtextextended($1 || '@' || current_schema(), 0)`

// TryLock takes the advisory lock named key in the connection's current schema (so that two
// deployments sharing one database on different schemas never share a lock) if nobody holds it:
// (nil, nil) when someone does.
func (s *Store) TryLock(ctx context.Context, key string) (*SessionLock, error) {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: lock %s: %w", key, err)
	}
	var got bool
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock(`+lockKeySQL+`)`, key).Scan(&got); err != nil {
		conn.Release()
		return nil, fmt.Errorf("store: lock %s: %w", key, err)
	}
	if !got {
		conn.Release()
		return nil, nil
	}
	return &SessionLock{conn: conn, key: key}, nil
}

// LockTx takes the advisory lock named key in the current schema for the rest of db's
// transaction, waiting while another transaction holds it: runs of a job on several instances
// take turns.
func LockTx(ctx context.Context, db DB, key string) error {
	if _, err := db.Exec(ctx, `SELECT pg_advisory_xact_lock(`+lockKeySQL+`)`, key); err != nil {
		return fmt.Errorf("store: lock %s: %w", key, err)
	}
	return nil
}

// Check says whether the lock is still held: its connection still answers. A lock whose
// connection failed is gone (the server released it), and Check says so.
func (l *SessionLock) Check(ctx context.Context) error {
	var held bool
	err := l.conn.QueryRow(ctx, `
		WITH k AS (SELECT `+lockKeySQL+` AS v)
		SELECT EXISTS (SELECT 1 FROM pg_locks, k WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted
			AND objsubid = 1 AND classid = ((k.v >> 32) & 4294967295)::oid AND objid = (k.v & 4294967295)::oid)`,
		l.key).Scan(&held)
	if err != nil {
		return fmt.Errorf("store: lock %s: %w", l.key, err)
	}
	if !held {
		return fmt.Errorf("store: lock %s is no longer held", l.key)
	}
	return nil
}

// Release lets the lock go. A connection that failed is dropped rather than returned to the pool.
func (l *SessionLock) Release(ctx context.Context) {
	if _, err := l.conn.Exec(ctx, `SELECT pg_advisory_unlock(`+lockKeySQL+`)`, l.key); err != nil {
		// The session may hold the lock still: close the connection, which ends it.
		_ = l.conn.Conn().Close(ctx)
	}
	l.conn.Release()
}
