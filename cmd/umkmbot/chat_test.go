package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"umkmbot/store/storetest"
)

// runScript runs `umkmbot chat` with a script on standard input and returns what it printed.
func runScript(t *testing.T, dsn string, script string, args ...string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	env := &runEnv{stdin: strings.NewReader(script), stdout: &out, stderr: &errOut,
		getenv: func(k string) string { return map[string]string{"DATABASE_URL": dsn, "LOG_LEVEL": "warn"}[k] }}
	if code := run(context.Background(), append([]string{"chat"}, args...), env); code != 0 {
		t.Fatalf("chat exited %d\nstdout:\n%s\nstderr:\n%s", code, out.String(), errOut.String())
	}
	return out.String()
}

// A whole registration replayed from a script prints an application number; a later run finds
// it with /status.
func TestChatScript(t *testing.T) {
	_, dsn := storetest.NewWithDSN(t)
	dir := t.TempDir()
	label := filepath.Join(dir, "label.pdf")
	if err := os.WriteFile(label, []byte("%PDF-1.4\n% label design\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	script := strings.Join([]string{
		"/start", "Maria Goreti", "Kopi Bajawa Mantap", "Ngada",
		"/kontak 0812 3456 7890", "1234567890123", // the profile is saved; the registration follows
		"1", // SPP-IRT
		"Kopi Bajawa", "Kopi bubuk", "12 bulan",
		"2",                // cool and dry
		"1",                // Nanti for the product photo (the NIB came with the profile)
		"/kirim " + label,  // the label design
		"1", "1", "1", "1", // Nanti for the rest (the halal certificate, optional, is not asked)
		"1", // Kirim
	}, "\n") + "\n"
	out := runScript(t, dsn, script, "--user-id", "5001")
	number := regexp.MustCompile(`NTT-[0-9A-Z]{4}-[0-9A-Z]{4}`).FindString(out)
	if number == "" {
		t.Fatalf("no application number in the transcript:\n%s", out)
	}
	if !strings.Contains(out, "Anda: Kopi Bajawa") || !strings.Contains(out, "[1]") {
		t.Fatalf("the transcript should echo the script and number the buttons:\n%s", out)
	}

	out = runScript(t, dsn, "/status "+number+"\n", "--user-id", "5001")
	if !strings.Contains(out, number) || !strings.Contains(out, "Kopi Bajawa") {
		t.Fatalf("/status in a new run does not show the application:\n%s", out)
	}
	// In English, for another user: only the coarse status.
	out = runScript(t, dsn, "/status "+number+"\n", "--user-id", "5002", "--lang", "en")
	if !strings.Contains(out, number) || strings.Contains(out, "Kopi Bajawa") {
		t.Fatalf("a stranger's /status shows too much or too little:\n%s", out)
	}
}

// -staff plays a staff member of an office: the owner's application is in their queue; -admin
// plays an admin; an unknown office is refused.
func TestChatAsStaff(t *testing.T) {
	st, dsn := storetest.NewWithDSN(t)
	nums := seedReview(t, st, 1) // an MD application from Ngada: BBPOM Kupang's
	out := runScript(t, dsn, "/antrian\n", "--user-id", "7001", "--staff", "bbpom_kupang")
	if !strings.Contains(out, "Balai Besar POM di Kupang") || !strings.Contains(out, nums[0]) {
		t.Fatalf("the staff member's queue:\n%s", out)
	}
	out = runScript(t, dsn, "/staf\n", "--user-id", "7002", "--admin")
	if !strings.Contains(out, "Pengguna — ") || !strings.Contains(out, "Balai Besar POM di Kupang") {
		t.Fatalf("the admin's staff list:\n%s", out)
	}
	var errOut bytes.Buffer
	env := &runEnv{stdin: strings.NewReader(""), stdout: &bytes.Buffer{}, stderr: &errOut,
		getenv: func(k string) string { return map[string]string{"DATABASE_URL": dsn, "LOG_LEVEL": "warn"}[k] }}
	if code := run(context.Background(), []string{"chat", "--staff", "nowhere"}, env); code != 1 || !strings.Contains(errOut.String(), "bbpom_kupang") {
		t.Fatalf("an unknown office: exit %d, %s", code, errOut.String())
	}
}
