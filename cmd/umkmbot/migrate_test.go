package main

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

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

// With DATABASE_URL: migrate applies the schema, and again is a no-op.
func TestMigrateWithDatabaseURL(t *testing.T) {
	_, dsn := storetest.NewWithDSN(t) // already migrated by storetest
	code, out := runCmd(t, map[string]string{"DATABASE_URL": dsn}, "migrate")
	if code != 0 || !strings.Contains(out, "up to date") {
		t.Fatalf("exit %d:\n%s", code, out)
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
// again is a no-op; after kill -9 of a running instance the next run still works, data kept.
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

	// A running instance (chat waiting for input) killed with SIGKILL.
	bin := filepath.Join(t.TempDir(), "umkmbot")
	if b, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, b)
	}
	cmd := exec.Command(bin, "chat", "--user-id", "77")
	cmd.Env = append(os.Environ(), "DATA_DIR="+data, "DATABASE_URL=")
	stdin, _ := cmd.StdinPipe()
	stderr, _ := cmd.StderrPipe()
	cmd.Stdout = &bytes.Buffer{}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if strings.Contains(sc.Text(), "embedded PostgreSQL ready") {
				close(ready)
				break
			}
		}
		for sc.Scan() {
		}
	}()
	select {
	case <-ready:
	case <-time.After(60 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("the chat never reported the embedded PostgreSQL ready")
	}
	if _, err := stdin.Write([]byte("/start\n")); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()

	code, out = runCmd(t, vars, "migrate")
	if code != 0 || !strings.Contains(out, "up to date") {
		t.Fatalf("migrate after kill -9: exit %d:\n%s", code, out)
	}
}
