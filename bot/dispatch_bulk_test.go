package bot

import (
	"testing"

	"umkmbot/flows"
	"umkmbot/store"
)

// A bulk notice (a CSV import's owners' notices) waits behind replies at reminder priority; other
// notices and the replies go at reply priority.
func TestBulkNoticesAtReminderPriority(t *testing.T) {
	msgs, err := outboxMessages(1, "", flows.Result{Replies: []flows.Reply{{Text: "ok"}},
		Notices: []flows.Notice{{ChatID: 2, Reply: flows.Reply{Text: "status"}, Bulk: true}, {ChatID: 3, Reply: flows.Reply{Text: "baru"}}}})
	if err != nil {
		t.Fatal(err)
	}
	want := map[int64]int{1: store.PriorityReply, 2: store.PriorityReminder, 3: store.PriorityReply}
	for _, m := range msgs {
		if m.Priority != want[m.ChatID] {
			t.Errorf("chat %d at priority %d, want %d", m.ChatID, m.Priority, want[m.ChatID])
		}
	}
}
