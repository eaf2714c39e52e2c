package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"umkmbot/store/storetest"
)

// In the terminal an admin imports a CSV (/kirim) and exports one: the import reads the local
// file, the export is written to a private file whose path is printed.
func TestChatImportExport(t *testing.T) {
	st, dsn := storetest.NewWithDSN(t)
	nums := seedReview(t, st, 1) // in review
	path := filepath.Join(t.TempDir(), "status.csv")
	if err := os.WriteFile(path, []byte(header+"\n"+nums[0]+",perbaikan,Foto label kurang jelas,,,\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := runScript(t, dsn, "/kirim "+path+"\n1\n/ekspor\n1\n1\n", "--user-id", "9000", "--admin")
	if !strings.Contains(out, "1 perubahan diterapkan") {
		t.Fatalf("the import in the terminal:\n%s", out)
	}
	if n := count(t, st, `SELECT count(*) FROM applications WHERE status = 'needs_fix'`); n != 1 {
		t.Fatalf("%d applications in needs_fix, want 1", n)
	}
	m := regexp.MustCompile(`pengajuan-[0-9-]+\.csv, \d+ bytes → ([^\]\s]+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no export written:\n%s", out)
	}
	t.Cleanup(func() { os.RemoveAll(filepath.Dir(m[1])) })
	data, err := os.ReadFile(m[1])
	if err != nil || !strings.Contains(string(data), nums[0]+",md,needs_fix") {
		t.Fatalf("the export %s: %q, %v", m[1], data, err)
	}
	if st, err := os.Stat(m[1]); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("the export is not private: %v %v", st.Mode(), err)
	}
}
