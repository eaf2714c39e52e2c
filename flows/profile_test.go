package flows_test

import (
	"testing"
)

// completeProfile takes a new owner through /start and the profile with good answers.
func (c *chat) completeProfile(business string) {
	c.t.Helper()
	c.send("/start")
	c.send("Maria Goreti")
	c.send(business)
	c.finishProfile()
}

// completeProfileFromName answers the profile from its first question on.
func (c *chat) completeProfileFromName() {
	c.t.Helper()
	c.send("Maria Goreti")
	c.send("Usaha Baru")
	c.finishProfile()
}

func (c *chat) finishProfile() {
	c.t.Helper()
	c.send("Ngada")
	c.send("Beiposo")
	c.contact("+6281234567890", true)
	c.send("1234567890123")
	c.send("Kopi arabika Bajawa")
	c.pressMsg("CommonSendButton")
	c.expectMsg("ProfileSaved", map[string]any{"Name": "Maria Goreti"})
}

// A new owner's first conversation: greeting, every profile question with its validation, the
// summary, and what the database holds afterwards.
func TestProfileTranscript(t *testing.T) {
	h := newHarness(t)
	c := h.chat(101, "id")

	c.send("/start")
	c.expectMsg("StartWelcomeNew", map[string]any{"Name": "User101"})
	c.expectMsg("ProfileAskName")
	c.expectMsg("CommonStepProgress", map[string]any{"Step": 1, "Total": 8})

	c.send("A")
	c.expectMsg("ProfileBadName")
	c.expectMsg("ProfileAskName")

	c.send("Maria  Goreti")
	c.expectMsg("ProfileAskBusiness")
	c.send("Kopi Bajawa Mantap")
	c.expectMsg("ProfileAskKabupaten")
	if !c.hasButton("Kota Kupang") || c.hasButton("Ngada") {
		t.Fatalf("the first page of kabupaten should show Kota Kupang and not yet Ngada:\n%s", c.transcript())
	}
	c.pressMsg("CommonNextPage")
	if !c.hasButton("Ngada") && !c.hasButton("Sikka") {
		t.Fatalf("the second page shows no further kabupaten:\n%s", c.transcript())
	}
	if c.last.Replies[0].EditMessageID == 0 {
		t.Fatalf("paging should edit the message it was on")
	}
	c.send("Atlantis")
	c.expectMsg("CommonChooseButton")
	c.send("ngada") // typing a label works too
	c.expectMsg("ProfileAskDesa")
	c.send("Beiposo")
	c.expectMsg("ProfileAskPhone")
	if len(c.last.Replies[len(c.last.Replies)-1].Keyboard) == 0 || !c.last.Replies[len(c.last.Replies)-1].Keyboard[0][0].RequestContact {
		t.Fatalf("the phone question should offer a share-contact keyboard button")
	}

	c.contact("+6281298765432", false) // someone else's contact
	c.expectMsg("CommonContactNotOwn")
	c.send("12345")
	c.expectMsg("ProfileBadPhone")
	c.send("0812-3456-7890")
	c.expectMsg("ProfilePhoneSaved")
	c.expectMsg("ProfileAskNIB")
	removed := false
	for _, r := range c.last.Replies {
		removed = removed || r.RemoveKeyboard
	}
	if !removed {
		t.Fatalf("the share-contact keyboard should be removed after the phone step:\n%s", c.transcript())
	}

	c.send("12ab34")
	c.expectMsg("ProfileBadNIB")
	c.send("123456789012") // 12 digits: confirm, do not refuse
	c.expectMsg("ProfileConfirmNIB", map[string]any{"NIB": "123456789012", "Digits": 12})
	c.pressMsg("CommonNo")
	c.expectMsg("ProfileAskNIB")
	c.send("1234567890123")
	c.expectMsg("ProfileAskOVOP")

	c.send("/kembali") // back shows the previous answer
	c.expectMsg("ProfileAskNIB")
	c.expect("1234567890123")
	c.send("1234567890123")
	c.send("Kopi arabika Bajawa")
	c.expectMsg("ProfileSummary")
	c.expect("Maria Goreti", "Kopi Bajawa Mantap", "Ngada", "Beiposo", "+6281234567890", "1234567890123", "Kopi arabika Bajawa")

	// Change one answer from the summary, and come back to it.
	c.pressMsg("CommonEditButton")
	c.expectMsg("CommonWhichToEdit")
	c.pressMsg("ProfileAskDesaField")
	c.expectMsg("ProfileAskDesa")
	c.send("Waepana")
	c.expectMsg("ProfileSummary")
	c.expect("Waepana")

	c.pressMsg("CommonSendButton")
	c.expectMsg("ProfileSaved", map[string]any{"Name": "Maria Goreti"})
	c.expectMsg("MenuText")

	var name, phone, kab, desa, nib string
	h.query(&name, `SELECT name FROM owners WHERE telegram_user_id = 101`)
	h.query(&phone, `SELECT phone FROM owners WHERE telegram_user_id = 101`)
	h.query(&kab, `SELECT kabupaten FROM businesses`)
	h.query(&desa, `SELECT desa FROM businesses`)
	h.query(&nib, `SELECT nib FROM businesses`)
	if name != "Maria Goreti" || phone != "+6281234567890" || kab != "ngada" || desa != "Waepana" || nib != "1234567890123" {
		t.Fatalf("database holds name=%q phone=%q kabupaten=%q desa=%q nib=%q", name, phone, kab, desa, nib)
	}
}

