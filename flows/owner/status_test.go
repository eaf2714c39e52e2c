package owner_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"umkmbot/flows/domain"
	"umkmbot/flows/flowtest"
	"umkmbot/store"
)

// The owner sees everything about their application; a stranger with the number sees only the
// coarse status; a typo is caught by the check symbol.
func TestStatusOwnerStrangerTypo(t *testing.T) {
	h := flowtest.New(t)
	owner := h.Chat(301, "id")
	owner.CompleteProfile("VCO Rote")
	number := owner.QuickRegister("Minyak Kelapa Murni")

	owner.Send("/status " + number)
	owner.ExpectMsg("Status_submitted")
	owner.Expect(number, "Minyak Kelapa Murni", h.T("id", "DocName_pkp_certificate"))
	owner.ExpectMsg("StatusDisclaimer")

	// Lower case, no hyphens, no prefix, O for 0: still found.
	loose := strings.ToLower(strings.ReplaceAll(strings.TrimPrefix(number, "NTT-"), "-", " "))
	owner.Send("/status " + loose)
	owner.Expect(number, "Minyak Kelapa Murni")

	stranger := h.Chat(302, "id")
	stranger.Send("/status " + number)
	stranger.ExpectMsg("StatusPublic", map[string]any{"Number": number, "Status": h.T("id", "Status_submitted"), "Since": h.Msgs.For("id").ShortDate(h.Clock())})
	stranger.ExpectNot("Minyak Kelapa Murni")
	stranger.ExpectNot("Maria")
	stranger.ExpectNot("+62")

	// One symbol changed: the check symbol catches it before any lookup.
	typo := []byte(number)
	if typo[4] == '7' {
		typo[4] = '8'
	} else {
		typo[4] = '7'
	}
	stranger.Send("/status " + string(typo))
	stranger.ExpectMsg("StatusInvalidNumber", map[string]any{"Input": string(typo)})
	stranger.ExpectMsg("StatusAskNumber")
	stranger.Send(number) // the conversation goes on: the corrected number is looked up
	stranger.Expect(number)
	stranger.Send("/status nomor-asal")
	stranger.ExpectMsg("StatusAskNumber")
	stranger.Send("/batal") // the question after a typo is a real step: it can be cancelled
	stranger.ExpectMsg("CommonCancelled")

	// A well-formed number (its check symbol is right: seven zeros check to 0) that was never
	// issued: not found, which is not the same answer as a typo.
	if _, err := (domain.AppNumberer{Prefix: "NTT"}).Parse("NTT-0000-0000"); err != nil {
		t.Fatalf("NTT-0000-0000 should be a well-formed number: %v", err)
	}
	stranger.Send("/status NTT-0000-0000")
	stranger.ExpectMsg("StatusNotFound", map[string]any{"Input": "NTT-0000-0000"})
	stranger.ExpectNot(h.T("id", "StatusInvalidNumber", map[string]any{"Input": "NTT-0000-0000"}))

	// The deep link /start status_<number>.
	deep := h.Chat(303, "id")
	deep.Send("/start status_" + strings.ReplaceAll(number, "-", ""))
	deep.Expect(h.T("id", "Status_submitted"))

	// A number typed with no command is looked up too.
	owner.Send(number)
	owner.Expect("Minyak Kelapa Murni")
}

// Lookups are rate-limited per user, so numbers cannot be walked through.
func TestStatusLookupsAreRateLimited(t *testing.T) {
	h := flowtest.New(t)
	c := h.Chat(304, "id")
	for i := 0; i < 8; i++ {
		c.Send("/status NTT-AAAA-AAAA") // invalid check symbol (or unknown): a failed lookup
	}
	c.Send("/status NTT-AAAA-AAAB")
	c.ExpectMsg("StatusTooManyLookups")
	h.Advance(2 * time.Hour)
	c.Send("/status NTT-AAAA-AAAB")
	c.ExpectNot(h.T("id", "StatusTooManyLookups"))
}

// /pengajuan lists the owner's applications; each opens with the full view. Another owner's
// application id pressed through forged data is refused.
func TestApplicationsList(t *testing.T) {
	h := flowtest.New(t)
	c := h.Chat(305, "id")
	c.Send("/pengajuan")
	c.ExpectMsg("ApplicationsNone")
	c.CompleteProfile("Se'i Sapi")
	n1 := c.QuickRegister("Se'i Sapi Asap")
	n2 := c.QuickRegister("Sambal Lu'at")
	c.Send("/pengajuan")
	c.Expect(h.Msgs.For("id").N("ApplicationsList", 2))
	var label string
	for _, row := range c.Last.Replies[0].Buttons {
		if strings.HasPrefix(row[0].Label, n1) {
			label = row[0].Label
		}
	}
	if label == "" || !c.HasButton(label) {
		t.Fatalf("no button for %s:\n%s", n1, c.Transcript())
	}
	data, msg := c.ButtonData(label)
	c.Press(label)
	c.Expect(n1, "Se'i Sapi Asap")
	c.ExpectNot(n2)

	other := h.Chat(306, "id")
	other.PressData(data, msg) // not theirs
	other.ExpectMsg("CommonStaleButton")
	other.ExpectNot("Se'i Sapi Asap")
}

