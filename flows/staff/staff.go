// Package staff holds the conversations of BPOM and health-office staff (petugas) and of admins:
// the review queue, an application's card and its actions, staff management. Flowset hands them
// to the engine, which serves them only to active staff.
package staff

import (
	"umkmbot/flows"
)

// Flowset is the staff's side of the bot.
func Flowset() *flows.Flowset {
	return &flows.Flowset{
		Name:  "staff",
		Roles: []flows.Role{flows.RoleStaff, flows.RoleAdmin},
		Menu:  menu,
		Greet: func(c *flows.Ctx) error { c.ShowMenu(""); return nil },
		Idle:  func(c *flows.Ctx) error { c.ShowMenu(c.T("MenuNotUnderstood")); return nil },
	}
}

// menu is the staff's main menu.
func menu(c *flows.Ctx) (string, [][]flows.Button) {
	return c.T("StaffMenuText"), [][]flows.Button{
		{{Label: c.T("StaffMenuOwnerMode"), Data: "a:go:mode_pemilik"}},
	}
}
