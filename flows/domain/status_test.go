package domain

import (
	"errors"
	"slices"
	"testing"
)

func TestCanTransitionMatrix(t *testing.T) {
	// allowed[from][to] is who may follow the arrow; absent means no arrow.
	type who = []ActorKind
	allowed := map[Status]map[Status]who{
		StatusDraft:           {StatusSubmitted: {ActorOwner}, StatusWithdrawn: {ActorOwner}},
		StatusSubmitted:       {StatusInReview: {ActorStaff}, StatusWithdrawn: {ActorOwner}},
		StatusInReview:        {StatusNeedsFix: {ActorStaff}, StatusAwaitingPayment: {ActorStaff}, StatusApproved: {ActorStaff}, StatusRejected: {ActorStaff}, StatusWithdrawn: {ActorOwner}},
		StatusNeedsFix:        {StatusSubmitted: {ActorOwner}, StatusWithdrawn: {ActorOwner}},
		StatusAwaitingPayment: {StatusInReview: {ActorStaff, ActorSystem}, StatusWithdrawn: {ActorOwner}},
		StatusApproved:        {},
		StatusRejected:        {},
		StatusWithdrawn:       {},
	}
	actors := []ActorKind{ActorOwner, ActorStaff, ActorSystem}
	for _, from := range Statuses() {
		for _, to := range Statuses() {
			for _, actor := range actors {
				err := CanTransition(from, to, actor)
				who, arrow := allowed[from][to]
				var want error
				switch {
				case !arrow:
					want = ErrTransitionNotAllowed
				case !slices.Contains(who, actor):
					want = ErrActorNotAllowed
				}
				if !errors.Is(err, want) {
					t.Errorf("CanTransition(%s, %s, %s) = %v, want %v", from, to, actor, err, want)
				}
			}
		}
	}
}

func TestStatusKinds(t *testing.T) {
	tests := []struct {
		s           Status
		open, final bool
	}{
		{StatusDraft, true, false},
		{StatusSubmitted, true, false},
		{StatusInReview, true, false},
		{StatusNeedsFix, true, false},
		{StatusAwaitingPayment, true, false},
		{StatusApproved, false, true},
		{StatusRejected, false, true},
		{StatusWithdrawn, false, true},
		{"paid", false, false},
	}
	for _, tt := range tests {
		if IsOpen(tt.s) != tt.open || IsFinal(tt.s) != tt.final || tt.s.Valid() != (tt.open || tt.final) {
			t.Errorf("%q: IsOpen=%v IsFinal=%v Valid=%v", tt.s, IsOpen(tt.s), IsFinal(tt.s), tt.s.Valid())
		}
	}
	if err := CanTransition("paid", StatusInReview, ActorStaff); !errors.Is(err, ErrUnknownStatus) {
		t.Errorf("unknown status: %v", err)
	}
}

func TestNextStatuses(t *testing.T) {
	got := NextStatuses(StatusInReview, ActorStaff)
	want := []Status{StatusNeedsFix, StatusAwaitingPayment, StatusApproved, StatusRejected}
	if len(got) != len(want) {
		t.Fatalf("NextStatuses(in_review, staff) = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("NextStatuses(in_review, staff) = %v, want %v", got, want)
		}
	}
	if got := NextStatuses(StatusApproved, ActorOwner); len(got) != 0 {
		t.Errorf("NextStatuses(approved, owner) = %v, want none", got)
	}
}