// /dokumen takes the documents left for later, saves each at once, and tells staff when the
// application is complete.
func TestDocumentsLater(t *testing.T) {
	h := flowtest.New(t)
	h.AddStaff(9101, "", "admin")
	c := h.Chat(307, "id")
	c.CompleteProfile("Kelor Sikka")
	number := c.QuickRegister("Teh Kelor")

	c.Send("/dokumen")
	c.Expect(h.T("id", "DocName_product_photo"), number) // the NIB came with the profile
	c.Photo()
	c.ExpectMsg("DocumentsSaved", map[string]any{"Name": h.T("id", "DocName_product_photo")})
	c.Send("/menu") // stop half way: the upload is kept
	var got int
	h.Query(&got, `SELECT count(*) FROM application_documents WHERE file_id IS NOT NULL`)
	if got != 1 {
		t.Fatalf("%d documents saved, want 1", got)
	}

	c.Send("/dokumen")
	c.ExpectNot(h.T("id", "DocName_product_photo") + "\n")
	for i := 0; i < 20 && !strings.Contains(c.Text(), h.T("id", "DocumentsAllDone", map[string]any{"Number": number})); i++ {
		if strings.Contains(c.Text(), h.T("id", "DocName_halal_certificate")) && strings.Contains(c.Text(), h.T("id", "CommonLater")) {
			c.PressMsg("CommonLater")
			continue
		}
		c.Photo()
	}
	c.ExpectMsg("DocumentsAllDone", map[string]any{"Number": number})
	found := false
	held := h.HeldStaffNotices() // sent by the staff-notices job
	for _, n := range held {
		found = found || (n.ChatID == 9101 && strings.HasPrefix(n.DedupeKey, "staff:docs:") && strings.Contains(n.Reply.Text, number))
	}
	if !found {
		t.Fatalf("staff were not told the application is complete: %+v", held)
	}
	c.Send("/dokumen") // the recommended document left for later can still be sent
	c.Expect(h.T("id", "DocName_halal_certificate"))
	c.PressMsg("CommonLater")
	c.ExpectMsg("DocumentsAllDone", map[string]any{"Number": number})
}

// /pelatihan lists trainings in the owner's kabupaten first; register and cancel; a full one
// says so.
func TestTrainings(t *testing.T) {
	h := flowtest.New(t)
	ctx := context.Background()
	mk := func(title, kab string, quota int, in time.Duration) int64 {
		tr := store.Training{Title: title, Kind: "pkp", StartsAt: h.Clock().Add(in), DurationMinutes: 960,
			Place: "Aula Dinas Kesehatan", Kabupaten: kab, Quota: quota, Organiser: "Dinas Kesehatan"}
		if err := store.CreateTraining(ctx, h.DB.DB(), &tr); err != nil {
			t.Fatal(err)
		}
		return tr.ID
	}
	mk("PKP Kupang", "kota_kupang", 30, 48*time.Hour)
	mk("PKP Ngada", "ngada", 1, 72*time.Hour)
	mk("PKP lalu", "ngada", 30, -48*time.Hour)

	a := h.Chat(308, "id")
	a.CompleteProfile("Kopi Bajawa")
	a.Send("/pelatihan")
	if !strings.Contains(a.Last.Replies[1].Text, "PKP Ngada") {
		t.Fatalf("the owner's kabupaten should come first:\n%s", a.Transcript())
	}
	a.ExpectNot("PKP lalu")
	a.Expect(h.Msgs.For("id").DateTime(h.Clock().Add(72 * time.Hour)))
	a.PressMsg("TrainingRegisterButton") // the first card's button: PKP Ngada
	a.ExpectMsg("TrainingRegistered", map[string]any{"Title": "PKP Ngada", "When": h.Msgs.For("id").DateTime(h.Clock().Add(72 * time.Hour)), "Place": "Aula Dinas Kesehatan"})

	b := h.Chat(309, "id")
	b.CompleteProfile("Kopi Manggarai")
	b.Send("/pelatihan")
	b.ExpectMsg("TrainingFull")

	a.Send("/pelatihan")
	a.ExpectMsg("TrainingYouAreRegistered")
	a.PressMsg("TrainingCancelButton")
	a.ExpectMsg("TrainingCancelled", map[string]any{"Title": "PKP Ngada", "When": h.Msgs.For("id").DateTime(h.Clock().Add(72 * time.Hour)), "Place": "Aula Dinas Kesehatan"})
	var n int
	h.Query(&n, `SELECT count(*) FROM training_registrations`)
	if n != 0 {
		t.Fatalf("%d registrations after cancel", n)
	}
}

