package chart

import (
	"math"
	"strings"
)

// Alphabet is the 62-symbol data alphabet: index 0 is 'A' (bottom edge), 61
// is '9' (top edge). Same as Google Image Charts' simple encoding (ref §2.3).
const Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// Gap is our extension for a missing point (ref §2.3, wart 3).
const Gap = '_'

// MaxIndex is the index of the top edge.
const MaxIndex = 61

// EncodeValue maps v into the alphabet for the range [ymin, ymax].
//
// Unlike the reference encoders (ref §2.3 warts 1 and 2), values outside the
// range clamp to the nearest edge instead of falling to 'A', and v >= ymax is
// exactly '9' rather than sometimes '8' through floating-point rounding.
// NaN is a gap. An empty or inverted range maps every value to 'A', as the
// reference encoders do.
func EncodeValue(v, ymin, ymax float64) byte {
	if math.IsNaN(v) {
		return Gap
	}
	r := ymax - ymin
	if !(r > 0) {
		return Alphabet[0]
	}
	if v >= ymax {
		return Alphabet[MaxIndex]
	}
	if v <= ymin {
		return Alphabet[0]
	}
	var f float64
	if d := v - ymin; math.IsInf(r, 1) || d > math.MaxFloat64/MaxIndex {
		// Near ±1e308, ymax−ymin or 61·(v−ymin) overflows: the same
		// ratio on halves, divided first.
		f = MaxIndex * ((v/2 - ymin/2) / (ymax/2 - ymin/2))
	} else {
		f = MaxIndex * d / r // the reference encoders' order of operations
	}
	if math.IsNaN(f) {
		return Alphabet[0]
	}
	i := int(f) // trunc, ref §2.3
	if i > MaxIndex {
		i = MaxIndex
	}
	if i < 0 {
		i = 0
	}
	return Alphabet[i]
}

// Encode encodes values for the range [ymin, ymax] (see EncodeValue).
func Encode(values []float64, ymin, ymax float64) string {
	var b strings.Builder
	b.Grow(len(values))
	for _, v := range values {
		b.WriteByte(EncodeValue(v, ymin, ymax))
	}
	return b.String()
}

// index returns the alphabet index of c, -1 for a gap, -2 if c is invalid.
func index(c byte) int {
	switch {
	case c >= 'A' && c <= 'Z':
		return int(c - 'A')
	case c >= 'a' && c <= 'z':
		return int(c-'a') + 26
	case c >= '0' && c <= '9':
		return int(c-'0') + 52
	case c == Gap:
		return -1
	}
	return -2
}

// DecodeValue returns the value an alphabet index stands for in [ymin, ymax]:
// ymin + i·(ymax−ymin)/61 (ref §2.3).
func DecodeValue(i int, ymin, ymax float64) float64 {
	return ymin + float64(i)*(ymax-ymin)/MaxIndex
}

// Range returns the smallest and largest finite value in values, and false if
// there is none. It is the automatic ymin/ymax.
func Range(values ...[]float64) (lo, hi float64, ok bool) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, vs := range values {
		for _, v := range vs {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				continue
			}
			ok = true
			lo = min(lo, v)
			hi = max(hi, v)
		}
	}
	if !ok {
		return 0, 0, false
	}
	return lo, hi, true
}
