package staff_test

import (
	"fmt"
	"testing"

	"umkmbot/flows"
	"umkmbot/flows/flowtest"
)

// commandMenu is the CommandMenu the chat's last replies set, and its language ("" when none).
func commandMenu(t *testing.T, c *flowtest.Chat) (menu, lang string) {
	t.Helper()
	for _, r := range c.Last.Replies {
		if r.CommandMenu != "" {
			if r.Text != "" || len(r.Buttons) > 0 {
				t.Fatalf("a command menu reply carries a message: %+v", r)
			}
			return r.CommandMenu, r.Lang
		}
	}
	return "", ""
}

// Whoever joins by an invite gets the staff's command menu at once, in their language; whoever is
// removed gets the owners' back (a notice to their chat); switching mode switches the menu.
func TestCommandMenuFollowsMembership(t *testing.T) {
	h := flowtest.New(t)
	h.AddStaff(9000, "", "admin")
	admin := h.Chat(9000, "id")
	admin.Send("/staf_undang")
	admin.Press("Loka POM di Kabupaten Ende")
	admin.PressMsg("StaffRole_staff")
	code := startRE.FindString(admin.Text())

	newbie := h.Chat(7000, "en")
	newbie.Send("/start " + code)
	newbie.ExpectMsg("StaffWelcome", map[string]any{"Office": "Loka POM di Kabupaten Ende", "Role": h.T("en", "StaffRole_staff")})
	if !newbie.HasButton(h.T("en", "StaffMenuQueue")) { // the welcome comes with the staff's menu
		t.Fatalf("the welcome shows no staff menu:\n%s", newbie.Transcript())
	}
	if menu, lang := commandMenu(t, newbie); menu != flows.MenuStaff || lang != "en" {
		t.Fatalf("after joining: menu %q in %q, want the staff's in English\n%s", menu, lang, newbie.Transcript())
	}
	other := h.Chat(7001, "id")
	other.Send("/start " + code) // used: no menu
	if menu, _ := commandMenu(t, other); menu != "" {
		t.Fatalf("a used invite set the menu %q", menu)
	}

	newbie.Send("/mode_pemilik")
	if menu, _ := commandMenu(t, newbie); menu != flows.MenuDefault {
		t.Fatalf("owner mode: menu %q, want the default", menu)
	}
	newbie.Send("/mode_petugas")
	if menu, _ := commandMenu(t, newbie); menu != flows.MenuStaff {
		t.Fatalf("staff mode again: menu %q, want the staff's", menu)
	}
	admin.Send("/mode_pemilik")
	admin.Send("/mode_petugas")
	if menu, lang := commandMenu(t, admin); menu != flows.MenuAdmin || lang != "id" {
		t.Fatalf("an admin back in staff mode: menu %q in %q, want the admin's in Indonesian", menu, lang)
	}

	var id int64
	h.Query(&id, `SELECT id FROM staff WHERE telegram_user_id = 7000`)
	admin.PressData(fmt.Sprintf("a:stfrm:%d", id), 1)
	admin.ExpectMsg("StaffRemoved", map[string]any{"Name": "User7000"})
	var told []flows.Notice
	for _, n := range admin.Last.Notices {
		if n.ChatID == 7000 {
			told = append(told, n)
		}
	}
	if len(told) != 1 || told[0].Reply.CommandMenu != flows.MenuDefault || told[0].Reply.Lang != "en" || told[0].DedupeKey == "" ||
		told[0].Reply.Text != "" {
		t.Fatalf("notices to the removed member: %+v, want one that takes the staff menu away, in English", told)
	}
	if menu, _ := commandMenu(t, admin); menu != "" {
		t.Fatalf("removing someone changed the admin's own menu to %q", menu)
	}

	// A read-only member gets the viewer's menu (no commands Authorize would refuse them).
	admin.Send("/staf_undang")
	admin.Press("Loka POM di Kabupaten Ende")
	admin.PressMsg("StaffRole_viewer")
	viewer := h.Chat(7002, "id")
	viewer.Send("/start " + startRE.FindString(admin.Text()))
	if menu, _ := commandMenu(t, viewer); menu != flows.MenuViewer {
		t.Fatalf("a viewer joined: menu %q, want the viewer's\n%s", menu, viewer.Transcript())
	}
}
