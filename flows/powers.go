package flows

import (
	"errors"
	"fmt"
	"slices"

	"umkmbot/flows/domain"
	"umkmbot/store"
)

// Power is something only staff may do.
type Power string

// The powers, each checked by Authorize.
const (
	PowerView        Power = "view"         // see an application's card
	PowerAct         Power = "act"          // change its status, claim it, note on it
	PowerSeePhone    Power = "see_phone"    // see the owner's phone unmasked
	PowerManageStaff Power = "manage_staff" // invite and remove staff
	PowerBroadcast   Power = "broadcast"    // announce to owners of the office's area
	PowerTrainings   Power = "trainings"    // schedule and manage trainings in the office's area
)

// The errors of Authorize: ErrForbidden when the person may not do this at all (an owner, a
// staff member asking for an admin's power), ErrNotFound when the thing is not theirs to see (an
// application of another office) — the answer is the same as for one that does not exist, so
// nothing leaks.
var (
	ErrForbidden = errors.New("flows: not allowed")
	ErrNotFound  = errors.New("flows: not found")
)

// Authorize is the one place staff powers are checked. app is the application acted on, nil for
// a power not about one.
func (e *Engine) Authorize(a Actor, p Power, app *store.Application) error {
	if a.Role != RoleStaff && a.Role != RoleAdmin {
		return fmt.Errorf("%w: %s as %s", ErrForbidden, p, a.Role)
	}
	if p == PowerManageStaff {
		if a.Role != RoleAdmin {
			return fmt.Errorf("%w: %s as %s", ErrForbidden, p, a.Role)
		}
		return nil
	}
	if (p == PowerAct || p == PowerBroadcast || p == PowerTrainings) && a.Staff.Role == "viewer" {
		return fmt.Errorf("%w: a viewer may not act", ErrForbidden)
	}
	if app == nil {
		return nil
	}
	if app.Number == "" || app.Status == string(domain.StatusDraft) {
		return fmt.Errorf("%w: application %d not submitted", ErrNotFound, app.ID)
	}
	office := e.OfficeOf(*app)
	switch {
	case a.Role == RoleAdmin && p != PowerSeePhone:
		return nil
	case a.Office() == office:
		return nil
	case a.Role == RoleAdmin:
		return fmt.Errorf("%w: %s of another office's application", ErrForbidden, p)
	}
	return fmt.Errorf("%w: application %d is for %s, not %s", ErrNotFound, app.ID, office, a.Office())
}

// OfficeOf is the code of the office that handles the application: the kabupaten health office
// for SPP-IRT, the BPOM unit covering its kabupaten otherwise.
func (e *Engine) OfficeOf(app store.Application) string {
	o, _ := e.rules.OfficeFor(domain.PathCode(app.Path), app.Kabupaten)
	return o.Code
}

// Authorize checks a power of the person of this update (see Engine.Authorize).
func (c *Ctx) Authorize(p Power, app *store.Application) error { return c.e.Authorize(c.Actor, p, app) }

// Area is the kabupaten a staff member's powers over owners reach: their office's, nil (the
// whole province) for an admin, and none — empty, never nil — for staff whose office is not in
// the rules (renamed or removed, an old row) or anyone else. Only the role makes an admin: never
// test Area for nil to decide it.
func (e *Engine) Area(a Actor) []string {
	if a.Role == RoleAdmin {
		return nil
	}
	o, ok := e.rules.Office(a.Office())
	if !ok || a.Role != RoleStaff || o.Kabupaten == nil {
		return []string{}
	}
	return o.Kabupaten
}

// AuthorizeArea checks a power over the owners of area (kabupaten codes; nil is the whole
// province): admins reach everywhere, office staff only the kabupaten their office covers (a BPOM
// unit its kabupaten, a health office its one). Owners of a kabupaten outside reads as
// ErrNotFound, like another office's application.
func (e *Engine) AuthorizeArea(a Actor, p Power, area []string) error {
	if err := e.Authorize(a, p, nil); err != nil || a.Role == RoleAdmin {
		return err
	}
	mine := e.Area(a)
	if len(mine) == 0 {
		return fmt.Errorf("%w: %s without an office's area", ErrForbidden, p)
	}
	if len(area) == 0 {
		return fmt.Errorf("%w: %s over the whole province as %s", ErrNotFound, p, a.Office())
	}
	for _, k := range area {
		if !slices.Contains(mine, k) {
			return fmt.Errorf("%w: %s in %s, not %s's", ErrNotFound, p, k, a.Office())
		}
	}
	return nil
}

// AuthorizeArea checks a power over owners of area for the person of this update.
func (c *Ctx) AuthorizeArea(p Power, area []string) error { return c.e.AuthorizeArea(c.Actor, p, area) }
