package flows_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"umkmbot/store"
)

var appNumberRE = regexp.MustCompile(`NTT-[0-9A-Z]{4}-[0-9A-Z]{4}`)

// addStaff makes a staff member of a unit (or an admin when unit is "").
func (h *harness) addStaff(tgID int64, unit, role string) {
	h.t.Helper()
	s := store.Staff{TelegramUserID: tgID, Name: "Petugas", Unit: unit, Role: role, Active: true}
	if err := store.SaveStaff(context.Background(), h.db.DB(), &s); err != nil {
		h.t.Fatal(err)
	}
}

// fillProduct answers the product questions of a registration with good values.
func (c *chat) fillProduct(name string) {
	c.t.Helper()
	c.expectMsg("RegisterAskProductName")
	c.send(name)
	c.expectMsg("RegisterAskBrand")
	c.send("Mantap")
	c.expectMsg("RegisterAskProductType")
	c.send("Kopi bubuk")
	c.send("Kopi arabika 100%")
	c.expectMsg("RegisterAskPackaging")
	c.pressMsg("Packaging_pouch")
	c.expectMsg("RegisterAskNetContent")
}

// The whole registration of a home-industry coffee: the path chosen with "help me choose",
// the checklist, product data with its validation errors, documents (good, too large, wrong
// type, later), the summary with one change, the number, and what the database and staff get.
func TestRegistrationTranscript(t *testing.T) {
	h := newHarness(t)
	h.addStaff(9001, "bbpom_kupang", "staff") // Ngada has no unit of its own: Kupang covers it
	h.addStaff(9002, "loka_ende", "staff")    // another unit: not told
	h.addStaff(9003, "", "admin")             // admins hear of everything
	c := h.chat(201, "id")
	c.completeProfile("Kopi Bajawa Mantap")

	c.send("/daftar")
	c.expectMsg("RegisterAskPath")
	c.pressMsg("RegisterHelpMeChoose")
	c.expectMsg("ChooseQ_is_food")
	// Until the path is known the number of steps is not: "Langkah 2", no total that would change.
	c.expectMsg("CommonStepNumber", map[string]any{"Step": 2})
	c.expectNot(h.T("id", "CommonStepProgress", map[string]any{"Step": 2, "Total": 11}))
	c.pressMsg("CommonYes")
	c.expectMsg("ChooseQ_short_shelf_life_or_ready_to_eat")
	c.send("tidak") // typed answers work as well as buttons
	c.expectMsg("ChooseQ_home_industry")
	c.pressMsg("CommonYes")
	c.expectMsg("ChooseQ_not_eligible_category")
	c.send("/kembali") // back to the previous question, its answer shown
	c.expectMsg("ChooseQ_home_industry")
	c.pressMsg("CommonYes")
	c.pressMsg("CommonNo")
	c.expectMsg("ChooseReason_home_industry_low_risk")
	c.expect(h.T("id", "PathName_spp_irt"))
	c.pressMsg("RegisterTakeRecommended")
	c.expect("dari") // from here the total is settled

	c.expect(h.T("id", "PathName_spp_irt"), h.T("id", "DocName_nib"), h.T("id", "DocName_pkp_certificate"))
	c.pressMsg("CommonContinueButton")

	c.expectMsg("RegisterAskProductName")
	c.send("K")
	c.expectMsg("CommonTooShort")
	c.fillProduct("Kopi Bajawa")
	c.send("banyak")
	c.expectMsg("RegisterBadNetContent")
	c.send("250 gr")
	c.expectMsg("RegisterAskShelfLife")
	c.send("lama sekali")
	c.expectMsg("RegisterBadShelfLife")
	c.send("12 bulan")
	c.expectMsg("RegisterAskStorage")
	c.pressMsg("Storage_cool_dry")

	// Documents of SPP-IRT, one by one.
	c.expect(h.T("id", "DocName_nib"))
	c.send("ini NIB saya")
	c.expectMsg("CommonNeedFile")
	c.upload("nib.pdf", "application/pdf", 300_000)
	c.expect(h.T("id", "DocName_product_photo"))
	c.photo()
	c.expect(h.T("id", "DocName_label_design"))
	c.upload("label.zip", "application/zip", 10_000)
	c.expectMsg("CommonFileWrongType")
	c.upload("label.pdf", "application/pdf", 25<<20)
	c.expectMsg("CommonFileTooLarge", map[string]any{"MaxMB": 20})
	c.upload("label.pdf", "application/pdf", 2<<20)
	c.expect(h.T("id", "DocName_pkp_certificate"))
	for !c.hasButton(h.T("id", "CommonSendButton")) {
		c.pressMsg("CommonLater") // the rest later
	}
	c.expectMsg("RegisterSummary")
	c.expect("Kopi Bajawa", "250 g", h.T("id", "Storage_cool_dry"), "label.pdf", h.T("id", "DocMissing"))

	c.pressMsg("CommonEditButton")
	c.pressMsg("RegisterAskProductNameField")
	c.send("Kopi Arabika Bajawa")
	c.expectMsg("RegisterSummary")
	c.expect("Kopi Arabika Bajawa")

	res := c.pressMsg("CommonSendButton")
	number := appNumberRE.FindString(c.text())
	if number == "" {
		t.Fatalf("no application number in the reply:\n%s", c.transcript())
	}
	c.expectMsg("RegisterSubmitted", map[string]any{"Number": number, "Product": "Kopi Arabika Bajawa", "Path": h.T("id", "PathName_spp_irt")})

	var status, path, product string
	h.query(&status, `SELECT status FROM applications WHERE number = $1`, number)
	h.query(&path, `SELECT path FROM applications WHERE number = $1`, number)
	h.query(&product, `SELECT product->>'net_content' FROM applications WHERE number = $1`, number)
	if status != "submitted" || path != "spp_irt" || product != "250 g" {
		t.Fatalf("database: status=%q path=%q net_content=%q", status, path, product)
	}
	var uploaded, missing int
	h.query(&uploaded, `SELECT count(*) FROM application_documents WHERE file_id IS NOT NULL`)
	h.query(&missing, `SELECT count(*) FROM application_documents WHERE file_id IS NULL AND required`)
	if uploaded != 3 || missing == 0 {
		t.Fatalf("documents: %d uploaded (want 3), %d required missing", uploaded, missing)
	}
	var hist int
	h.query(&hist, `SELECT count(*) FROM application_status_history`)
	if hist != 1 {
		t.Fatalf("%d history rows, want 1 (submitted)", hist)
	}

	told := map[int64]bool{}
	for _, n := range res.Notices {
		told[n.ChatID] = true
		if !strings.Contains(n.Reply.Text, number) {
			t.Errorf("staff notice lacks the number: %q", n.Reply.Text)
		}
		if n.DedupeKey == "" {
			t.Errorf("staff notice without a dedupe key")
		}
	}
	if !told[9001] || !told[9003] || told[9002] {
		t.Fatalf("staff told: %v, want Kupang's staff and the admin only", told)
	}

	// The session is clean: a new /daftar starts afresh, with no offer to resume.
	c.send("/daftar")
	c.expectMsg("RegisterAskPath")
}

