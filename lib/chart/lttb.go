package chart

import "math"

// Downsample reduces v to at most n points (n >= 4) with
// Largest-Triangle-Three-Buckets (Steinarsson, "Downsampling Time Series
// for Visual Representation", 2013): the first and last points stay, and
// each bucket between keeps the point that makes the largest triangle with
// the point kept before it and the mean of the next bucket, which keeps the
// shape of the line. x is the index: the format spaces points evenly.
//
// Our additions: the series' minimum and maximum always survive (the point
// of a chart is often its peak; plain LTTB usually keeps them, not
// always), and gaps (NaN) survive: a bucket holding a gap keeps a gap
// (missing data is not bridged), unless it holds an extreme. v is returned
// as is when it has at most n points.
func Downsample(v []float64, n int) []float64 {
	if len(v) <= n || n < 4 {
		return v
	}
	lo, hi := -1, -1
	for i, x := range v {
		if math.IsNaN(x) {
			continue
		}
		if lo < 0 || x < v[lo] {
			lo = i
		}
		if hi < 0 || x > v[hi] {
			hi = i
		}
	}
	idx := lttbIndices(v, n-1, lo, hi) // one slot left for an extreme that shared a bucket
	out := make([]float64, 0, n)
	put := func(i int) { out = append(out, v[i]) }
	for k, i := range idx {
		for _, e := range [2]int{lo, hi} {
			if e >= 0 && e < i && (k == 0 || e > idx[k-1]) {
				put(e) // an extreme lost to its bucket's other extreme
			}
		}
		put(i)
	}
	return out
}

// lttbIndices picks m indices of v by LTTB, preferring the extremes lo and
// hi in their buckets and keeping gaps.
func lttbIndices(v []float64, m, lo, hi int) []int {
	n := len(v)
	idx := make([]int, 0, m)
	idx = append(idx, 0)
	every := float64(n-2) / float64(m-2)
	a := 0 // the index kept last
	for b := 0; b < m-2; b++ {
		start, end := int(float64(b)*every)+1, int(float64(b+1)*every)+1
		end = min(end, n-1)
		// The next bucket's mean (the last point for the last bucket).
		ns, ne := end, min(int(float64(b+2)*every)+1, n-1)
		if b == m-3 {
			ns, ne = n-1, n
		}
		cx, cy, cn := 0.0, 0.0, 0
		for j := ns; j < ne; j++ {
			if !math.IsNaN(v[j]) {
				cx += float64(j)
				cy += v[j]
				cn++
			}
		}
		if cn > 0 {
			cx, cy = cx/float64(cn), cy/float64(cn)
		}
		pick, best, gap := -1, -1.0, -1
		for j := start; j < end; j++ {
			if j == lo || j == hi {
				if pick != lo && pick != hi || j == hi {
					pick = j
				}
				best = math.Inf(1)
				continue
			}
			if math.IsNaN(v[j]) {
				if gap < 0 {
					gap = j
				}
				continue
			}
			if best == math.Inf(1) {
				continue
			}
			var area float64
			switch {
			case math.IsNaN(v[a]) && cn > 0:
				area = math.Abs(v[j] - cy)
			case math.IsNaN(v[a]):
				area = 0
			case cn == 0: // no mean ahead: the farthest from the last point
				area = math.Abs(v[j] - v[a])
			default:
				ax, ay := float64(a), v[a]
				area = math.Abs((ax-cx)*(v[j]-ay) - (ax-float64(j))*(cy-ay))
			}
			if area > best {
				pick, best = j, area
			}
		}
		switch {
		case pick >= 0 && (pick == lo || pick == hi):
		case gap >= 0:
			pick = gap
		case pick < 0:
			pick = start
		}
		idx = append(idx, pick)
		a = pick
	}
	return append(idx, n-1)
}

// downsampleIndices is Downsample for a parsed dataset's indices (-1 a gap).
func downsampleIndices(p []int8, n int) []int8 {
	if len(p) <= n {
		return p
	}
	v := make([]float64, len(p))
	for i, x := range p {
		v[i] = float64(x)
		if x < 0 {
			v[i] = math.NaN()
		}
	}
	v = Downsample(v, n)
	out := make([]int8, len(v))
	for i, x := range v {
		out[i] = -1
		if !math.IsNaN(x) {
			out[i] = int8(x)
		}
	}
	return out
}
