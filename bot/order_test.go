package bot

import (
	"context"
	"slices"
	"testing"
	"time"

	"umkmbot/bot/telegramtest"
	"umkmbot/store"
	"umkmbot/store/storetest"
)

// Webhook posts race on parallel connections: update 11 of a chat can arrive before update 10 of
// the same chat. With OrderHold the dispatcher waits (briefly) for the missing 10 and handles
// the two in update order; without it, 11 would be answered first.
func TestWebhookOrderHoldWaitsForALateEarlierUpdate(t *testing.T) {
	for _, tc := range []struct {
		name string
		hold time.Duration
		want []string
	}{
		{"held", 2 * time.Second, []string{"echo: sepuluh", "echo: sebelas"}},
		{"not held", 0, []string{"echo: sebelas", "echo: sepuluh"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := storetest.New(t)
			d, n, m := startHoldingDispatcher(t, s, 9, tc.hold)

			put(t, s, 11, 7, textUpdate(11, 7, "sebelas")) // 10's post is still on its way
			d.Notify(7)
			if tc.hold == 0 {
				waitOutbox(t, s, n, 1)
			} else {
				// The dispatcher has looked at 11 and held it back (it would otherwise answer it
				// before 10 arrives).
				waitFor(t, "update 11 to be held back", func() bool { return counterValue(m.UpdatesHeld) > 0 })
			}
			put(t, s, 10, 7, textUpdate(10, 7, "sepuluh"))
			d.Notify(7)
			got := replyTexts(waitOutbox(t, s, n, 2), 7)
			if !slices.Equal(got, tc.want) {
				t.Fatalf("replies %q, want %q", got, tc.want)
			}
			if held := counterValue(m.UpdatesHeld); (held > 0) != (tc.hold > 0) {
				t.Errorf("updates held = %v", held)
			}
		})
	}
}

// startHoldingDispatcher runs a dispatcher with an order hold, after updates 1 to handled (to
// other chats) came and were handled.
func startHoldingDispatcher(t *testing.T, s *store.Store, handled int64, hold time.Duration) (*Dispatcher, nudges, *Metrics) {
	t.Helper()
	for id := int64(1); id <= handled; id++ {
		put(t, s, id, 900+id, textUpdate(id, 900+id, "lama"))
		if err := store.MarkHandled(context.Background(), s.DB(), id); err != nil {
			t.Fatal(err)
		}
	}
	n := make(nudges, 1)
	m := NewMetrics(nil)
	d := NewDispatcher(DispatcherConfig{Store: s, Handler: &echoHandler{}, Workers: 2, Nudge: n.nudge,
		ScanInterval: 50 * time.Millisecond, OrderHold: hold, OrderWindow: 40, Metrics: m})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = d.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	return d, n, m
}

// With nothing missing below it, a webhook update is not held at all.
func TestWebhookOrderHoldOnlyWhenSomethingIsMissing(t *testing.T) {
	s := storetest.New(t)
	d, n, m := startHoldingDispatcher(t, s, 5, time.Hour)
	put(t, s, 6, 7, textUpdate(6, 7, "halo"))
	d.Notify(7)
	if got := replyTexts(waitOutbox(t, s, n, 1), 7); len(got) != 1 {
		t.Fatalf("replies %q", got)
	}
	if held := counterValue(m.UpdatesHeld); held != 0 {
		t.Fatalf("an update with nothing missing below it was held (%v)", held)
	}
}

// Several instances poll one bot: one of them polls (holding the lock), the others stand by, and
// when the poller stops, another takes over within a few Standby periods. Every update is kept
// once.
func TestOnlyOneInstancePollsAndAnotherTakesOver(t *testing.T) {
	srv := telegramtest.New(t)
	s, dsn := storetest.NewWithDSN(t)
	d, n := startDispatcher(t, s, &echoHandler{}, 2)
	type instance struct {
		p      *Poller
		m      *Metrics
		cancel context.CancelFunc
		done   chan error
	}
	start := func() *instance {
		db, err := store.Open(context.Background(), dsn, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(db.Close)
		m := NewMetrics(nil)
		p := NewPoller(PollerConfig{APIURL: srv.URL(), Token: srv.Token(), Store: db, Notify: d.Notify,
			PollTimeout: time.Second, MaxBackoff: 200 * time.Millisecond, Standby: 50 * time.Millisecond, Metrics: m})
		ctx, cancel := context.WithCancel(context.Background())
		in := &instance{p: p, m: m, cancel: cancel, done: make(chan error, 1)}
		go func() { in.done <- p.Run(ctx) }()
		t.Cleanup(func() { cancel(); <-in.done })
		return in
	}
	a, b := start(), start()
	leaders := func() (int, *instance) {
		var k int
		var who *instance
		for _, in := range []*instance{a, b} {
			if counterValue(in.m.IntakeLeader) == 1 {
				k, who = k+1, in
			}
		}
		return k, who
	}
	var leader *instance
	waitFor(t, "an instance to become the poller", func() bool {
		k, who := leaders()
		if k > 1 {
			t.Fatal("two instances poll at once")
		}
		leader = who
		return k == 1
	})
	u := srv.User(501, "Maria", "id")
	u.Send("satu")
	waitOutbox(t, s, n, 1)
	if !a.p.Alive() || !b.p.Alive() {
		t.Fatal("an instance standing by is not ready; it dispatches and sends, it should be")
	}

	leader.cancel()
	<-leader.done
	leader.done <- nil // for the cleanup
	other := a
	if leader == a {
		other = b
	}
	waitFor(t, "the other instance to take over", func() bool { return counterValue(other.m.IntakeLeader) == 1 })
	u.Send("dua")
	if got := replyTexts(waitOutbox(t, s, n, 2), 501); !slices.Equal(got, []string{"echo: satu", "echo: dua"}) {
		t.Fatalf("replies %q", got)
	}
	if c := srv.Calls("getUpdates"); len(c) == 0 {
		t.Fatal("nobody polled")
	}
	for _, c := range srv.Calls("getUpdates") {
		if c.Status == 409 {
			t.Fatalf("getUpdates answered 409: two instances polled at once")
		}
	}
}
