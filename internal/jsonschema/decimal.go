package jsonschema

import (
	"math/big"
	"math/bits"
)

// A decimal is the value of a JSON number literal, mant × 10^exp, exactly: "multipleOf" is judged
// on the digits, so that 0.3 is a multiple of 0.1 and 0.0075 of 0.0001, which float64 division
// gets wrong. mant has no trailing zeros (they move into exp) unless it is 0.
type decimal struct {
	mant uint64
	exp  int
	lit  []byte // the literal, for messages and when the mantissa does not fit (long is set)
	long bool   // more than 19 significant digits: compared with math/big
}

// maxExponent bounds the exponents read from literals; beyond it the result no longer depends on
// the exact value, only on the sign of the difference of exponents.
const maxExponent = 1 << 30

// parseDecimal reads a JSON number literal that the scanner has checked. The sign is dropped:
// whether a number is a multiple of another does not depend on signs.
func parseDecimal(lit []byte) decimal {
	d := decimal{lit: lit}
	i := 0
	if i < len(lit) && lit[i] == '-' {
		i++
	}
	digits, fracDigits := 0, 0
	inFrac := false
	for ; i < len(lit); i++ {
		c := lit[i]
		if c == '.' {
			inFrac = true
			continue
		}
		if c < '0' || c > '9' {
			break
		}
		if inFrac {
			fracDigits++
		}
		if d.mant == 0 && c == '0' {
			continue // a leading zero
		}
		if digits == 19 {
			d.long = true
			continue
		}
		d.mant = d.mant*10 + uint64(c-'0')
		digits++
	}
	if d.long {
		return d
	}
	exp := 0
	if i < len(lit) && (lit[i] == 'e' || lit[i] == 'E') {
		i++
		neg := false
		if lit[i] == '+' || lit[i] == '-' {
			neg = lit[i] == '-'
			i++
		}
		for ; i < len(lit); i++ {
			if exp < maxExponent {
				exp = exp*10 + int(lit[i]-'0')
			}
		}
		if neg {
			exp = -exp
		}
	}
	d.exp = exp - fracDigits
	if d.mant == 0 {
		d.exp = 0
		return d
	}
	for d.mant%10 == 0 {
		d.mant /= 10
		d.exp++
	}
	return d
}

// isMultipleOf reports whether d is an integer multiple of m, which is not zero.
func (d decimal) isMultipleOf(m decimal) bool {
	if d.long || m.long {
		return bigMultiple(d.lit, m.lit)
	}
	if d.mant == 0 {
		return true
	}
	if d.exp < m.exp {
		// m = m.mant × 10^k × 10^d.exp with k > 0 divides d = d.mant × 10^d.exp only if 10
		// divides d.mant, which has no trailing zeros.
		return false
	}
	// Is d.mant × 10^(d.exp-m.exp) divisible by m.mant?
	r := mulMod(d.mant%m.mant, powMod(10, uint64(d.exp-m.exp), m.mant), m.mant)
	return r == 0
}

func mulMod(a, b, m uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	return bits.Rem64(hi, lo, m)
}

func powMod(base, exp, m uint64) uint64 {
	r := 1 % m
	base %= m
	for exp > 0 {
		if exp&1 != 0 {
			r = mulMod(r, base, m)
		}
		base = mulMod(base, base, m)
		exp >>= 1
	}
	return r
}

// bigMultiple is isMultipleOf for literals with more digits than a uint64 holds. It allocates,
// and gives up (false) on exponents too large to expand, which float64 could not hold either.
func bigMultiple(a, b []byte) bool {
	var x, y big.Rat
	if !validForRat(a) || !validForRat(b) {
		return false
	}
	if _, ok := x.SetString(string(a)); !ok {
		return false
	}
	if _, ok := y.SetString(string(b)); !ok || y.Sign() == 0 {
		return false
	}
	return x.Quo(&x, &y).IsInt()
}

// validForRat rejects exponents whose expansion would cost more than the instance is worth.
func validForRat(lit []byte) bool {
	for i, c := range lit {
		if c == 'e' || c == 'E' {
			n := 0
			for _, c := range lit[i+1:] {
				if c >= '0' && c <= '9' {
					if n = n*10 + int(c-'0'); n > 4000 {
						return false
					}
				}
			}
		}
	}
	return true
}
