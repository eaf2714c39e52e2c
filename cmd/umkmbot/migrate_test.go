package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"umkmbot/locales"
	"umkmbot/store/pgembed"
	"umkmbot/store/storetest"
)

func runCmd(t *testing.T, vars map[string]string, args ...string) (int, string) {
	t.Helper()
	var out bytes.Buffer
	env := &runEnv{stdin: strings.NewReader(""), stdout: &out, stderr: &out, getenv: func(k string) string { return vars[k] }}
	code := run(context.Background(), args, env)
	return code, out.String()
}

// With DATABASE_URL: migrate applies the schema to an empty database (here an empty schema of
// its own), and again is a no-op.
func TestMigrateWithDatabaseURL(t *testing.T) {
	dsn := storetest.EmptyDSN(t)
	vars := map[string]string{"DATABASE_URL": dsn}
	code, out := runCmd(t, vars, "migrate")
	if code != 0 || !strings.Contains(out, "schema migrated") {
		t.Fatalf("first migrate: exit %d:\n%s", code, out)
	}
	conn, err := pgx.Connect(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	for _, table := range []string{"owners", "applications", "inbox", "outbox", "sessions", "audit_log"} {
		var found bool
		if err := conn.QueryRow(t.Context(), `SELECT to_regclass(current_schema() || '.' || $1) IS NOT NULL`, table).Scan(&found); err != nil {
			t.Fatal(err)
		}
		if !found {
			t.Errorf("no table %s after migrate", table)
		}
	}
	code, out = runCmd(t, vars, "migrate")
	if code != 0 || !strings.Contains(out, "up to date") {
		t.Fatalf("second migrate: exit %d:\n%s", code, out)
	}
}

// embeddedDataDir is a DATA_DIR the postgres user can reach when the tests run as root.
func embeddedDataDir(t *testing.T) string {
	t.Helper()
	if _, err := pgembed.FindBinDir(""); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI must run the embedded-PostgreSQL test: %v", err)
		}
		t.Skipf("no PostgreSQL binaries: %v", err)
	}
	dir := t.TempDir()
	for d := dir; d != "/" && d != "."; d = filepath.Dir(d) {
		_ = os.Chmod(d, 0o755)
		if d == os.TempDir() {
			break
		}
	}
	return filepath.Join(dir, "data")
}

// Without DATABASE_URL: migrate creates DATA_DIR/postgres, applies the schema and exits 0;
// again is a no-op. Then a chat writes to it and is killed with SIGKILL, its PostgreSQL too (a
// power cut, the OOM killer): the next run recovers, and what the chat had written is there.
func TestMigrateEmbeddedAndAfterKill(t *testing.T) {
	data := embeddedDataDir(t)
	vars := map[string]string{"DATA_DIR": data}
	code, out := runCmd(t, vars, "migrate")
	if code != 0 || !strings.Contains(out, "schema migrated") {
		t.Fatalf("first migrate: exit %d:\n%s", code, out)
	}
	if _, err := os.Stat(filepath.Join(data, "postgres", "PG_VERSION")); err != nil {
		t.Fatalf("no database under DATA_DIR: %v", err)
	}
	code, out = runCmd(t, vars, "migrate")
	if code != 0 || !strings.Contains(out, "up to date") {
		t.Fatalf("second migrate: exit %d:\n%s", code, out)
	}

	// A running instance: a chat that has answered the owner's name (its transaction committed,
	// since the chat prints a turn's replies after its commit) and waits for the next input.
	bin := filepath.Join(t.TempDir(), "umkmbot")
	if b, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, b)
	}
	cmd := exec.Command(bin, "chat", "--user-id", "77")
	cmd.Env = append(os.Environ(), "DATA_DIR="+data, "DATABASE_URL=")
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	defer stdin.Close()
	msgs, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	askBusiness, _, _ := strings.Cut(msgs.For("id").T("ProfileAskBusiness"), "\n")
	answered := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if strings.Contains(sc.Text(), askBusiness) {
				close(answered)
				break
			}
		}
		for sc.Scan() {
		}
	}()
	if _, err := stdin.Write([]byte("/start\nMaria Goreti\n")); err != nil {
		t.Fatal(err)
	}
	select {
	case <-answered:
	case <-time.After(60 * time.Second):
		_ = cmd.Process.Kill()
		_ = cmd.Wait() // its log is complete, and no longer written to
		t.Fatalf("the chat never asked for the business after the name; its log:\n%s", &stderr)
	}

	// kill -9 the server first, so that it cannot shut down cleanly when its parent dies, then
	// the chat.
	pidFile, err := os.ReadFile(filepath.Join(data, "postgres", "postmaster.pid"))
	if err != nil {
		t.Fatal(err)
	}
	firstLine, _, _ := strings.Cut(string(pidFile), "\n")
	postgresPID, err := strconv.Atoi(strings.TrimSpace(firstLine))
	if err != nil {
		t.Fatalf("postmaster.pid: %q: %v", firstLine, err)
	}
	if err := syscall.Kill(postgresPID, syscall.SIGKILL); err != nil {
		t.Fatalf("kill -9 postgres (pid %d): %v", postgresPID, err)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil && !errors.Is(err, os.ErrProcessDone) {
		t.Fatal(err)
	}
	_ = cmd.Wait()

	code, out = runCmd(t, vars, "migrate")
	if code != 0 || !strings.Contains(out, "up to date") {
		t.Fatalf("migrate after kill -9: exit %d:\n%s", code, out)
	}

	// Start it again and read back what the chat wrote before the kill.
	srv, err := pgembed.Start(t.Context(), pgembed.Options{DataDir: filepath.Join(data, "postgres")})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = srv.Stop(context.Background()) }()
	conn, err := pgx.Connect(t.Context(), srv.DSN())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var owners int
	var state string
	if err := conn.QueryRow(t.Context(), `SELECT count(*) FROM owners WHERE telegram_user_id = 77`).Scan(&owners); err != nil {
		t.Fatal(err)
	}
	if err := conn.QueryRow(t.Context(), `SELECT state::text FROM sessions WHERE chat_id = 77`).Scan(&state); err != nil {
		t.Fatalf("the chat's session after kill -9: %v", err)
	}
	if owners != 1 || !strings.Contains(state, "Maria Goreti") {
		t.Fatalf("after kill -9: %d owners 77, session %s; want the owner and the name answered", owners, state)
	}
}
