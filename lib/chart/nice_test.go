package chart

import (
	"math"
	"testing"
)

// Auto ranges end on round numbers (issue 15): 1-2-5 steps, an even number
// of them so the middle label is round too.
func TestNiceRange(t *testing.T) {
	for _, c := range []struct {
		lo, hi         float64
		fixLo, fixHi   bool
		wantLo, wantHi float64
	}{
		{0.08997, 0.2906, false, false, 0, 0.3},
		{1, 10, false, false, 0, 10},
		{0, 100, false, false, 0, 100},
		{3, 97, false, false, 0, 100},
		{94.48, 103.3, false, false, 92, 104},
		{-3.2, 7.9, false, false, -4, 8},
		{-7, -2, false, false, -7, -1},
		{0.9, 1.1, false, false, 0.9, 1.1},
		{1, 5000, false, false, 0, 6000},
		{0.5, 0.52, false, false, 0.5, 0.52},
		{12345678, 160000000, false, false, 0, 200000000},
		{0.08997, 0.2906, true, false, 0.08997, 0.3},
		{-0.1, 5.3, false, false, -2, 6},
		{0.08997, 0.2906, false, true, 0.05, 0.2906},
		{0.08997, 0.2906, true, true, 0.08997, 0.2906},
		{5, 5, false, false, 5, 5}, // the caller pads an empty range first
	} {
		lo, hi := NiceRange(c.lo, c.hi, c.fixLo, c.fixHi)
		if lo != c.wantLo || hi != c.wantHi {
			t.Errorf("NiceRange(%v, %v, %v, %v) = %v, %v; want %v, %v", c.lo, c.hi, c.fixLo, c.fixHi, lo, hi, c.wantLo, c.wantHi)
		}
		if lo > c.lo || hi < c.hi {
			t.Errorf("NiceRange(%v, %v): %v, %v does not cover the data", c.lo, c.hi, lo, hi)
		}
	}
	// Every label of an auto range has at most two significant digits
	// more than the step: the step itself has one.
	for _, r := range [][2]float64{{0.001234, 0.0987}, {-1e-7, 3e-7}, {123, 4567}, {1e9, 1.7e9}} {
		lo, hi := NiceRange(r[0], r[1], false, false)
		mid := lo/2 + hi/2
		for _, v := range []float64{lo, mid, hi} {
			if v == 0 {
				continue
			}
			s := math.Abs(v) / math.Pow(10, math.Floor(math.Log10(math.Abs(v)))-1)
			if math.Abs(s-math.Round(s)) > 1e-6 {
				t.Errorf("range %v: label %v has more than two significant digits", r, v)
			}
		}
	}
}
