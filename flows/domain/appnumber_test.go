package domain

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
	"testing/iotest"
)

// withCheck appends the check symbol to a 7-symbol body written in the alphabet.
func withCheck(t testing.TB, body string) string {
	t.Helper()
	sym := make([]int, len(body))
	for i := range body {
		sym[i] = strings.IndexByte(crockford, body[i])
		if sym[i] < 0 {
			t.Fatalf("bad body %q", body)
		}
	}
	return body + string(crockford[luhnCheck(sym)])
}

func TestAppNumberParse(t *testing.T) {
	ntt := AppNumberer{Prefix: "NTT"}
	good := withCheck(t, "7KQ2M9X") // 8 symbols, no I/L/O/U
	canonical := "NTT-" + good[:4] + "-" + good[4:]
	withZero := withCheck(t, "10A1B2C") // holds 0 and 1 so O, I, L can stand in
	zeroCanon := "NTT-" + withZero[:4] + "-" + withZero[4:]
	typo := good[:3] + string(crockford[(strings.IndexByte(crockford, good[3])+1)%32]) + good[4:]
	weak := withCheck(t, "A0ZBCDE")

	tests := []struct {
		name, input, want string
		err               error
	}{
		{"canonical", canonical, canonical, nil},
		{"lower case", strings.ToLower(canonical), canonical, nil},
		{"no prefix", good, canonical, nil},
		{"spaces", "ntt " + good[:4] + " " + good[4:], canonical, nil},
		{"hyphens anywhere", "N-T-T--" + good, canonical, nil},
		{"en dash from a phone", "NTT–" + good[:4] + "–" + good[4:], canonical, nil},
		{"O read as 0, I and L as 1", "ntt " + strings.NewReplacer("0", "o", "1", "I").Replace(withZero[:4]) + strings.ReplaceAll(withZero[4:], "1", "l"), zeroCanon, nil},
		{"U rejected", "NTT-U" + good[1:], "", ErrAppNumberSymbol},
		{"punctuation rejected", good[:7] + "*", "", ErrAppNumberSymbol},
		{"non-ASCII rejected", good[:7] + "é", "", ErrAppNumberSymbol},
		{"too short", good[:7], "", ErrAppNumberLength},
		{"too long", good + "A", "", ErrAppNumberLength},
		{"empty", "", "", ErrAppNumberLength},
		{"other prefix", "NTB-" + good, "", ErrAppNumberPrefix},
		{"typo", typo, "", ErrAppNumberCheck},
		{"weak pair never issued", weak, "", ErrAppNumberCheck},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ntt.Parse(tt.input)
			if !errors.Is(err, tt.err) {
				t.Fatalf("Parse(%q) error = %v, want %v", tt.input, err, tt.err)
			}
			if got != tt.want {
				t.Errorf("Parse(%q) = %q, want %q", tt.input, got, tt.want)
			}
		})
	}
}

