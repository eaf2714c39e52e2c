package pgembed

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

func TestStartKeepsDataAcrossRestarts(t *testing.T) {
	requirePostgres(t)
	t.Parallel()
	dir := newDataDir(t)

	first := startServer(t, Options{DataDir: dir})
	dsn, err := url.Parse(first.DSN())
	if err != nil {
		t.Fatal(err)
	}
	if dsn.Hostname() != "127.0.0.1" || dsn.Path != "/umkmbot" || dsn.Query().Get("sslmode") != "disable" {
		t.Errorf("DSN = %s, want postgres://USER@127.0.0.1:PORT/umkmbot?sslmode=disable", dsn)
	}
	if first.DataDir() != dir {
		t.Errorf("DataDir = %s, want %s", first.DataDir(), dir)
	}
	exec1(t, first.DSN(), "CREATE TABLE note (body text)")
	exec1(t, first.DSN(), "INSERT INTO note VALUES ('kept')")
	stop(t, first)
	if err := first.Stop(context.Background()); err != nil {
		t.Errorf("second Stop: %v", err)
	}
	select {
	case <-first.Done():
	default:
		t.Error("Done not closed after Stop")
	}

	second := startServer(t, Options{DataDir: dir})
	if got := noteBody(t, second.DSN()); got != "kept" {
		t.Errorf("after restart the note reads %q, want %q", got, "kept")
	}
	if info, err := os.Stat(dir + ".log"); err != nil || info.Size() == 0 {
		t.Errorf("postgres log beside the data directory: %v", err)
	}
}

func TestStartPastStalePostmasterPID(t *testing.T) {
	requirePostgres(t)
	t.Parallel()
	dir := newDataDir(t)
	s := startServer(t, Options{DataDir: dir})
	pidFile := filepath.Join(dir, "postmaster.pid")
	realContent, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	stop(t, s)

	exited := exec.Command("true")
	if err := exited.Run(); err != nil {
		t.Fatal(err)
	}
	unrelated := exec.Command("sleep", "60")
	if err := unrelated.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		unrelated.Process.Kill()
		unrelated.Wait()
	})

	for _, tt := range []struct {
		name string
		pid  int
	}{
		{"dead process", exited.Process.Pid},
		{"unrelated live process", unrelated.Process.Pid},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, rest, _ := strings.Cut(string(realContent), "\n")
			if err := os.WriteFile(pidFile, []byte(strconv.Itoa(tt.pid)+"\n"+rest), 0o600); err != nil {
				t.Fatal(err)
			}
			if acct := s.account; acct != nil { // as postgres would have left it
				if err := os.Chown(pidFile, int(acct.uid), int(acct.gid)); err != nil {
					t.Fatal(err)
				}
			}
			s := startServer(t, Options{DataDir: dir})
			exec1(t, s.DSN(), "SELECT 1")
			stop(t, s)
		})
	}
}

// TestStartAfterCrash runs an umkmbot (a helper process): a second one on its data is
// refused; then it is killed with SIGKILL while its postgres runs, and the next Start must
// find the data intact.
func TestStartAfterCrash(t *testing.T) {
	requirePostgres(t)
	t.Parallel()
	dir := newDataDir(t)

	helper := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
	helper.Env = append(os.Environ(), helperDataDirEnv+"="+dir)
	helper.Stderr = os.Stderr
	stdin, err := helper.StdinPipe() // held open: the helper runs until it reads EOF
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	stdout, err := helper.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := helper.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		helper.Process.Kill()
		helper.Wait()
	})
	dsn, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("read DSN from helper: %v", err)
	}
	dsn = strings.TrimSpace(dsn)
	exec1(t, dsn, "CREATE TABLE note (body text)")
	exec1(t, dsn, "INSERT INTO note VALUES ('survived')")

	_, err = Start(t.Context(), Options{DataDir: dir})
	if want := fmt.Sprintf("in use by another umkmbot, pid %d", helper.Process.Pid); !errors.Is(err, ErrInUse) || !strings.Contains(err.Error(), want) {
		t.Fatalf("Start beside a running umkmbot: err = %v, want ErrInUse saying %q", err, want)
	}
	exec1(t, dsn, "SELECT 1") // the running one is unharmed

	s := &Server{dataDir: dir}
	postgresPID, kind, err := s.postmasterPID()
	if err != nil || kind != processPostgres {
		t.Fatalf("postmaster.pid of the helper's server: pid %d, kind %d, err %v", postgresPID, kind, err)
	}
	if err := helper.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	helper.Wait()
	if runtime.GOOS == "linux" && !s.waitForExit(t.Context(), postgresPID, 10*time.Second) {
		t.Fatalf("postgres (pid %d) still running 10s after its umkmbot was killed: no parent-death signal?", postgresPID)
	}

	again := startServer(t, Options{DataDir: dir})
	if got := noteBody(t, again.DSN()); got != "survived" {
		t.Errorf("after the crash the note reads %q, want %q", got, "survived")
	}
}

