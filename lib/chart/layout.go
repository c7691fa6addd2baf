package chart

import (
	"math"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Scene is a laid-out chart: primitives in CSS pixels that the SVG and PNG
// backends both draw, so the two formats show the same geometry.
type Scene struct {
	W, H  int
	Title string // for the SVG <title> (accessibility); also drawn as a Text
	Items []Item
}

// itemPool recycles Items slices: a server lays out many charts, and the
// slice of large structs is most of a layout's allocation.
var itemPool = sync.Pool{New: func() any { s := make([]Item, 0, 32); return &s }}

// release returns the scene's items for reuse; s must not be used after.
func (s *Scene) release() {
	if cap(s.Items) <= 256 {
		clear(s.Items) // drop references to lines and text
		items := s.Items[:0]
		itemPool.Put(&items)
	}
	s.Items = nil
}

// Pt is a point in CSS pixels, origin top left.
type Pt struct{ X, Y float64 }

// ItemKind tells which fields of an Item are used.
type ItemKind int

// Item kinds.
const (
	KindPath ItemKind = iota
	KindCircle
	KindText
	KindRect
)

// Anchor is the horizontal alignment of a Text at its point.
type Anchor int

// Text anchors, as SVG's text-anchor.
const (
	Start Anchor = iota
	Middle
	End
)

// Item is one drawing primitive.
type Item struct {
	Kind ItemKind

	// Path: polylines (each at least two points), filled as closed polygons
	// when Fill is set, stroked when Stroke is set.
	Lines  [][]Pt
	Fill   Color
	Stroke Color
	Width  float64
	Dash   Dash

	// Circle: centre and radius (Fill, Stroke, Width apply).
	// Rect: At is the top left corner, Size the extent (Fill applies).
	// Text: At is the baseline point.
	At     Pt
	R      float64
	Size   Pt
	Text   string
	Font   float64 // px
	Bold   bool
	Anchor Anchor
}

var (
	background = Color{0xFF, 0xFF, 0xFF, 0xFF}
	gridColor  = Color{0xE3, 0xE3, 0xE3, 0xFF}
	axisColor  = Color{0xC8, 0xC8, 0xC8, 0xFF}
	labelColor = Color{0x66, 0x66, 0x66, 0xFF}
	titleColor = Color{0x33, 0x33, 0x33, 0xFF}
)

// Layout places every part of the chart. It is pure and deterministic.
//
// Our choices where chartd.co is silent (ref §2.5): points are evenly spaced
// from the left to the right plot edge and every dataset spans the full
// width; one point is a dot in the centre; index i sits at i/61 of the plot
// height; the step chart goes across then up; hl marks the last point of
// every dataset; y labels show ymin at the bottom and ymax at the top (and
// the middle when there is room).
func Layout(q *Query) *Scene {
	s := &Scene{W: q.W, H: q.H, Title: q.Title, Items: (*itemPool.Get().(*[]Item))[:0]}
	w, h := float64(q.W), float64(q.H)
	s.Items = append(s.Items, Item{Kind: KindRect, Size: Pt{w, h}, Fill: background})

	fs := math.Round(h/15*2) / 2 // label size: 12 at h=180, 8 at h=100
	fs = min(max(fs, 8), 12)
	if w < 240 {
		fs = min(fs, 8)
	}
	ts := fs + 1
	pad := min(4, math.Floor(w/8), math.Floor(h/8))

	var ylab []yLabel
	if q.HasYMin {
		ylab = append(ylab, yLabel{0, formatNum(q.YMin)})
	}
	if q.HasYMax {
		ylab = append(ylab, yLabel{1, formatNum(q.YMax)})
	}
	if q.HasYMin && q.HasYMax {
		ylab = append(ylab, yLabel{0.5, formatNum(q.YMin/2 + q.YMax/2)}) // halves: ymax−ymin may overflow
	}
	labW := 0.0
	for _, l := range ylab {
		labW = max(labW, textWidth(l.text, fs, false))
	}
	title := q.Title
	showX := q.HasX
	// The right labels start clear of the hl dots on the last points.
	gapR := 5.0
	if q.Highlight {
		gapR = 8
	}

	// Drop decorations until the plot keeps a usable size.
	var left, right, top, bottom float64
	for {
		top, bottom, left, right = pad, h-pad, pad, w-pad
		if title != "" {
			top += ts + 4
		}
		if len(ylab) > 0 {
			if q.Left {
				left += labW + 5
			}
			if q.Right {
				right -= labW + gapR
			}
			top = max(top, pad+fs*0.6)
			bottom = min(bottom, h-pad-fs*0.45)
		}
		if showX {
			bottom = h - pad - fs - 3
		}
		top, bottom = math.Round(top), math.Round(bottom)
		pw, ph := right-left, bottom-top
		short := ph < max(12, h/3)
		switch {
		case showX && short:
			showX = false
		case title != "" && short:
			title = ""
		case len(ylab) > 0 && (short || pw < max(24, w/3)):
			ylab = nil
		default: // with nothing left to drop, pad <= h/8 keeps ph > 0
			goto placed
		}
	}
placed:
	pw, ph := right-left, bottom-top
	sw := 1.5
	if h < 120 || w < 250 {
		sw = 1.25
	}
	sw = min(sw, max(ph/4, 0.5))

	// Grid: a baseline always; top and middle lines when the y axis is labelled.
	// Hairlines sit on pixel centres, kept inside tiny canvases.
	hair := func(y float64) float64 { return max(min(y+0.5, h-0.5), 0.5) }
	grid := Item{Kind: KindPath, Stroke: axisColor, Width: 1}
	grid.Lines = append(grid.Lines, []Pt{{left, hair(bottom)}, {right, hair(bottom)}})
	s.Items = append(s.Items, grid)
	if len(ylab) > 0 {
		g := Item{Kind: KindPath, Stroke: gridColor, Width: 1}
		g.Lines = append(g.Lines, []Pt{{left, hair(top)}, {right, hair(top)}})
		if len(ylab) == 3 && ph >= 3.5*fs {
			mid := hair(math.Round((top + bottom) / 2))
			g.Lines = append(g.Lines, []Pt{{left, mid}, {right, mid}})
		} else if len(ylab) == 3 {
			ylab = ylab[:2]
		}
		s.Items = append(s.Items, g)
	}

	// Data: fills under every dataset first, then the strokes on top.
	yOf := func(i int8) float64 { return bottom - float64(i)/MaxIndex*ph }
	type run struct {
		pts []Pt
		ds  int
	}
	var runs []run
	for di, d := range q.Datasets {
		n := len(d.Points)
		xOf := func(j int) float64 {
			if n == 1 {
				return left + pw/2
			}
			return left + float64(j)*pw/float64(n-1)
		}
		var cur []Pt
		per := 1
		if q.Step {
			per = 2
		}
		flush := func() {
			if len(cur) > 0 {
				runs = append(runs, run{cur, di})
				cur = nil
			}
		}
		for j, p := range d.Points {
			if p < 0 {
				flush()
				continue
			}
			pt := Pt{xOf(j), yOf(p)}
			if cur == nil { // size the run exactly: gaps must not cost memory
				k := j
				for k < n && d.Points[k] >= 0 {
					k++
				}
				cur = make([]Pt, 0, per*(k-j))
			}
			if q.Step && len(cur) > 0 {
				cur = append(cur, Pt{pt.X, cur[len(cur)-1].Y})
			}
			cur = append(cur, pt)
		}
		flush()
	}
	for _, r := range runs {
		d := q.Datasets[r.ds]
		if d.Fill.A == 0 || len(r.pts) < 2 {
			continue
		}
		poly := make([]Pt, 0, len(r.pts)+2)
		poly = append(poly, r.pts...)
		poly = append(poly, Pt{r.pts[len(r.pts)-1].X, bottom}, Pt{r.pts[0].X, bottom})
		s.Items = append(s.Items, Item{Kind: KindPath, Lines: [][]Pt{poly}, Fill: d.Fill})
	}
	// One path a dataset; a lone point (between gaps, or n = 1) is a dot.
	for di, d := range q.Datasets {
		it := Item{Kind: KindPath, Stroke: d.Stroke, Width: sw, Dash: d.Dash}
		var dots []Pt
		for _, r := range runs {
			if r.ds != di {
				continue
			}
			if len(r.pts) == 1 {
				dots = append(dots, r.pts[0])
				continue
			}
			it.Lines = append(it.Lines, r.pts)
		}
		if len(it.Lines) > 0 {
			s.Items = append(s.Items, it)
		}
		for _, p := range dots {
			s.Items = append(s.Items, Item{Kind: KindCircle, At: p, R: sw, Fill: d.Stroke})
		}
	}
	if q.Highlight {
		for di, d := range q.Datasets {
			var last *Pt
			for i := len(runs) - 1; i >= 0; i-- {
				if runs[i].ds == di {
					last = &runs[i].pts[len(runs[i].pts)-1]
					break
				}
			}
			if last != nil {
				s.Items = append(s.Items, Item{Kind: KindCircle, At: *last, R: sw + 2, Fill: d.Stroke, Stroke: background, Width: 1.5})
			}
		}
	}

	// Labels.
	for _, l := range ylab {
		y := hair(bottom)
		switch l.at {
		case 1:
			y = hair(top)
		case 0.5:
			y = hair(math.Round((top + bottom) / 2))
		}
		base := y + fs*0.35
		if q.Left {
			s.Items = append(s.Items, Item{Kind: KindText, At: Pt{left - 5, base}, Text: l.text, Font: fs, Anchor: End, Fill: labelColor})
		}
		if q.Right {
			s.Items = append(s.Items, Item{Kind: KindText, At: Pt{right + gapR, base}, Text: l.text, Font: fs, Anchor: Start, Fill: labelColor})
		}
	}
	if showX {
		base := h - pad - fs*0.22
		lastEnd := math.Inf(-1)
		for _, l := range xLabels(q.XMin, q.XMax, pw, fs) {
			// Centred on its time, but kept inside the image and clear of
			// the label before it.
			x := left + l.at*pw
			tw := textWidth(l.text, fs, false)
			lo, hi := tw/2+1, w-tw/2-1
			if len(ylab) > 0 { // keep clear of the y labels' corners
				lo, hi = max(lo, left+tw/2), min(hi, right-tw/2)
			}
			if lo > hi {
				continue
			}
			x = min(max(x, lo), hi)
			if x-tw/2 < lastEnd+fs/2 {
				continue
			}
			lastEnd = x + tw/2
			s.Items = append(s.Items, Item{Kind: KindText, At: Pt{x, base}, Text: l.text, Font: fs, Anchor: Middle, Fill: labelColor})
		}
	}
	if title != "" {
		title = fitText(title, ts, true, w-2*pad)
		s.Items = append(s.Items, Item{Kind: KindText, At: Pt{w / 2, pad + ts*0.8}, Text: title, Font: ts, Bold: true, Anchor: Middle, Fill: titleColor})
	}
	return s
}

type yLabel struct {
	at   float64 // 0 bottom .. 1 top
	text string
}

type xLabel struct {
	at   float64 // 0 left .. 1 right
	text string
}

// xLabels puts time labels at round times (every 5 minutes, hour, day,
// month...) in the query's time zone, as many as fit, the format chosen from
// the step (ref §2.5: 15:04 within days, Jan 2 beyond). Ticks at local
// midnight show the date.
func xLabels(xmin, xmax time.Time, pw, fs float64) []xLabel {
	secs := func(t time.Time) float64 { return float64(t.Unix()) + float64(t.Nanosecond())/1e9 }
	span := secs(xmax) - secs(xmin) // time.Duration would overflow past 292 years
	if !(span > 0) {
		return nil
	}
	const day = 86400.0
	steps := []float64{1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800,
		3600, 2 * 3600, 3 * 3600, 6 * 3600, 12 * 3600,
		day, 2 * day, 7 * day, 14 * day, 30 * day, 91 * day, 182 * day}
	for _, y := range []float64{1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 10000} {
		steps = append(steps, y*365*day)
	}
	sample := textWidth("May 30", fs, false) // about the widest label
	maxN := int(pw / (sample * 1.6))
	if maxN < 1 {
		return nil
	}
	step := steps[len(steps)-1]
	for _, st := range steps {
		if span/st <= float64(maxN) {
			step = st
			break
		}
	}
	layout := "Jan 2"
	switch {
	case step < 60:
		layout = "15:04:05"
	case step < day:
		layout = "15:04"
	case step >= 30*day:
		layout = "Jan 2006"
	}
	loc := xmin.Location()
	y, m, d := xmin.Date()
	var t time.Time
	var next func(time.Time) time.Time
	switch {
	case step >= 365*day:
		years := int(step / (365 * day))
		t = time.Date(y-y%years, 1, 1, 0, 0, 0, 0, loc)
		next = func(t time.Time) time.Time { return t.AddDate(years, 0, 0) }
		layout = "2006"
	case step >= 30*day:
		months := int(step / (30 * day))
		t = time.Date(y, m-(m-1)%time.Month(months), 1, 0, 0, 0, 0, loc)
		next = func(t time.Time) time.Time { return t.AddDate(0, months, 0) }
	case step >= day:
		days := int(step / day)
		t = time.Date(y, m, d, 0, 0, 0, 0, loc)
		next = func(t time.Time) time.Time { return t.AddDate(0, 0, days) }
	default:
		t = time.Date(y, m, d, 0, 0, 0, 0, loc)
		st := time.Duration(step) * time.Second
		next = func(t time.Time) time.Time { return t.Add(st) }
	}
	var out []xLabel
	for i := 0; i < 10000 && !t.After(xmax); i++ {
		if !t.Before(xmin) {
			text := t.Format(layout)
			if step < day && t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 {
				text = t.Format("Jan 2")
			}
			out = append(out, xLabel{(secs(t) - secs(xmin)) / span, text})
		}
		t = next(t)
	}
	return out
}

// fitText shortens s with an ellipsis until it is at most width px wide.
func fitText(s string, size float64, bold bool, width float64) string {
	if textWidth(s, size, bold) <= width {
		return s
	}
	r := []rune(s)
	for len(r) > 0 {
		r = r[:len(r)-1]
		t := strings.TrimRight(string(r), " ") + "…"
		if textWidth(t, size, bold) <= width {
			return t
		}
	}
	return ""
}

// formatNum writes an axis value compactly: 94.48, 103.3, 160M, 1.5k, 2e-05.
func formatNum(v float64) string {
	a := math.Abs(v)
	switch {
	case v == 0:
		return "0"
	case a < 1e-4 || a >= 1e15:
		return strconv.FormatFloat(v, 'g', 3, 64)
	case a < 1e4:
		s := strconv.FormatFloat(v, 'g', 4, 64)
		if !strings.ContainsRune(s, 'e') {
			return s
		}
	}
	units := []struct {
		div float64
		suf string
	}{{1e12, "T"}, {1e9, "G"}, {1e6, "M"}, {1e3, "k"}}
	for i, u := range units {
		if a >= u.div*0.9995 || i == len(units)-1 {
			x := v / u.div
			s := strconv.FormatFloat(x, 'g', 3, 64)
			if strings.ContainsRune(s, 'e') { // 999.95 rounds to 1e+03
				s = strconv.FormatFloat(x, 'f', 0, 64)
			}
			return s + u.suf
		}
	}
	return strconv.FormatFloat(v, 'g', 4, 64)
}
