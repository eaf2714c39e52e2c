package domain

import (
	"fmt"
	"strings"
	"unicode"
)

// nibDigits is the NIB length as far as we know; not confirmed from an official source.
const nibDigits = 13

// NIBCheck is the result of reading an NIB (Nomor Induk Berusaha) typed by an owner.
type NIBCheck struct {
	Number string // the digits, spaces removed
	// Confirm is true when the number is all digits but not 13 long: since the length is not
	// confirmed officially, the flow asks the owner to confirm it rather than refusing it.
	Confirm bool
}

// CheckNIB reads an NIB. White space, dashes and dots are ignored, and so is a leading "NIB";
// anything else that is not a digit, or an empty input, fails with ErrNIBFormat.
func CheckNIB(s string) (NIBCheck, error) {
	n := dropRunes(s, func(r rune) bool { return unicode.IsSpace(r) || isSeparator(r) || r == ':' })
	if len(n) > 3 && strings.EqualFold(n[:3], "NIB") {
		n = n[3:]
	}
	if !allDigits(n) {
		return NIBCheck{}, fmt.Errorf("%w: not only digits", ErrNIBFormat)
	}
	return NIBCheck{Number: n, Confirm: len(n) != nibDigits}, nil
}
