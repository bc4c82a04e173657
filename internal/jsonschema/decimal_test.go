package jsonschema

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestDecimalIsMultipleOf(t *testing.T) {
	tests := []struct {
		n, m string
		want bool
	}{
		{"10", "2", true},
		{"7", "2", false},
		{"0.3", "0.1", true},
		{"0.30000000000000004", "0.1", false},
		{"4.5", "1.5", true},
		{"0.0075", "0.0001", true},
		{"0.00751", "0.0001", false},
		{"1e308", "0.123456789", false},
		{"12391239123", "1e-8", true},
		{"-9", "3", true},
		{"0", "7", true},
		{"-0.0", "7", true},
		{"1E+3", "1e2", true},
		{"100e-2", "1", true},
		{"1e-400", "1e-500", true},
		{"1e-500", "1e-400", false},
		{"18446744073709551615", "5", true}, // max uint64, 20 digits: math/big
		{"9999999999999999999", "9", true},  // 19 digits
		{"9999999999999999999", "7", false},
		{"1.00000000000000000001", "0.00000000000000000001", true},
		{"1e5000", "1", true},
		{"1.00000000000000000001e5000", "1", false}, // long, and too large to expand: refused
	}
	for _, tc := range tests {
		t.Run(tc.n+" of "+tc.m, func(t *testing.T) {
			assert.Equal(t, tc.want, parseDecimal([]byte(tc.n)).isMultipleOf(parseDecimal([]byte(tc.m))))
		})
	}
}