// /hapus_data asks first, then clears the personal data and keeps the application anonymised.
func TestDeleteData(t *testing.T) {
	h := flowtest.New(t)
	c := h.Chat(310, "id")
	c.CompleteProfile("Madu Timor")
	number := c.QuickRegister("Madu Hutan")
	c.Send("/hapus_data")
	c.ExpectMsg("DeleteConfirm")
	c.PressMsg("CommonNo")
	c.ExpectMsg("DeleteKept")
	c.Send("/hapus_data")
	c.PressMsg("CommonYes")
	c.ExpectMsg("DeleteDone")
	var name, phone *string
	h.Query(&name, `SELECT name FROM owners WHERE telegram_user_id = 310`)
	h.Query(&phone, `SELECT phone FROM owners WHERE telegram_user_id = 310`)
	if (name != nil && *name != "") || (phone != nil && *phone != "") {
		t.Fatalf("personal data kept: name=%v phone=%v", name, phone)
	}
	var nib *string
	h.Query(&nib, `SELECT nib FROM businesses`)
	if nib != nil && *nib != "" {
		t.Fatalf("NIB kept: %v", *nib)
	}
	var apps int
	h.Query(&apps, `SELECT count(*) FROM applications WHERE number = $1`, number)
	if apps != 1 {
		t.Fatalf("the application should be kept for BPOM's record")
	}
	// Coming back later is starting afresh.
	c.Send("/start")
	c.ExpectMsg("ProfileAskName")
	c.CompleteProfileFromName()
	var deleted *time.Time
	h.Query(&deleted, `SELECT deleted_at FROM owners WHERE telegram_user_id = 310`)
	if deleted != nil {
		t.Fatalf("an owner who gave their data again is still marked deleted")
	}
}

// An owner whose Telegram is in English is answered in English; /bahasa switches.
func TestEnglishOwner(t *testing.T) {
	h := flowtest.New(t)
	c := h.Chat(311, "en")
	c.Send("/start")
	c.ExpectMsg("ProfileAskName")
	if h.T("en", "ProfileAskName") == h.T("id", "ProfileAskName") {
		t.Fatal("English and Indonesian prompts are the same")
	}
	c.Send("/menu")
	c.Send("/bahasa")
	c.PressMsg("LanguageIndonesian")
	c.Lang = "id"
	c.ExpectMsg("LanguageChanged")
	c.ExpectMsg("MenuText")
}

// Two owners registering at the same time do not see each other's answers.
func TestTwoOwnersAtOnce(t *testing.T) {
	h := flowtest.New(t)
	numbers := make([]string, 2)
	// Each owner is a parallel subtest: the chat helpers stop a failing conversation with
	// Fatalf, which must run on the goroutine of the test it fails. The group returns when both
	// are done, and tells whether both got through.
	ok := t.Run("owners", func(t *testing.T) {
		for i := range 2 {
			t.Run(fmt.Sprintf("owner %d", i), func(t *testing.T) {
				t.Parallel()
				c := h.Chat(int64(400+i), "id")
				c.TB = t
				c.CompleteProfile("Usaha " + string(rune('A'+i)))
				numbers[i] = c.QuickRegister("Produk " + string(rune('A'+i)))
			})
		}
	})
	if !ok {
		t.FailNow()
	}
	for i, n := range numbers {
		var product string
		h.Query(&product, `SELECT product_name FROM applications WHERE number = $1`, n)
		if product != "Produk "+string(rune('A'+i)) {
			t.Fatalf("application %s holds %q", n, product)
		}
	}
}

// Anything typed outside a flow gets the menu, never silence; /bantuan explains the step.
func TestUnknownInputAndHelp(t *testing.T) {
	h := flowtest.New(t)
	c := h.Chat(312, "id")
	c.CompleteProfile("Kopi")
	c.Send("/menu")
	c.Send("apa kabar?")
	c.ExpectMsg("MenuNotUnderstood")
	c.ExpectMsg("MenuText")
	c.Send("/entahlah")
	c.ExpectMsg("MenuUnknownCommand")
	c.Send("/daftar")
	c.Send("/bantuan")
	c.ExpectMsg("RegisterHelpPath")
	c.ExpectMsg("RegisterAskPath")
	c.Upload("x.pdf", "application/pdf", 10) // a file where a choice is asked
	c.ExpectMsg("CommonChooseButton")
}
