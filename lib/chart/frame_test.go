package chart

import (
	"math"
	"strconv"
	"strings"
	"testing"
)

// The y labels take at most a quarter of the width: both sides, else one,
// then smaller, else none (issue 15: at 160×40 they took 40%).
func TestFitYLabels(t *testing.T) {
	labels := func(ss ...string) []yLabel {
		var out []yLabel
		for i, s := range ss {
			out = append(out, yLabel{float64(i) / 2, s})
		}
		return out
	}
	for _, c := range []struct {
		labels      []yLabel
		fs, w       float64
		l, r        bool
		size        float64
		ok          bool
		description string
	}{
		{labels("0", "160M", "80M"), 12, 580, true, true, 12, true, "wide chart: both sides"},
		{labels("0.08997", "0.2906", "0.1903"), 8, 160, true, false, 8, true, "small: left only"},
		{labels("-1.7e+308", "1.7e+308", "0"), 8, 160, true, false, 6, true, "small, long: left only, smaller"},
		{labels("-1.7e+308", "1.7e+308", "0"), 8, 100, false, false, 8, false, "too small: dropped"},
		{nil, 12, 580, false, false, 12, false, "none asked for"},
	} {
		l, r, size, labW, ok := fitYLabels(c.labels, true, true, c.fs, c.w, 5)
		if l != c.l || r != c.r || size != c.size || ok != c.ok {
			t.Errorf("%s: sides %v %v size %v ok %v; want %v %v %v %v", c.description, l, r, size, ok, c.l, c.r, c.size, c.ok)
		}
		if ok {
			n := 0.0
			if l {
				n += labW + 5
			}
			if r {
				n += labW + 5
			}
			if n > yLabelShare*c.w {
				t.Errorf("%s: labels take %v of %v px", c.description, n, c.w)
			}
		}
	}
	// Only the right side asked for (or=1): it stays the right.
	if l, r, _, _, ok := fitYLabels(labels("0.08997", "0.2906"), false, true, 8, 160, 5); l || !r || !ok {
		t.Errorf("or=1 at 160 px: %v %v %v", l, r, ok)
	}
}

// Decorations go in a fixed order as the height shrinks (x axis, legend,
// title, y labels), and the plot keeps a height: the line is never
// dropped.
func TestPlanFrameDropOrder(t *testing.T) {
	for h := 1; h <= 200; h++ {
		q := mustParse(t, "w=580&h="+strconv.Itoa(h)+"&d0=AZ9&d1=9ZA&l0=a&l1=b&t=T&ymin=0&ymax=1&xmin=0&xmax=86400")
		f := planFrame(q)
		kept := []bool{f.showX, f.legend != nil, f.title != "", len(f.ylab) > 0}
		for i := 1; i < len(kept); i++ {
			if kept[i-1] && !kept[i] {
				t.Errorf("h=%d: kept %v (x axis, legend, title, y labels): dropped out of order", h, kept)
			}
		}
		if !(f.bottom > f.top) || !(f.right > f.left) {
			t.Errorf("h=%d: plot %v..%v × %v..%v", h, f.left, f.right, f.top, f.bottom)
		}
		if h == 200 && !kept[0] {
			t.Errorf("h=200: the x axis was dropped")
		}
	}
}

// A 160×40 chart keeps most of its width for the line; a sparkline is the
// line alone, edge to edge.
func TestSmallCharts(t *testing.T) {
	f := planFrame(mustParse(t, "w=160&h=40&d0=AZ9&ymin=0.08997&ymax=0.2906"))
	if pw := f.right - f.left; pw < 0.7*160 || len(f.ylab) == 0 {
		t.Errorf("160×40: plot %v px wide, labels %v", pw, f.ylab)
	}
	s := Layout(mustParse(t, "w=160&h=40&d0=AZ9&ymin=0&ymax=1&t=Title&l0=x&xmin=0&xmax=60&spark=1&hl=1"))
	for _, it := range s.Items {
		if it.Kind == KindText {
			t.Errorf("sparkline has text %q", it.Text)
		}
		if it.Kind == KindPath && it.Stroke == axisColor {
			t.Error("sparkline has a baseline")
		}
	}
	sf := planFrame(mustParse(t, "w=160&h=40&d0=AZ9&spark=1"))
	if sf.left != 2 || sf.right != 158 || sf.top != 2 || sf.bottom != 38 {
		t.Errorf("sparkline plot %v..%v × %v..%v", sf.left, sf.right, sf.top, sf.bottom)
	}
}

