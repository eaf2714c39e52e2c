package owner_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"umkmbot/flows"
	"umkmbot/flows/flowtest"
	"umkmbot/store"
)

// startRegistration takes a fresh owner with a profile to the product-name question of an MD
// registration.
func startRegistration(t *testing.T, h *flowtest.Harness, user int64) *flowtest.Chat {
	t.Helper()
	c := h.Chat(user, "id")
	c.CompleteProfile("Kopi Bajawa")
	c.Send("/daftar")
	c.PressMsg("PathName_md")
	c.ExpectMsg("RegisterAskProductName")
	return c
}

// An unknown command in the middle of a question says so and asks the question again: the next
// answer is taken as the answer.
func TestUnknownCommandMidQuestionAsksAgain(t *testing.T) {
	h := flowtest.New(t)
	c := startRegistration(t, h, 801)
	c.Send("/entahlah")
	c.ExpectMsg("CommonUnknownCommand")
	c.ExpectMsg("RegisterAskProductName")
	c.ExpectNot(h.T("id", "MenuText"))
	c.Send("Kopi Luwak")
	c.ExpectMsg("RegisterAskProductType")
}

// A second tap on the button just handled is acknowledged silently; the message the owner looks
// at stays alive. A truly old button gets a short toast and the current question, once.
func TestDoubleTapIsSilent(t *testing.T) {
	h := flowtest.New(t)
	c := startRegistration(t, h, 802)
	for _, text := range []string{"Kopi Luwak", "Kopi bubuk", "1 tahun"} {
		c.Send(text)
	}
	room, msg := c.ButtonData(h.T("id", "Storage_room"))
	c.PressData(room, msg)
	c.Expect(h.T("id", "DocName_product_photo")) // the NIB came with the profile
	second := c.PressData(room, msg)
	if len(second.Replies) != 0 || second.Answer != "" {
		t.Fatalf("a double tap was answered: %+v", second)
	}
	// The question shown by the first tap is still alive.
	c.Send("nanti")
	c.Expect(h.T("id", "DocName_label_design"))

	// Now the same button is old (something else was handled since): one toast and the question,
	// no extra message.
	res := c.PressData(room, msg)
	if res.Answer != h.T("id", "CommonStaleButton") {
		t.Fatalf("old button toast = %q", res.Answer)
	}
	if len(res.Replies) != 1 || !strings.Contains(res.Replies[0].Text, h.T("id", "DocName_label_design")) || res.Replies[0].Buttons == nil {
		t.Fatalf("old button: want only the current question, got %+v", res.Replies)
	}
}

// A double tap on "Nanti" of the last document leaves "Kirim" of the summary working.
func TestDoubleTapOnLaterThenSend(t *testing.T) {
	h := flowtest.New(t)
	c := h.Chat(803, "id")
	c.CompleteProfile("Kopi Bajawa")
	c.Send("/daftar")
	c.PressMsg("PathName_spp_irt")
	c.FillProduct("Kopi Luwak")
	c.Send("6 bulan")
	c.PressMsg("Storage_room")
	var summary flows.Result
	for i := 0; !c.HasButton(h.T("id", "CommonSendButton")) && i < 20; i++ {
		data, msg := c.ButtonData(h.T("id", "CommonLater"))
		summary = c.PressData(data, msg)
		if c.HasButton(h.T("id", "CommonSendButton")) {
			c.PressData(data, msg) // the double tap
			break
		}
	}
	send := ""
	for _, b := range lastButtons(summary) {
		if b.Label == h.T("id", "CommonSendButton") {
			send = b.Data
		}
	}
	c.PressData(send, c.MsgID)
	if flowtest.AppNumberRE.FindString(c.Text()) == "" {
		t.Fatalf("no application after a double tap:\n%s", c.Transcript())
	}
}

// A greeting or "menu" typed while a question is open shows the question again, with a line
// saying where we were; it is never taken as the answer, also after a restart.
func TestGreetingMidQuestion(t *testing.T) {
	h := flowtest.New(t)
	c := startRegistration(t, h, 804)
	h.E = h.Engine() // a restart
	for _, text := range []string{"halo", "Selamat pagi", "menu"} {
		c.Send(text)
		c.ExpectMsg("CommonWeWereAt", map[string]any{"What": h.T("id", "RegisterTitle", map[string]any{"Label": ""})})
		c.ExpectMsg("RegisterAskProductName")
	}
	c.Send("Kopi Luwak")
	c.ExpectMsg("RegisterAskProductType")
	c.Send("/menu") // the command still opens the menu
	c.ExpectMsg("MenuText")
}

