package chart

import (
	"errors"
	"fmt"
	"io"
	"math"
	"net/url"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/cronkit/cronkit/lib/metric"
)

// Series is one named series read from records, in input order.
type Series struct {
	Name   string
	Values []float64
	Times  []time.Time // zero where a record had no time
	// Counter: every record was a cumulative counter (kind counter), which
	// Rates charts as a rate.
	Counter bool
}

// BareName names the series of lines that hold just a number (`seq 10`).
const BareName = "value"

// ReadSeries reads metric records, StatHat items, "NAME NUMBER" lines and
// bare numbers into one series per name, in order of first appearance.
// It stops at the first bad line: a chart of partly-read data would mislead.
func ReadSeries(r io.Reader, source string) ([]Series, error) {
	rd := metric.NewReader(r, metric.ReaderOptions{Source: source, BareName: BareName})
	var out []Series
	idx := map[string]int{}
	for {
		rec, err := rd.Next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			var le *metric.LineError
			if errors.As(err, &le) {
				return nil, &Error{Msg: le.Error()}
			}
			return nil, fmt.Errorf("read %s: %w", source, err)
		}
		i, ok := idx[rec.Name]
		if !ok {
			i = len(out)
			idx[rec.Name] = i
			out = append(out, Series{Name: rec.Name, Counter: rec.Kind == metric.Counter})
		}
		s := &out[i]
		s.Counter = s.Counter && rec.Kind == metric.Counter
		s.Values = append(s.Values, rec.Value)
		s.Times = append(s.Times, rec.Time)
	}
}

// SelectSeries picks at most MaxDatasets series: all of them when patterns
// is empty, else those whose names match the globs (path.Match syntax), in
// pattern order.
func SelectSeries(all []Series, patterns []string) ([]Series, error) {
	if len(all) == 0 {
		return nil, &Error{Msg: "no data on stdin"}
	}
	names := func(ss []Series) string {
		var n []string
		for _, s := range ss {
			n = append(n, strconv.Quote(s.Name))
		}
		if len(n) > 8 {
			n = append(n[:8], "…")
		}
		return strings.Join(n, ", ")
	}
	if len(patterns) == 0 {
		if len(all) > MaxDatasets {
			return nil, &Error{Msg: fmt.Sprintf("%d series (%s); at most %d", len(all), names(all), MaxDatasets), Remedy: OptSeries}
		}
		return all, nil
	}
	var out []Series
	taken := map[string]bool{}
	for _, p := range patterns {
		if _, err := path.Match(p, ""); err != nil {
			return nil, &Error{Option: OptSeries, Msg: fmt.Sprintf("bad pattern %q", p)}
		}
		n := 0
		for _, s := range all {
			if ok, _ := path.Match(p, s.Name); ok || p == s.Name {
				n++
				if !taken[s.Name] {
					taken[s.Name] = true
					out = append(out, s)
				}
			}
		}
		if n == 0 {
			return nil, &Error{Option: OptSeries, Msg: fmt.Sprintf("%q matches none of %s", p, names(all))}
		}
	}
	if len(out) > MaxDatasets {
		return nil, &Error{Option: OptSeries, Msg: fmt.Sprintf("%d series match (%s); at most %d", len(out), names(out), MaxDatasets)}
	}
	return out, nil
}

// ChartOptions are what the CLI adds to series to make a chart query.
type ChartOptions struct {
	W, H       int
	Title      string
	YMin, YMax *float64 // nil: from the data
	Step, HL   bool
	OnlyLeft   bool
	OnlyRight  bool
	TZ         string
	Spark      bool // spark=1: the lines alone
	NoLegend   bool // no legend even for several series
	// Downsampled, when set, hears of every series that had more than
	// MaxPoints points (after alignment) and was downsampled.
	Downsampled func(name string, from, to int)
	// Transform, when set, turns each series into what is drawn, before
	// anything else (a cumulative counter into a rate, say); it may
	// change values and times, and keeps the name.
	Transform func(Series) (Series, error)
}

