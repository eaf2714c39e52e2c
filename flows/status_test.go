package flows_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"umkmbot/flows/domain"
	"umkmbot/store"
)

// quickRegister submits an SPP-IRT application with every document left for later and returns
// its number.
func (c *chat) quickRegister(product string) string {
	c.t.Helper()
	c.send("/daftar")
	c.pressMsg("PathName_spp_irt")
	c.pressMsg("CommonContinueButton")
	c.fillProduct(product)
	c.send("500 ml")
	c.send("6 bulan")
	c.pressMsg("Storage_room")
	for !c.hasButton(c.h.T(c.lang, "CommonSendButton")) {
		c.pressMsg("CommonLater")
	}
	c.pressMsg("CommonSendButton")
	n := appNumberRE.FindString(c.text())
	if n == "" {
		c.t.Fatalf("no number:\n%s", c.transcript())
	}
	return n
}

// The owner sees everything about their application; a stranger with the number sees only the
// coarse status; a typo is caught by the check symbol.
func TestStatusOwnerStrangerTypo(t *testing.T) {
	h := newHarness(t)
	owner := h.chat(301, "id")
	owner.completeProfile("VCO Rote")
	number := owner.quickRegister("Minyak Kelapa Murni")

	owner.send("/status " + number)
	owner.expectMsg("Status_submitted")
	owner.expect(number, "Minyak Kelapa Murni", h.T("id", "DocName_pkp_certificate"))
	owner.expectMsg("StatusDisclaimer")

	// Lower case, no hyphens, no prefix, O for 0: still found.
	loose := strings.ToLower(strings.ReplaceAll(strings.TrimPrefix(number, "NTT-"), "-", " "))
	owner.send("/status " + loose)
	owner.expect(number, "Minyak Kelapa Murni")

	stranger := h.chat(302, "id")
	stranger.send("/status " + number)
	stranger.expectMsg("StatusPublic", map[string]any{"Number": number, "Status": h.T("id", "Status_submitted"), "Since": h.msgs.For("id").ShortDate(h.clock())})
	stranger.expectNot("Minyak Kelapa Murni")
	stranger.expectNot("Maria")
	stranger.expectNot("+62")

	// One symbol changed: the check symbol catches it before any lookup.
	typo := []byte(number)
	if typo[4] == '7' {
		typo[4] = '8'
	} else {
		typo[4] = '7'
	}
	stranger.send("/status " + string(typo))
	stranger.expectMsg("StatusInvalidNumber", map[string]any{"Input": string(typo)})
	stranger.expectMsg("StatusAskNumber")
	stranger.send(number) // the conversation goes on: the corrected number is looked up
	stranger.expect(number)
	stranger.send("/status nomor-asal")
	stranger.expectMsg("StatusAskNumber")
	stranger.send("/batal") // the question after a typo is a real step: it can be cancelled
	stranger.expectMsg("CommonCancelled")

	// A well-formed number (its check symbol is right: seven zeros check to 0) that was never
	// issued: not found, which is not the same answer as a typo.
	if _, err := (domain.AppNumberer{Prefix: "NTT"}).Parse("NTT-0000-0000"); err != nil {
		t.Fatalf("NTT-0000-0000 should be a well-formed number: %v", err)
	}
	stranger.send("/status NTT-0000-0000")
	stranger.expectMsg("StatusNotFound", map[string]any{"Input": "NTT-0000-0000"})
	stranger.expectNot(h.T("id", "StatusInvalidNumber", map[string]any{"Input": "NTT-0000-0000"}))

	// The deep link /start status_<number>.
	deep := h.chat(303, "id")
	deep.send("/start status_" + strings.ReplaceAll(number, "-", ""))
	deep.expect(h.T("id", "Status_submitted"))

	// A number typed with no command is looked up too.
	owner.send(number)
	owner.expect("Minyak Kelapa Murni")
}

// Lookups are rate-limited per user, so numbers cannot be walked through.
func TestStatusLookupsAreRateLimited(t *testing.T) {
	h := newHarness(t)
	c := h.chat(304, "id")
	for i := 0; i < 8; i++ {
		c.send("/status NTT-AAAA-AAAA") // invalid check symbol (or unknown): a failed lookup
	}
	c.send("/status NTT-AAAA-AAAB")
	c.expectMsg("StatusTooManyLookups")
	h.advance(2 * time.Hour)
	c.send("/status NTT-AAAA-AAAB")
	c.expectNot(h.T("id", "StatusTooManyLookups"))
}

