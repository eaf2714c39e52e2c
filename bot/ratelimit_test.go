package bot

import (
	"testing"
	"time"
)

// clock is a fake time for the limiter.
type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }

func TestRateLimiterReplyBurstThenChatRate(t *testing.T) {
	c := &clock{t: time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)}
	l := newRateLimiter(1000, 1000, 1, 3)
	for i := range 3 {
		if w := l.take(c.now(), 7, classReply); w != 0 {
			t.Fatalf("reply %d of the burst waits %v", i+1, w)
		}
	}
	w := l.take(c.now(), 7, classReply)
	if w <= 0 || w > 1112*time.Millisecond {
		t.Fatalf("4th reply: wait %v, want (0, 1.11s]", w)
	}
	// Another chat is not held up by this one.
	if w := l.take(c.now(), 8, classReply); w != 0 {
		t.Fatalf("other chat waits %v", w)
	}
	c.advance(w)
	if w := l.take(c.now(), 7, classReply); w != 0 {
		t.Fatalf("after the wait: %v", w)
	}
	// A little under the rate: Telegram counts arrivals, which jitter.
	if w := l.take(c.now(), 7, classReply); w < time.Second || w > 1112*time.Millisecond {
		t.Fatalf("sustained rate: wait %v, want 1s plus a margin", w)
	}
}

// Replies are not held by the bulk budget, and button answers by nothing at all: only a reply's
// own chat bucket (and a pause after a 429) can hold it.
func TestRateLimiterRepliesIgnoreTheBulkBudget(t *testing.T) {
	c := &clock{t: time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)}
	l := newRateLimiter(1, 1, 1, 3)
	if w := l.take(c.now(), 7, classBulk); w != 0 {
		t.Fatalf("first bulk message waits %v", w)
	}
	if w := l.take(c.now(), 8, classBulk); w != time.Second {
		t.Fatalf("second bulk message at 1/s: wait %v, want 1s", w)
	}
	for chat := int64(100); chat < 200; chat++ {
		if w := l.take(c.now(), chat, classReply); w != 0 {
			t.Fatalf("a reply to chat %d waits %v on the spent bulk budget", chat, w)
		}
	}
	for range 50 {
		if w := l.take(c.now(), 7, classAnswer); w != 0 {
			t.Fatalf("callback answer waits %v", w)
		}
	}
}

func TestRateLimiterGlobalRate(t *testing.T) {
	c := &clock{t: time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)}
	l := newRateLimiter(20, 500, 1, 3)
	// Over a simulated minute, sending whenever allowed to ever new chats, the count stays
	// within the rate plus the small burst.
	sent := 0
	end := c.t.Add(time.Minute)
	for chat := int64(1); c.t.Before(end); chat++ {
		w := l.take(c.now(), chat, classBulk)
		if w == 0 {
			sent++
			continue
		}
		c.advance(w)
		chat--
	}
	if most := 20*60 + 2; sent > most || sent < 20*60-2 {
		t.Fatalf("sent %d in a minute at 20/s, want about 1200 (at most %d)", sent, most)
	}
	// Paid broadcasts have their own budget: the free one being empty does not hold them.
	for chat := int64(1_000_000); l.take(c.now(), chat, classBulk) == 0; chat++ {
	}
	if w := l.take(c.now(), 1_000_001, classPaid); w != 0 {
		t.Fatalf("paid broadcast waits %v on the free budget", w)
	}
}

func TestRateLimiterPause(t *testing.T) {
	c := &clock{t: time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)}
	l := newRateLimiter(1000, 1000, 1, 3)
	l.pause(c.now().Add(5 * time.Second))
	l.pause(c.now().Add(2 * time.Second)) // a shorter pause does not shorten it
	if w := l.take(c.now(), 1, classReply); w != 5*time.Second {
		t.Fatalf("paused: wait %v, want 5s", w)
	}
	if p := l.paused(c.now()); p != 5*time.Second {
		t.Fatalf("paused() = %v", p)
	}
	c.advance(5 * time.Second)
	if w := l.take(c.now(), 1, classReply); w != 0 {
		t.Fatalf("after the pause: wait %v", w)
	}
}

