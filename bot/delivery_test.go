package bot

import (
	"context"
	"net/http"
	"testing"
	"time"

	"umkmbot/bot/telegramtest"
	"umkmbot/store"
)

// waitDB waits until cond, a check of the database, holds (the fake's WaitFor looks again only
// when Telegram is called).
func (r *senderRig) waitDB(what string, cond func() bool) {
	r.t.Helper()
	waitFor(r.t, what, cond)
}

// claimedOnce waits until the chat's reply queue has been claimed (its first attempt counted).
func (r *senderRig) claimedOnce(chatID int64) {
	r.t.Helper()
	r.waitDB("the claim", func() bool {
		var n int
		_ = r.db.DB().QueryRow(context.Background(),
			`SELECT count(*) FROM outbox_queues WHERE chat_id = $1 AND attempts > 0`, chatID).Scan(&n)
		return n > 0
	})
}

// Telegram accepts a message while the database is unreachable, for longer than the lease: the
// sender keeps trying to record it and, meanwhile, never sends it again. Before queues and held
// claims, the lease ran out and the message went a second time.
func TestSenderDatabaseOutageAfterSendSendsOnce(t *testing.T) {
	r := newSenderRig(t)
	r.srv.SetEnforceLimits(false)
	link := newTCPLink(t, r.dsn)
	via, err := store.Open(context.Background(), link.dsn, store.Options{ConnectTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(via.Close)
	owner := r.srv.User(90, "Maria", "id")
	r.text(90, store.PriorityReply, "balasan")
	r.srv.FailNext("sendMessage", 1, telegramtest.Slow(700*time.Millisecond)) // in flight while we cut
	s := r.sender(func(c *SenderConfig) { c.Store, c.Lease = via, 300*time.Millisecond })
	r.run(s)
	r.claimedOnce(90)
	link.cut()
	if _, err := owner.WaitBotMessages(r.deadline(), 1); err != nil {
		t.Fatal(err)
	}
	// Down for several leases: the sender cannot record, renew or claim, and its lease runs out.
	r.waitDB("the lease to run out", func() bool {
		var lapsed bool
		_ = r.db.DB().QueryRow(context.Background(), `
			SELECT EXISTS (SELECT 1 FROM outbox_queues WHERE chat_id = 90 AND not_before < now() - interval '1 second')`).Scan(&lapsed)
		return lapsed
	})
	link.mend()
	r.waitDB("the send recorded", func() bool { q, _ := r.left(); return q == 0 })
	if n := len(r.srv.Calls("sendMessage")); n != 1 {
		t.Fatalf("%d sends, want exactly 1", n)
	}
	if counterValue(r.m.MarkRetries) == 0 {
		t.Error("recording never failed: the outage did not happen where the test meant it to")
	}
}

// After a 5xx the queue waits its backoff: half to all of a second after the first failure.
func TestSenderRetryWaitsItsBackoff(t *testing.T) {
	r := newSenderRig(t)
	r.srv.User(91, "Owner", "id")
	id := r.text(91, store.PriorityReply, "halo")
	r.srv.FailNext("sendMessage", 1, telegramtest.ServerError(http.StatusBadGateway))
	r.run(r.sender(nil))
	var notBefore time.Time
	r.waitDB("the retry recorded", func() bool {
		// Between the failure's record and the retry's claim (half a second at least).
		err := r.db.DB().QueryRow(context.Background(), `
			SELECT q.not_before FROM outbox_queues q JOIN outbox o ON o.chat_id = q.chat_id AND o.priority = q.priority
			WHERE o.id = $1 AND q.attempts = 1 AND o.last_error IS NOT NULL`, id).Scan(&notBefore)
		return err == nil
	})
	failedAt := r.srv.Calls("sendMessage")[0].At
	if wait := notBefore.Sub(failedAt); wait < 400*time.Millisecond || wait > 2*time.Second {
		t.Fatalf("retry due %v after the failure, want its backoff of 0.5-1s", wait)
	}
}

// A stop gives back at once what was claimed and not yet sent, so another instance need not wait
// for the lease.
func TestSenderStopReleasesWhatItHolds(t *testing.T) {
	r := newSenderRig(t)
	r.srv.SetEnforceLimits(false)
	for c := range int64(4) {
		r.srv.User(100+c, "Owner", "id")
		r.text(100+c, store.PriorityReply, "halo")
	}
	r.srv.FailNext("sendMessage", 1, telegramtest.Slow(300*time.Millisecond))
	s := r.sender(func(c *SenderConfig) { c.Workers = 1; c.Lease = time.Hour })
	stop := r.run(s)
	r.waitFor("the first call", func() bool { return len(r.srv.Calls("sendMessage")) >= 1 })
	stop()
	var leased int
	if err := r.db.DB().QueryRow(context.Background(),
		`SELECT count(*) FROM outbox_queues WHERE not_before > now() + interval '1 minute'`).Scan(&leased); err != nil {
		t.Fatal(err)
	}
	if leased != 0 {
		t.Fatalf("%d queues still leased for an hour after the stop: nobody could send them", leased)
	}
	if queued, _ := r.left(); queued+len(r.srv.Calls("sendMessage")) < 4 {
		t.Fatalf("messages lost: %d queued, %d sent", queued, len(r.srv.Calls("sendMessage")))
	}
}

// Telegram refusing the token pauses every send without burning attempts.
func TestSender401PausesWithoutBurningAttempts(t *testing.T) {
	r := newSenderRig(t)
	r.srv.User(92, "Owner", "id")
	id := r.text(92, store.PriorityReply, "halo")
	r.srv.FailNext("sendMessage", 1, telegramtest.Failure{Code: http.StatusUnauthorized, Description: "Unauthorized"})
	s := r.sender(nil)
	r.flush(s)
	if st := r.row(id); st.Status != "pending" || st.Attempts != 0 {
		t.Fatalf("after a 401: %+v, want pending with its attempt given back", st)
	}
	if wait := s.lim.paused(r.now()); wait < 50*time.Second {
		t.Fatalf("paused for %v after a 401, want about a minute", wait)
	}
}

// A queue claimed again and again without an outcome (an instance died while sending its first
// message, each time) fails that message instead of trying for ever.
func TestSenderTooManyAttemptsFails(t *testing.T) {
	r := newSenderRig(t)
	r.srv.User(93, "Owner", "id")
	id := r.text(93, store.PriorityReply, "halo")
	if _, err := r.db.DB().Exec(context.Background(), `UPDATE outbox_queues SET attempts = 8 WHERE chat_id = 93`); err != nil {
		t.Fatal(err)
	}
	r.flush(r.sender(func(c *SenderConfig) { c.MaxAttempts = 8 }))
	if st := r.row(id); st.Status != "failed" || st.Error != "too many attempts" {
		t.Fatalf("row = %+v", st)
	}
	if n := len(r.srv.Calls("sendMessage")); n != 0 {
		t.Fatalf("%d sends of a message given up", n)
	}
}

// A reply of several messages to one chat may wait for the chat's rate between them, far longer
// than one database write may take: what was sent is still recorded, once. (Before, the write's
// deadline started before the waits, the record failed, the lease ran out and everything went
// twice.)
func TestSenderRecordsAfterLongRateWaits(t *testing.T) {
	r := newSenderRig(t)
	owner := r.srv.User(94, "Owner", "id")
	for _, x := range []string{"satu", "dua", "tiga", "empat"} {
		r.text(94, store.PriorityReply, x)
	}
	s := r.sender(func(c *SenderConfig) {
		c.WriteTimeout, c.ChatBurst, c.ChatRate = 200*time.Millisecond, 1, 4 // 0.25 s between messages
		c.Lease = time.Second
	})
	r.run(s)
	if _, err := owner.WaitBotMessages(r.deadline(), 4); err != nil {
		t.Fatal(err)
	}
	// Recorded: the queue is gone, so nothing of it can be claimed (and sent) again.
	r.waitDB("the sends recorded", func() bool { q, _ := r.left(); return q == 0 })
	if got := r.sentTexts(); len(got) != 4 {
		t.Fatalf("sent %q, want each of the four once", got)
	}
	if n := counterValue(r.m.MarkRetries); n != 0 {
		t.Fatalf("recording failed %v times", n)
	}
}