// Choosing a path directly skips the questions; /batal asks before throwing answers away.
func TestRegistrationCancelAsksFirst(t *testing.T) {
	h := newHarness(t)
	c := h.chat(202, "id")
	c.completeProfile("Sabun Kelor")
	c.send("/daftar")
	c.pressMsg("PathName_kosmetik")
	c.pressMsg("CommonContinueButton")
	c.send("Sabun Kelor Segar")
	c.pressMsg("CommonBack") // the button, not the command: one step back, the answer shown
	c.expectMsg("RegisterAskProductName")
	c.expect("Sabun Kelor Segar")
	c.send("Sabun Kelor Segar")
	c.pressMsg("RegisterNoBrand")
	c.send("Sabun mandi batang")
	c.send("ab")
	c.expectMsg("RegisterBadComposition")
	c.send("minyak kelapa 70%, daun kelor 25%, garam 5%")
	c.expectMsg("RegisterAskPackaging")
	c.send("/kembali")
	c.send("/kembali")
	c.send("/kembali")
	c.expectMsg("RegisterAskBrand")
	c.send("/batal")
	c.expectMsg("CommonConfirmCancel")
	c.pressMsg("CommonCancelNo")
	c.expectMsg("RegisterAskBrand")
	c.pressMsg("CommonCancelButton")
	c.expectMsg("CommonConfirmCancel")
	c.pressMsg("CommonCancelYes")
	c.expectMsg("CommonCancelled")
	var n int
	h.query(&n, `SELECT count(*) FROM applications`)
	if n != 0 {
		t.Fatalf("%d applications after cancel", n)
	}
	c.send("/daftar")
	c.expectMsg("RegisterAskPath")
	c.expectNot(h.T("id", "CommonResumeYes"))
}

// A button of an older question is refused with a message, and the current question is shown
// again; the conversation goes on.
func TestStaleButton(t *testing.T) {
	h := newHarness(t)
	c := h.chat(203, "id")
	c.completeProfile("Madu Alor")
	c.send("/daftar")
	oldData, oldMsg := c.buttonData(h.T("id", "PathName_md"))
	c.pressMsg("PathName_spp_irt")
	c.expect(h.T("id", "DocName_pkp_certificate"))
	res := c.pressData(oldData, oldMsg)
	if res.Answer != h.T("id", "CommonStaleButton") {
		t.Fatalf("button answer = %q, want the stale-button notice", res.Answer)
	}
	c.expectMsg("CommonStaleButton")
	c.expect(h.T("id", "DocName_pkp_certificate"))
	c.pressMsg("CommonContinueButton")
	c.expectMsg("RegisterAskProductName")

	// Garbage callback data is also handled politely.
	c.pressData("zzz", 1)
	c.expectMsg("CommonStaleButton")
}

