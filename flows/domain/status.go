package domain

import (
	"fmt"
	"slices"
)

// Status is the bot's own tracking of an application (pengajuan), not an official BPOM status.
type Status string

// The application statuses.
const (
	StatusDraft           Status = "draft"            // draf
	StatusSubmitted       Status = "submitted"        // diajukan
	StatusInReview        Status = "in_review"        // diperiksa
	StatusNeedsFix        Status = "needs_fix"        // perbaikan berkas
	StatusAwaitingPayment Status = "awaiting_payment" // menunggu pembayaran
	StatusApproved        Status = "approved"         // disetujui
	StatusRejected        Status = "rejected"         // ditolak
	StatusWithdrawn       Status = "withdrawn"        // dibatalkan
)

// Statuses returns every status in the order of an application's life.
func Statuses() []Status {
	return []Status{StatusDraft, StatusSubmitted, StatusInReview, StatusNeedsFix,
		StatusAwaitingPayment, StatusApproved, StatusRejected, StatusWithdrawn}
}

// Valid reports whether s is one of the status codes.
func (s Status) Valid() bool { return IsOpen(s) || IsFinal(s) }

// IsOpen reports whether an application in status s can still move: the owner may withdraw it.
func IsOpen(s Status) bool {
	switch s {
	case StatusDraft, StatusSubmitted, StatusInReview, StatusNeedsFix, StatusAwaitingPayment:
		return true
	}
	return false
}

// IsFinal reports whether s ends an application: approved, rejected or withdrawn.
func IsFinal(s Status) bool {
	return s == StatusApproved || s == StatusRejected || s == StatusWithdrawn
}

// ActorKind is who moves an application.
type ActorKind string

// The actors.
const (
	ActorOwner  ActorKind = "owner"  // pelaku usaha
	ActorStaff  ActorKind = "staff"  // petugas
	ActorSystem ActorKind = "system" // the bot itself, e.g. a payment confirmation
)

// transition is one arrow of the status diagram and who may follow it.
type transition struct {
	from, to Status
	actors   []ActorKind
}

// transitions is DOMAIN.md's diagram; withdrawing is added for every open status.
func transitions() []transition {
	t := []transition{
		{StatusDraft, StatusSubmitted, []ActorKind{ActorOwner}},                       // submit
		{StatusSubmitted, StatusInReview, []ActorKind{ActorStaff}},                    // staff opens
		{StatusInReview, StatusNeedsFix, []ActorKind{ActorStaff}},                     // ask corrections
		{StatusInReview, StatusAwaitingPayment, []ActorKind{ActorStaff}},              // payment order (SPB)
		{StatusInReview, StatusApproved, []ActorKind{ActorStaff}},                     // approve
		{StatusInReview, StatusRejected, []ActorKind{ActorStaff}},                     // reject
		{StatusNeedsFix, StatusSubmitted, []ActorKind{ActorOwner}},                    // owner resubmits
		{StatusAwaitingPayment, StatusInReview, []ActorKind{ActorStaff, ActorSystem}}, // paid
	}
	for _, s := range Statuses() {
		if IsOpen(s) {
			t = append(t, transition{s, StatusWithdrawn, []ActorKind{ActorOwner}}) // owner withdraws
		}
	}
	return t
}

// CanTransition tells whether actor may move an application from one status to another. It
// fails with ErrUnknownStatus, ErrTransitionNotAllowed (no such arrow) or ErrActorNotAllowed (the
// arrow exists but belongs to another actor).
func CanTransition(from, to Status, actor ActorKind) error {
	if !from.Valid() || !to.Valid() {
		return fmt.Errorf("%w: %q → %q", ErrUnknownStatus, from, to)
	}
	for _, t := range transitions() {
		if t.from != from || t.to != to {
			continue
		}
		if slices.Contains(t.actors, actor) {
			return nil
		}
		return fmt.Errorf("%w: %s may not move %s → %s", ErrActorNotAllowed, actor, from, to)
	}
	return fmt.Errorf("%w: %s → %s", ErrTransitionNotAllowed, from, to)
}

// NextStatuses returns the statuses actor may move an application in status from to, e.g. for
// the buttons a staff member sees.
func NextStatuses(from Status, actor ActorKind) []Status {
	var out []Status
	for _, t := range transitions() {
		if t.from == from && CanTransition(from, t.to, actor) == nil {
			out = append(out, t.to)
		}
	}
	return out
}
