package owner_test

import (
	"strings"
	"testing"
	"time"

	"umkmbot/flows/flowtest"
)

// The whole registration of a home-industry coffee: the path chosen with "help me choose",
// the checklist, product data with its validation errors, documents (good, too large, wrong
// type, later), the summary with one change, the number, and what the database and staff get.
func TestRegistrationTranscript(t *testing.T) {
	h := flowtest.New(t)
	h.AddStaff(9001, "dinkes_ngada", "staff") // SPP-IRT from Ngada: Ngada's health office handles it
	h.AddStaff(9002, "bbpom_kupang", "staff") // the BPOM unit covering Ngada: not for SPP-IRT
	h.AddStaff(9004, "loka_ende", "staff")    // another office: not told
	h.AddStaff(9003, "", "admin")             // admins hear of everything
	c := h.Chat(201, "id")
	c.CompleteProfile("Kopi Bajawa Mantap")

	c.Send("/daftar")
	c.ExpectMsg("RegisterAskPath")
	c.PressMsg("RegisterHelpMeChoose")
	c.ExpectMsg("ChooseQ_kind") // the kind of product: one button question, health uses first
	// Until the path is known the number of steps is not: "Langkah 2", no total that would change.
	c.ExpectMsg("CommonStepNumber", map[string]any{"Step": 2})
	c.ExpectNot(h.T("id", "CommonStepProgress", map[string]any{"Step": 2, "Total": 11}))
	c.PressMsg("ChooseA_kind_food")
	c.ExpectMsg("ChooseQ_how_sold")
	c.Send(h.T("id", "ChooseA_how_sold_packed")) // a button's label typed works as well
	c.ExpectMsg("ChooseQ_home_industry")
	c.Send("ya") // typed answers work as well as buttons
	c.ExpectMsg("ChooseQ_not_eligible_category")
	c.Send("/kembali") // back to the previous question, its answer shown
	c.ExpectMsg("ChooseQ_home_industry")
	c.PressMsg("CommonYes")
	c.PressMsg("CommonNo")
	c.ExpectMsg("ChooseReason_home_industry_low_risk")
	c.Expect(h.T("id", "PathName_spp_irt"))
	c.PressMsg("RegisterTakeRecommended")
	c.Expect("dari") // from here the total is settled

	c.Expect(h.T("id", "PathName_spp_irt"), h.T("id", "DocName_pkp_certificate"))
	// The NIB given in the profile counts for the NIB document: shown as given, not asked.
	c.ExpectMsg("RegisterChecklistGiven", map[string]any{"Name": h.T("id", "DocName_nib"), "NIB": "1234567890123"})
	c.ExpectMsg("RegisterChecklistTyped", map[string]any{"Name": h.T("id", "DocName_composition")})

	c.ExpectMsg("RegisterAskProductName")
	c.Send("K")
	c.ExpectMsg("CommonTooShort")
	c.FillProduct("Kopi Bajawa")
	c.Send("lama sekali")
	c.ExpectMsg("RegisterBadShelfLife")
	c.Send("12 bulan")
	c.ExpectMsg("RegisterAskStorage")
	c.PressMsg("Storage_cool_dry")

	// Documents of SPP-IRT, one by one; the NIB is not among them.
	c.Expect(h.T("id", "DocName_product_photo"))
	c.ExpectNot(h.T("id", "DocName_nib"))
	c.Send("ini foto saya")
	c.ExpectMsg("CommonFileStepText")
	c.Photo()
	c.Expect(h.T("id", "DocName_label_design"))
	c.Upload("label.zip", "application/zip", 10_000)
	c.ExpectMsg("CommonFileWrongType")
	c.Upload("label.pdf", "application/pdf", 25<<20)
	c.ExpectMsg("CommonFileTooLarge", map[string]any{"MaxMB": 20})
	c.Upload("label.pdf", "application/pdf", 2<<20)
	c.Expect(h.T("id", "DocName_pkp_certificate"))
	// The composition is asked once, as its document: typed here, it is not asked again.
	for !strings.Contains(c.Text(), h.T("id", "DocName_composition")) {
		c.PressMsg("CommonLater")
	}
	c.Send("biayanya berapa?") // a question is not a composition: pointed to /bantuan
	c.ExpectMsg("CommonFileStepText")
	c.Send("ab")
	c.ExpectMsg("RegisterBadComposition")
	c.Send("kopi arabika 100%")
	for !c.HasButton(h.T("id", "CommonSendButton")) {
		c.PressMsg("CommonLater") // the rest later
	}
	c.ExpectMsg("RegisterSummary")
	c.Expect("Kopi Bajawa", h.T("id", "Storage_cool_dry"), "label.pdf", h.T("id", "DocMissing"), "kopi arabika 100%")

	// The net content waited for the summary: given from its change list.
	c.PressMsg("CommonEditButton")
	c.PressMsg("RegisterAskNetContentField")
	c.Send("banyak")
	c.ExpectMsg("RegisterBadNetContent")
	c.Send("250 gr")
	c.ExpectMsg("RegisterSummary")
	c.Expect("250 g")
	c.PressMsg("CommonEditButton")
	c.PressMsg("RegisterAskProductNameField")
	c.Send("Kopi Arabika Bajawa")
	c.ExpectMsg("RegisterSummary")
	c.Expect("Kopi Arabika Bajawa")

	c.PressMsg("CommonSendButton")
	number := flowtest.AppNumberRE.FindString(c.Text())
	if number == "" {
		t.Fatalf("no application number in the reply:\n%s", c.Transcript())
	}
	c.ExpectMsg("RegisterSubmitted", map[string]any{"Number": number, "Product": "Kopi Arabika Bajawa", "Path": h.T("id", "PathName_spp_irt")})

	var status, path, product, composition string
	h.Query(&status, `SELECT status FROM applications WHERE number = $1`, number)
	h.Query(&path, `SELECT path FROM applications WHERE number = $1`, number)
	h.Query(&product, `SELECT product->>'net_content' FROM applications WHERE number = $1`, number)
	h.Query(&composition, `SELECT product->>'composition' FROM applications WHERE number = $1`, number)
	if status != "submitted" || path != "spp_irt" || product != "250 g" || composition != "kopi arabika 100%" {
		t.Fatalf("database: status=%q path=%q net_content=%q composition=%q", status, path, product, composition)
	}
	var uploaded, missing, given int
	h.Query(&uploaded, `SELECT count(*) FROM application_documents WHERE file_id IS NOT NULL`)
	h.Query(&missing, `SELECT count(*) FROM application_documents WHERE file_id IS NULL AND required`)
	h.Query(&given, `SELECT count(*) FROM application_documents WHERE kind IN ('nib', 'composition')`)
	if uploaded != 2 || missing == 0 || given != 0 {
		t.Fatalf("documents: %d uploaded (want 2), %d required missing, %d rows for the NIB and the composition given in the chat (want none)", uploaded, missing, given)
	}
	var hist int
	h.Query(&hist, `SELECT count(*) FROM application_status_history`)
	if hist != 1 {
		t.Fatalf("%d history rows, want 1 (submitted)", hist)
	}

	told := map[int64]bool{}
	for _, n := range h.HeldStaffNotices() { // sent by the staff-notices job
		told[n.ChatID] = true
		if !strings.Contains(n.Reply.Text, number) {
			t.Errorf("staff notice lacks the number: %q", n.Reply.Text)
		}
		if n.DedupeKey == "" {
			t.Errorf("staff notice without a dedupe key")
		}
	}
	if !told[9001] || !told[9003] || told[9002] || told[9004] {
		t.Fatalf("staff told: %v, want Ngada's health office and the admin only", told)
	}

	// The session is clean: a new /daftar starts afresh, with no offer to resume.
	c.Send("/daftar")
	c.ExpectMsg("RegisterAskPath")
}

