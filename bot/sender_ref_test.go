package bot

import (
	"context"
	"strings"
	"testing"

	tgbot "github.com/go-telegram/bot"

	"umkmbot/flows"
	"umkmbot/store"
)

// A reply with Ref keeps its message id (recorded with the send); a later reply with EditRef
// edits that message; an unknown name, or a message deleted meanwhile, gets a new message that
// takes the name over; an edit that changes nothing counts as delivered.
func TestSenderEditsNamedMessages(t *testing.T) {
	r := newSenderRig(t)
	ctx := context.Background()
	db := r.db.DB()
	r.srv.User(7001, "Staff", "id")
	s := r.sender(nil)
	refID := func() int {
		t.Helper()
		id, ok, err := store.MessageRefID(ctx, db, 7001, "bc:1")
		if err != nil || !ok {
			t.Fatalf("no message kept under bc:1 (%v)", err)
		}
		return id
	}

	r.enqueue(7001, store.PriorityReply, reply(flows.Reply{Text: "Terkirim 0 / 10", Ref: "bc:1"}))
	r.flush(s)
	first := refID()
	r.enqueue(7001, store.PriorityReply, reply(flows.Reply{Text: "Terkirim 5 / 10", EditRef: "bc:1"}))
	r.flush(s)
	edits := r.srv.Calls("editMessageText")
	if len(edits) != 1 || edits[0].Status != 200 || int(edits[0].Params.Int("message_id")) != first ||
		edits[0].Params.Get("text") != "Terkirim 5 / 10" {
		t.Fatalf("edits %+v, want one of message %d", edits, first)
	}
	if n := len(r.srv.Calls("sendMessage")); n != 1 {
		t.Fatalf("%d sendMessage calls, want 1", n)
	}

	// The same text again: "message is not modified" is delivered, not failed.
	r.enqueue(7001, store.PriorityReply, reply(flows.Reply{Text: "Terkirim 5 / 10", EditRef: "bc:1"}))
	r.flush(s)
	if q, f := r.left(); q != 0 || f != 0 {
		t.Fatalf("after a no-change edit: %d queued, %d failed", q, f)
	}

	// Deleted meanwhile: a new message, which then is the one edited.
	if _, err := r.client.DeleteMessage(ctx, &tgbot.DeleteMessageParams{ChatID: int64(7001), MessageID: first}); err != nil {
		t.Fatal(err)
	}
	r.enqueue(7001, store.PriorityReply, reply(flows.Reply{Text: "Terkirim 8 / 10", EditRef: "bc:1"}))
	r.flush(s)
	second := refID()
	if second == first {
		t.Fatal("the new message did not take the name over")
	}
	r.enqueue(7001, store.PriorityReply, reply(flows.Reply{Text: "Terkirim 10 / 10", EditRef: "bc:1"}))
	r.flush(s)
	edits = r.srv.Calls("editMessageText")
	if last := edits[len(edits)-1]; last.Status != 200 || int(last.Params.Int("message_id")) != second {
		t.Fatalf("last edit %+v, want of message %d", last, second)
	}

	// A long text: its first part edits the message, the rest come new; the name stays put.
	r.enqueue(7001, store.PriorityReply, reply(flows.Reply{Text: strings.Repeat("Laporan panjang. ", 400), EditRef: "bc:1"}))
	r.flush(s)
	if id := refID(); id != second {
		t.Fatalf("the name moved from message %d to %d, the second part of an edit", second, id)
	}

	// A name never sent: a new message under it.
	r.enqueue(7001, store.PriorityReply, reply(flows.Reply{Text: "Laporan", EditRef: "bc:2"}))
	r.flush(s)
	if _, ok, _ := store.MessageRefID(ctx, db, 7001, "bc:2"); !ok {
		t.Fatal("a reply for an unknown name was not kept under it")
	}
	if n := len(r.srv.Calls("sendMessage")); n != 4 {
		t.Fatalf("%d sendMessage calls, want 4 (the first, the one replacing the deleted, the long text's second part, the unknown name)", n)
	}
	if q, f := r.left(); q != 0 || f != 0 {
		t.Fatalf("%d queued, %d failed", q, f)
	}
}

// A named message and its edit in the same claim (a broadcast's confirmation and its first
// progress, queued before the sender came by): the edit finds the message sent a moment before,
// though its id is recorded only with the claim's outcome, and edits it rather than sending a
// second message. A second edit in the claim edits it too; the name is kept once, for it.
func TestSenderEditsNamedMessageOfSameClaim(t *testing.T) {
	r := newSenderRig(t)
	ctx := context.Background()
	r.srv.User(7001, "Staff", "id")
	r.srv.User(7002, "Other", "id")
	s := r.sender(nil)

	// Another chat's message of that name: never the one edited.
	r.enqueue(7002, store.PriorityReply, reply(flows.Reply{Text: "Lain", Ref: "bc:1"}))
	r.flush(s)
	r.enqueue(7001, store.PriorityReply, reply(flows.Reply{Text: "Pengumuman #1 dikirim", Ref: "bc:1"}))
	r.enqueue(7001, store.PriorityReply, reply(flows.Reply{Text: "Terkirim 0 / 10", EditRef: "bc:1"}))
	r.enqueue(7001, store.PriorityReply, reply(flows.Reply{Text: "Terkirim 4 / 10", EditRef: "bc:1"}))
	r.flush(s)

	sends := r.srv.Calls("sendMessage")
	if len(sends) != 2 {
		t.Fatalf("%d sendMessage calls, want 2 (the other chat's and the confirmation): %+v", len(sends), sends)
	}
	id, ok, err := store.MessageRefID(ctx, r.db.DB(), 7001, "bc:1")
	if err != nil || !ok {
		t.Fatalf("no message kept under bc:1 (%v)", err)
	}
	edits := r.srv.Calls("editMessageText")
	if len(edits) != 2 {
		t.Fatalf("%d editMessageText calls, want 2: %+v", len(edits), edits)
	}
	for i, want := range []string{"Terkirim 0 / 10", "Terkirim 4 / 10"} {
		e := edits[i]
		if e.Status != 200 || int(e.Params.Int("message_id")) != id || e.Params.Int("chat_id") != 7001 || e.Params.Get("text") != want {
			t.Fatalf("edit %d %+v, want %q of message %d in 7001", i, e, want, id)
		}
	}
	if q, f := r.left(); q != 0 || f != 0 {
		t.Fatalf("%d queued, %d failed", q, f)
	}
}
