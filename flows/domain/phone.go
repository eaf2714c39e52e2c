package domain

import (
	"fmt"
	"strings"
)

// Indonesian mobile numbers have 10 to 13 digits in their local 08… form.
const (
	minMobileDigits = 10
	maxMobileDigits = 13
)

// NormalizePhone turns an Indonesian mobile number as people write it (08…, 628…, +62 8…,
// +62 (0)8…, with spaces, dashes, dots or parentheses) into E.164 form, e.g. "+6281234567890".
// It fails with ErrPhoneFormat, ErrPhoneForeign (another country code), ErrPhoneNotMobile (a
// landline such as 0380… in Kupang) or ErrPhoneLength.
func NormalizePhone(s string) (string, error) {
	c := dropRunes(strings.TrimSpace(s), isSeparator)
	plus := strings.HasPrefix(c, "+")
	c = strings.TrimPrefix(c, "+")
	if !allDigits(c) {
		return "", ErrPhoneFormat
	}
	var local string
	switch {
	case strings.HasPrefix(c, "62"):
		local = "0" + strings.TrimPrefix(c[2:], "0") // +62 (0)812… carries a redundant 0
	case plus:
		return "", ErrPhoneForeign
	case strings.HasPrefix(c, "0"):
		local = c
	case strings.HasPrefix(c, "8"):
		local = "0" + c // the leading 0 left out: "812…"
	default:
		return "", ErrPhoneFormat
	}
	if !strings.HasPrefix(local, "08") {
		return "", ErrPhoneNotMobile
	}
	if n := len(local); n < minMobileDigits || n > maxMobileDigits {
		return "", fmt.Errorf("%w: %d digits", ErrPhoneLength, n)
	}
	return "+62" + local[1:], nil
}

// MaskPhone hides the middle of a phone number for logs and staff views:
// "+6281234567890" becomes "+62812****890". Anything that is not a valid mobile number is
// masked completely, so nothing leaks.
func MaskPhone(s string) string {
	e164, err := NormalizePhone(s)
	if err != nil {
		return "****"
	}
	return e164[:6] + "****" + e164[len(e164)-3:]
}

// FormatPhone writes an E.164 Indonesian mobile number as people read it: "+6281234567890" →
// "0812-3456-7890". Anything else is returned as it is.
func FormatPhone(e164 string) string {
	rest, ok := strings.CutPrefix(e164, "+62")
	if !ok || !allDigits(rest) || len(rest) < 8 {
		return e164
	}
	local := "0" + rest
	return local[:4] + "-" + local[4:8] + "-" + local[8:]
}