// Choosing a path directly skips the questions; /batal asks before throwing answers away.
func TestRegistrationCancelAsksFirst(t *testing.T) {
	h := flowtest.New(t)
	c := h.Chat(202, "id")
	c.CompleteProfile("Sabun Kelor")
	c.Send("/daftar")
	c.PressMsg("PathName_kosmetik")
	c.Send("Sabun Kelor Segar")
	c.PressMsg("CommonBack") // the button, not the command: one step back, the answer shown
	c.ExpectMsg("RegisterAskProductName")
	c.Expect("Sabun Kelor Segar")
	c.Send("Sabun Kelor Segar")
	c.Send("Sabun mandi batang")
	c.Send("2 tahun")
	c.ExpectMsg("RegisterAskStorage")
	c.Send("/kembali")
	c.Send("/kembali")
	c.ExpectMsg("RegisterAskProductType")
	c.Send("/batal")
	c.ExpectMsg("CommonConfirmCancel")
	c.PressMsg("CommonCancelNo")
	c.ExpectMsg("RegisterAskProductType")
	c.PressMsg("CommonCancelButton")
	c.ExpectMsg("CommonConfirmCancel")
	c.PressMsg("CommonCancelYes")
	c.ExpectMsg("CommonCancelled")
	var n int
	h.Query(&n, `SELECT count(*) FROM applications`)
	if n != 0 {
		t.Fatalf("%d applications after cancel", n)
	}
	c.Send("/daftar")
	c.ExpectMsg("RegisterAskPath")
	c.ExpectNot(h.T("id", "CommonResumeYes"))
}