// A voice note or a sticker (an event without text) is told the bot cannot listen yet, and the
// question is asked again.
func TestVoiceNoteMidQuestion(t *testing.T) {
	h := flowtest.New(t)
	c := startRegistration(t, h, 805)
	c.Do(flows.Event{Kind: flows.EventText})
	c.ExpectMsg("CommonCannotListen")
	c.ExpectMsg("RegisterAskProductName")
	c.ExpectNot(h.T("id", "CommonNeedText"))
	c.Send("Kopi Luwak")
	c.Do(flows.Event{Kind: flows.EventText}) // at the next question: the same
	c.ExpectMsg("CommonCannotListen")
	c.Send("/menu")
	c.Do(flows.Event{Kind: flows.EventText}) // and with no question open
	c.ExpectMsg("CommonCannotListen")
	c.ExpectMsg("MenuText")
}

// At a document step, "nanti saya kirim" is "Nanti"; a typed question points to /bantuan; and
// /bantuan explains the document (where to get it) instead of asking again.
func TestDocumentStepWords(t *testing.T) {
	h := flowtest.New(t)
	c := h.Chat(806, "id")
	c.CompleteProfile("Kopi Bajawa")
	c.Send("/daftar")
	c.PressMsg("PathName_spp_irt")
	c.FillProduct("Kopi Luwak")
	c.Send("6 bulan")
	c.PressMsg("Storage_room")
	for !strings.Contains(c.Text(), h.T("id", "DocName_label_design")) {
		c.PressMsg("CommonLater")
	}
	c.Send("biayanya berapa?")
	c.ExpectMsg("CommonFileStepText")
	c.Send("/bantuan")
	c.ExpectMsg("DocGuide_label_design")
	c.ExpectNot(h.T("id", "CommonNeedFile"))
	c.Send("labelnya belum jadi, nanti saya kirim")
	c.ExpectNot(h.T("id", "DocName_label_design"))
	c.ExpectNot(h.T("id", "CommonFileStepText"))
}

// After /hapus_data a greeting starts afresh.
func TestGreetingAfterDeletingData(t *testing.T) {
	h := flowtest.New(t)
	c := h.Chat(807, "id")
	c.CompleteProfile("Kopi Bajawa")
	c.Send("/hapus_data")
	c.PressMsg("CommonYes")
	c.Send("halo")
	c.ExpectMsg("ProfileAskName")
	c.ExpectNot(h.T("id", "MenuNotUnderstood"))
}

// sendDocuments answers every document question with a photo, but "Nanti" for the one named
// later, up to the summary.
func sendDocuments(t *testing.T, c *flowtest.Chat, later string) {
	t.Helper()
	for i := 0; !c.HasButton(c.H.T(c.Lang, "CommonSendButton")); i++ {
		if i == 20 {
			t.Fatalf("no summary after 20 documents:\n%s", c.Transcript())
		}
		if later != "" && strings.Contains(c.Text(), later) {
			c.PressMsg("CommonLater")
			continue
		}
		c.Photo()
	}
}

// setStatus moves an application as staff would, through the store (the staff flows are tested
// on their side).
func setStatus(t *testing.T, h *flowtest.Harness, number, from, to string) {
	t.Helper()
	app, err := store.ApplicationByNumber(context.Background(), h.DB.DB(), number)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.ChangeStatus(context.Background(), h.DB.DB(), app.ID, from, to, "staff", 1, "Label belum lengkap", nil, h.Clock()); err != nil {
		t.Fatal(err)
	}
}

