package staff_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strings"
	"testing"

	"umkmbot/flows"
	"umkmbot/flows/flowtest"
)

const importHeader = "nomor_pengajuan,status,catatan,nomor_izin,berlaku_sampai,batas_waktu\n"

// csvOf is an import file of these rows after the header.
func csvOf(rows ...string) []byte { return []byte(importHeader + strings.Join(rows, "\n") + "\n") }

// importSetup is an admin, an office's staff member and an owner (in English) with an MD
// application from Ngada (BBPOM Kupang's), submitted.
func importSetup(t *testing.T) (*flowtest.Harness, *flowtest.Chat, string) {
	h := flowtest.New(t)
	h.AddStaff(9000, "", "admin")
	h.AddStaff(9001, "bbpom_kupang", "staff")
	owner := h.Chat(201, "en")
	owner.CompleteProfile("Kopi Bajawa Mantap")
	return h, owner, owner.RegisterPath("md", "Kopi Bajawa")
}

func statusOf(h *flowtest.Harness, number string) string {
	var s string
	h.Query(&s, `SELECT status FROM applications WHERE number = $1`, number)
	return s
}

// An admin sends a CSV in the chat: a file with a bad row names its line and changes nothing
// until confirmed (and not at all when cancelled); a good one shows what will change, is
// applied on "apply all" with the owner's notice (once, keyed, paced behind replies) and an
// audit entry; the same file again changes nothing and notifies no one.
func TestImportFromChat(t *testing.T) {
	h, _, number := importSetup(t)
	admin := h.Chat(9000, "id")
	admin.Send("/start")

	admin.UploadData("status.csv", "text/csv", csvOf(number+",diperiksa,,,,", "NTT-0000-0000,disetujui,,,,"))
	admin.ExpectMsg("ImportChatErrors", map[string]any{"Count": 1})
	admin.Expect("Baris 3: pengajuan NTT-0000-0000 tidak ditemukan.")
	admin.Expect(h.T("id", "ImportChatChangeLine", map[string]any{"Status": h.T("id", "Status_in_review"), "Count": 1}))
	if admin.HasButton(h.T("id", "ImportChatApplyAll")) || !admin.HasButton(h.T("id", "ImportChatApplyValid")) {
		t.Fatalf("with an invalid row only the valid rows may be applied:\n%s", admin.Transcript())
	}
	if s := statusOf(h, number); s != "submitted" || len(admin.Last.Notices) > 0 {
		t.Fatalf("checking changed something: status %s, notices %+v", s, admin.Last.Notices)
	}
	admin.PressMsg("CommonCancelButton")
	admin.PressMsg("CommonCancelYes")
	if s := statusOf(h, number); s != "submitted" {
		t.Fatalf("a cancelled import changed the status to %s", s)
	}

	good := csvOf(number + ",diperiksa,,,,")
	admin.Send("/impor")
	admin.ExpectMsg("ImportAskFile", map[string]any{"Header": strings.TrimSpace(importHeader)})
	admin.UploadData("status.csv", "text/csv", good)
	admin.ExpectNot(h.T("id", "ImportChatErrors", map[string]any{"Count": 0}))
	admin.Expect("status.csv", h.T("id", "ImportChatChangeLine", map[string]any{"Status": h.T("id", "Status_in_review"), "Count": 1}))
	fetches := h.Files.Fetches()
	admin.PressMsg("ImportChatApplyAll")
	if h.Files.Fetches() != fetches+1 {
		t.Fatalf("the file was not fetched again on confirmation")
	}
	admin.ExpectMsg("ImportSummary", map[string]any{"Rows": 1, "Applied": 1, "Unchanged": 0, "Invalid": 0, "Notices": 1})
	if s := statusOf(h, number); s != "in_review" {
		t.Fatalf("status %s after the import, want in_review", s)
	}
	n := admin.Last.Notices
	if len(n) != 1 || n[0].ChatID != 201 || !n[0].Bulk || !strings.HasPrefix(n[0].DedupeKey, "status:") ||
		!strings.Contains(n[0].Reply.Text, h.T("en", "Status_in_review")) {
		t.Fatalf("want one keyed bulk notice to the owner in English, got %+v", n)
	}
	var audits int
	h.Query(&audits, `SELECT count(*) FROM audit_log WHERE action = 'csv.import' AND detail->>'applied' = '1'`)
	if audits != 1 {
		t.Fatalf("%d audit entries of the import, want 1", audits)
	}

	admin.UploadData("status.csv", "text/csv", good)
	admin.ExpectMsg("ImportChatNothingToChange", map[string]any{"Rows": 1, "Unchanged": 1})
	if len(admin.Last.Notices) != 0 || statusOf(h, number) != "in_review" {
		t.Fatalf("the second import notified %+v", admin.Last.Notices)
	}
	var history int
	h.Query(&history, `SELECT count(*) FROM application_status_history WHERE to_status = 'in_review'`)
	if history != 1 {
		t.Fatalf("%d history rows to in_review, want 1", history)
	}
}