// BuildQuery encodes series into a chartd.co query string: one dataset a
// series, on one shared scale from ymin/ymax (given, or the data's range
// widened to round numbers by NiceRange), and xmin/xmax from the records'
// times when every record has one. Then the series share one time axis
// (alignOnTimes). The steps, in order: Transform (each series as drawn:
// where a counter becomes a rate), columns (time order and alignment),
// downsampling past MaxPoints, the scale, the query.
func BuildQuery(series []Series, o ChartOptions) (string, error) {
	if len(series) == 0 {
		return "", &Error{Msg: "no data on stdin"}
	}
	if len(series) > MaxDatasets {
		return "", &Error{Msg: fmt.Sprintf("%d series; at most %d", len(series), MaxDatasets)}
	}
	if o.Transform != nil {
		out := make([]Series, len(series))
		for i, s := range series {
			t, err := o.Transform(s)
			if err != nil {
				return "", err
			}
			out[i] = t
		}
		series = out
	}
	vals, tmin, tmax, timed := columns(series, o.Step)
	for i := range vals {
		if n := len(vals[i]); n > MaxPoints {
			vals[i] = Downsample(vals[i], MaxPoints)
			if o.Downsampled != nil {
				o.Downsampled(series[i].Name, n, len(vals[i]))
			}
		}
	}
	lo, hi, err := scale(vals, o)
	if err != nil {
		return "", err
	}
	return encodeQuery(series, vals, lo, hi, timed && tmax.Sub(tmin) >= time.Second, tmin, tmax, o), nil
}

// columns are the series' values in the order drawn: on one shared time
// axis when every record has a time (alignOnTimes), else each series in
// time order, or in input order when not every record has a time.
func columns(series []Series, step bool) (vals [][]float64, tmin, tmax time.Time, timed bool) {
	timed = true
	vals = make([][]float64, len(series))
	for i, s := range series {
		vals[i] = s.Values
		if len(s.Times) != len(s.Values) {
			timed = false
			continue
		}
		for _, t := range s.Times {
			if t.IsZero() {
				timed = false
				continue
			}
			if tmin.IsZero() || t.Before(tmin) {
				tmin = t
			}
			if t.After(tmax) {
				tmax = t
			}
		}
	}
	if !timed {
		return vals, tmin, tmax, false
	}
	if aligned, ok := alignOnTimes(series, step); ok {
		return aligned, tmin, tmax, true
	}
	for i, s := range series {
		ord := make([]int, len(s.Values))
		for j := range ord {
			ord[j] = j
		}
		sort.SliceStable(ord, func(a, b int) bool { return s.Times[ord[a]].Before(s.Times[ord[b]]) })
		v := make([]float64, len(ord))
		for j, k := range ord {
			v[j] = s.Values[k]
		}
		vals[i] = v
	}
	return vals, tmin, tmax, true
}

// scale is the y range: the data's (a flat series gets room around it),
// with ymin/ymax as given, the rest widened to round numbers.
func scale(vals [][]float64, o ChartOptions) (lo, hi float64, err error) {
	lo, hi, ok := Range(vals...)
	if !ok {
		return 0, 0, &Error{Msg: "no numbers in the data"}
	}
	if lo == hi { // all equal: a flat line in the middle, not on the floor
		pad := math.Abs(lo) * 0.1
		if pad == 0 {
			pad = 1
		}
		lo, hi = lo-pad, hi+pad
	}
	if o.YMin != nil {
		lo = *o.YMin
	}
	if o.YMax != nil {
		hi = *o.YMax
	}
	if !(hi > lo) {
		return 0, 0, &Error{Option: OptYMax, Msg: fmt.Sprintf("ymax %s must be above ymin %s", fnum(hi), fnum(lo))}
	}
	lo, hi = NiceRange(lo, hi, o.YMin != nil, o.YMax != nil)
	return lo, hi, nil
}

