package staff_test

import (
	"bytes"
	"encoding/csv"
	"slices"
	"strings"
	"testing"

	"umkmbot/flows/flowtest"
)

// exported asks for an export in the chat and returns the CSV sent back.
func exported(t *testing.T, c *flowtest.Chat, kind string, personal *bool) [][]string {
	t.Helper()
	c.Send("/ekspor")
	c.PressMsg("ExportKind_" + kind)
	if personal != nil {
		c.ExpectMsg("ExportAskPersonal")
		if *personal {
			c.PressMsg("ExportPersonalYes")
		} else {
			c.PressMsg("ExportPersonalNo")
		}
	}
	for _, r := range c.Last.Replies {
		if r.Upload != nil {
			if !strings.HasSuffix(r.Upload.Name, ".csv") {
				t.Fatalf("export named %q", r.Upload.Name)
			}
			rows, err := csv.NewReader(bytes.NewReader(r.Upload.Data)).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			return rows
		}
	}
	t.Fatalf("no document sent:\n%s", c.Transcript())
	return nil
}

// /ekspor sends an office's staff their office's share only and admins everything; names and
// phones only when chosen; every export is in the audit log.
func TestExportFromChat(t *testing.T) {
	h := flowtest.New(t)
	h.AddStaff(9000, "", "admin")
	h.AddStaff(9001, "bbpom_kupang", "staff")
	kupangOwner := h.Chat(201, "id")
	kupangOwner.CompleteProfile("Kopi Bajawa Mantap")
	kupang := kupangOwner.RegisterPath("md", "Kopi Bajawa")
	endeOwner := h.Chat(202, "id")
	endeOwner.CompleteProfile("Tenun Ende")
	ende := endeOwner.RegisterPath("md", "Kopi Ende")
	for _, q := range []string{`UPDATE applications SET kabupaten = 'ende' WHERE number = '` + ende + `'`,
		`UPDATE businesses SET kabupaten = 'ende' WHERE name = 'Tenun Ende'`,
		`INSERT INTO trainings (title, kind, starts_at, duration_minutes, place, quota, kabupaten, office) VALUES
			('PKP Kupang', 'pkp', '2026-12-20 01:00Z', 240, 'Kupang', 30, 'kota_kupang', 'bbpom_kupang'),
			('PKP Ende', 'pkp', '2026-12-21 01:00Z', 240, 'Ende', 30, 'ende', 'loka_ende')`} {
		if _, err := h.DB.DB().Exec(t.Context(), q); err != nil {
			t.Fatal(err)
		}
	}
	no, yes := false, true
	numbers := func(rows [][]string) []string {
		var out []string
		for _, r := range rows[1:] {
			out = append(out, r[0])
		}
		return out
	}
	all := func(rows [][]string) string {
		var b strings.Builder
		for _, r := range rows {
			b.WriteString(strings.Join(r, "|") + "\n")
		}
		return b.String()
	}

	s := h.Chat(9001, "id")
	plain := exported(t, s, "applications", &no)
	if got := numbers(plain); !slices.Equal(got, []string{kupang}) {
		t.Fatalf("Kupang's staff exported %v, want only %s", got, kupang)
	}
	if strings.Contains(all(plain), "+62812") || strings.Contains(all(plain), "Maria") || slices.Contains(plain[0], "telepon") {
		t.Fatalf("an export without personal data holds some:\n%s", all(plain))
	}
	personal := exported(t, s, "applications", &yes)
	if !slices.Contains(personal[0], "telepon") || !strings.Contains(all(personal), "+6281234567890") || slices.Contains(numbers(personal), ende) {
		t.Fatalf("with personal data, Kupang's share with phones:\n%s", all(personal))
	}
	s.Expect(h.T("id", "ExportPersonalWarning"))
	owners := exported(t, s, "owners", &no)
	if len(owners) != 2 || strings.Contains(all(owners), "ende") {
		t.Fatalf("Kupang's staff exported owners outside their area:\n%s", all(owners))
	}
	if trainings := exported(t, s, "trainings", &no); len(trainings) != 2 || trainings[1][1] != "PKP Kupang" {
		t.Fatalf("Kupang's staff exported trainings not theirs:\n%s", all(trainings))
	}

	admin := h.Chat(9000, "id")
	if got := numbers(exported(t, admin, "applications", &no)); !slices.Equal(got, []string{kupang, ende}) {
		t.Fatalf("an admin exported %v, want both", got)
	}
	if trainings := exported(t, admin, "trainings", &no); len(trainings) != 3 {
		t.Fatalf("an admin exported trainings:\n%s", all(trainings))
	}
	var audits int
	h.Query(&audits, `SELECT count(*) FROM audit_log WHERE action = 'csv.export'`)
	if audits != 6 {
		t.Fatalf("%d exports in the audit log, want 6", audits)
	}

	kupangOwner.Send("/ekspor")
	kupangOwner.ExpectMsg("MenuUnknownCommand")
}
