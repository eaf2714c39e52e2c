package flows

import (
	"errors"
	"fmt"
	"time"

	"umkmbot/flows/domain"
	"umkmbot/store"
)

// Change is one move of an application along DOMAIN's arrows, with what the move carries.
type Change struct {
	App        store.Application
	To         domain.Status
	Note       string
	Due        *time.Time
	Permit     string     // canonical permit number, for an approval
	ValidUntil *time.Time // for an approval
}

// ErrMoved is a Transition on an application that changed status meanwhile (someone else acted,
// or the button was old).
var ErrMoved = errors.New("flows: application moved on meanwhile")

// Transition is the one place an application changes status: staff powers (Authorize), the
// arrows of domain.CanTransition, the history row, the permit, the audit log (before and after)
// and the owner's notice in their language with what to do next.
func (c *Ctx) Transition(ch Change) error {
	actor := domain.ActorOwner
	actorID := c.Owner.ID
	if c.Actor.Role == RoleStaff || c.Actor.Role == RoleAdmin {
		actor, actorID = domain.ActorStaff, c.Actor.Staff.ID
		if err := c.Authorize(PowerAct, &ch.App); err != nil {
			return err
		}
	} else if ch.App.OwnerID != c.Owner.ID {
		return fmt.Errorf("%w: not the owner's application", ErrNotFound)
	}
	from := domain.Status(ch.App.Status)
	if err := domain.CanTransition(from, ch.To, actor); err != nil {
		return fmt.Errorf("%w: %w", ErrMoved, err)
	}
	err := store.ChangeStatus(c, c.DB, ch.App.ID, string(from), string(ch.To), string(actor), actorID, ch.Note, ch.Due, c.Now)
	if errors.Is(err, store.ErrStatusChanged) {
		return fmt.Errorf("%w: %w", ErrMoved, err)
	}
	if err != nil {
		return err
	}
	if ch.To == domain.StatusApproved {
		if err := store.SetPermit(c, c.DB, ch.App.ID, ch.Permit, *ch.ValidUntil); err != nil {
			return err
		}
	}
	after := map[string]any{"status": ch.To, "note": ch.Note}
	if ch.Due != nil {
		after["due"] = ch.Due.Format(time.RFC3339)
	}
	if ch.Permit != "" {
		after["permit"] = ch.Permit
	}
	detail := map[string]any{"before": map[string]any{"status": from}, "after": after}
	if err := store.Audit(c, c.DB, store.AuditEntry{ActorKind: string(actor), ActorID: actorID, Action: "application.status",
		SubjectKind: "application", SubjectID: ch.App.ID, Detail: detail}, c.Now); err != nil {
		return err
	}
	if actor != domain.ActorStaff || ch.App.OwnerID == 0 {
		return nil
	}
	return c.notifyOwner(ch)
}

// notifyOwner tells the owner of a status change made by staff, in their language, with the next
// step: the same words /status shows.
func (c *Ctx) notifyOwner(ch Change) error {
	o, err := store.OwnerByID(c, c.DB, ch.App.OwnerID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && o.DeletedAt != nil) {
		return nil
	}
	if err != nil {
		return err
	}
	l := c.e.msgs.For(o.Lang)
	data := map[string]any{"Number": ch.App.Number, "Product": ch.App.ProductName, "Path": l.T("PathName_" + ch.App.Path),
		"Status": l.T("Status_" + string(ch.To)), "Note": ch.Note, "Due": "", "Permit": ch.Permit, "ValidUntil": "", "Missing": "", "Office": ""}
	if o, ok := c.e.rules.OfficeFor(domain.PathCode(ch.App.Path), ch.App.Kabupaten); ok {
		data["Office"] = o.Name // StatusNext_* names who does what next
	}
	if ch.Due != nil {
		data["Due"] = l.DateTime(*ch.Due)
	}
	if ch.ValidUntil != nil {
		data["ValidUntil"] = l.Date(*ch.ValidUntil)
	}
	text := l.T("OwnerStatusChanged", data) + "\n\n" + l.T("StatusNext_"+string(ch.To), data)
	c.Notify(Notice{ChatID: o.ChatID, Reply: Reply{Text: text, Buttons: [][]Button{{{Label: l.T("OwnerStatusOpen"), Data: "a:app:" + fmt.Sprint(ch.App.ID)}}}},
		DedupeKey: fmt.Sprintf("status:%d:%s:%d", ch.App.ID, ch.To, c.Now.UnixNano())})
	return nil
}
