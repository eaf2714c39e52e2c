package owner_test

import (
	"testing"

	"umkmbot/flows/flowtest"
)

// A new owner's first conversation: greeting, every profile question with its validation, the
// summary, and what the database holds afterwards.
func TestProfileTranscript(t *testing.T) {
	h := flowtest.New(t)
	c := h.Chat(101, "id")

	c.Send("/start")
	c.ExpectMsg("StartWelcomeNew", map[string]any{"Name": "User101"})
	c.ExpectMsg("ProfileAskName")
	c.ExpectMsg("CommonStepProgress", map[string]any{"Step": 1, "Total": 5}) // the first profile asks five things

	c.Send("A")
	c.ExpectMsg("ProfileBadName")
	c.ExpectMsg("ProfileAskName")

	c.Send("Maria  Goreti")
	c.ExpectMsg("ProfileAskBusiness")
	c.Send("Kopi Bajawa Mantap")
	c.ExpectMsg("ProfileAskKabupaten")
	if !c.HasButton("Kota Kupang") || c.HasButton("Ngada") {
		t.Fatalf("the first page of kabupaten should show Kota Kupang and not yet Ngada:\n%s", c.Transcript())
	}
	c.PressMsg("CommonNextPage")
	if !c.HasButton("Ngada") && !c.HasButton("Sikka") {
		t.Fatalf("the second page shows no further kabupaten:\n%s", c.Transcript())
	}
	if c.Last.Replies[0].EditMessageID == 0 {
		t.Fatalf("paging should edit the message it was on")
	}
	c.Send("Atlantis")
	c.ExpectMsg("CommonChooseButton")
	c.Send("ngada") // typing a label works too
	c.ExpectMsg("ProfileAskPhone")
	if len(c.Last.Replies[len(c.Last.Replies)-1].Keyboard) == 0 || !c.Last.Replies[len(c.Last.Replies)-1].Keyboard[0][0].RequestContact {
		t.Fatalf("the phone question should offer a share-contact keyboard button")
	}

	c.Contact("+6281298765432", false) // someone else's contact
	c.ExpectMsg("CommonContactNotOwn")
	c.Send("12345")
	c.ExpectMsg("ProfileBadPhone")
	c.Send("0812-3456-7890")
	c.ExpectMsg("ProfilePhoneSaved")
	c.ExpectMsg("ProfileAskNIB")
	removed := false
	for _, r := range c.Last.Replies {
		removed = removed || r.RemoveKeyboard
	}
	if !removed {
		t.Fatalf("the share-contact keyboard should be removed after the phone step:\n%s", c.Transcript())
	}

	c.Send("12ab34")
	c.ExpectMsg("ProfileBadNIB")
	c.Send("123456789012") // 12 digits: confirm, do not refuse
	c.ExpectMsg("ProfileConfirmNIB", map[string]any{"NIB": "123456789012", "Digits": 12})
	c.PressMsg("CommonNo")
	c.ExpectMsg("ProfileAskNIB")
	c.Send("/kembali") // back shows the previous answer
	c.Expect("123456789012")
	c.PressMsg("CommonNo")
	c.Send("1234567890123")
	// The first profile is saved at once (no summary, desa and OVOP wait), and the registration
	// follows.
	c.ExpectMsg("ProfileSaved", map[string]any{"Name": "Maria Goreti"})
	c.ExpectMsg("RegisterAskPath")

	// /profil: the summary, where the desa and the OVOP product are added.
	c.Send("/profil")
	c.ExpectMsg("ProfileSummary")
	c.Expect("Maria Goreti", "Kopi Bajawa Mantap", "Ngada", "0812-3456-7890", "1234567890123")
	c.PressMsg("CommonEditButton")
	c.ExpectMsg("CommonWhichToEdit")
	c.PressMsg("ProfileAskDesaField")
	c.ExpectMsg("ProfileAskDesa")
	c.Send("Waepana")
	c.ExpectMsg("ProfileSummary")
	c.Expect("Waepana")

	c.PressMsg("ProfileSaveButton")
	c.ExpectMsg("ProfileSaved", map[string]any{"Name": "Maria Goreti"})
	c.ExpectMsg("MenuText")

	var name, phone, kab, desa, nib string
	h.Query(&name, `SELECT name FROM owners WHERE telegram_user_id = 101`)
	h.Query(&phone, `SELECT phone FROM owners WHERE telegram_user_id = 101`)
	h.Query(&kab, `SELECT kabupaten FROM businesses`)
	h.Query(&desa, `SELECT desa FROM businesses`)
	h.Query(&nib, `SELECT nib FROM businesses`)
	if name != "Maria Goreti" || phone != "+6281234567890" || kab != "ngada" || desa != "Waepana" || nib != "1234567890123" {
		t.Fatalf("database holds name=%q phone=%q kabupaten=%q desa=%q nib=%q", name, phone, kab, desa, nib)
	}
}