// /pengajuan lists the owner's applications; each opens with the full view. Another owner's
// application id pressed through forged data is refused.
func TestApplicationsList(t *testing.T) {
	h := newHarness(t)
	c := h.chat(305, "id")
	c.send("/pengajuan")
	c.expectMsg("ApplicationsNone")
	c.completeProfile("Se'i Sapi")
	n1 := c.quickRegister("Se'i Sapi Asap")
	n2 := c.quickRegister("Sambal Lu'at")
	c.send("/pengajuan")
	c.expect(h.msgs.For("id").N("ApplicationsList", 2))
	var label string
	for _, row := range c.last.Replies[0].Buttons {
		if strings.HasPrefix(row[0].Label, n1) {
			label = row[0].Label
		}
	}
	if label == "" || !c.hasButton(label) {
		t.Fatalf("no button for %s:\n%s", n1, c.transcript())
	}
	data, msg := c.buttonData(label)
	c.press(label)
	c.expect(n1, "Se'i Sapi Asap")
	c.expectNot(n2)

	other := h.chat(306, "id")
	other.pressData(data, msg) // not theirs
	other.expectMsg("CommonStaleButton")
	other.expectNot("Se'i Sapi Asap")
}

// /dokumen takes the documents left for later, saves each at once, and tells staff when the
// application is complete.
func TestDocumentsLater(t *testing.T) {
	h := newHarness(t)
	h.addStaff(9101, "", "admin")
	c := h.chat(307, "id")
	c.completeProfile("Kelor Sikka")
	number := c.quickRegister("Teh Kelor")

	c.send("/dokumen")
	c.expect(h.T("id", "DocName_nib"), number)
	c.upload("nib.pdf", "application/pdf", 1000)
	c.expectMsg("DocumentsSaved", map[string]any{"Name": h.T("id", "DocName_nib")})
	c.send("/menu") // stop half way: the upload is kept
	var got int
	h.query(&got, `SELECT count(*) FROM application_documents WHERE file_id IS NOT NULL`)
	if got != 1 {
		t.Fatalf("%d documents saved, want 1", got)
	}

	c.send("/dokumen")
	c.expectNot(h.T("id", "DocName_nib") + "\n")
	var res = c.last
	for i := 0; i < 20 && !strings.Contains(c.text(), h.T("id", "DocumentsAllDone", map[string]any{"Number": number})); i++ {
		if strings.Contains(c.text(), h.T("id", "DocName_halal_certificate")) && strings.Contains(c.text(), h.T("id", "CommonLater")) {
			res = c.pressMsg("CommonLater")
			continue
		}
		res = c.photo()
	}
	c.expectMsg("DocumentsAllDone", map[string]any{"Number": number})
	found := false
	for _, n := range res.Notices {
		found = found || (n.ChatID == 9101 && strings.Contains(n.Reply.Text, number))
	}
	if !found {
		t.Fatalf("staff were not told the application is complete: %+v", res.Notices)
	}
	c.send("/dokumen")
	c.expectMsg("DocumentsNoneMissing")
}

// /pelatihan lists trainings in the owner's kabupaten first; register and cancel; a full one
// says so.
func TestTrainings(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	mk := func(title, kab string, quota int, in time.Duration) int64 {
		tr := store.Training{Title: title, Kind: "pkp", StartsAt: h.clock().Add(in), DurationMinutes: 960,
			Place: "Aula Dinas Kesehatan", Kabupaten: kab, Quota: quota, Organiser: "Dinas Kesehatan"}
		if err := store.CreateTraining(ctx, h.db.DB(), &tr); err != nil {
			t.Fatal(err)
		}
		return tr.ID
	}
	mk("PKP Kupang", "kota_kupang", 30, 48*time.Hour)
	mk("PKP Ngada", "ngada", 1, 72*time.Hour)
	mk("PKP lalu", "ngada", 30, -48*time.Hour)

	a := h.chat(308, "id")
	a.completeProfile("Kopi Bajawa")
	a.send("/pelatihan")
	if !strings.Contains(a.last.Replies[1].Text, "PKP Ngada") {
		t.Fatalf("the owner's kabupaten should come first:\n%s", a.transcript())
	}
	a.expectNot("PKP lalu")
	a.expect(h.msgs.For("id").DateTime(h.clock().Add(72 * time.Hour)))
	a.pressMsg("TrainingRegisterButton") // the first card's button: PKP Ngada
	a.expectMsg("TrainingRegistered", map[string]any{"Title": "PKP Ngada", "When": h.msgs.For("id").DateTime(h.clock().Add(72 * time.Hour)), "Place": "Aula Dinas Kesehatan"})

	b := h.chat(309, "id")
	b.completeProfile("Kopi Manggarai")
	b.send("/pelatihan")
	b.expectMsg("TrainingFull")

	a.send("/pelatihan")
	a.expectMsg("TrainingYouAreRegistered")
	a.pressMsg("TrainingCancelButton")
	a.expectMsg("TrainingCancelled", map[string]any{"Title": "PKP Ngada", "When": h.msgs.For("id").DateTime(h.clock().Add(72 * time.Hour)), "Place": "Aula Dinas Kesehatan"})
	var n int
	h.query(&n, `SELECT count(*) FROM training_registrations`)
	if n != 0 {
		t.Fatalf("%d registrations after cancel", n)
	}
}

