package chart

import (
	"math"
	"strconv"
)

// NiceRange widens [lo, hi] to round numbers for an axis whose labels are
// its bottom, middle and top: ends on multiples of a step of 1, 2 or 5
// times a power of ten, two to six steps apart and an even number of them,
// so that all three labels are multiples of the step (0, 0.2, 0.4 rather
// than 0.08997, 0.1903, 0.2906). Of the three smallest steps that fit, the
// tightest range wins (the larger step on a tie). lo (hi) stays as given
// when fixLo (fixHi): a value the user chose is kept exactly, and the other
// end only rounds outwards.
func NiceRange(lo, hi float64, fixLo, fixHi bool) (float64, float64) {
	if !(hi > lo) || math.IsInf(hi-lo, 0) || (fixLo && fixHi) {
		return lo, hi
	}
	bestLo, bestHi, found := lo, hi, 0
	for e := math.Floor(math.Log10(hi-lo)) - 2; e < 400 && found < 3; e++ {
		p := math.Pow(10, e)
		for _, m := range [...]float64{1, 2, 5} {
			step := m * p
			a, b, ok := niceSteps(lo, hi, step, fixLo, fixHi)
			if !ok {
				continue
			}
			if found == 0 || b-a <= bestHi-bestLo {
				bestLo, bestHi = a, b
			}
			if found++; found == 3 {
				break
			}
		}
	}
	return clean(bestLo, fixLo, lo), clean(bestHi, fixHi, hi)
}

// niceSteps rounds lo down and hi up to multiples of step, then adds a
// step to make their count even: at 0 if that lands there, else on the
// side that does not cross 0, else where the data leaves less room. ok is
// false when more than six steps are needed.
func niceSteps(lo, hi, step float64, fixLo, fixHi bool) (a, b float64, ok bool) {
	a, b = lo, hi
	if !fixLo {
		a = math.Floor(lo/step) * step
	}
	if !fixHi {
		b = math.Ceil(hi/step) * step
	}
	n := (b - a) / step
	if n > 6+1e-9 {
		return a, b, false
	}
	if fixLo || fixHi { // the middle label is not on a step anyway
		return a, b, true
	}
	if int(math.Round(n))%2 == 1 {
		switch {
		case math.Abs(a-step) < step/2 || (lo < 0 && hi <= 0 && b+step > step/2):
			a -= step
		case math.Abs(b+step) < step/2 || (lo >= 0 && a-step < -step/2):
			b += step
		case lo-a < b-hi:
			a -= step
		default:
			b += step
		}
	}
	return a, b, true
}

// clean rounds away the float noise of step arithmetic (0.30000000000000004).
func clean(v float64, fixed bool, orig float64) float64 {
	if fixed {
		return orig
	}
	r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 12, 64), 64)
	if r == 0 {
		return 0 // not -0
	}
	return r
}