func TestRateLimiterForgetsIdleChats(t *testing.T) {
	c := &clock{t: time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)}
	l := newRateLimiter(1e9, 1e9, 1, 3)
	for chat := range int64(pruneEvery - 1) {
		l.take(c.now(), chat, classReply)
	}
	c.advance(time.Minute)
	l.take(c.now(), -1, classReply) // the pruneEvery-th take sweeps
	if n := len(l.chats); n != 1 {
		t.Fatalf("%d chats remembered after a minute idle, want 1", n)
	}
}

// With an overall budget (Telegram's ~30/s for the bot), replies go at once and the bulk gives
// way: over a simulated minute of 10 replies/s, bulk and replies together stay within the budget
// (5% under it), the bulk getting what is left.
func TestRateLimiterBulkGivesWayToReplies(t *testing.T) {
	c := &clock{t: time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)}
	l := newRateLimiter(25, 1000, 1, 3).withOverall(30)
	end := c.t.Add(time.Minute)
	bulk, replies := 0, 0
	nextReply := c.t
	for chat := int64(1); c.t.Before(end); {
		if !c.t.Before(nextReply) {
			if w := l.take(c.now(), 1_000_000+chat, classReply); w != 0 {
				t.Fatalf("a reply waits %v", w)
			}
			replies++
			chat++
			nextReply = nextReply.Add(100 * time.Millisecond)
			continue
		}
		if w := l.take(c.now(), chat, classBulk); w == 0 {
			bulk++
			chat++
			continue
		} else {
			c.advance(min(w, nextReply.Sub(c.t)))
		}
	}
	if total := bulk + replies; total > 30*60 {
		t.Fatalf("%d bulk + %d replies in a minute: over the overall 30/s", bulk, replies)
	}
	if bulk < 17*60 {
		t.Fatalf("only %d bulk messages in a minute: it should get what the replies leave (about 18/s)", bulk)
	}
}

// Replies alone never go over the overall budget either: a burst of replies to many chats at
// once (everyone answering an announcement) waits rather than earning a 429 for everyone.
func TestRateLimiterRepliesStayWithinTheOverallBudget(t *testing.T) {
	c := &clock{t: time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)}
	l := newRateLimiter(25, 1000, 1, 3).withOverall(30)
	sent := 0
	end := c.t.Add(10 * time.Second)
	for chat := int64(1); c.t.Before(end); {
		if w := l.take(c.now(), chat, classReply); w == 0 {
			sent++
			chat++
		} else {
			c.advance(w)
		}
	}
	if sent > 30*10 {
		t.Fatalf("%d replies in 10 s to new chats: over 30/s", sent)
	}
	if sent < 25*10 {
		t.Fatalf("only %d replies in 10 s: they should go at about 28/s", sent)
	}
}

// A broadcast message to someone who was just answered waits for their chat's budget: Telegram
// counts every message to a chat, and a 429 would pause the whole bot. Others' are not held.
func TestRateLimiterBulkCountsInTheChatBudget(t *testing.T) {
	c := &clock{t: time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)}
	l := newRateLimiter(1000, 1000, 1, 3)
	for range 3 {
		if w := l.take(c.now(), 7, classReply); w != 0 {
			t.Fatalf("reply waits %v", w)
		}
	}
	if w := l.take(c.now(), 7, classBulk); w <= 0 {
		t.Fatal("a broadcast message to a chat whose burst is spent goes at once")
	}
	if w := l.take(c.now(), 8, classBulk); w != 0 {
		t.Fatalf("a broadcast message to another chat waits %v", w)
	}
	// And the other way round: the broadcast message spent a token of chat 8's burst.
	for range 2 {
		if w := l.take(c.now(), 8, classReply); w != 0 {
			t.Fatalf("reply waits %v", w)
		}
	}
	if w := l.take(c.now(), 8, classReply); w <= 0 {
		t.Fatal("a fourth message to chat 8 within its burst went at once")
	}
}
