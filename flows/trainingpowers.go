package flows

import (
	"fmt"

	"umkmbot/store"
)

// AuthorizeTraining checks a power over one training, beside Authorize: PowerTrainings (edit,
// cancel, registrants, attendance) belongs to the staff of the office that organises it and to
// admins; PowerSeePhone (registrants' phones) only to the organising office's staff (and admins
// for a training an admin made). Another office's training reads as ErrNotFound, as if it did
// not exist; viewers and owners get ErrForbidden.
func (e *Engine) AuthorizeTraining(a Actor, p Power, tr *store.Training) error {
	if err := e.Authorize(a, PowerTrainings, nil); err != nil {
		return err
	}
	if p != PowerTrainings && p != PowerSeePhone {
		return fmt.Errorf("%w: %s over a training", ErrForbidden, p)
	}
	switch {
	case a.Role == RoleAdmin && (p == PowerTrainings || tr.Office == ""):
		return nil
	case a.Role == RoleAdmin:
		return fmt.Errorf("%w: %s of another office's training", ErrForbidden, p)
	case tr.Office != "" && a.Office() == tr.Office:
		return nil
	}
	return fmt.Errorf("%w: training %d is %q's, not %q's", ErrNotFound, tr.ID, tr.Office, a.Office())
}

// AuthorizeTraining checks a power over a training for the person of this update.
func (c *Ctx) AuthorizeTraining(p Power, tr *store.Training) error {
	return c.e.AuthorizeTraining(c.Actor, p, tr)
}
