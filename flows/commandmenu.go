package flows

// The command menus a Reply.CommandMenu names: Telegram's menu of commands for one chat.
const (
	MenuStaff   = "staff"   // the staff commands
	MenuViewer  = "viewer"  // the staff commands a read-only member may use
	MenuAdmin   = "admin"   // the staff commands and staff management
	MenuDefault = "default" // the chat's own menu taken away: the owners' menu shows again
)

// MenuFor is the command menu of the actor's role.
func MenuFor(a Actor) string {
	switch a.Role {
	case RoleStaff:
		if a.Staff != nil && a.Staff.Role == "viewer" {
			return MenuViewer
		}
		return MenuStaff
	case RoleAdmin:
		return MenuAdmin
	}
	return MenuDefault
}

// SetCommandMenu sets the chat's Telegram command menu to the one of the person's role now (after
// they became staff, or switched mode), in their language.
func (c *Ctx) SetCommandMenu() {
	c.Reply(Reply{CommandMenu: MenuFor(c.Actor), Lang: c.L.Lang()})
}