// "Belum punya" NIB is recorded as none, with the explanation of how to get one.
func TestProfileWithoutNIB(t *testing.T) {
	h := newHarness(t)
	c := h.chat(102, "id")
	c.send("/start")
	c.send("Yohanes")
	c.send("Madu Hutan Alor")
	c.send("Alor")
	c.send("Kalabahi")
	c.contact("6281311112222", true)
	c.pressMsg("ProfileNoNIB")
	c.expectMsg("ProfileNIBHowTo")
	c.expectMsg("ProfileAskOVOP")
	c.pressMsg("CommonSkip")
	c.expectMsg("ProfileSummary")
	c.expect(h.T("id", "ProfileNIBNone"))
	c.pressMsg("CommonSendButton")
	var nib *string
	h.query(&nib, `SELECT nib FROM businesses`)
	if nib != nil && *nib != "" {
		t.Fatalf("nib = %q, want none", *nib)
	}
}

// /profil shows the saved profile as a summary that can be changed.
func TestProfileShowAndEdit(t *testing.T) {
	h := newHarness(t)
	c := h.chat(103, "id")
	c.completeProfile("Kopi Bajawa")
	c.send("/profil")
	c.expectMsg("ProfileSummary")
	c.expect("Maria Goreti", "Kopi Bajawa")
	c.pressMsg("CommonEditButton")
	c.pressMsg("ProfileAskBusinessField")
	c.send("Kopi Bajawa Sejahtera")
	c.pressMsg("CommonSendButton")
	var name string
	h.query(&name, `SELECT name FROM businesses`)
	if name != "Kopi Bajawa Sejahtera" {
		t.Fatalf("business name = %q", name)
	}
	var n int
	h.query(&n, `SELECT count(*) FROM businesses`)
	if n != 1 {
		t.Fatalf("%d businesses after an edit, want 1", n)
	}
}

// A profile left half way (the menu, another command) is kept and offered back, by /start
// and by /daftar; nothing typed is lost.
func TestProfileHalfDoneIsKept(t *testing.T) {
	h := newHarness(t)
	c := h.chat(104, "id")
	c.send("/start")
	c.send("Budi Santoso")
	c.send("Se'i Babi Kupang")
	c.expectMsg("ProfileAskKabupaten")
	c.send("/menu")
	c.send("halo")
	c.expectMsg("MenuNotUnderstood")
	c.send("/start")
	c.expectMsg("CommonResumeOffer", map[string]any{"What": h.T("id", "ProfileTitle", map[string]any{"Label": "Se'i Babi Kupang"})})
	c.pressMsg("CommonResumeYes")
	c.expectMsg("ProfileAskKabupaten")
	c.send("/pelatihan")
	c.send("/daftar")
	c.expectMsg("RegisterProfileFirst")
	c.expectMsg("ProfileAskKabupaten")
	c.send("Kota Kupang")
	c.send("Oebobo")
	c.contact("+6281311112222", true)
	c.send("1234567890123")
	c.pressMsg("CommonSkip")
	c.pressMsg("CommonSendButton")
	c.expectMsg("ProfileSaved", map[string]any{"Name": "Budi Santoso"})
	c.expectMsg("RegisterAskPath") // the registration that waited for the profile
	var name string
	h.query(&name, `SELECT name FROM businesses`)
	if name != "Se'i Babi Kupang" {
		t.Fatalf("business = %q", name)
	}
}

// A registration and a profile change can both be set aside; neither replaces the other.
func TestTwoDraftsKept(t *testing.T) {
	h := newHarness(t)
	c := h.chat(105, "id")
	c.completeProfile("Kopi Bajawa")
	c.send("/daftar")
	c.pressMsg("PathName_md")
	c.pressMsg("CommonContinueButton")
	c.send("Kopi Luwak Bajawa")
	c.send("/profil")
	c.pressMsg("CommonEditButton")
	c.pressMsg("ProfileAskDesaField")
	c.send("/menu")
	reg := h.T("id", "MenuResume", map[string]any{"What": h.T("id", "RegisterTitle", map[string]any{"Label": "Kopi Luwak Bajawa"})})
	if !c.hasButton(reg) {
		t.Fatalf("the parked registration is not offered:\n%s", c.transcript())
	}
	c.press(reg)
	c.expectMsg("RegisterAskBrand")
}
