package chart

import (
	"math"
	"math/rand"
	"testing"
)

// isSubsequence reports whether out is v with points left out, in order
// (NaN matching NaN): downsampling picks points, it never invents them.
func isSubsequence(out, v []float64) bool {
	j := 0
	for _, x := range out {
		for j < len(v) && !(v[j] == x || math.IsNaN(v[j]) && math.IsNaN(x)) {
			j++
		}
		if j == len(v) {
			return false
		}
		j++
	}
	return true
}

func minMax(v []float64) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, x := range v {
		if !math.IsNaN(x) {
			lo, hi = min(lo, x), max(hi, x)
		}
	}
	return lo, hi
}

// LTTB keeps the shape and the extremes (issue 15): a day of 15-second
// samples (5,760) charts in 4,096 points with its minimum, maximum, first
// and last point; so do random walks with spikes anywhere, including a
// minimum and maximum side by side in one bucket.
func TestDownsampleKeepsExtremes(t *testing.T) {
	rng := rand.New(rand.NewSource(15))
	day := make([]float64, 5760)
	for i := range day {
		day[i] = 100 + 20*math.Sin(float64(i)/300) + rng.Float64()
	}
	day[1234] = 500 // one spike
	day[1235] = -50 // and the dip right after it, likely in the same bucket
	cases := [][]float64{day}
	for k := 0; k < 200; k++ {
		n := 4097 + rng.Intn(20000)
		v := make([]float64, n)
		x := 0.0
		for i := range v {
			x += rng.NormFloat64()
			v[i] = x
		}
		i := rng.Intn(n - 1)
		v[i], v[i+1] = 1e6, -1e6
		if k%3 == 0 {
			v[rng.Intn(n)] = math.NaN()
		}
		cases = append(cases, v)
	}
	for k, v := range cases {
		out := Downsample(v, MaxPoints)
		if len(out) > MaxPoints || len(out) < MaxPoints-1 {
			t.Fatalf("case %d: %d points from %d", k, len(out), len(v))
		}
		lo, hi := minMax(v)
		olo, ohi := minMax(out)
		if lo != olo || hi != ohi {
			t.Errorf("case %d: extremes %v..%v became %v..%v", k, lo, hi, olo, ohi)
		}
		if out[0] != v[0] || out[len(out)-1] != v[len(v)-1] {
			t.Errorf("case %d: first or last point lost", k)
		}
		if !isSubsequence(out, v) {
			t.Errorf("case %d: output is not a subsequence of the input", k)
		}
	}
	if got := Downsample(day[:100], MaxPoints); len(got) != 100 {
		t.Errorf("short series changed: %d points", len(got))
	}
}

// The shape survives: a smooth curve downsampled 10:1 stays within a
// small error of the original at every original point (linear
// interpolation between the kept points, in original index space).
func TestDownsampleShape(t *testing.T) {
	v := make([]float64, 10000)
	for i := range v {
		v[i] = math.Sin(float64(i)/500) + 0.5*math.Sin(float64(i)/77)
	}
	out := Downsample(v, 1000)
	if !isSubsequence(out, v) {
		t.Fatal("not a subsequence")
	}
	// Recover each kept point's index (values are distinct here).
	pos := make([]int, 0, len(out))
	j := 0
	for _, x := range out {
		for v[j] != x {
			j++
		}
		pos = append(pos, j)
	}
	worst := 0.0
	for k := 1; k < len(pos); k++ {
		a, b := pos[k-1], pos[k]
		for i := a; i <= b; i++ {
			y := v[a] + (v[b]-v[a])*float64(i-a)/float64(b-a)
			worst = max(worst, math.Abs(y-v[i]))
		}
	}
	if worst > 0.01 {
		t.Errorf("worst deviation from the original line %v (range 3)", worst)
	}
}

// Gaps stay gaps: a run of missing points is not bridged.
func TestDownsampleKeepsGaps(t *testing.T) {
	v := make([]float64, 9000)
	for i := range v {
		v[i] = float64(i % 100)
		if i >= 4000 && i < 4010 {
			v[i] = math.NaN()
		}
	}
	out := Downsample(v, MaxPoints)
	gaps := 0
	for _, x := range out {
		if math.IsNaN(x) {
			gaps++
		}
	}
	if gaps == 0 {
		t.Error("the gap was bridged")
	}
	p := make([]int8, 5000)
	for i := range p {
		p[i] = int8(i % 62)
	}
	p[2500] = -1
	q := downsampleIndices(p, MaxPoints)
	if len(q) > MaxPoints {
		t.Errorf("%d indices", len(q))
	}
	var lo, hi int8 = 61, 0
	gap := false
	for _, x := range q {
		if x < 0 {
			gap = true
			continue
		}
		lo, hi = min(lo, x), max(hi, x)
	}
	if lo != 0 || hi != 61 || !gap {
		t.Errorf("indices: %d..%d, gap %v", lo, hi, gap)
	}
}
