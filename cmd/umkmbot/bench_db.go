package main

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"umkmbot/bot"
	"umkmbot/flows"
	"umkmbot/store"
	"umkmbot/store/pgembed"
)

// benchDB is the database of a benchmark as the bench itself sees it: settings, statistics,
// the outbox's depth, and the broadcast it queues. The bench's own statements and commits are
// counted, so that what the database counts can be given to the bot alone.
type benchDB struct {
	dsn      string
	embedded *pgembed.Server
	own      *ownStatements

	mu   sync.Mutex // conn is used by the sampler and by the run
	conn *pgx.Conn

	closed []int // server processes of the bench's closed connections, maybe not gone yet

	statStatements string // pg_stat_statements, schema-qualified; "" when not available
	outboxDepthSQL string
	postmaster     int // the server's main process, when it runs on this machine
}

func connectBenchDB(ctx context.Context, dsn string, embedded *pgembed.Server) (*benchDB, error) {
	db := &benchDB{dsn: dsn, embedded: embedded, own: &ownStatements{inTx: map[*pgx.Conn]bool{}}}
	conn, err := db.connect(ctx)
	if err != nil {
		return nil, err
	}
	db.conn = conn
	if embedded != nil {
		if _, err := conn.Exec(ctx, `CREATE EXTENSION IF NOT EXISTS pg_stat_statements `+benchMarker); err != nil {
			db.close()
			return nil, fmt.Errorf("pg_stat_statements: %w", err)
		}
	}
	var schema string
	if conn.QueryRow(ctx, `SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
		WHERE e.extname = 'pg_stat_statements' `+benchMarker).Scan(&schema) == nil {
		view := pgx.Identifier{schema, "pg_stat_statements"}.Sanitize()
		// Installed is not loaded: reading it fails unless shared_preload_libraries has it.
		if _, err := conn.Exec(ctx, `SELECT 1 FROM `+view+` LIMIT 1 `+benchMarker); err == nil {
			db.statStatements = view
		}
	}
	var backend int
	if conn.QueryRow(ctx, `SELECT pg_backend_pid() `+benchMarker).Scan(&backend) == nil {
		db.postmaster = parentPID(backend)
	}
	return db, nil
}

func (db *benchDB) connect(ctx context.Context) (*pgx.Conn, error) {
	cfg, err := pgx.ParseConfig(db.dsn)
	if err != nil {
		return nil, errors.New("bench: DATABASE_URL is not a valid PostgreSQL URL or DSN")
	}
	cfg.Tracer = db.own
	cfg.RuntimeParams["application_name"] = "umkmbot-bench"
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("bench: connect to the database: %w", err)
	}
	return conn, nil
}

func (db *benchDB) close() {
	if db.conn != nil {
		_ = db.conn.Close(context.Background())
	}
	if db.embedded != nil {
		stopEmbedded(db.embedded)
	}
}

// preloadStatementStats restarts a fresh embedded server with pg_stat_statements loaded, when
// the PostgreSQL installation has it; else it leaves the server as it is.
func preloadStatementStats(ctx context.Context, srv *pgembed.Server, opts pgembed.Options) (*pgembed.Server, error) {
	conn, err := pgx.Connect(ctx, srv.DSN())
	if err != nil {
		stopEmbedded(srv)
		return nil, err
	}
	var available bool
	err = conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_stat_statements')`).Scan(&available)
	if err == nil && available {
		_, err = conn.Exec(ctx, `ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'`)
	}
	_ = conn.Close(ctx)
	if err != nil || !available {
		return srv, err
	}
	stopEmbedded(srv)
	return pgembed.Start(ctx, opts)
}

// describe names the server and the settings that decide what a commit costs.
func (db *benchDB) describe(ctx context.Context) []string {
	db.mu.Lock()
	defer db.mu.Unlock()
	var version, fsync, syncCommit, walSync, fpw, buffers, maxConns string
	err := db.conn.QueryRow(ctx, `SELECT split_part(version(), ' on ', 1), current_setting('fsync'),
		current_setting('synchronous_commit'), current_setting('wal_sync_method'), current_setting('full_page_writes'),
		current_setting('shared_buffers'), current_setting('max_connections') `+benchMarker).
		Scan(&version, &fsync, &syncCommit, &walSync, &fpw, &buffers, &maxConns)
	if err != nil {
		return []string{"settings unknown: " + err.Error()}
	}
	where := "DATABASE_URL"
	if db.embedded != nil {
		where = "embedded, fresh, in " + db.embedded.DataDir()
	}
	lines := []string{
		fmt.Sprintf("%s (%s)", version, where),
		fmt.Sprintf("fsync=%s synchronous_commit=%s wal_sync_method=%s full_page_writes=%s shared_buffers=%s max_connections=%s",
			fsync, syncCommit, walSync, fpw, buffers, maxConns),
	}
	if fsync != "on" || syncCommit == "off" {
		lines = append(lines, "WARNING: commits are NOT durable on this server (fsync or synchronous_commit off): figures are not comparable with the targets")
	}
	if db.embedded == nil {
		lines = append(lines, "note: commits, WAL and PostgreSQL CPU are the whole database's/server's: other clients of it are counted too")
	}
	if db.statStatements == "" {
		lines = append(lines, "note: pg_stat_statements is not loaded: SQL statements are not counted")
	}
	return lines
}

