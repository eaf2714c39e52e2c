package staff_test

import (
	"bytes"
	"encoding/csv"
	"maps"
	"slices"
	"strings"
	"testing"

	"umkmbot/flows"
	"umkmbot/flows/flowtest"
	"umkmbot/store"
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

// With personal data, a phone is exported where a card would show it, row by row: an
// application's where Authorize(PowerSeePhone) holds for it (an office's own share; never an
// admin's, whose cards mask phones), an owner's only when they have an application in the
// office's share (a BPOM unit does not get the phone of an owner in its kabupaten with SPP-IRT
// only, nor the health office that of a BPOM-only owner), a training participant's where
// AuthorizeTraining(PowerSeePhone) holds (an admin: only of the trainings an admin made; a viewer:
// none).
func TestExportPhonesFollowTheCards(t *testing.T) {
	h := flowtest.New(t)
	admin := h.AddStaff(9000, "", "admin")
	bpom := h.AddStaff(9001, "bbpom_kupang", "staff")
	dinkes := h.AddStaff(9002, "dinkes_ngada", "staff")
	viewer := h.AddStaff(9003, "dinkes_ngada", "viewer")
	mdOwner := h.Chat(201, "id")
	mdOwner.CompleteProfile("Kopi Bajawa Mantap")
	md := mdOwner.RegisterPath("md", "Kopi Bajawa")
	sppOwner := h.Chat(202, "id")
	sppOwner.CompleteProfile("Keripik Ubi Ngada")
	spp := sppOwner.RegisterPath("spp_irt", "Keripik Ubi")
	for _, q := range []string{
		`UPDATE owners SET phone = '+6281100000201' WHERE telegram_user_id = 201`,
		`UPDATE owners SET phone = '+6281100000202' WHERE telegram_user_id = 202`,
		`INSERT INTO trainings (title, kind, starts_at, duration_minutes, place, quota, kabupaten, office) VALUES
			('PKP Bajawa', 'pkp', '2026-12-20 01:00Z', 240, 'Bajawa', 30, 'ngada', 'dinkes_ngada'),
			('Bimtek Provinsi', 'bimtek', '2026-12-21 01:00Z', 240, 'Kupang', 30, NULL, '')`,
		`INSERT INTO training_registrations (training_id, owner_id) SELECT t.id, o.id FROM trainings t, owners o
			WHERE o.telegram_user_id = 201`,
	} {
		if _, err := h.DB.DB().Exec(t.Context(), q); err != nil {
			t.Fatal(err)
		}
	}
	yes := true
	column := func(rows [][]string, name string) int {
		t.Helper()
		i := slices.Index(rows[0], name)
		if i < 0 {
			t.Fatalf("no column %s in %v", name, rows[0])
		}
		return i
	}
	phones := func(rows [][]string, key, phone string) map[string]string {
		t.Helper()
		k, p := column(rows, key), column(rows, phone)
		out := map[string]string{}
		for _, r := range rows[1:] {
			out[r[k]] = r[p]
		}
		return out
	}
	for _, who := range []struct {
		s     store.Staff
		role  flows.Role
		owner map[string]string // owner id → the phone exported
	}{
		{admin, flows.RoleAdmin, map[string]string{"201": "", "202": ""}},
		{bpom, flows.RoleStaff, map[string]string{"201": "+6281100000201", "202": ""}},
		{dinkes, flows.RoleStaff, map[string]string{"201": "", "202": "+6281100000202"}},
		{viewer, flows.RoleStaff, map[string]string{"201": "", "202": "+6281100000202"}},
	} {
		c := h.Chat(who.s.TelegramUserID, "id")
		actor := flows.Actor{Role: who.role, Staff: &who.s}
		apps := exported(t, c, "applications", &yes)
		got := phones(apps, "nomor_pengajuan", "telepon")
		for _, r := range apps[1:] {
			app := store.Application{ID: 1, Number: r[0], Path: r[1], Status: r[2], Kabupaten: r[4]}
			may := h.Engine().Authorize(actor, flows.PowerSeePhone, &app) == nil
			if phone := got[app.Number]; (phone != "") != may {
				t.Errorf("%s (%s) exported %s with phone %q; the card shows it: %v", who.s.Unit, who.role, app.Number, phone, may)
			}
		}
		if who.role == flows.RoleAdmin && len(got) != 2 {
			t.Errorf("an admin exported %v, want %s and %s", got, md, spp)
		}
		ids := phones(exported(t, c, "owners", &yes), "id", "telepon")
		for tg, want := range who.owner {
			var id string
			h.Query(&id, `SELECT id::text FROM owners WHERE telegram_user_id = `+tg)
			if phone, ok := ids[id]; !ok || phone != want {
				t.Errorf("%s (%s) exported owner %s with phone %q (listed: %v), want %q", who.s.Unit, who.role, tg, phone, ok, want)
			}
		}
	}
	// Trainings: Dinkes Ngada sees its participants' phones; an admin only those of the
	// training an admin made.
	for _, who := range []struct {
		s    store.Staff
		want map[string]string // title → the phone exported
	}{
		{dinkes, map[string]string{"PKP Bajawa": "+6281100000201"}},
		{admin, map[string]string{"PKP Bajawa": "", "Bimtek Provinsi": "+6281100000201"}},
		{viewer, map[string]string{"PKP Bajawa": ""}}, // a viewer may not manage trainings: no registrants' phones
	} {
		rows := exported(t, h.Chat(who.s.TelegramUserID, "id"), "trainings", &yes)
		if got := phones(rows, "judul", "telepon_peserta"); !maps.Equal(got, who.want) {
			t.Errorf("%s exported trainings' phones %v, want %v", who.s.Unit, got, who.want)
		}
	}
}
