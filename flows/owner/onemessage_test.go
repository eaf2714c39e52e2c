package owner_test

import (
	"context"
	"strings"
	"testing"

	"umkmbot/flows"
	"umkmbot/flows/domain"
	"umkmbot/flows/flowtest"
	"umkmbot/store"
)

// Outside the registration, one update gets one message: a confirmation comes with the menu or
// the next step in the same message, never as a message of its own before it.
func TestOneMessagePerUpdate(t *testing.T) {
	h := flowtest.New(t)
	c := h.Chat(830, "id")
	number := ownerWithApplication(t, c, "spp_irt", "Kopi Luwak")
	stranger := h.Chat(831, "id")
	stranger.Send("/start")

	one := func(c *flowtest.Chat, what string) {
		t.Helper()
		if n := len(c.Last.Replies); n != 1 {
			t.Errorf("%s: %d messages, want 1:\n%s", what, n, c.Transcript())
		}
	}
	c.Send("/menu")
	one(c, "/menu")
	c.Send("/start")
	one(c, "/start of a returning owner")
	c.ExpectMsg("StartWelcomeBack", map[string]any{"Name": "Maria Goreti"})
	c.ExpectMsg("MenuText")
	c.Send("/pengajuan")
	one(c, "/pengajuan")
	c.Send("/status " + number)
	one(c, "/status of one's own application")
	c.Send("/status")
	one(c, "/status without a number")
	c.Send("/status NTT-0000-0000")
	one(c, "/status of a number never issued")
	c.ExpectMsg("MenuText")
	stranger.Send("/status " + number)
	one(stranger, "/status of someone else's application")
	stranger.ExpectMsg("StatusDisclaimer")
	c.Send("/dokumen")
	one(c, "/dokumen")
	c.Send("/menu")
	c.Send("/bahasa")
	one(c, "/bahasa")
	c.PressMsg("LanguageEnglish")
	one(c, "choosing a language")
	c.Lang = "en"
	c.ExpectMsg("LanguageChanged")
	c.ExpectMsg("MenuText")
	c.Lang = "id"
	c.Send("/bahasa")
	c.PressMsg("LanguageIndonesian")
	c.Send("/batal")
	one(c, "/batal with nothing to cancel")
	c.ExpectMsg("CommonNothingToCancel")
	c.Send("/daftar")
	c.Send("/batal")
	one(c, "/batal at the first question")
	c.ExpectMsg("CommonCancelled")
	c.ExpectMsg("MenuText")
}

// After withdrawing, the owner is told what happens next and who does it: the office is told
// and stops working on it.
func TestWithdrawSaysWhatNext(t *testing.T) {
	h := flowtest.New(t)
	c := h.Chat(832, "id")
	number := ownerWithApplication(t, c, "spp_irt", "Kopi Luwak")
	c.Send("/status " + number)
	c.PressMsg("StatusWithdrawButton")
	c.PressMsg("CommonYes")
	if n := len(c.Last.Replies); n != 1 {
		t.Fatalf("%d messages after withdrawing, want 1:\n%s", n, c.Transcript())
	}
	c.Expect("Dinas Kesehatan Kabupaten Ngada")
}

// An application's status says who looks at it now and what the owner still sends, with the
// button to send it.
func TestStatusSaysWhoAndWhatNext(t *testing.T) {
	h := flowtest.New(t)
	c := h.Chat(833, "id")
	number := ownerWithApplication(t, c, "md", "Sambal Se'i")
	unit, ok := h.E.Rules().OfficeFor(domain.PathMD, "ngada")
	if !ok {
		t.Fatal("no BPOM unit for Ngada")
	}
	c.Send("/status " + number)
	c.Expect(unit.Name)
	c.ExpectMsg("StatusMissingDocs", map[string]any{"Missing": "• " + h.T("id", "DocName_label_design")})
	if !c.HasButton(h.T("id", "MenuDocuments")) {
		t.Fatalf("no button to send the missing documents:\n%s", c.Transcript())
	}
}

// /bantuan outside a question lists every owner command, /hapus_data and /izin_saya included; in
// English, by their English names.
func TestMenuHelpListsCommands(t *testing.T) {
	h := flowtest.New(t)
	for lang, names := range map[string][]string{
		"id": {"/daftar", "/status", "/pengajuan", "/izin_saya", "/dokumen", "/pelatihan", "/profil", "/bahasa", "/hapus_data"},
		"en": {"/register", "/status", "/applications", "/my_permits", "/documents", "/trainings", "/profile", "/language", "/delete_data"},
	} {
		help := h.T(lang, "MenuHelp")
		for _, n := range names {
			if !strings.Contains(help, n+" ") {
				t.Errorf("%s MenuHelp does not list %s", lang, n)
			}
		}
	}
}

// The owner's notice of a status change says who looks at the application now, as /status does.
func TestStatusNoticeNamesTheOffice(t *testing.T) {
	h := flowtest.New(t)
	c := h.Chat(834, "id")
	number := ownerWithApplication(t, c, "spp_irt", "Kopi Luwak")
	ctx := context.Background()
	db := h.DB.DB()
	app, err := store.ApplicationByNumber(ctx, db, number)
	if err != nil {
		t.Fatal(err)
	}
	admin := h.AddStaff(9834, "", "admin")
	res, err := h.E.Act(ctx, db, flows.Actor{Role: flows.RoleAdmin, Staff: &admin}, "id", h.Clock(), func(fc *flows.Ctx) error {
		return fc.Transition(flows.Change{App: app, To: domain.StatusInReview})
	})
	if err != nil {
		t.Fatal(err)
	}
	office, _ := h.E.Rules().OfficeFor(domain.PathSPPIRT, "ngada")
	for _, n := range res.Notices {
		if n.ChatID == c.User {
			if !strings.Contains(n.Reply.Text, office.Name) || strings.Contains(n.Reply.Text, "[[") {
				t.Fatalf("the owner's notice does not name %s:\n%s", office.Name, n.Reply.Text)
			}
			return
		}
	}
	t.Fatalf("no notice to the owner: %+v", res.Notices)
}

// A returning owner with a registration set aside is welcomed and offered it in one message.
func TestWelcomeBackWithDraftIsOneMessage(t *testing.T) {
	h := flowtest.New(t)
	c := h.Chat(835, "id")
	c.CompleteProfile("Kopi Bajawa")
	c.PressMsg("PathName_spp_irt")
	c.Send("Kopi Luwak")
	c.Send("/pelatihan") // sets the registration aside
	c.Send("/start")
	if n := len(c.Last.Replies); n != 1 {
		t.Fatalf("%d messages, want 1:\n%s", n, c.Transcript())
	}
	c.ExpectMsg("StartWelcomeBack", map[string]any{"Name": "Maria Goreti"})
	if !c.Mentions("Kopi Luwak") {
		t.Fatalf("the registration set aside is not offered:\n%s", c.Transcript())
	}
}