// TestStartStopsLeftoverServer covers a postgres that outlives its umkmbot and does not
// shut down by itself (no parent-death signal outside Linux): Start stops it with pg_ctl.
func TestStartStopsLeftoverServer(t *testing.T) {
	requirePostgres(t)
	t.Parallel()
	dir := newDataDir(t)
	s := startServer(t, Options{DataDir: dir})
	stop(t, s)

	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	leftover := exec.Command(filepath.Join(s.binDir, "pg_ctl"), "start", "-w", "-D", dir, "-l", filepath.Join(dir, "leftover.log"),
		"-o", fmt.Sprintf("-p %d -c listen_addresses=127.0.0.1 -c unix_socket_directories=", port))
	leftover.SysProcAttr = &syscall.SysProcAttr{Credential: s.account.credential()}
	if out, err := leftover.CombinedOutput(); err != nil {
		t.Fatalf("pg_ctl start: %v\n%s", err, out)
	}

	again := startServer(t, Options{DataDir: dir, staleWait: 100 * time.Millisecond})
	exec1(t, again.DSN(), "SELECT 1")
}

func TestStartExplainsUnreachableDataDir(t *testing.T) {
	requirePostgres(t)
	if os.Geteuid() != 0 {
		t.Skip("only root hands the data directory to another user")
	}
	t.Parallel()
	private := t.TempDir() // mode 0700, owned by root
	if err := os.Chmod(private, 0o700); err != nil {
		t.Fatal(err)
	}
	_, err := Start(t.Context(), Options{DataDir: filepath.Join(private, "data", "postgres")})
	if err == nil || !strings.Contains(err.Error(), "cannot enter "+private) || !strings.Contains(err.Error(), "chmod o+x") {
		t.Fatalf("err = %v, want it to say the server's user cannot enter %s", err, private)
	}
}

const helperDataDirEnv = "PGEMBED_HELPER_DATA_DIR"

// TestHelperProcess is the umkmbot that TestStartAfterCrash kills: it starts the server,
// prints the DSN and runs until its stdin closes.
func TestHelperProcess(t *testing.T) {
	dir := os.Getenv(helperDataDirEnv)
	if dir == "" {
		t.Skip("helper process of TestStartAfterCrash")
	}
	s, err := Start(context.Background(), Options{DataDir: dir})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	fmt.Println(s.DSN())
	io.Copy(io.Discard, os.Stdin)
	s.Stop(context.Background())
	os.Exit(0)
}

// requirePostgres skips a test that needs real PostgreSQL binaries where there are none,
// except on CI, where their absence is a failure.
func requirePostgres(t *testing.T) {
	t.Helper()
	if _, err := FindBinDir(""); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI must have PostgreSQL binaries: %v", err)
		}
		t.Skipf("no PostgreSQL binaries on this machine (set CI to make this fail): %v", err)
	}
}

// newDataDir returns a data directory path in a fresh temporary directory that the server's
// user can reach when the tests run as root.
func newDataDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, d := range []string{dir, filepath.Dir(dir)} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, "postgres")
}

func startServer(t *testing.T, opts Options) *Server {
	t.Helper()
	opts.Logger = slog.New(slog.NewTextHandler(t.Output(), nil))
	began := time.Now()
	s, err := Start(t.Context(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("Start took %v", time.Since(began).Round(time.Millisecond))
	t.Cleanup(func() { s.Stop(context.Background()) })
	return s
}

func stop(t *testing.T, s *Server) {
	t.Helper()
	began := time.Now()
	if err := s.Stop(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Logf("Stop took %v", time.Since(began).Round(time.Millisecond))
}

func exec1(t *testing.T, dsn, sql string) {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(t.Context(), sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func noteBody(t *testing.T, dsn string) string {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var body string
	if err := conn.QueryRow(t.Context(), "SELECT body FROM note").Scan(&body); err != nil {
		t.Fatal(err)
	}
	return body
}

// Another PostgreSQL on the port this one was given (it took the port between our check and our
// bind): Start must not take that server for its own, and tries another port.
func TestStartNotFooledByAnotherServerOnItsPort(t *testing.T) {
	requirePostgres(t)
	t.Parallel()
	other := startServer(t, Options{DataDir: newDataDir(t)})
	u, err := url.Parse(other.DSN())
	if err != nil {
		t.Fatal(err)
	}
	port, _ := strconv.Atoi(u.Port())
	dir := newDataDir(t)
	ours := startServer(t, Options{DataDir: dir, ports: []int{port}})
	if ours.DSN() == other.DSN() {
		t.Fatalf("Start took the other server on port %d for its own", port)
	}
	exec1(t, ours.DSN(), "CREATE TABLE mine (x int)")
	var exists bool
	c, err := pgx.Connect(context.Background(), other.DSN())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	if err := c.QueryRow(context.Background(), "SELECT to_regclass('mine') IS NOT NULL").Scan(&exists); err != nil || exists {
		t.Fatalf("our table landed in the other server (err %v)", err)
	}
}