// The yes/no questions of "help me choose" share their buttons' values, so only the question's
// sequence number tells an old "Ya" from the current one. Pressed again at the second question,
// the first question's "Ya" is refused: it must not answer "short shelf life?" with yes and
// tell the owner they need no permit.
func TestStaleButtonSameValueAtNextQuestion(t *testing.T) {
	h := newHarness(t)
	c := h.chat(205, "id")
	c.completeProfile("Kopi Bajawa")
	c.send("/daftar")
	c.pressMsg("RegisterHelpMeChoose")
	c.expectMsg("ChooseQ_is_food")
	oldYes, oldMsg := c.buttonData(h.T("id", "CommonYes"))
	c.pressMsg("CommonYes")
	c.expectMsg("ChooseQ_short_shelf_life_or_ready_to_eat")
	if newYes, _ := c.buttonData(h.T("id", "CommonYes")); newYes == oldYes {
		t.Fatalf("both questions' Ya buttons carry %q: the test would prove nothing", oldYes)
	}

	res := c.pressData(oldYes, oldMsg)
	if res.Answer != h.T("id", "CommonStaleButton") {
		t.Fatalf("button answer = %q, want the stale-button notice\ntranscript:\n%s", res.Answer, c.transcript())
	}
	c.expectMsg("CommonStaleButton")
	c.expectNot(h.T("id", "ChooseReason_short_shelf_life_or_ready_to_eat"))
	c.expectMsg("ChooseQ_short_shelf_life_or_ready_to_eat") // asked again, not answered

	// The conversation goes on from the question it was at.
	c.pressMsg("CommonNo")
	c.expectMsg("ChooseQ_home_industry")
}

// A registration half done survives a restart (a new engine on the same database) and is
// offered back when the owner returns days later, by name.
func TestRegistrationSurvivesRestartAndIsOfferedBack(t *testing.T) {
	h := newHarness(t)
	c := h.chat(204, "id")
	c.completeProfile("Kopi Bajawa")
	c.send("/daftar")
	c.pressMsg("PathName_spp_irt")
	c.pressMsg("CommonContinueButton")
	c.send("Kopi Bajawa")
	c.expectMsg("RegisterAskBrand")

	h.e = h.engine() // restart
	c.send("Mantap")
	c.expectMsg("RegisterAskProductType")

	// Another command parks the registration; the menu offers it back.
	c.send("/pelatihan")
	c.send("/menu")
	if !c.hasButton(h.T("id", "MenuResume", map[string]any{"What": h.T("id", "RegisterTitle", map[string]any{"Label": "Kopi Bajawa"})})) {
		t.Fatalf("the menu does not offer the parked registration back:\n%s", c.transcript())
	}

	// Days later, /daftar asks whether to continue.
	h.advance(72 * time.Hour)
	h.e = h.engine()
	c.send("/daftar")
	c.expectMsg("CommonResumeOffer", map[string]any{"What": h.T("id", "RegisterTitle", map[string]any{"Label": "Kopi Bajawa"})})
	c.pressMsg("CommonResumeYes")
	c.expectMsg("RegisterAskProductType")
	c.send("Kopi bubuk")
	c.expectMsg("RegisterAskComposition")

	// Left in the middle for two days, the next message is taken as a return, not an answer.
	h.advance(48 * time.Hour)
	c.send("halo")
	c.expectMsg("CommonResumeOffer", map[string]any{"What": h.T("id", "RegisterTitle", map[string]any{"Label": "Kopi Bajawa"})})
	c.pressMsg("CommonResumeYes")
	c.expectMsg("RegisterAskComposition")
	c.send("Kopi arabika")
	c.expectMsg("RegisterAskPackaging")

	// "Start again" throws the draft away.
	c.send("/menu")
	c.send("/daftar")
	c.pressMsg("CommonResumeFresh")
	c.expectMsg("RegisterAskPath")
}

// An owner with no profile who asks to register is asked for the profile first, then goes on
// to the registration.
func TestRegisterAsksProfileFirst(t *testing.T) {
	h := newHarness(t)
	c := h.chat(205, "id")
	c.send("/daftar")
	c.expectMsg("RegisterProfileFirst")
	c.expectMsg("ProfileAskName")
	c.send("Agustina")
	c.send("Tenun dan Kelor")
	c.send("Sikka")
	c.send("Maumere")
	c.contact("+62 813 5555 6666", true)
	c.send("1234567890123")
	c.pressMsg("CommonSkip")
	c.pressMsg("CommonSendButton")
	c.expectMsg("ProfileSaved", map[string]any{"Name": "Agustina"})
	c.expectMsg("RegisterAskPath")
}
