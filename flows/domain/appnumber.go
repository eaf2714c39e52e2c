package domain

import (
	"crypto/rand"
	"fmt"
	"io"
	"strings"
	"unicode"
)

// crockford is the Crockford base32 alphabet: digits and upper-case letters without I, L, O, U.
const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

const (
	appNumberBody    = 7  // random symbols
	appNumberSymbols = 8  // random symbols plus the check symbol
	luhnN            = 32 // len(crockford)
)

// AppNumberer issues and reads application numbers (nomor pengajuan) of the form
// PREFIX-XXXX-XXXX: seven random Crockford base32 symbols and a Luhn mod 32 check symbol.
//
// Luhn mod N misses one adjacent transposition: the first and last symbols of the alphabet
// ("0Z" ↔ "Z0"), like "09" ↔ "90" in decimal Luhn. New therefore never issues a number holding
// that pair and Parse refuses one, so every adjacent transposition of an issued number is caught.
type AppNumberer struct {
	// Prefix is the province's prefix, e.g. "NTT"; upper-case letters. Empty means no prefix.
	Prefix string
}

// New returns a fresh application number in canonical form, e.g. "NTT-7KQ2-M9XD". The symbols
// come from r; a nil r means crypto/rand. Numbers are random, not sequential, so they neither
// reveal how many exist nor let anyone walk through others' numbers; uniqueness is the store's
// job (retry on a collision).
func (a AppNumberer) New(r io.Reader) (string, error) {
	if r == nil {
		r = rand.Reader
	}
	var buf [appNumberBody]byte
	for {
		if _, err := io.ReadFull(r, buf[:]); err != nil {
			return "", fmt.Errorf("%w: reading application number symbols: %w", ErrRandomSource, err)
		}
		var sym [appNumberSymbols]int
		for i, b := range buf {
			sym[i] = int(b % luhnN) // 256 is a multiple of 32: uniform
		}
		sym[appNumberBody] = luhnCheck(sym[:appNumberBody])
		if !hasWeakPair(sym[:]) {
			return a.format(sym[:]), nil
		}
	}
}

// Parse reads an application number typed by a person and returns its canonical form. It is
// forgiving: case-insensitive, spaces and hyphens ignored, the prefix optional, O read as 0 and
// I and L as 1. It fails with ErrAppNumberLength, ErrAppNumberPrefix, ErrAppNumberSymbol (U or a
// character outside the alphabet) or ErrAppNumberCheck (a typo). A valid number may still not
// exist: looking it up is the store's job.
func (a AppNumberer) Parse(input string) (string, error) {
	s := []rune(strings.ToUpper(dropRunes(input, isSeparator)))
	prefix := []rune(a.prefix())
	switch len(s) {
	case appNumberSymbols:
	case len(prefix) + appNumberSymbols:
		if len(prefix) == 0 || string(s[:len(prefix)]) != string(prefix) {
			return "", fmt.Errorf("%w: %q", ErrAppNumberPrefix, string(s[:len(s)-appNumberSymbols]))
		}
		s = s[len(prefix):]
	default:
		return "", fmt.Errorf("%w: %d symbols", ErrAppNumberLength, len(s))
	}
	sym := make([]int, appNumberSymbols)
	for i, r := range s {
		v, ok := crockfordValue(r)
		if !ok {
			return "", fmt.Errorf("%w: %q at position %d", ErrAppNumberSymbol, r, i+1)
		}
		sym[i] = v
	}
	if luhnCheck(sym[:appNumberBody]) != sym[appNumberBody] || hasWeakPair(sym) {
		return "", ErrAppNumberCheck
	}
	return a.format(sym), nil
}

func (a AppNumberer) prefix() string {
	return strings.ToUpper(dropRunes(a.Prefix, isSeparator))
}

// format writes symbol values as PREFIX-XXXX-XXXX.
func (a AppNumberer) format(sym []int) string {
	var b strings.Builder
	if p := a.prefix(); p != "" {
		b.WriteString(p)
		b.WriteByte('-')
	}
	for i, v := range sym {
		if i == appNumberSymbols/2 {
			b.WriteByte('-')
		}
		b.WriteByte(crockford[v])
	}
	return b.String()
}

// crockfordValue decodes one symbol, reading O as 0 and I, L as 1; U is not a symbol.
func crockfordValue(r rune) (int, bool) {
	switch r = unicode.ToUpper(r); r {
	case 'O':
		return 0, true
	case 'I', 'L':
		return 1, true
	case 'U':
		return 0, false
	}
	if r > unicode.MaxASCII {
		return 0, false
	}
	i := strings.IndexByte(crockford, byte(r))
	return i, i >= 0
}

// luhnCheck returns the Luhn mod 32 check symbol value for body: from the right, every other
// value starting with the rightmost is doubled and its base-32 digits summed.
func luhnCheck(body []int) int {
	sum := 0
	for i := range body {
		sum += luhnAddend(body[len(body)-1-i], i%2 == 0)
	}
	return (luhnN - sum%luhnN) % luhnN
}

// luhnAddend is one symbol's contribution to the Luhn sum.
func luhnAddend(v int, doubled bool) int {
	if !doubled {
		return v
	}
	v *= 2
	return v/luhnN + v%luhnN
}

// hasWeakPair reports whether sym holds the adjacent pair Luhn mod 32 cannot tell from its
// transposition: 0 next to Z (values 0 and 31).
func hasWeakPair(sym []int) bool {
	for i := 1; i < len(sym); i++ {
		if sym[i-1]+sym[i] == luhnN-1 && (sym[i-1] == 0 || sym[i] == 0) {
			return true
		}
	}
	return false
}