// After "perbaikan berkas" the owner replaces a document already sent and resubmits: needs_fix →
// submitted, recorded as the owner's move.
func TestNeedsFixReplaceAndResubmit(t *testing.T) {
	h := flowtest.New(t)
	c := h.Chat(808, "id")
	c.CompleteProfile("Kopi Bajawa")
	c.Send("/daftar")
	c.PressMsg("PathName_spp_irt")
	c.FillProduct("Kopi Luwak")
	c.Send("6 bulan")
	c.PressMsg("Storage_room")
	sendDocuments(t, c, "")
	c.PressMsg("CommonSendButton")
	number := flowtest.AppNumberRE.FindString(c.Text())
	setStatus(t, h, number, "submitted", "in_review")
	setStatus(t, h, number, "in_review", "needs_fix")

	c.Send("/dokumen")
	c.ExpectMsg("DocumentsAskReplace", map[string]any{"Number": number})
	c.Press("📄 " + h.T("id", "DocName_label_design"))
	c.Upload("label-baru.pdf", "application/pdf", 2000)
	c.ExpectMsg("DocumentsSaved", map[string]any{"Name": h.T("id", "DocName_label_design")})
	c.PressMsg("DocumentsResubmitButton")
	c.ExpectMsg("DocumentsResubmitted", map[string]any{"Number": number})
	var status, name string
	h.Query(&status, `SELECT status FROM applications WHERE number = $1`, number)
	h.Query(&name, `SELECT d.file_name FROM application_documents d JOIN applications a ON a.id = d.application_id WHERE a.number = $1 AND d.kind = 'label_design'`, number)
	if status != "submitted" || name != "label-baru.pdf" {
		t.Fatalf("status %q, label %q\n%s", status, name, c.Transcript())
	}
	var actor string
	h.Query(&actor, `SELECT h.actor_kind FROM application_status_history h JOIN applications a ON a.id = h.application_id WHERE a.number = $1 ORDER BY h.id DESC LIMIT 1`, number)
	if actor != "owner" {
		t.Fatalf("resubmission recorded as %q", actor)
	}
}

// A recommended document skipped with "Nanti" can be sent later through /dokumen.
func TestRecommendedDocumentLater(t *testing.T) {
	h := flowtest.New(t)
	c := h.Chat(809, "id")
	c.CompleteProfile("Kopi Bajawa")
	c.Send("/daftar")
	c.PressMsg("PathName_spp_irt")
	c.FillProduct("Kopi Luwak")
	c.Send("6 bulan")
	c.PressMsg("Storage_room")
	sendDocuments(t, c, h.T("id", "DocName_halal_certificate"))
	c.PressMsg("CommonSendButton")
	c.Send("/dokumen")
	c.Expect(h.T("id", "DocName_halal_certificate"))
	c.Upload("halal.pdf", "application/pdf", 1000)
	c.ExpectMsg("DocumentsSaved", map[string]any{"Name": h.T("id", "DocName_halal_certificate")})
}

// An owner withdraws an application that is still open.
func TestWithdrawApplication(t *testing.T) {
	h := flowtest.New(t)
	c := h.Chat(810, "id")
	c.CompleteProfile("Kopi Bajawa")
	number := c.QuickRegister("Kopi Luwak")
	c.Send("/status " + number)
	c.PressMsg("StatusWithdrawButton")
	c.ExpectMsg("StatusWithdrawConfirm", map[string]any{"Number": number, "Product": "Kopi Luwak"})
	c.PressMsg("CommonYes")
	c.ExpectMsg("StatusWithdrawn", map[string]any{"Number": number, "Office": "Dinas Kesehatan Kabupaten Ngada"})
	var status string
	h.Query(&status, `SELECT status FROM applications WHERE number = $1`, number)
	if status != "withdrawn" {
		t.Fatalf("status %q", status)
	}
	c.Send("/status " + number)
	if c.HasButton(h.T("id", "StatusWithdrawButton")) {
		t.Fatal("a withdrawn application offers withdrawal again")
	}
}

// English messages name the English commands, which work.
func TestEnglishMessagesNameEnglishCommands(t *testing.T) {
	indonesian := regexp.MustCompile(`/(batal|kembali|bantuan|daftar|profil|dokumen|pengajuan|pelatihan|hapus_data|bahasa)\b`)
	files, err := filepath.Glob("../../locales/*.en.toml")
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, "../../locales/en.toml")
	for _, f := range files {
		if strings.HasSuffix(f, "staff.en.toml") {
			continue // staff read Indonesian commands
		}
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(raw), "\n") {
			if strings.HasPrefix(line, "description") {
				continue
			}
			if m := indonesian.FindString(line); m != "" {
				t.Errorf("%s:%d names %s to English readers", filepath.Base(f), i+1, m)
			}
		}
	}
	h := flowtest.New(t)
	c := h.Chat(811, "en")
	c.CompleteProfile("Coffee")
	c.Send("/menu")
	c.Send("/help")
	c.Expect("/documents", "/register", "/delete_data")
	c.Send("/documents")
	c.ExpectMsg("DocumentsNoneMissing")
}

// "Not found" names the number as the bot read it.
func TestNotFoundShowsNormalisedNumber(t *testing.T) {
	h := flowtest.New(t)
	c := h.Chat(812, "id")
	c.Send("/status ntt 0000 0000")
	c.Expect("NTT-0000-0000")
	c.ExpectNot("ntt 0000 0000")
}
