package flows_test

import (
	"context"
	"strings"
	"testing"

	"umkmbot/store"
)

// A session stored by another version, naming flows and steps this one does not have, never
// leaves the chat stuck.
func TestStoredSessionFromAnotherVersion(t *testing.T) {
	h := newHarness(t)
	c := h.chat(501, "id")
	c.completeProfile("Kopi Bajawa")
	ctx := context.Background()
	for _, state := range []string{
		`{"flow":"old_flow","step":"x","seq":3,"parked":{"old_flow":{"flow":"old_flow","step":"a","at":"2026-01-01T00:00:00Z"}},"then":"gone","resume_offered":"old_flow"}`,
		`{"flow":"register","step":"doc_renamed_document","seq":3,"data":{"path":"spp_irt","product_name":"Kopi"}}`,
		`{"flow":"register","parked":{"flow":"profile"},"resume_offered":true}`, // not even this shape
	} {
		if err := store.SaveSession(ctx, h.db.DB(), 501, 501, []byte(state), h.clock()); err != nil {
			t.Fatal(err)
		}
		c.send("halo")
		if len(c.last.Replies) == 0 {
			t.Fatalf("no answer with stored session %s", state)
		}
		c.send("/menu")
		c.expectMsg("MenuText")
	}
	// A draft whose step was renamed goes on at the first unanswered question, answers kept.
	if err := store.SaveSession(ctx, h.db.DB(), 501, 501, []byte(`{"flow":"register","step":"doc_renamed_document","seq":3,"trail":["path"],"data":{"path":"spp_irt","checklist":"ok","product_name":"Kopi Kita"}}`), h.clock()); err != nil {
		t.Fatal(err)
	}
	c.send("/bantuan")
	c.expectMsg("RegisterAskBrand")
	c.send("Kita")
	c.expectMsg("RegisterAskProductType")
}

// Pressing a training's button while the profile is being filled in keeps the answers.
func TestTrainingButtonDuringProfile(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	tr := store.Training{Title: "PKP Ngada", Kind: "pkp", StartsAt: h.clock().Add(72 * 3600e9), DurationMinutes: 120,
		Place: "Bajawa", Kabupaten: "ngada", Quota: 10}
	if err := store.CreateTraining(ctx, h.db.DB(), &tr); err != nil {
		t.Fatal(err)
	}
	c := h.chat(502, "id")
	c.send("/pelatihan")
	data, msg := c.buttonData(h.T("id", "TrainingRegisterButton"))
	c.send("/start")
	c.send("Budi Santoso")
	c.send("Kopi Bajawa Jaya")
	c.pressData(data, msg)
	c.expectMsg("TrainingProfileFirst")
	c.expectMsg("ProfileAskKabupaten") // the profile goes on where it was
	c.send("Ngada")
	c.expectMsg("ProfileAskDesa")
}

// Changing one answer of the summary survives an interruption; "Nanti" on a document already
// sent keeps it; Back on the list of answers returns to the summary.
func TestSummaryEditIsKept(t *testing.T) {
	h := newHarness(t)
	c := h.chat(503, "id")
	c.completeProfile("Sabun Kelor")
	c.send("/daftar")
	c.pressMsg("PathName_kosmetik")
	c.pressMsg("CommonContinueButton")
	c.fillProduct("Sabun Kelor Segar")
	c.send("100 g")
	c.send("1 tahun")
	c.pressMsg("Storage_room")
	c.upload("nib.pdf", "application/pdf", 1000)
	for !c.hasButton(h.T("id", "CommonSendButton")) {
		c.pressMsg("CommonLater")
	}
	c.pressMsg("CommonEditButton")
	c.pressMsg("CommonBack")
	c.expectMsg("RegisterSummary")

	c.pressMsg("CommonEditButton")
	c.pressMsg("RegisterAskPackagingField")
	c.send("/menu")
	c.press(h.T("id", "MenuResume", map[string]any{"What": h.T("id", "RegisterTitle", map[string]any{"Label": "Sabun Kelor Segar"})}))
	c.expectMsg("RegisterAskPackaging")
	c.pressMsg("Packaging_jar")
	c.expectMsg("RegisterSummary") // back to the summary, not on through every step

	c.pressMsg("CommonEditButton")
	c.pressMsg("DocName_nib")
	c.pressMsg("CommonLater") // not now: the file sent before stays
	c.expectMsg("RegisterSummary")
	c.expect("📄 nib.pdf")
}

// The "really cancel?" question takes typed answers, and a second /batal means yes; the offer
// to continue takes a typed "ya".
func TestTypedAnswersToConfirmations(t *testing.T) {
	h := newHarness(t)
	c := h.chat(504, "id")
	c.completeProfile("Madu")
	c.send("/daftar")
	c.pressMsg("PathName_md")
	c.send("/batal")
	c.expectMsg("CommonConfirmCancel")
	c.send("tidak")
	c.expect(h.T("id", "DocName_lab_test")) // the checklist again
	c.send("/batal")
	c.send("/batal")
	c.expectMsg("CommonCancelled")

	c.send("/daftar")
	c.pressMsg("PathName_md")
	c.pressMsg("CommonContinueButton")
	c.send("Madu Hutan")
	c.send("/menu")
	c.send("/daftar")
	c.expectMsg("CommonResumeOffer", map[string]any{"What": h.T("id", "RegisterTitle", map[string]any{"Label": "Madu Hutan"})})
	c.send("ya")
	c.expectMsg("RegisterAskBrand")
}

// Looking at /profil and leaving is not an unfinished profile.
func TestViewingProfileLeavesNoDraft(t *testing.T) {
	h := newHarness(t)
	c := h.chat(505, "id")
	c.completeProfile("Kopi")
	c.send("/profil")
	c.send("/menu")
	for _, r := range c.last.Replies {
		for _, row := range r.Buttons {
			if strings.Contains(row[0].Label, h.T("id", "ProfileTitle", map[string]any{"Label": ""})) {
				t.Fatalf("the menu offers a profile draft after only looking:\n%s", c.transcript())
			}
		}
	}
	c.send("/profil")
	c.send("/batal")
	c.expectMsg("CommonCancelled") // nothing to lose: no "are you sure?"
}

// A button of an old training card pressed in the middle of a registration is answered, and the
// open question is shown again.
func TestListButtonDuringFlowShowsQuestionAgain(t *testing.T) {
	h := newHarness(t)
	tr := store.Training{Title: "Klinik label", Kind: "label", StartsAt: h.clock().Add(48 * 3600e9), DurationMinutes: 90,
		Place: "Kupang", Quota: 5}
	if err := store.CreateTraining(context.Background(), h.db.DB(), &tr); err != nil {
		t.Fatal(err)
	}
	c := h.chat(506, "id")
	c.completeProfile("Kopi")
	c.send("/pelatihan")
	data, msg := c.buttonData(h.T("id", "TrainingRegisterButton"))
	c.send("/daftar")
	c.pressMsg("PathName_md")
	c.pressMsg("CommonContinueButton")
	c.pressData(data, msg)
	c.expectMsg("TrainingRegistered", map[string]any{"Title": "Klinik label", "When": h.msgs.For("id").DateTime(tr.StartsAt), "Place": "Kupang"})
	c.expectMsg("RegisterAskProductName")
	c.send("Kopi Luwak")
	c.expectMsg("RegisterAskBrand")
}
