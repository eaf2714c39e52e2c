package domain

import (
	"errors"
	"testing"
)

func TestCheckNIB(t *testing.T) {
	tests := []struct {
		input string
		want  NIBCheck
		err   error
	}{
		{"9120001234567", NIBCheck{Number: "9120001234567"}, nil},
		{" 9120 0012 34567 ", NIBCheck{Number: "9120001234567"}, nil},
		{"912000123456", NIBCheck{Number: "912000123456", Confirm: true}, nil},
		{"91200012345678", NIBCheck{Number: "91200012345678", Confirm: true}, nil},
		{"9120-0012-34567", NIBCheck{Number: "9120001234567"}, nil},
		{"9120.0012.34567", NIBCheck{Number: "9120001234567"}, nil},
		{"NIB: 9120001234567", NIBCheck{Number: "9120001234567"}, nil},
		{"NIB 9120001234567", NIBCheck{Number: "9120001234567"}, nil},
		{"9120O01234567", NIBCheck{}, ErrNIBFormat},
		{"-", NIBCheck{}, ErrNIBFormat},
		{"   ", NIBCheck{}, ErrNIBFormat},
		{"", NIBCheck{}, ErrNIBFormat},
	}
	for _, tt := range tests {
		t.Run(tt.input, func(t *testing.T) {
			got, err := CheckNIB(tt.input)
			if !errors.Is(err, tt.err) {
				t.Fatalf("error = %v, want %v", err, tt.err)
			}
			if got != tt.want {
				t.Errorf("CheckNIB(%q) = %+v, want %+v", tt.input, got, tt.want)
			}
		})
	}
}