func TestAppNumberWithoutPrefix(t *testing.T) {
	var a AppNumberer
	n, err := a.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$`).MatchString(n) {
		t.Fatalf("New() = %q", n)
	}
	if _, err := a.Parse("NTT-" + n); !errors.Is(err, ErrAppNumberLength) {
		t.Errorf("Parse with a prefix when none is configured: %v", err)
	}
}

func TestAppNumberNew(t *testing.T) {
	ntt := AppNumberer{Prefix: "NTT"}
	format := regexp.MustCompile(`^NTT-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$`)
	seen := map[string]bool{}
	for range 1000 {
		n, err := ntt.New(nil)
		if err != nil {
			t.Fatal(err)
		}
		if !format.MatchString(n) {
			t.Fatalf("New() = %q, not NTT-XXXX-XXXX", n)
		}
		if seen[n] {
			t.Fatalf("New() repeated %q within 1000 numbers", n)
		}
		seen[n] = true
	}

	// The first 7 bytes make the weak pair 0Z; New must draw again rather than issue it.
	src := []byte{0, 31, 10, 11, 12, 13, 14, 1, 2, 3, 4, 5, 6, 7}
	n, err := ntt.New(bytes.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	if want := withCheck(t, "1234567"); n != "NTT-"+want[:4]+"-"+want[4:] {
		t.Errorf("New() = %q, want the second draw %q", n, want)
	}

	if _, err := ntt.New(iotest.ErrReader(errors.New("boom"))); !errors.Is(err, ErrRandomSource) {
		t.Errorf("New with a failing reader: %v, want ErrRandomSource", err)
	}
}

// TestLuhnAlgebra proves the detection properties for every number at once: the Luhn sum is a sum
// of per-position addends, so a change is caught exactly when it changes the sum mod 32.
func TestLuhnAlgebra(t *testing.T) {
	for _, doubled := range []bool{false, true} {
		for a := range luhnN {
			for b := range luhnN {
				if a != b && luhnAddend(a, doubled)%luhnN == luhnAddend(b, doubled)%luhnN {
					t.Errorf("substituting %c for %c (doubled=%v) is not caught", crockford[b], crockford[a], doubled)
				}
			}
		}
	}
	// Adjacent positions: one doubled, one not.
	for a := range luhnN {
		for b := range luhnN {
			if a == b {
				continue
			}
			caught := (luhnAddend(a, true)+b)%luhnN != (luhnAddend(b, true)+a)%luhnN
			weak := a+b == luhnN-1 && (a == 0 || b == 0)
			if caught == weak {
				t.Errorf("transposing %c%c: caught=%v, weak pair=%v", crockford[a], crockford[b], caught, weak)
			}
		}
	}
}

// TestAppNumberCatchesTypos checks the same through Parse over many issued numbers: every
// single-symbol substitution and every adjacent transposition of distinct symbols is refused.
func TestAppNumberCatchesTypos(t *testing.T) {
	ntt := AppNumberer{Prefix: "NTT"}
	rnd := rand.NewChaCha8([32]byte{'u', 'm', 'k', 'm'})
	numbers := 400
	if testing.Short() {
		numbers = 50
	}
	for range numbers {
		n, err := ntt.New(rnd)
		if err != nil {
			t.Fatal(err)
		}
		sym := []byte(strings.ReplaceAll(strings.TrimPrefix(n, "NTT-"), "-", ""))
		for i := range sym {
			orig := sym[i]
			for j := range luhnN {
				if crockford[j] == orig {
					continue
				}
				sym[i] = crockford[j]
				if _, err := ntt.Parse(string(sym)); !errors.Is(err, ErrAppNumberCheck) {
					t.Fatalf("%s with %c at %d: Parse error %v, want ErrAppNumberCheck", n, crockford[j], i+1, err)
				}
			}
			sym[i] = orig
		}
		for i := 1; i < len(sym); i++ {
			if sym[i-1] == sym[i] {
				continue
			}
			sym[i-1], sym[i] = sym[i], sym[i-1]
			if _, err := ntt.Parse(string(sym)); !errors.Is(err, ErrAppNumberCheck) {
				t.Fatalf("%s transposed at %d: Parse error %v, want ErrAppNumberCheck", n, i, err)
			}
			sym[i-1], sym[i] = sym[i], sym[i-1]
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add("NTT-7KQ2-M9XD", []byte("seed-bytes"))
	f.Add("ntt oi1l 0000", []byte{0, 31, 0, 31, 0, 31, 0, 31})
	f.Add("", []byte{})
	f.Add("NTT-ÜÜÜÜ-ÜÜÜÜ", []byte{255, 254, 253, 252, 251, 250, 249})
	ntt := AppNumberer{Prefix: "NTT"}
	f.Fuzz(func(t *testing.T, input string, random []byte) {
		if got, err := ntt.Parse(input); err == nil {
			again, err := ntt.Parse(got)
			if err != nil || again != got {
				t.Fatalf("Parse(%q) = %q, but Parse of that = %q, %v", input, got, again, err)
			}
		}
		n, err := ntt.New(bytes.NewReader(random))
		if err != nil {
			return // not enough bytes
		}
		if got, err := ntt.Parse(n); err != nil || got != n {
			t.Fatalf("New() = %q, Parse = %q, %v", n, got, err)
		}
	})
}