// encodeQuery writes the query: datasets, the scale, the time axis, the
// legend (several series), then the options.
func encodeQuery(series []Series, vals [][]float64, lo, hi float64, withX bool, tmin, tmax time.Time, o ChartOptions) string {
	var b strings.Builder
	fmt.Fprintf(&b, "w=%d&h=%d", o.W, o.H)
	for i, v := range vals {
		fmt.Fprintf(&b, "&d%d=%s", i, Encode(v, lo, hi))
	}
	// QueryEscape: %g writes 1.38e+07, and a bare + reads back as a space.
	b.WriteString("&ymin=" + url.QueryEscape(fnum(lo)) + "&ymax=" + url.QueryEscape(fnum(hi)))
	if withX {
		fmt.Fprintf(&b, "&xmin=%d&xmax=%d", tmin.Unix(), tmax.Unix())
		if o.TZ != "" && o.TZ != "UTC" {
			b.WriteString("&tz=" + url.QueryEscape(o.TZ))
		}
	}
	if len(series) > 1 && !o.NoLegend && !o.Spark {
		for i, s := range series {
			fmt.Fprintf(&b, "&l%d=%s", i, url.QueryEscape(s.Name))
		}
	}
	if o.Title != "" {
		b.WriteString("&t=" + url.QueryEscape(o.Title))
	}
	for _, f := range [...]struct {
		on    bool
		param string
	}{{o.Step, "&step=1"}, {o.HL, "&hl=1"}, {o.OnlyLeft, "&ol=1"}, {o.OnlyRight, "&or=1"}, {o.Spark, "&spark=1"}} {
		if f.on {
			b.WriteString(f.param)
		}
	}
	return b.String()
}

// ParseUnbounded parses a query built locally (BuildQuery), which may be
// longer than a URL the server accepts; every other bound still holds.
func ParseUnbounded(raw string) (*Query, error) { return parse(raw, math.MaxInt) }

func fnum(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// alignOnTimes puts every series on the sorted union of the series' times,
// so that one column is one time in every dataset: the format has no x
// coordinates, and a series that started later would otherwise be
// stretched across the whole width, under times it does not have. Between
// two of its own points a series takes the value on the straight line
// between them (the line drawn is the same), or with step the value before
// (the same stair); outside its own span it has gaps (NaN). ok is false,
// and the caller keeps each series' own points in time order, when a
// series has two records at one time (none may be dropped). A union of
// more than MaxPoints times is downsampled after, each series on its own
// (LTTB), so columns stay within a bucket of each other.
func alignOnTimes(series []Series, step bool) (vals [][]float64, ok bool) {
	type key struct {
		sec  int64
		nsec int
	}
	seen := map[key]bool{}
	var ts []time.Time
	ords := make([][]int, len(series))
	for i, s := range series {
		if len(s.Times) != len(s.Values) {
			return nil, false
		}
		own := make(map[key]bool, len(s.Times))
		for _, t := range s.Times {
			k := key{t.Unix(), t.Nanosecond()}
			if own[k] {
				return nil, false
			}
			own[k] = true
			if !seen[k] {
				seen[k] = true
				ts = append(ts, t)
			}
		}
		ord := make([]int, len(s.Times))
		for j := range ord {
			ord[j] = j
		}
		sort.Slice(ord, func(a, b int) bool { return s.Times[ord[a]].Before(s.Times[ord[b]]) })
		ords[i] = ord
	}
	sort.Slice(ts, func(a, b int) bool { return ts[a].Before(ts[b]) })
	vals = make([][]float64, len(series))
	for i, s := range series {
		ord, v, k := ords[i], make([]float64, len(ts)), 0
		for j, t := range ts {
			switch {
			case k < len(ord) && s.Times[ord[k]].Equal(t):
				v[j] = s.Values[ord[k]]
				k++
			case k == 0 || k == len(ord):
				v[j] = math.NaN()
			case step:
				v[j] = s.Values[ord[k-1]]
			default:
				t0, t1 := s.Times[ord[k-1]], s.Times[ord[k]]
				v0, v1 := s.Values[ord[k-1]], s.Values[ord[k]]
				v[j] = v0 + (v1-v0)*(float64(t.Sub(t0))/float64(t1.Sub(t0)))
			}
		}
		vals[i] = v
	}
	return vals, true
}
