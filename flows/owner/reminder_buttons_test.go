package owner_test

import (
	"testing"
	"time"

	"umkmbot/flows/flowtest"
)

// The idle-draft reminder's button (flows/jobs: a:resume:register) goes on with the registration
// where it was left, whether it is still under way or was set aside by another command.
func TestDraftReminderButtonResumes(t *testing.T) {
	h := flowtest.New(t)
	c := h.Chat(206, "id")
	c.CompleteProfile("Kopi Bajawa")
	c.Send("/daftar")
	c.PressMsg("PathName_spp_irt")
	c.Send("Kopi Bajawa")
	c.ExpectMsg("RegisterAskProductType")

	h.Advance(48 * time.Hour) // the reminder goes after two quiet days
	if r := c.PressData("a:resume:register", 0); r.Answer != "" {
		t.Errorf("the reminder's button is taken for an old one: %q", r.Answer)
	}
	c.ExpectMsg("RegisterAskProductType")
	c.ExpectNot(h.T("id", "CommonStaleButton"))
	c.Send("Kopi bubuk")
	c.ExpectMsg("RegisterAskShelfLife")

	c.Send("/pelatihan") // sets the registration aside
	h.Advance(48 * time.Hour)
	if r := c.PressData("a:resume:register", 0); r.Answer != "" {
		t.Errorf("the reminder's button is taken for an old one: %q", r.Answer)
	}
	c.ExpectMsg("RegisterAskShelfLife")
}