// useOutbox picks how to count what waits in the outbox, once the bot has migrated it: pending
// rows of a table that keeps sent ones, or every row of one that only holds what is to send.
func (db *benchDB) useOutbox(ctx context.Context) error {
	db.mu.Lock()
	defer db.mu.Unlock()
	var hasStatus bool
	err := db.conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = 'outbox' AND column_name = 'status') `+benchMarker).Scan(&hasStatus)
	if err != nil {
		return fmt.Errorf("bench: look at the outbox: %w", err)
	}
	where := ""
	if hasStatus {
		where = "WHERE status = 'pending'"
	}
	db.outboxDepthSQL = `SELECT count(*), count(*) FILTER (WHERE priority = 2) FROM outbox ` + where + ` ` + benchMarker
	return nil
}

// outboxDepth is how many messages wait in the outbox, all and broadcast.
func (db *benchDB) outboxDepth(ctx context.Context) (all, broadcast int, err error) {
	db.mu.Lock()
	defer db.mu.Unlock()
	err = db.conn.QueryRow(ctx, db.outboxDepthSQL).Scan(&all, &broadcast)
	return all, broadcast, err
}

// pgStats is what the server counted up to a moment, for the bot's database.
type pgStats struct {
	statements int64 // executions, pg_stat_statements; -1 when not available
	queries    map[int64]queryStat
	commits    int64
	rollbacks  int64
	walSyncs   int64 // pg_stat_wal (PostgreSQL 14+); -1 when not available
	walWrites  int64
	walBytes   int64
	own        ownCount // the bench's own statements and commits up to then
}

type queryStat struct {
	calls  int64
	millis float64
	text   string
}

// stats reads the server's counters. Commits and WAL are flushed by each server process now and
// then (and at its exit), statements at once: read them after the bot's connections closed.
func (db *benchDB) stats(ctx context.Context) (pgStats, error) {
	db.mu.Lock()
	defer db.mu.Unlock()
	s := pgStats{statements: -1, walSyncs: -1, walWrites: -1, walBytes: -1}
	if err := db.conn.QueryRow(ctx, `SELECT xact_commit, xact_rollback FROM pg_stat_database
		WHERE datname = current_database() `+benchMarker).Scan(&s.commits, &s.rollbacks); err != nil {
		return s, fmt.Errorf("bench: pg_stat_database: %w", err)
	}
	_ = db.conn.QueryRow(ctx, `SELECT wal_sync, wal_write, wal_bytes::bigint FROM pg_stat_wal `+benchMarker).Scan(&s.walSyncs, &s.walWrites, &s.walBytes)
	if db.statStatements != "" {
		rows, err := db.conn.Query(ctx, `SELECT queryid, sum(calls)::bigint, sum(total_exec_time), min(query) FROM `+db.statStatements+`
			WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND queryid IS NOT NULL
			GROUP BY queryid `+benchMarker)
		if err != nil {
			return s, fmt.Errorf("bench: pg_stat_statements: %w", err)
		}
		s.queries = map[int64]queryStat{}
		s.statements = 0
		for rows.Next() {
			var id int64
			var q queryStat
			if err := rows.Scan(&id, &q.calls, &q.millis, &q.text); err != nil {
				rows.Close()
				return s, err
			}
			s.queries[id] = q
			s.statements += q.calls
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return s, err
		}
	}
	s.own = db.own.count()
	return s, nil
}

// reconnect replaces the connection by a fresh one and waits until the server processes of the
// bench's closed connections and of gone (the bot's) have exited: a server process flushes its
// statistics at exit, else only now and then.
func (db *benchDB) reconnect(ctx context.Context, gone []int) error {
	db.mu.Lock()
	defer db.mu.Unlock()
	gone = append(append(gone, db.closed...), int(db.conn.PgConn().PID()))
	db.closed = nil
	_ = db.conn.Close(ctx)
	conn, err := db.connect(ctx)
	if err != nil {
		return err
	}
	db.conn = conn
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		var left int
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE pid = ANY($1) `+benchMarker, gone).Scan(&left); err != nil || left == 0 {
			return err
		}
		time.Sleep(20 * time.Millisecond)
	}
	return nil
}

// botBackends are the server processes serving the bot now, on the embedded server (on another,
// other clients also call themselves umkmbot, and its counts are not the bot's alone anyway).
func (db *benchDB) botBackends(ctx context.Context) []int {
	if db.embedded == nil {
		return nil
	}
	db.mu.Lock()
	defer db.mu.Unlock()
	rows, err := db.conn.Query(ctx, `SELECT pid FROM pg_stat_activity WHERE application_name = 'umkmbot'
		AND datname = current_database() `+benchMarker)
	if err != nil {
		return nil
	}
	pids, _ := pgx.CollectRows(rows, pgx.RowTo[int])
	return pids
}

