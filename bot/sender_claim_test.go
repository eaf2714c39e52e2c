package bot

import (
	"context"
	"slices"
	"testing"

	"umkmbot/bot/telegramtest"
	"umkmbot/flows"
	"umkmbot/store"
)

// A broadcast that nothing paces (no SEND_RATE or TELEGRAM_RATE holds it back: a paid broadcast, a
// local Bot API server, a SEND_RATE above what the machine does) does not keep a reply from being
// claimed. Its queues are recorded while the next claim of it runs, so there is always room for
// more of it; the claim loop must still get to the reply's nudge between two claims of the
// broadcast, not claim the broadcast again and again while a reply waits (the fault test of a
// broadcast to 20,000 owners saw replies wait 25 s so). Counted in broadcast messages sent before
// the reply, not in time.
func TestSenderReplyOvertakesUnpacedBroadcast(t *testing.T) {
	r := newSenderRig(t)
	r.srv.SetEnforceLimits(false)
	const recipients, workers = 5000, 32
	p, err := EncodePayload(reply(flows.Reply{Text: "pengumuman"}))
	if err != nil {
		t.Fatal(err)
	}
	msgs := make([]store.OutboxMessage, recipients)
	for i := range msgs {
		chat := 100_000 + int64(i)
		r.srv.User(chat, "Owner", "id")
		msgs[i] = store.OutboxMessage{ChatID: chat, Priority: store.PriorityBroadcast, Payload: p}
	}
	if _, err := store.EnqueueMany(context.Background(), r.db.DB(), msgs); err != nil {
		t.Fatal(err)
	}
	// A busy database: each claim takes 20 ms more (once per claim: a setting of its transaction),
	// and a broadcast's queues are recorded meanwhile.
	if _, err := r.db.DB().Exec(context.Background(), `
		CREATE FUNCTION slow_claim() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			IF NEW.claim IS DISTINCT FROM OLD.claim AND current_setting('umkmbot.slow', true) IS DISTINCT FROM 'done' THEN
				PERFORM set_config('umkmbot.slow', 'done', true);
				PERFORM pg_sleep(0.02);
			END IF;
			RETURN NEW;
		END $$;
		CREATE TRIGGER slow_claim BEFORE UPDATE ON outbox_queues FOR EACH ROW EXECUTE FUNCTION slow_claim()`); err != nil {
		t.Fatal(err)
	}
	s := r.sender(func(c *SenderConfig) { c.GlobalRate, c.OverallRate, c.Workers = 100_000, -1, workers })
	r.run(s)
	r.waitFor("the broadcast to be under way", func() bool { return r.sends("ok") >= 100 })

	owner := r.srv.User(7, "Maria", "id")
	before := len(r.srv.Calls("sendMessage"))
	r.text(owner.ID(), store.PriorityReply, "balasan untuk Maria")
	s.Nudge()
	r.waitFor("the reply", func() bool { return len(owner.BotMessages()) == 1 })
	at := slices.IndexFunc(r.srv.Calls("sendMessage"), func(c telegramtest.Call) bool { return c.Params.Int("chat_id") == owner.ID() })
	// What the sender held when the nudge came may go first, and what a claim under way brought:
	// 2×Workers broadcast queues each, at most. Not hundreds more (12–83 in runs of this test;
	// 321–685 when the loop kept claiming the broadcast into whatever room its records left).
	if overtaken := at - before; overtaken > 4*workers {
		t.Errorf("the reply went out after %d more broadcast messages (of %d): the claim loop kept claiming the broadcast", overtaken, recipients)
	} else {
		t.Logf("the reply went out after %d more broadcast messages", overtaken)
	}
}
