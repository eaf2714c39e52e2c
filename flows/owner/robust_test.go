package owner_test

import (
	"context"
	"strings"
	"testing"

	"umkmbot/flows/flowtest"
	"umkmbot/store"
)

// A session stored by another version, naming flows and steps this one does not have, never
// leaves the chat stuck.
func TestStoredSessionFromAnotherVersion(t *testing.T) {
	h := flowtest.New(t)
	c := h.Chat(501, "id")
	c.CompleteProfile("Kopi Bajawa")
	ctx := context.Background()
	for _, state := range []string{
		`{"flow":"old_flow","step":"x","seq":3,"parked":{"old_flow":{"flow":"old_flow","step":"a","at":"2026-01-01T00:00:00Z"}},"then":"gone","resume_offered":"old_flow"}`,
		`{"flow":"register","step":"doc_renamed_document","seq":3,"data":{"path":"spp_irt","product_name":"Kopi"}}`,
		`{"flow":"register","parked":{"flow":"profile"},"resume_offered":true}`, // not even this shape
	} {
		if err := store.SaveSession(ctx, h.DB.DB(), 501, 501, []byte(state), h.Clock()); err != nil {
			t.Fatal(err)
		}
		c.Send("halo")
		if len(c.Last.Replies) == 0 {
			t.Fatalf("no answer with stored session %s", state)
		}
		c.Send("/menu")
		c.ExpectMsg("MenuText")
	}
	// A draft whose step was renamed goes on at the first unanswered question, answers kept.
	if err := store.SaveSession(ctx, h.DB.DB(), 501, 501, []byte(`{"flow":"register","step":"doc_renamed_document","seq":3,"trail":["path"],"data":{"path":"spp_irt","checklist":"ok","product_name":"Kopi Kita"}}`), h.Clock()); err != nil {
		t.Fatal(err)
	}
	c.Send("/bantuan")
	c.ExpectMsg("RegisterAskProductType")
	c.Send("Kopi bubuk")
	c.ExpectMsg("RegisterAskShelfLife")
}

// Pressing a training's button while the profile is being filled in keeps the answers.
func TestTrainingButtonDuringProfile(t *testing.T) {
	h := flowtest.New(t)
	ctx := context.Background()
	tr := store.Training{Title: "PKP Ngada", Kind: "pkp", StartsAt: h.Clock().Add(72 * 3600e9), DurationMinutes: 120,
		Place: "Bajawa", Kabupaten: "ngada", Quota: 10}
	if err := store.CreateTraining(ctx, h.DB.DB(), &tr); err != nil {
		t.Fatal(err)
	}
	c := h.Chat(502, "id")
	c.Send("/pelatihan")
	data, msg := c.ButtonData(h.T("id", "TrainingRegisterButton"))
	c.Send("/start")
	c.Send("Budi Santoso")
	c.Send("Kopi Bajawa Jaya")
	c.PressData(data, msg)
	c.ExpectMsg("TrainingProfileFirst")
	c.ExpectMsg("ProfileAskKabupaten") // the profile goes on where it was
	c.Send("Ngada")
	c.ExpectMsg("ProfileAskPhone")
}