// A button of an older question is refused with a message, and the current question is shown
// again; the conversation goes on.
func TestStaleButton(t *testing.T) {
	h := flowtest.New(t)
	c := h.Chat(203, "id")
	c.CompleteProfile("Madu Alor")
	c.Send("/daftar")
	oldData, oldMsg := c.ButtonData(h.T("id", "PathName_md"))
	c.PressMsg("PathName_spp_irt")
	c.Expect(h.T("id", "DocName_pkp_certificate"))
	res := c.PressData(oldData, oldMsg)
	if res.Answer != h.T("id", "CommonStaleButton") {
		t.Fatalf("button answer = %q, want the stale-button notice", res.Answer)
	}
	c.ExpectMsg("CommonStaleButton")
	c.Expect(h.T("id", "DocName_pkp_certificate"))
	c.ExpectMsg("RegisterAskProductName")

	// Garbage callback data is also handled politely.
	c.PressData("zzz", 1)
	c.ExpectMsg("CommonStaleButton")
}

// The yes/no questions of "help me choose" share their buttons' values, so only the question's
// sequence number tells an old "Ya" from the current one. Pressed again at the second question,
// the first question's "Ya" is refused: it must not answer "short shelf life?" with yes and
// tell the owner they need no permit.
func TestStaleButtonSameValueAtNextQuestion(t *testing.T) {
	h := flowtest.New(t)
	c := h.Chat(205, "id")
	c.CompleteProfile("Kopi Bajawa")
	c.Send("/daftar")
	c.PressMsg("RegisterHelpMeChoose")
	c.PressMsg("ChooseA_kind_food")
	c.PressMsg("ChooseA_how_sold_packed")
	c.ExpectMsg("ChooseQ_home_industry")
	oldYes, oldMsg := c.ButtonData(h.T("id", "CommonYes"))
	c.PressMsg("CommonYes")
	c.ExpectMsg("ChooseQ_not_eligible_category")
	if newYes, _ := c.ButtonData(h.T("id", "CommonYes")); newYes == oldYes {
		t.Fatalf("both questions' Ya buttons carry %q: the test would prove nothing", oldYes)
	}

	// At once (a double tap): acknowledged silently, and it answers nothing.
	if res := c.PressData(oldYes, oldMsg); len(res.Replies) != 0 || res.Answer != "" {
		t.Fatalf("a double tap was answered: %+v", res)
	}
	c.Send("halo")
	c.ExpectMsg("ChooseQ_not_eligible_category")
	// Later: refused with a toast, the question asked again, not answered.
	res := c.PressData(oldYes, oldMsg)
	if res.Answer != h.T("id", "CommonStaleButton") {
		t.Fatalf("button answer = %q, want the stale-button notice\ntranscript:\n%s", res.Answer, c.Transcript())
	}
	c.ExpectNot(h.T("id", "ChooseReason_not_eligible_for_spp_irt"))
	c.ExpectMsg("ChooseQ_not_eligible_category") // asked again, not answered

	// The conversation goes on from the question it was at.
	c.PressMsg("CommonNo")
	c.ExpectMsg("ChooseReason_home_industry_low_risk")
}

