package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"umkmbot/flows/domain"
	"umkmbot/store"
	"umkmbot/store/storetest"
)

// seedReview makes n owners (Telegram ids 100000+i, half in English), each with one MD
// application in review, and an admin (Telegram id 9000); it returns the application numbers.
func seedReview(t *testing.T, st *store.Store, n int) []string {
	t.Helper()
	ctx := context.Background()
	numbers := make([]string, n)
	for i := range numbers {
		num, err := domain.AppNumberer{Prefix: "NTT"}.New(nil)
		if err != nil {
			t.Fatal(err)
		}
		numbers[i] = num
	}
	_, err := st.DB().Exec(ctx, `
		WITH o AS (
			INSERT INTO owners (telegram_user_id, chat_id, lang, name)
			SELECT 100000 + i, 100000 + i, CASE WHEN i % 2 = 0 THEN 'id' ELSE 'en' END, 'Pemilik ' || i
			FROM generate_series(0, $2::int - 1) AS i
			RETURNING id, telegram_user_id - 100000 AS i
		), a AS (
			INSERT INTO applications (number, owner_id, path, status, product_name, kabupaten, submitted_at)
			SELECT ($1::text[])[o.i + 1], o.id, 'md', 'in_review', 'Produk ' || o.i, 'ngada', now() - interval '3 days'
			FROM o RETURNING id
		)
		INSERT INTO application_status_history (application_id, from_status, to_status, actor_kind)
		SELECT id, 'submitted', 'in_review', 'staff' FROM a`, numbers, n)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.EnsureAdmins(ctx, st.DB(), []int64{9000}); err != nil {
		t.Fatal(err)
	}
	return numbers
}

// runImportCmd runs `umkmbot import` on a file with these lines and returns its exit code and
// what it printed.
func runImportCmd(t *testing.T, dsn string, lines []string, args ...string) (int, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "status.csv")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	env := &runEnv{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut,
		getenv: func(k string) string { return map[string]string{"DATABASE_URL": dsn, "LOG_LEVEL": "warn"}[k] }}
	code := run(context.Background(), append(append([]string{"import"}, args...), path), env)
	return code, out.String() + errOut.String()
}

func count(t *testing.T, st *store.Store, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := st.DB().QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

const header = "nomor_pengajuan,status,catatan,nomor_izin,berlaku_sampai,batas_waktu"

// One bad row changes nothing and is named by its line, with every other error; -partial
// applies the valid rows.
func TestImportBadRowChangesNothing(t *testing.T) {
	st, dsn := storetest.NewWithDSN(t)
	nums := seedReview(t, st, 4)
	lines := []string{header,
		nums[0] + ",perbaikan,Foto label kurang jelas,,,",
		nums[1] + ",disetujui,,BPOM RI MD 224513001234,2031-01-31,",
		nums[2] + ",diajukan,,,,",         // line 4: an owner's arrow, not staff's
		"NTT-0000-0000,ditolak,Alasan,,,", // line 5: no such number
		nums[3] + ",ditolak,,,,",          // line 6: a rejection needs its reason
	}
	code, out := runImportCmd(t, dsn, lines)
	if code != 1 {
		t.Fatalf("exit %d, want 1:\n%s", code, out)
	}
	for _, want := range []string{"Baris 4:", "Baris 5:", "Baris 6:", "Tidak ada yang diterapkan"} {
		if !strings.Contains(out, want) {
			t.Errorf("the report lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "Baris 2:") || strings.Contains(out, "Baris 3:") {
		t.Errorf("a valid row is reported:\n%s", out)
	}
	if n := count(t, st, `SELECT count(*) FROM applications WHERE status <> 'in_review' OR permit_number IS NOT NULL`); n != 0 {
		t.Fatalf("%d applications changed by an import with bad rows", n)
	}
	if n := count(t, st, `SELECT count(*) FROM application_status_history`) + count(t, st, `SELECT count(*) FROM outbox`) +
		count(t, st, `SELECT count(*) FROM audit_log`); n != 4 {
		t.Fatalf("history, outbox and audit hold %d rows, want the 4 seeded history rows", n)
	}

	code, out = runImportCmd(t, dsn, lines, "-partial", "-lang", "en")
	if code != 0 || !strings.Contains(out, "Line 6:") || !strings.Contains(out, "2 changes applied") {
		t.Fatalf("partial: exit %d:\n%s", code, out)
	}
	if n := count(t, st, `SELECT count(*) FROM applications WHERE status IN ('needs_fix', 'approved')`); n != 2 {
		t.Fatalf("partial applied %d rows, want 2", n)
	}
}

// A good file of 1,000 rows applies in one transaction and queues each owner's notice once, in
// their language, even when imported twice.
func TestImportThousandRowsOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("1,000 rows")
	}
	st, dsn := storetest.NewWithDSN(t)
	nums := seedReview(t, st, 1000)
	lines := []string{header}
	for i, n := range nums {
		if i%2 == 0 {
			lines = append(lines, n+",Perlu perbaikan berkas,\"Foto label kurang jelas, mohon kirim ulang\",,,")
		} else {
			lines = append(lines, fmt.Sprintf("%s,approved,,BPOM RI MD 2245130%05d,2031-01-31,", n, i))
		}
	}
	for run := 1; run <= 2; run++ {
		code, out := runImportCmd(t, dsn, lines)
		want := "1000 baris dibaca: 1000 perubahan diterapkan, 0 sudah berstatus itu, 0 baris salah. 1000 pemberitahuan"
		if run == 2 {
			want = "1000 baris dibaca: 0 perubahan diterapkan, 1000 sudah berstatus itu, 0 baris salah. 0 pemberitahuan"
		}
		if code != 0 || !strings.Contains(out, want) {
			t.Fatalf("import %d: exit %d, want %q:\n%s", run, code, want, out)
		}
	}
	// Each status change is a savepoint (a subtransaction of its own), but the audit rows and the
	// queued notices are written by the top-level transaction: one for all 1,000.
	if n := count(t, st, `SELECT count(DISTINCT x) FROM (SELECT xmin::text AS x FROM audit_log UNION ALL SELECT xmin::text FROM outbox) u`); n != 1 {
		t.Fatalf("the audit rows and notices were written by %d transactions, want 1", n)
	}
	if n := count(t, st, `SELECT count(*) FROM applications WHERE status = 'approved' AND permit_valid_until = '2031-01-31'`); n != 500 {
		t.Fatalf("%d approved with their permit, want 500", n)
	}
	if n := count(t, st, `SELECT count(*) FROM application_status_history`); n != 2000 {
		t.Fatalf("%d history rows, want 1000 seeded + 1000 imported", n)
	}
	if n := count(t, st, `SELECT count(*) FROM (SELECT chat_id FROM outbox GROUP BY chat_id HAVING count(*) = 1) x`); n != 1000 {
		t.Fatalf("%d owners have exactly one notice, want 1000", n)
	}
	var en string
	if err := st.DB().QueryRow(context.Background(), `SELECT convert_from(payload, 'UTF8') FROM outbox WHERE chat_id = 100001`).Scan(&en); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(en, "Approved") || !strings.Contains(en, "BPOM RI MD 224513000001") {
		t.Fatalf("the English owner's notice: %s", en)
	}
	if n := count(t, st, `SELECT count(*) FROM audit_log WHERE action = 'application.status' AND actor_kind = 'staff'`); n != 1000 {
		t.Fatalf("%d audit rows, want 1000", n)
	}
}
