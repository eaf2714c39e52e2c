package telegramtest

import (
	"testing"
	"time"
)

// The limiter with a fixed clock: exact budgets without depending on how fast the machine is.
func TestLimiterBudgets(t *testing.T) {
	var l limiter
	l.init(true)
	now := time.Unix(1_700_000_000, 0)

	for chat := range int64(30) {
		if err := l.takeLocked(chat, now); err != nil {
			t.Fatalf("message %d of 30 in one second: %v", chat, err)
		}
	}
	if err := l.takeLocked(99, now); err == nil || err.Code != 429 || err.RetryAfter != 1 {
		t.Fatalf("31st message in one second: %+v", err)
	}
	later := now.Add(time.Second)
	if err := l.takeLocked(99, later); err != nil {
		t.Fatalf("after a second the global budget refills: %v", err)
	}

	// One chat: burst of 3, then 1 per second.
	for i := range 3 {
		if err := l.takeLocked(7, later.Add(time.Duration(i)*time.Millisecond)); err != nil {
			t.Fatalf("burst message %d: %v", i, err)
		}
	}
	if err := l.takeLocked(7, later.Add(10*time.Millisecond)); err == nil {
		t.Fatal("4th message to one chat at once: want 429")
	}
	if err := l.takeLocked(7, later.Add(1100*time.Millisecond)); err != nil {
		t.Fatalf("a second later: %v", err)
	}
}

func TestUTF16Len(t *testing.T) {
	for s, want := range map[string]int{"": 0, "abc": 3, "é": 1, "😀": 2, "Kupang 🌴": 9} {
		if got := utf16Len(s); got != want {
			t.Errorf("utf16Len(%q) = %d, want %d", s, got, want)
		}
	}
}

// A scaled overall limit (SetGlobalRate) is a second's worth of that rate, refilled at it; the
// per-chat limit stays Telegram's.
func TestLimiterScaledGlobalRate(t *testing.T) {
	var l limiter
	l.init(true)
	l.rate = 600
	now := time.Unix(1_700_000_000, 0)
	for chat := range int64(600) {
		if err := l.takeLocked(chat, now); err != nil {
			t.Fatalf("message %d of 600 in one second: %v", chat, err)
		}
	}
	if err := l.takeLocked(999, now); err == nil || err.Code != 429 {
		t.Fatalf("601st message in one second: %+v", err)
	}
	later := now.Add(10 * time.Millisecond) // 6 messages' worth at 600/s
	for chat := range int64(6) {
		if err := l.takeLocked(1000+chat, later); err != nil {
			t.Fatalf("message %d after 10ms: %v", chat, err)
		}
	}
	for i := range 4 {
		err := l.takeLocked(7, later.Add(time.Second+time.Duration(i)*time.Millisecond))
		if (err == nil) != (i < 3) {
			t.Fatalf("message %d to one chat at once: %v", i+1, err)
		}
	}
}