// "Belum punya" NIB is recorded as none, with the explanation of how to get one.
func TestProfileWithoutNIB(t *testing.T) {
	h := flowtest.New(t)
	c := h.Chat(102, "id")
	c.Send("/start")
	c.Send("Yohanes")
	c.Send("Madu Hutan Alor")
	c.Send("Alor")
	c.Contact("6281311112222", true)
	c.PressMsg("ProfileNoNIB")
	c.ExpectMsg("ProfileNIBHowTo")
	c.ExpectMsg("ProfileSaved", map[string]any{"Name": "Yohanes"})
	c.Send("/profil")
	c.Expect(h.T("id", "ProfileNIBNone"))
	var nib *string
	h.Query(&nib, `SELECT nib FROM businesses`)
	if nib != nil && *nib != "" {
		t.Fatalf("nib = %q, want none", *nib)
	}
}

// /profil shows the saved profile as a summary that can be changed.
func TestProfileShowAndEdit(t *testing.T) {
	h := flowtest.New(t)
	c := h.Chat(103, "id")
	c.CompleteProfile("Kopi Bajawa")
	c.Send("/profil")
	c.ExpectMsg("ProfileSummary")
	c.Expect("Maria Goreti", "Kopi Bajawa")
	c.PressMsg("CommonEditButton")
	c.PressMsg("ProfileAskBusinessField")
	c.Send("Kopi Bajawa Sejahtera")
	c.PressMsg("ProfileSaveButton")
	var name string
	h.Query(&name, `SELECT name FROM businesses`)
	if name != "Kopi Bajawa Sejahtera" {
		t.Fatalf("business name = %q", name)
	}
	var n int
	h.Query(&n, `SELECT count(*) FROM businesses`)
	if n != 1 {
		t.Fatalf("%d businesses after an edit, want 1", n)
	}
}

// A profile left half way (the menu, another command) is kept and offered back, by /start
// and by /daftar; nothing typed is lost.
func TestProfileHalfDoneIsKept(t *testing.T) {
	h := flowtest.New(t)
	c := h.Chat(104, "id")
	c.Send("/start")
	c.Send("Budi Santoso")
	c.Send("Se'i Babi Kupang")
	c.ExpectMsg("ProfileAskKabupaten")
	c.Send("/menu")
	c.Send("halo") // a greeting greets: the half-done profile is offered back
	c.ExpectMsg("CommonResumeOffer", map[string]any{"What": h.T("id", "ProfileTitle", map[string]any{"Label": "Se'i Babi Kupang"})})
	c.Send("/start")
	c.ExpectMsg("CommonResumeOffer", map[string]any{"What": h.T("id", "ProfileTitle", map[string]any{"Label": "Se'i Babi Kupang"})})
	c.PressMsg("CommonResumeYes")
	c.ExpectMsg("ProfileAskKabupaten")
	c.Send("/pelatihan")
	c.Send("/daftar")
	c.ExpectMsg("RegisterProfileFirst")
	c.ExpectMsg("ProfileAskKabupaten")
	c.Send("Kota Kupang")
	c.Contact("+6281311112222", true)
	c.Send("1234567890123")
	c.ExpectMsg("ProfileSaved", map[string]any{"Name": "Budi Santoso"})
	c.ExpectMsg("RegisterAskPath") // the registration that waited for the profile
	var name string
	h.Query(&name, `SELECT name FROM businesses`)
	if name != "Se'i Babi Kupang" {
		t.Fatalf("business = %q", name)
	}
}

// A registration and a profile change can both be set aside; neither replaces the other.
func TestTwoDraftsKept(t *testing.T) {
	h := flowtest.New(t)
	c := h.Chat(105, "id")
	c.CompleteProfile("Kopi Bajawa")
	c.Send("/daftar")
	c.PressMsg("PathName_md")
	c.Send("Kopi Luwak Bajawa")
	c.Send("/profil")
	c.PressMsg("CommonEditButton")
	c.PressMsg("ProfileAskDesaField")
	c.Send("/menu")
	reg := h.T("id", "MenuResume", map[string]any{"What": h.T("id", "RegisterTitle", map[string]any{"Label": "Kopi Luwak Bajawa"})})
	if !c.HasButton(reg) {
		t.Fatalf("the parked registration is not offered:\n%s", c.Transcript())
	}
	c.Press(reg)
	c.ExpectMsg("RegisterAskProductType")
}