// A file whose rows are all invalid applies nothing and asks for a corrected file; "apply the
// valid rows only" applies those.
func TestImportFromChatPartial(t *testing.T) {
	h, owner, number := importSetup(t)
	second := owner.RegisterPath("md", "Kopi Robusta")
	s := h.Chat(9001, "id")
	s.UploadData("salah.csv", "text/csv", csvOf(number+",bukan status,,,,"))
	s.Expect("Baris 2: status \"bukan status\" tidak dikenal")
	s.ExpectMsg("ImportChatNothingValid")
	s.UploadData("campur.csv", "text/csv", csvOf(number+",ditolak,,,,", second+",diperiksa,,,,"))
	s.Expect("Baris 2: catatan wajib diisi")
	s.PressMsg("ImportChatApplyValid")
	s.ExpectMsg("ImportSummary", map[string]any{"Rows": 2, "Applied": 1, "Unchanged": 0, "Invalid": 1, "Notices": 1})
	if statusOf(h, number) != "submitted" || statusOf(h, second) != "in_review" {
		t.Fatalf("statuses %s, %s; want submitted, in_review", statusOf(h, number), statusOf(h, second))
	}

	// What is applied is the file that was checked: other bytes under its id apply nothing.
	checked := csvOf(number + ",diperiksa,,,,")
	s.UploadData("status.csv", "text/csv", checked)
	for _, id := range h.Files.IDs() {
		h.Files.Put(id, csvOf(number+",ditolak,Tidak lengkap,,,"))
	}
	s.PressMsg("ImportChatApplyAll")
	s.ExpectMsg("ImportChatFileChanged")
	if statusOf(h, number) != "submitted" {
		t.Fatalf("a file changed after its check was applied: %s", statusOf(h, number))
	}

	// Checked again on confirmation: a row no longer valid (another officer rejected the
	// application meanwhile) applies nothing and says why.
	s.UploadData("status.csv", "text/csv", checked)
	if _, err := h.DB.DB().Exec(t.Context(), `UPDATE applications SET status = 'rejected' WHERE number = '`+number+`'`); err != nil {
		t.Fatal(err)
	}
	s.PressMsg("ImportChatApplyAll")
	s.ExpectMsg("ImportNothingApplied")
	s.Expect("Baris 2: pengajuan " + number)
	if len(s.Last.Notices) != 0 || statusOf(h, number) != "rejected" {
		t.Fatalf("a file no longer valid was applied: %s, %+v", statusOf(h, number), s.Last.Notices)
	}
}

