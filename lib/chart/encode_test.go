package chart

import (
	"math"
	"math/rand/v2"
	"testing"
)

// Vectors from chartd-rb's tests, recomputed in ref §2.3.
func TestEncodeKnownVectors(t *testing.T) {
	tests := []struct {
		vals       []float64
		ymin, ymax float64
		want       string
	}{
		{[]float64{1.2, 2.4, 3.1}, 1.2, 3.1, "Am9"},
		{[]float64{1.2, 2.4, 3.1}, 0.17, 3.1, "Vu9"},
		{[]float64{0.944, 0.170, 0.601}, 0.17, 3.1, "QAI"},
		{[]float64{1, 3, 2}, 1, 5, "AeP"},
		{[]float64{5, 3, 4}, 1, 5, "9et"},
		{[]float64{1.2, 2.4, 3.1}, 0, 4, "Skv"},
		{[]float64{0.944, 0.170, 0.601}, 0, 4, "OCJ"},
		{[]float64{5, 3, 4}, 0, 4, "9t9"}, // 5 > ymax clamps to 9 (reference: 'A', wart 1)
		{[]float64{1, 3, 2}, 0, 6, "KeU"},
		{[]float64{5, 3, 4}, 0, 6, "yeo"},
		{[]float64{-1, 7, math.NaN(), math.Inf(1), math.Inf(-1)}, 0, 6, "A9_9A"},
		{[]float64{1, 2}, 3, 3, "AA"},                               // empty range: every point A, as the reference
		{[]float64{0, -1e308, 1e308, 5e307}, -1e308, 1e308, "eA9t"}, // ymax−ymin overflows float64
		{[]float64{0, math.MaxFloat64}, -math.MaxFloat64, math.MaxFloat64, "e9"},
		{nil, 0, 1, ""},
	}
	for _, tt := range tests {
		if got := Encode(tt.vals, tt.ymin, tt.ymax); got != tt.want {
			t.Errorf("Encode(%v, %v, %v) = %q, want %q", tt.vals, tt.ymin, tt.ymax, got, tt.want)
		}
	}
}

// ref §2.3: decoding the doc example d0=RXZZ… with ymin 45, ymax 90 gives
// 57.54, 61.97, 63.44, 63.44.
func TestDecodeDocExample(t *testing.T) {
	want := []float64{57.54, 61.97, 63.44, 63.44}
	for i, c := range []byte("RXZZ") {
		got := DecodeValue(index(c), 45, 90)
		if math.Abs(got-want[i]) > 0.005 {
			t.Errorf("decode %c = %.2f, want %.2f", c, got, want[i])
		}
	}
}

// The reference encoders map the maximum to '8' for about one range in
// eight (wart 2); ours must always give '9', and never go below for v > ymax.
func TestEncodeMaxIsAlwaysTop(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 20000; i++ {
		lo := math.Round(r.NormFloat64()*1000) / 100
		hi := lo + math.Round(r.ExpFloat64()*1000)/100 + 0.01
		if got := EncodeValue(hi, lo, hi); got != '9' {
			t.Fatalf("EncodeValue(max %v, %v, %v) = %c, want 9", hi, lo, hi, got)
		}
		if got := EncodeValue(hi+math.Abs(hi)+1, lo, hi); got != '9' {
			t.Fatalf("above max: got %c", got)
		}
		if got := EncodeValue(lo, lo, hi); got != 'A' {
			t.Fatalf("EncodeValue(min) = %c", got)
		}
	}
}

// Properties: decoding is within one step below the value, and encoding is
// monotonic.
func TestEncodeProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 5000; i++ {
		lo := r.NormFloat64() * 1e3
		hi := lo + r.ExpFloat64()*1e3 + 1e-6
		step := (hi - lo) / MaxIndex
		v1 := lo + r.Float64()*(hi-lo)
		v2 := lo + r.Float64()*(hi-lo)
		if v1 > v2 {
			v1, v2 = v2, v1
		}
		c1, c2 := EncodeValue(v1, lo, hi), EncodeValue(v2, lo, hi)
		i1, i2 := index(c1), index(c2)
		if i1 > i2 {
			t.Fatalf("not monotonic: %v→%c > %v→%c in [%v,%v]", v1, c1, v2, c2, lo, hi)
		}
		d := DecodeValue(i1, lo, hi)
		if d > v1+step*1e-9 || v1-d > step*(1+1e-9) {
			t.Fatalf("round trip: %v → %c → %v, step %v", v1, c1, d, step)
		}
	}
}

func TestRange(t *testing.T) {
	lo, hi, ok := Range([]float64{3, math.NaN(), -2}, []float64{math.Inf(1), 7})
	if !ok || lo != -2 || hi != 7 {
		t.Errorf("Range = %v %v %v", lo, hi, ok)
	}
	if _, _, ok := Range([]float64{math.NaN()}); ok {
		t.Error("Range of no finite value reported ok")
	}
}
