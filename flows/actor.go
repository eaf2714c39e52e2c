package flows

import (
	"errors"

	"umkmbot/store"
)

// Role is who a person is to the bot, resolved once per update.
type Role string

// The roles.
const (
	RoleOwner Role = "owner" // a pelaku usaha (and a staff member who switched to owner mode)
	RoleStaff Role = "staff" // a petugas of one office
	RoleAdmin Role = "admin" // from ADMIN_TELEGRAM_IDS: no office, sees every office
)

// Actor is the person an update is handled for. Owner is always set (everyone who writes has an
// owners row: their language and chat); Staff is set for an active staff member or admin, also
// while they act as an owner.
type Actor struct {
	Role  Role
	Owner store.Owner
	Staff *store.Staff
}

// IsStaff says whether the person is an active staff member or admin (whatever mode they are in).
func (a Actor) IsStaff() bool { return a.Staff != nil }

// Office is the staff member's office code; "" for an admin or an owner.
func (a Actor) Office() string {
	if a.Staff == nil || a.Staff.Role == "admin" {
		return ""
	}
	return a.Staff.Unit
}

// resolveActor decides the role of this update, and the set serving it: an active staff row
// makes staff or admin, unless the session says they switched to owner mode. A staff member
// removed a moment ago is an owner from their next update on.
func (c *Ctx) resolveActor() {
	c.Actor = Actor{Role: RoleOwner, Owner: c.Owner}
	// The staff row came with the owner's (store.UpsertOwner): no statement of its own.
	switch s := c.Owner.Staff; {
	case s == nil || !s.Active:
		c.Sess.AsOwner = false
	case c.Sess.AsOwner:
		c.Actor.Staff = s
	case s.Role == "admin":
		c.Actor.Staff, c.Actor.Role = s, RoleAdmin
	default:
		c.Actor.Staff, c.Actor.Role = s, RoleStaff
	}
	c.set = c.e.setFor(c.Actor.Role)
}

// The commands that switch a staff member between their staff role and owner mode.
const (
	cmdOwnerMode = "mode_pemilik"
	cmdStaffMode = "mode_petugas"
)

// switchMode makes a staff member act as the owner of their own business, or as staff again.
// Whatever ran is dropped: the other side's flows do not exist in this mode.
func (c *Ctx) switchMode(asOwner bool) error {
	c.ParkRunning()
	c.Sess.AsOwner = asOwner
	c.resolveActor()
	c.SetCommandMenu()
	if asOwner {
		c.ShowMenu(c.T("StaffModeOwner"))
	} else {
		c.ShowMenu(c.T("StaffModeStaff"))
	}
	return nil
}

// Reresolve decides the role again within this update (someone just became staff), so what
// follows is answered as their new role. The staff row is read again: the one that came with the
// owner's is from before the change.
func (c *Ctx) Reresolve() error {
	s, err := store.StaffByTelegramID(c, c.DB, c.Owner.TelegramUserID)
	switch {
	case err == nil:
		c.Owner.Staff = &s
	case errors.Is(err, store.ErrNotFound):
		c.Owner.Staff = nil
	default:
		return err
	}
	c.resolveActor()
	return nil
}