// A registration half done survives a restart (a new engine on the same database) and is
// offered back when the owner returns days later, by name.
func TestRegistrationSurvivesRestartAndIsOfferedBack(t *testing.T) {
	h := flowtest.New(t)
	c := h.Chat(204, "id")
	c.CompleteProfile("Kopi Bajawa")
	c.Send("/daftar")
	c.PressMsg("PathName_spp_irt")
	c.Send("Kopi Bajawa")
	c.ExpectMsg("RegisterAskProductType")

	h.E = h.Engine() // restart
	c.Send("Kopi bubuk")
	c.ExpectMsg("RegisterAskShelfLife")
	c.Send("/kembali")
	c.ExpectMsg("RegisterAskProductType")

	// Another command parks the registration; the menu offers it back.
	c.Send("/pelatihan")
	c.Send("/menu")
	if !c.HasButton(h.T("id", "MenuResume", map[string]any{"What": h.T("id", "RegisterTitle", map[string]any{"Label": "Kopi Bajawa"})})) {
		t.Fatalf("the menu does not offer the parked registration back:\n%s", c.Transcript())
	}

	// Days later, /daftar asks whether to continue.
	h.Advance(72 * time.Hour)
	h.E = h.Engine()
	c.Send("/daftar")
	c.ExpectMsg("CommonResumeOffer", map[string]any{"What": h.T("id", "RegisterTitle", map[string]any{"Label": "Kopi Bajawa"})})
	c.PressMsg("CommonResumeYes")
	c.ExpectMsg("RegisterAskProductType")
	c.Send("Kopi bubuk")
	c.ExpectMsg("RegisterAskShelfLife")

	// Left in the middle for two days, the next message is taken as a return, not an answer.
	h.Advance(48 * time.Hour)
	c.Send("halo")
	c.ExpectMsg("CommonResumeOffer", map[string]any{"What": h.T("id", "RegisterTitle", map[string]any{"Label": "Kopi Bajawa"})})
	c.PressMsg("CommonResumeYes")
	c.ExpectMsg("RegisterAskShelfLife")
	c.Send("1 tahun")
	c.ExpectMsg("RegisterAskStorage")

	// "Start again" throws the draft away.
	c.Send("/menu")
	c.Send("/daftar")
	c.PressMsg("CommonResumeFresh")
	c.ExpectMsg("RegisterAskPath")
}

// An owner with no profile who asks to register is asked for the profile first, then goes on
// to the registration.
func TestRegisterAsksProfileFirst(t *testing.T) {
	h := flowtest.New(t)
	c := h.Chat(205, "id")
	c.Send("/daftar")
	c.ExpectMsg("RegisterProfileFirst")
	c.ExpectMsg("ProfileAskName")
	c.Send("Agustina")
	c.Send("Tenun dan Kelor")
	c.Send("Maumere") // the town names the kabupaten (Sikka)
	c.Contact("+62 813 5555 6666", true)
	c.Send("1234567890123")
	c.ExpectMsg("ProfileSaved", map[string]any{"Name": "Agustina"})
	c.ExpectMsg("RegisterAskPath")
}

// "Help me choose" asks about treating a complaint first: a jamu drink sold for a health benefit
// and minyak urut are traditional medicine (not food, not cosmetics); kelor capsules are a
// supplement the bot does not guide (the owner's BPOM unit is named); tenun ikat needs nothing.
func TestHelpMeChooseOrder(t *testing.T) {
	h := flowtest.New(t)
	c := h.Chat(206, "id")
	c.CompleteProfile("Jamu Ngada")
	choose := func(answers ...string) {
		t.Helper()
		c.Send("/batal")
		if c.HasButton(h.T("id", "CommonCancelYes")) {
			c.PressMsg("CommonCancelYes")
		}
		c.Send("/daftar")
		c.PressMsg("RegisterHelpMeChoose")
		for _, a := range answers {
			c.PressMsg(a)
		}
	}
	choose("ChooseA_kind_health") // a jamu drink or herbal tea for a health benefit, minyak urut: medicine
	c.ExpectMsg("ChooseReason_herbal_medicine")
	c.Expect(h.T("id", "PathName_obat_tradisional"))
	choose("ChooseA_kind_supplement") // kelor capsules
	c.ExpectMsg("ChooseReason_supplement", map[string]any{"Unit": "Balai Besar POM di Kupang"})
	c.ExpectNot(h.T("id", "RegisterTakeRecommended"))
	choose("ChooseA_kind_other") // tenun ikat
	c.ExpectMsg("ChooseReason_not_a_bpom_product")
	c.ExpectNot(h.T("id", "ChooseReason_not_covered"))
	choose("ChooseA_kind_food", "ChooseA_how_sold_short_life") // kue basah: no izin edar
	c.ExpectMsg("ChooseReason_short_shelf_life_or_ready_to_eat")
	// The health uses are offered first, before food and body care.
	choose()
	kinds := c.Last.Replies[len(c.Last.Replies)-1].Buttons
	if len(kinds) == 0 || len(kinds[0]) == 0 || kinds[0][0].Label != h.T("id", "ChooseA_kind_health") {
		t.Fatalf("the first kind offered is not health: %+v", kinds)
	}
}