// benchBroadcastText is the text of the benchmark's broadcast. It only ever reaches the fake
// Telegram's made-up chats, like a text a staff member would type.
const benchBroadcastText = "Uji beban: pengumuman pelatihan keamanan pangan di Kupang."

// enqueueBroadcast queues n broadcast messages (priority 2), one to each chat from first on, in
// one transaction, as a staff member's broadcast is queued. It is the only place the bench
// writes to the outbox: a batch enqueue replaces store.Enqueue here alone.
func (db *benchDB) enqueueBroadcast(ctx context.Context, first int64, n int) error {
	payload, err := bot.EncodePayload(bot.Payload{Kind: bot.KindReply, Reply: &flows.Reply{Text: benchBroadcastText}})
	if err != nil {
		return err
	}
	conn, err := db.connect(ctx)
	if err != nil {
		return err
	}
	defer func() {
		_ = conn.Close(context.WithoutCancel(ctx))
		db.mu.Lock()
		db.closed = append(db.closed, int(conn.PgConn().PID()))
		db.mu.Unlock()
	}()
	tx, err := conn.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	// In statements of 5,000 messages, as a broadcast's fan-out writes its recipients in batches.
	const batch = 5000
	msgs := make([]store.OutboxMessage, 0, batch)
	for i := range n {
		msgs = append(msgs, store.OutboxMessage{ChatID: first + int64(i), Priority: store.PriorityBroadcast, Payload: payload})
		if len(msgs) == batch || i == n-1 {
			if _, err := store.EnqueueMany(ctx, tx, msgs); err != nil {
				return err
			}
			msgs = msgs[:0]
		}
	}
	return tx.Commit(ctx)
}

// ownStatements counts the statements and commits of the bench's own connections, which the
// server counts with the bot's: a pgx tracer, batches included.
type ownStatements struct {
	mu    sync.Mutex
	inTx  map[*pgx.Conn]bool
	n     ownCount
	bySQL map[string]int64 // statements by their text, spaces collapsed
}

type ownCount struct {
	statements, commits int64
	bySQL               map[string]int64
}

func (s *ownStatements) count() ownCount {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.n
	c.bySQL = maps.Clone(s.bySQL)
	return c
}

func (s *ownStatements) countSQL(sql string) {
	if s.bySQL == nil {
		s.bySQL = map[string]int64{}
	}
	s.bySQL[canonicalSQL(sql)]++
}

// sqlConstant is what pg_stat_statements replaces by $n in the text it keeps: string and number
// constants; and the parameters themselves, renumbered when it does.
var sqlConstant = regexp.MustCompile(`'(?:[^']|'')*'|\$[0-9]+|\b[0-9]+(?:\.[0-9]+)?\b`)

// canonicalSQL makes a statement as sent and as pg_stat_statements keeps it look the same.
func canonicalSQL(sql string) string {
	return sqlConstant.ReplaceAllString(strings.Join(strings.Fields(sql), " "), "?")
}

// TraceQueryStart counts a statement, and a commit for one outside a transaction or a COMMIT.
func (s *ownStatements) TraceQueryStart(ctx context.Context, conn *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	sql := strings.ToLower(strings.TrimSpace(data.SQL))
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n.statements++
	s.countSQL(data.SQL)
	switch {
	case strings.HasPrefix(sql, "begin"):
		s.inTx[conn] = true
	case sql == "commit":
		s.inTx[conn] = false
		s.n.commits++
	case sql == "rollback":
		s.inTx[conn] = false
	case !s.inTx[conn]:
		s.n.commits++
	}
	return ctx
}

func (s *ownStatements) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// TraceBatchStart counts a batch outside a transaction as one commit (it runs in one).
func (s *ownStatements) TraceBatchStart(ctx context.Context, conn *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.inTx[conn] {
		s.n.commits++
	}
	return ctx
}

func (s *ownStatements) TraceBatchQuery(_ context.Context, _ *pgx.Conn, data pgx.TraceBatchQueryData) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n.statements++
	s.countSQL(data.SQL)
}

func (s *ownStatements) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {}

// topQueries are the statements that took the most server time between two readings, with
// the bench's own calls of the same text taken away (its broadcast's INSERTs are the bot's).
func topQueries(before, after pgStats, n int) []queryStat {
	var out []queryStat
	for id, q := range after.queries {
		b := before.queries[id]
		text := canonicalSQL(q.text)
		own := after.own.bySQL[text] - before.own.bySQL[text]
		if own > 0 {
			// Their time cannot be told apart: shared in proportion to the calls.
			q.millis -= (q.millis - b.millis) * float64(own) / float64(max(1, q.calls-b.calls))
		}
		if d := (queryStat{calls: q.calls - b.calls - own, millis: q.millis - b.millis, text: q.text}); d.calls > 0 && !strings.Contains(d.text, benchMarker) {
			out = append(out, d)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].millis > out[j].millis })
	if len(out) > n {
		out = out[:n]
	}
	return out
}
