package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"strings"
	"testing"

	"umkmbot/store/storetest"
)

// Exports leave personal data out unless asked, and staff out of the owners.
func TestExport(t *testing.T) {
	st, dsn := storetest.NewWithDSN(t)
	seedReview(t, st, 2)
	ctx := context.Background()
	if _, err := st.DB().Exec(ctx, `
		INSERT INTO owners (telegram_user_id, chat_id, name, phone) VALUES (9000, 9000, 'Admin Balai', '+6281111111111');
		UPDATE owners SET phone = '+6281234567890' WHERE telegram_user_id = 100000;
		INSERT INTO trainings (title, kind, starts_at, duration_minutes, place, quota) VALUES ('PKP Ngada', 'pkp', '2026-08-03 01:00Z', 960, 'Bajawa', 30);
		INSERT INTO training_registrations (training_id, owner_id) SELECT t.id, o.id FROM trainings t, owners o WHERE o.telegram_user_id IN (100000, 100001)`); err != nil {
		t.Fatal(err)
	}
	export := func(kind string, personal bool) [][]string {
		t.Helper()
		args := []string{"export", kind, "--out", "-"}
		if personal {
			args = append(args, "--with-personal-data")
		}
		var out, errOut bytes.Buffer
		env := &runEnv{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut,
			getenv: func(k string) string { return map[string]string{"DATABASE_URL": dsn, "LOG_LEVEL": "warn"}[k] }}
		if code := run(ctx, args, env); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errOut.String())
		}
		rows, err := csv.NewReader(&out).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		return rows
	}
	for _, kind := range []string{"applications", "owners", "trainings"} {
		plain := strings.Join(flatten(export(kind, false)), "|")
		if strings.Contains(plain, "Pemilik 0") || strings.Contains(plain, "+62812") {
			t.Errorf("%s without personal data holds a name or phone: %s", kind, plain)
		}
		personal := strings.Join(flatten(export(kind, true)), "|")
		if !strings.Contains(personal, "Pemilik 0") || !strings.Contains(personal, "+6281234567890") {
			t.Errorf("%s with personal data lacks the owner: %s", kind, personal)
		}
	}
	owners := export("owners", true)
	if len(owners) != 3 || strings.Contains(strings.Join(flatten(owners), "|"), "Admin Balai") {
		t.Fatalf("the owners export should hold the two owners and not the admin: %v", owners)
	}
	if tr := export("trainings", true); len(tr) != 3 || tr[0][len(tr[0])-2] != "nama_peserta" {
		t.Fatalf("trainings with personal data: one row per registration: %v", tr)
	}
	if tr := export("trainings", false); len(tr) != 2 || tr[1][8] != "2" {
		t.Fatalf("trainings: one row per training with its count: %v", tr)
	}
}

func flatten(rows [][]string) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r...)
	}
	return out
}