// Changing one answer of the summary survives an interruption; "Nanti" on a document already
// sent keeps it; Back on the list of answers returns to the summary.
func TestSummaryEditIsKept(t *testing.T) {
	h := flowtest.New(t)
	c := h.Chat(503, "id")
	c.CompleteProfile("Sabun Kelor")
	c.Send("/daftar")
	c.PressMsg("PathName_kosmetik")
	c.FillProduct("Sabun Kelor Segar")
	c.Send("1 tahun")
	c.PressMsg("Storage_room")
	c.PressMsg("CommonLater") // the product photo
	c.Upload("label.pdf", "application/pdf", 1000)
	for !c.HasButton(h.T("id", "CommonSendButton")) {
		c.PressMsg("CommonLater")
	}
	c.PressMsg("CommonEditButton")
	c.PressMsg("CommonBack")
	c.ExpectMsg("RegisterSummary")

	c.PressMsg("CommonEditButton")
	c.PressMsg("RegisterAskPackagingField")
	c.Send("/menu")
	c.Press(h.T("id", "MenuResume", map[string]any{"What": h.T("id", "RegisterTitle", map[string]any{"Label": "Sabun Kelor Segar"})}))
	c.ExpectMsg("RegisterAskPackaging")
	c.PressMsg("Packaging_jar")
	c.ExpectMsg("RegisterSummary") // back to the summary, not on through every step

	c.PressMsg("CommonEditButton")
	c.PressMsg("DocName_label_design")
	c.PressMsg("CommonLater") // not now: the file sent before stays
	c.ExpectMsg("RegisterSummary")
	c.Expect("📄 label.pdf")
}

// The "really cancel?" question takes typed answers, and a second /batal means yes; the offer
// to continue takes a typed "ya".
func TestTypedAnswersToConfirmations(t *testing.T) {
	h := flowtest.New(t)
	c := h.Chat(504, "id")
	c.CompleteProfile("Madu")
	c.Send("/daftar")
	c.PressMsg("PathName_md")
	c.Send("/batal")
	c.ExpectMsg("CommonConfirmCancel")
	c.Send("tidak")
	c.Expect(h.T("id", "DocName_lab_test")) // the checklist again
	c.Send("/batal")
	c.Send("/batal")
	c.ExpectMsg("CommonCancelled")

	c.Send("/daftar")
	c.PressMsg("PathName_md")
	c.Send("Madu Hutan")
	c.Send("/menu")
	c.Send("/daftar")
	c.ExpectMsg("CommonResumeOffer", map[string]any{"What": h.T("id", "RegisterTitle", map[string]any{"Label": "Madu Hutan"})})
	c.Send("ya")
	c.ExpectMsg("RegisterAskProductType")
}

// Looking at /profil and leaving is not an unfinished profile.
func TestViewingProfileLeavesNoDraft(t *testing.T) {
	h := flowtest.New(t)
	c := h.Chat(505, "id")
	c.CompleteProfile("Kopi")
	c.Send("/profil")
	c.Send("/menu")
	for _, r := range c.Last.Replies {
		for _, row := range r.Buttons {
			if strings.Contains(row[0].Label, h.T("id", "ProfileTitle", map[string]any{"Label": ""})) {
				t.Fatalf("the menu offers a profile draft after only looking:\n%s", c.Transcript())
			}
		}
	}
	c.Send("/profil")
	c.Send("/batal")
	c.ExpectMsg("CommonCancelled") // nothing to lose: no "are you sure?"
}

// A button of an old training card pressed in the middle of a registration is answered, and the
// open question is shown again.
func TestListButtonDuringFlowShowsQuestionAgain(t *testing.T) {
	h := flowtest.New(t)
	tr := store.Training{Title: "Klinik label", Kind: "label", StartsAt: h.Clock().Add(48 * 3600e9), DurationMinutes: 90,
		Place: "Kupang", Quota: 5}
	if err := store.CreateTraining(context.Background(), h.DB.DB(), &tr); err != nil {
		t.Fatal(err)
	}
	c := h.Chat(506, "id")
	c.CompleteProfile("Kopi")
	c.Send("/pelatihan")
	data, msg := c.ButtonData(h.T("id", "TrainingRegisterButton"))
	c.Send("/daftar")
	c.PressMsg("PathName_md")
	c.PressData(data, msg)
	c.ExpectMsg("TrainingRegistered", map[string]any{"Title": "Klinik label", "When": h.Msgs.For("id").DateTime(tr.StartsAt), "Place": "Kupang"})
	c.ExpectMsg("RegisterAskProductName")
	c.Send("Kopi Luwak")
	c.ExpectMsg("RegisterAskProductType")
}