// The legend names the labelled datasets in a centred row: a swatch in
// the dataset's stroke (colour and dash) and the name; long names are
// shortened to fit, and the legend goes before the line does.
func TestLegend(t *testing.T) {
	s := Layout(mustParse(t, "w=580&h=180&d0=AZ9&d1=9ZA&s1=FF8300-&l0=xact_commit&l1=xact_rollback"))
	var names []string
	var swatches []Item
	for _, it := range s.Items {
		if it.Kind == KindText {
			names = append(names, it.Text)
		}
		if it.Kind == KindPath && len(it.Lines) == 1 && len(it.Lines[0]) == 2 && it.Lines[0][0].Y == it.Lines[0][1].Y && it.Stroke != axisColor && it.Stroke != gridColor {
			swatches = append(swatches, it)
		}
	}
	if strings.Join(names, "|") != "xact_commit|xact_rollback" {
		t.Errorf("legend names %q", names)
	}
	if len(swatches) != 2 || swatches[0].Stroke != DefaultStrokes[0] || swatches[1].Stroke != (Color{0xFF, 0x83, 0x00, 0xFF}) || swatches[1].Dash != Dashed {
		t.Errorf("swatches %+v", swatches)
	}
	// Long names at 300 px: shortened, inside the padding, not overlapping.
	q := mustParse(t, "w=300&h=100&d0=AZ9&d1=9ZA&d2=AAA&l0=pg_stat_database.xact_commit&l1=pg_stat_database.blks_hit&l2=wal")
	f := planFrame(q)
	if len(f.legend) != 3 {
		t.Fatalf("legend %+v", f.legend)
	}
	end := f.pad
	for _, e := range f.legend {
		if e.x < end-1e-9 {
			t.Errorf("entry %q starts at %v, before the previous ends at %v", e.text, e.x, end)
		}
		end = e.x + (legendSwatch+legendGapIn)*f.fs + textWidth(e.text, f.fs, false)
	}
	if end > f.w-f.pad+1e-9 || !strings.HasSuffix(f.legend[0].text, "…") || f.legend[2].text != "wal" {
		t.Errorf("legend ends at %v of %v: %+v", end, f.w, f.legend)
	}
	// Room at 160×40 for short names; none at 160×24: the legend goes,
	// the line stays.
	if f := planFrame(mustParse(t, "w=160&h=40&d0=AZ9&d1=9ZA&l0=a&l1=b")); len(f.legend) != 2 || f.bottom-f.top < 12 {
		t.Errorf("160×40: legend %+v, plot height %v", f.legend, f.bottom-f.top)
	}
	if f := planFrame(mustParse(t, "w=160&h=24&d0=AZ9&d1=9ZA&l0=a&l1=b")); f.legend != nil || !(f.bottom-f.top > 10) {
		t.Errorf("160×24: legend %+v, plot height %v", f.legend, f.bottom-f.top)
	}
}

func TestWaterLevel(t *testing.T) {
	for _, c := range []struct {
		ws          []float64
		avail, want float64
	}{
		{[]float64{10, 20, 30}, 100, math.Inf(1)},
		{[]float64{10, 50, 50}, 70, 30},
		{[]float64{100, 100}, 50, 25},
		{[]float64{5}, 0, 0},
	} {
		if got := waterLevel(c.ws, c.avail); got != c.want {
			t.Errorf("waterLevel(%v, %v) = %v, want %v", c.ws, c.avail, got, c.want)
		}
	}
}

// dataRuns splits at gaps and places index i at i/61 of the plot height.
func TestDataRuns(t *testing.T) {
	q := mustParse(t, "w=100&h=100&d0=A9_e&d1=_")
	f := frame{left: 0, right: 90, top: 0, bottom: 61}
	runs := dataRuns(q, f)
	if len(runs) != 2 || len(runs[0].pts) != 2 || len(runs[1].pts) != 1 {
		t.Fatalf("runs %+v", runs)
	}
	if runs[0].pts[0] != (Pt{0, 61}) || runs[0].pts[1] != (Pt{30, 0}) || runs[1].pts[0] != (Pt{90, 61 - 30}) {
		t.Errorf("points %+v", runs)
	}
}
