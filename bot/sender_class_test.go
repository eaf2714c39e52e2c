package bot

import (
	"testing"

	"umkmbot/store"
)

// Replies count against the per-chat budget, reminders and broadcasts against the bulk one, and
// with PaidBroadcast broadcasts (only they) against the paid budget.
func TestQueueClass(t *testing.T) {
	for _, tc := range []struct {
		paid     bool
		priority int
		want     sendClass
	}{
		{false, store.PriorityReply, classReply},
		{false, store.PriorityReminder, classBulk},
		{false, store.PriorityBroadcast, classBulk},
		{true, store.PriorityReply, classReply},
		{true, store.PriorityReminder, classBulk},
		{true, store.PriorityBroadcast, classPaid},
	} {
		s := NewSender(SenderConfig{PaidBroadcast: tc.paid})
		if got := s.queueClass(tc.priority); got != tc.want {
			t.Errorf("PaidBroadcast %v, priority %d: class %d, want %d", tc.paid, tc.priority, got, tc.want)
		}
	}
}
