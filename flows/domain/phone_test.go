package domain

import (
	"errors"
	"testing"
)

func TestNormalizePhone(t *testing.T) {
	tests := []struct {
		input, want string
		err         error
	}{
		{"081234567890", "+6281234567890", nil},
		{"0812-3456-7890", "+6281234567890", nil},
		{"0812 3456 7890", "+6281234567890", nil},
		{"0812.3456.7890", "+6281234567890", nil},
		{"(0812) 3456 7890", "+6281234567890", nil},
		{"6281234567890", "+6281234567890", nil},
		{"+62 812-3456-7890", "+6281234567890", nil},
		{"+62 (0)812 3456 7890", "+6281234567890", nil},
		{" +6281234567890 ", "+6281234567890", nil},
		{"0812345678", "+62812345678", nil},       // 10 digits, shortest
		{"0812345678901", "+62812345678901", nil}, // 13 digits, longest
		{"081234567", "", ErrPhoneLength},         // 9
		{"08123456789012", "", ErrPhoneLength},    // 14
		{"0380 821234", "", ErrPhoneNotMobile},    // Kupang landline
		{"+62 380 821234", "", ErrPhoneNotMobile}, // the same in international form
		{"+61 412 345 678", "", ErrPhoneForeign},  // Australia
		{"812 3456 7890", "+6281234567890", nil},  // the leading 0 left out
		{"81234567890", "+6281234567890", nil},
		{"12 3456 7890", "", ErrPhoneFormat},   // neither 0, 62 nor 8
		{"0812-3456-789O", "", ErrPhoneFormat}, // letter O
		{"++6281234567890", "", ErrPhoneFormat},
		{"", "", ErrPhoneFormat},
	}
	for _, tt := range tests {
		t.Run(tt.input, func(t *testing.T) {
			got, err := NormalizePhone(tt.input)
			if !errors.Is(err, tt.err) {
				t.Fatalf("error = %v, want %v", err, tt.err)
			}
			if got != tt.want {
				t.Errorf("NormalizePhone(%q) = %q, want %q", tt.input, got, tt.want)
			}
		})
	}
}

func TestMaskPhone(t *testing.T) {
	tests := []struct{ input, want string }{
		{"+6281234567890", "+62812****890"},
		{"0812-3456-7890", "+62812****890"},
		{"0812345678", "+62812****678"},
		{"0380 821234", "****"},
		{"", "****"},
	}
	for _, tt := range tests {
		if got := MaskPhone(tt.input); got != tt.want {
			t.Errorf("MaskPhone(%q) = %q, want %q", tt.input, got, tt.want)
		}
	}
}

func TestFormatPhone(t *testing.T) {
	for in, want := range map[string]string{
		"+6281234567890": "0812-3456-7890",
		"+62812345678":   "0812-3456-78",
		"0812":           "0812",
		"":               "",
	} {
		if got := FormatPhone(in); got != want {
			t.Errorf("FormatPhone(%q) = %q, want %q", in, got, want)
		}
	}
}
