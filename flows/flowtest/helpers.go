package flowtest

import (
	"context"
	"regexp"
	"strings"

	"umkmbot/store"
)

// AppNumberRE matches an application number in a reply.
var AppNumberRE = regexp.MustCompile(`NTT-[0-9A-Z]{4}-[0-9A-Z]{4}`)

// AddStaff makes a staff member of an office (or an admin when office is "" and role "admin").
func (h *Harness) AddStaff(tgID int64, office, role string) store.Staff {
	h.TB.Helper()
	s := store.Staff{TelegramUserID: tgID, Name: "Petugas", Unit: office, Role: role, Active: true}
	if err := store.SaveStaff(context.Background(), h.DB.DB(), &s); err != nil {
		h.TB.Fatal(err)
	}
	return s
}

// CompleteProfile takes a new owner through /start and the profile with good answers.
func (c *Chat) CompleteProfile(business string) {
	c.TB.Helper()
	c.Send("/start")
	c.Send("Maria Goreti")
	c.Send(business)
	c.FinishProfile()
}

// CompleteProfileFromName answers the profile from its first question on.
func (c *Chat) CompleteProfileFromName() {
	c.TB.Helper()
	c.Send("Maria Goreti")
	c.Send("Usaha Baru")
	c.FinishProfile()
}

// FinishProfile answers the profile from the kabupaten (Ngada) on; a first profile is saved after
// the NIB (the desa and OVOP product wait for /profil), an edited one after its summary.
func (c *Chat) FinishProfile() {
	c.TB.Helper()
	c.Send("Ngada")
	if c.Mentions(c.H.T(c.Lang, "ProfileAskDesa")) {
		c.Send("Beiposo")
	}
	c.Contact("+6281234567890", true)
	c.Send("1234567890123")
	if c.Mentions(c.H.T(c.Lang, "ProfileAskOVOP")) {
		c.Send("Kopi arabika Bajawa")
		c.PressMsg("ProfileSaveButton")
	}
	c.ExpectMsg("ProfileSaved", map[string]any{"Name": "Maria Goreti"})
}

// FillProduct answers the product questions of a registration with good values, up to the
// shelf life (the brand, packaging and net content wait for the summary; the composition is
// asked once, as the path's document).
func (c *Chat) FillProduct(name string) {
	c.TB.Helper()
	c.ExpectMsg("RegisterAskProductName")
	c.Send(name)
	c.ExpectMsg("RegisterAskProductType")
	c.Send("Kopi bubuk")
	c.ExpectMsg("RegisterAskShelfLife")
}

// QuickRegister submits an application of the path with every document left for later and
// returns its number.
func (c *Chat) QuickRegister(product string) string { return c.RegisterPath("spp_irt", product) }

// RegisterPath is QuickRegister on a chosen path.
func (c *Chat) RegisterPath(path, product string) string {
	c.TB.Helper()
	c.Send("/daftar")
	c.PressMsg("PathName_" + path)
	c.FillProduct(product)
	c.Send("6 bulan")
	c.PressMsg("Storage_room")
	for !c.HasButton(c.H.T(c.Lang, "CommonSendButton")) {
		c.PressMsg("CommonLater")
	}
	c.PressMsg("CommonSendButton")
	n := AppNumberRE.FindString(c.Text())
	if n == "" {
		c.TB.Fatalf("no number:\n%s", c.Transcript())
	}
	return n
}

// Mentions says whether the last replies show s, in a text or on a button.
func (c *Chat) Mentions(s string) bool {
	for _, r := range c.Last.Replies {
		if strings.Contains(r.Text+ButtonsText(r), s) {
			return true
		}
	}
	return false
}