// /hapus_data asks first, then clears the personal data and keeps the application anonymised.
func TestDeleteData(t *testing.T) {
	h := newHarness(t)
	c := h.chat(310, "id")
	c.completeProfile("Madu Timor")
	number := c.quickRegister("Madu Hutan")
	c.send("/hapus_data")
	c.expectMsg("DeleteConfirm")
	c.pressMsg("CommonNo")
	c.expectMsg("DeleteKept")
	c.send("/hapus_data")
	c.pressMsg("CommonYes")
	c.expectMsg("DeleteDone")
	var name, phone *string
	h.query(&name, `SELECT name FROM owners WHERE telegram_user_id = 310`)
	h.query(&phone, `SELECT phone FROM owners WHERE telegram_user_id = 310`)
	if (name != nil && *name != "") || (phone != nil && *phone != "") {
		t.Fatalf("personal data kept: name=%v phone=%v", name, phone)
	}
	var nib *string
	h.query(&nib, `SELECT nib FROM businesses`)
	if nib != nil && *nib != "" {
		t.Fatalf("NIB kept: %v", *nib)
	}
	var apps int
	h.query(&apps, `SELECT count(*) FROM applications WHERE number = $1`, number)
	if apps != 1 {
		t.Fatalf("the application should be kept for BPOM's record")
	}
	// Coming back later is starting afresh.
	c.send("/start")
	c.expectMsg("ProfileAskName")
	c.completeProfileFromName()
	var deleted *time.Time
	h.query(&deleted, `SELECT deleted_at FROM owners WHERE telegram_user_id = 310`)
	if deleted != nil {
		t.Fatalf("an owner who gave their data again is still marked deleted")
	}
}

// An owner whose Telegram is in English is answered in English; /bahasa switches.
func TestEnglishOwner(t *testing.T) {
	h := newHarness(t)
	c := h.chat(311, "en")
	c.send("/start")
	c.expectMsg("ProfileAskName")
	if h.T("en", "ProfileAskName") == h.T("id", "ProfileAskName") {
		t.Fatal("English and Indonesian prompts are the same")
	}
	c.send("/menu")
	c.send("/bahasa")
	c.pressMsg("LanguageIndonesian")
	c.lang = "id"
	c.expectMsg("LanguageChanged")
	c.expectMsg("MenuText")
}

// Two owners registering at the same time do not see each other's answers.
func TestTwoOwnersAtOnce(t *testing.T) {
	h := newHarness(t)
	numbers := make([]string, 2)
	// Each owner is a parallel subtest: the chat helpers stop a failing conversation with
	// Fatalf, which must run on the goroutine of the test it fails. The group returns when both
	// are done, and tells whether both got through.
	ok := t.Run("owners", func(t *testing.T) {
		for i := range 2 {
			t.Run(fmt.Sprintf("owner %d", i), func(t *testing.T) {
				t.Parallel()
				c := h.chat(int64(400+i), "id")
				c.t = t
				c.completeProfile("Usaha " + string(rune('A'+i)))
				numbers[i] = c.quickRegister("Produk " + string(rune('A'+i)))
			})
		}
	})
	if !ok {
		t.FailNow()
	}
	for i, n := range numbers {
		var product string
		h.query(&product, `SELECT product_name FROM applications WHERE number = $1`, n)
		if product != "Produk "+string(rune('A'+i)) {
			t.Fatalf("application %s holds %q", n, product)
		}
	}
}

// Anything typed outside a flow gets the menu, never silence; /bantuan explains the step.
func TestUnknownInputAndHelp(t *testing.T) {
	h := newHarness(t)
	c := h.chat(312, "id")
	c.completeProfile("Kopi")
	c.send("apa kabar?")
	c.expectMsg("MenuNotUnderstood")
	c.expectMsg("MenuText")
	c.send("/entahlah")
	c.expectMsg("MenuUnknownCommand")
	c.send("/daftar")
	c.send("/bantuan")
	c.expectMsg("RegisterHelpPath")
	c.expectMsg("RegisterAskPath")
	c.upload("x.pdf", "application/pdf", 10) // a file where a choice is asked
	c.expectMsg("CommonChooseButton")
}