// An import from the chat is refused to whoever may not act: an owner sending a CSV or the
// command or a forged confirmation, a viewer, a member made viewer or removed between the check
// and the confirmation; another office's applications read as unknown. Nothing changes.
func TestImportFromChatRefused(t *testing.T) {
	h, owner, number := importSetup(t)
	h.AddStaff(9003, "loka_ende", "staff")
	h.AddStaff(9004, "bbpom_kupang", "viewer")
	file := csvOf(number + ",diperiksa,,,,")
	unchanged := func(who string) {
		t.Helper()
		if s := statusOf(h, number); s != "submitted" {
			t.Fatalf("%s changed the status to %s", who, s)
		}
	}

	owner.UploadData("status.csv", "text/csv", file)
	owner.ExpectNot(h.T("en", "ImportChatChangeLine", map[string]any{"Status": h.T("en", "Status_in_review"), "Count": 1}))
	owner.Send("/impor")
	owner.ExpectMsg("MenuUnknownCommand")
	owner.PressData("s1:all", 1)
	owner.ExpectMsg("CommonStaleButton")
	unchanged("an owner")

	viewer := h.Chat(9004, "id")
	viewer.UploadData("status.csv", "text/csv", file)
	viewer.ExpectMsg("StaffForbidden")
	viewer.Send("/impor")
	viewer.ExpectMsg("StaffForbidden")
	unchanged("a viewer")

	ende := h.Chat(9003, "id")
	ende.UploadData("status.csv", "text/csv", file)
	ende.Expect("Baris 2: pengajuan " + number + " tidak ditemukan.")
	ende.ExpectMsg("ImportChatNothingValid")
	ende.ExpectNot("Kopi Bajawa")
	unchanged("another office")

	s := h.Chat(9001, "id")
	s.UploadData("status.csv", "text/csv", file)
	data, msg := s.ButtonData(h.T("id", "ImportChatApplyAll"))
	if _, err := h.DB.DB().Exec(t.Context(), `UPDATE staff SET role = 'viewer' WHERE telegram_user_id = 9001`); err != nil {
		t.Fatal(err)
	}
	s.PressData(data, msg)
	s.ExpectMsg("StaffForbidden")
	unchanged("a member made viewer")

	if _, err := h.DB.DB().Exec(t.Context(), `UPDATE staff SET role = 'staff' WHERE telegram_user_id = 9001`); err != nil {
		t.Fatal(err)
	}
	s.UploadData("status.csv", "text/csv", file)
	data, msg = s.ButtonData(h.T("id", "ImportChatApplyAll"))
	if _, err := h.DB.DB().Exec(t.Context(), `UPDATE staff SET active = false WHERE telegram_user_id = 9001`); err != nil {
		t.Fatal(err)
	}
	s.PressData(data, msg)
	s.ExpectMsg("CommonStaleButton")
	unchanged("a removed member")
	if n := len(s.Last.Notices) + len(ende.Last.Notices) + len(viewer.Last.Notices) + len(owner.Last.Notices); n != 0 {
		t.Fatalf("%d notices from refused imports", n)
	}
}

// More invalid rows than a message lists come as a file too, its header and name in the
// reader's language.
func TestImportErrorsFileInTheReadersLanguage(t *testing.T) {
	h, _, _ := importSetup(t)
	var rows []string
	for i := range 20 {
		rows = append(rows, fmt.Sprintf("NTT-0000-%04d,diperiksa,,,,", i))
	}
	for _, c := range []struct {
		user               int64
		lang, header, name string
	}{{9000, "id", "baris,kesalahan", "kesalahan-impor.csv"}, {9001, "en", "line,error", "import-errors.csv"}} {
		s := h.Chat(c.user, c.lang)
		s.UploadData("status.csv", "text/csv", csvOf(rows...))
		var up *flows.Upload
		for _, r := range s.Last.Replies {
			if r.Upload != nil {
				up = r.Upload
			}
		}
		if up == nil {
			t.Fatalf("no file of the errors:\n%s", s.Transcript())
		}
		got, err := csv.NewReader(bytes.NewReader(up.Data)).ReadAll()
		if err != nil || len(got) != 21 || strings.Join(got[0], ",") != c.header || up.Name != c.name {
			t.Errorf("errors file in %s: %s %v (%v), want %s with header %s", c.lang, up.Name, got[0], err, c.name, c.header)
		}
	}
}
