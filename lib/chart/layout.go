package chart

import (
	"math"
	"sync"
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
// the middle when there is room). planFrame decides what goes where; the
// draw steps below add the items, back to front.
func Layout(q *Query) *Scene {
	s := &Scene{W: q.W, H: q.H, Title: q.Title, Items: (*itemPool.Get().(*[]Item))[:0]}
	s.Items = append(s.Items, Item{Kind: KindRect, Size: Pt{float64(q.W), float64(q.H)}, Fill: background})
	f := planFrame(q)
	sw := strokeWidth(f)
	if !f.spark {
		f.drawGrid(s)
	}
	runs := dataRuns(q, f)
	drawFills(s, q, runs, f.bottom)
	drawStrokes(s, q, runs, sw)
	if q.Highlight {
		drawHighlights(s, q, runs, sw)
	}
	f.drawYLabels(s)
	if f.showX {
		f.drawXLabels(s, q)
	}
	if f.title != "" {
		s.Items = append(s.Items, Item{Kind: KindText, At: Pt{f.w / 2, f.pad + f.ts*0.8}, Text: f.title, Font: f.ts, Bold: true, Anchor: Middle, Fill: titleColor})
	}
	f.drawLegend(s, q, sw)
	return s
}

// strokeWidth is the data lines' width: thinner on small charts, and never
// more than a quarter of the plot's height.
func strokeWidth(f frame) float64 {
	sw := 1.5
	if f.h < 120 || f.w < 250 {
		sw = 1.25
	}
	return min(sw, max((f.bottom-f.top)/4, 0.5))
}

// hair puts a hairline at y on a pixel centre, inside tiny canvases.
func (f *frame) hair(y float64) float64 { return max(min(y+0.5, f.h-0.5), 0.5) }

// drawGrid draws a baseline always, and the top and middle lines when the
// y axis is labelled (the middle only with room for its label; else the
// middle label goes too).
func (f *frame) drawGrid(s *Scene) {
	grid := Item{Kind: KindPath, Stroke: axisColor, Width: 1}
	grid.Lines = append(grid.Lines, []Pt{{f.left, f.hair(f.bottom)}, {f.right, f.hair(f.bottom)}})
	s.Items = append(s.Items, grid)
	if len(f.ylab) == 0 {
		return
	}
	g := Item{Kind: KindPath, Stroke: gridColor, Width: 1}
	g.Lines = append(g.Lines, []Pt{{f.left, f.hair(f.top)}, {f.right, f.hair(f.top)}})
	if len(f.ylab) == 3 && f.bottom-f.top >= 3.5*f.yfs {
		mid := f.hair(math.Round((f.top + f.bottom) / 2))
		g.Lines = append(g.Lines, []Pt{{f.left, mid}, {f.right, mid}})
	} else if len(f.ylab) == 3 {
		f.ylab = f.ylab[:2]
	}
	s.Items = append(s.Items, g)
}

// run is a stretch of one dataset without gaps, in plot coordinates.
type run struct {
	pts []Pt
	ds  int
}

// dataRuns places every dataset's points in the frame's plot area, split
// at gaps.
func dataRuns(q *Query, f frame) []run {
	pw, ph := f.right-f.left, f.bottom-f.top
	yOf := func(i int8) float64 { return f.bottom - float64(i)/MaxIndex*ph }
	var runs []run
	for di, d := range q.Datasets {
		n := len(d.Points)
		xOf := func(j int) float64 {
			if n == 1 {
				return f.left + pw/2
			}
			return f.left + float64(j)*pw/float64(n-1)
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
	return runs
}

// drawFills fills under every run of a dataset with a fill, down to the
// baseline: all fills first, so that every line is drawn over them.
func drawFills(s *Scene, q *Query, runs []run, bottom float64) {
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
}

// drawStrokes draws one path a dataset; a lone point (between gaps, or
// n = 1) is a dot.
func drawStrokes(s *Scene, q *Query, runs []run, sw float64) {
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
}

// drawHighlights marks the last point of every dataset (hl=1).
func drawHighlights(s *Scene, q *Query, runs []run, sw float64) {
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

// drawYLabels writes the y labels on the sides the frame kept, level with
// their grid lines.
func (f *frame) drawYLabels(s *Scene) {
	for _, l := range f.ylab {
		y := f.hair(f.bottom)
		switch l.at {
		case 1:
			y = f.hair(f.top)
		case 0.5:
			y = f.hair(math.Round((f.top + f.bottom) / 2))
		}
		base := y + f.yfs*0.35
		if f.labLeft {
			s.Items = append(s.Items, Item{Kind: KindText, At: Pt{f.left - 5, base}, Text: l.text, Font: f.yfs, Anchor: End, Fill: labelColor})
		}
		if f.labRight {
			s.Items = append(s.Items, Item{Kind: KindText, At: Pt{f.right + f.gapR, base}, Text: l.text, Font: f.yfs, Anchor: Start, Fill: labelColor})
		}
	}
}

// drawXLabels writes the time labels, each centred on its time but kept
// inside the image, clear of the y labels' corners and of the label
// before it.
func (f *frame) drawXLabels(s *Scene, q *Query) {
	pw := f.right - f.left
	base := f.h - f.pad - f.fs*0.22
	lastEnd := math.Inf(-1)
	for _, l := range xLabels(q.XMin, q.XMax, pw, f.fs) {
		x := f.left + l.at*pw
		tw := textWidth(l.text, f.fs, false)
		lo, hi := tw/2+1, f.w-tw/2-1
		if len(f.ylab) > 0 {
			lo, hi = max(lo, f.left+tw/2), min(hi, f.right-tw/2)
		}
		if lo > hi {
			continue
		}
		x = min(max(x, lo), hi)
		if x-tw/2 < lastEnd+f.fs/2 {
			continue
		}
		lastEnd = x + tw/2
		s.Items = append(s.Items, Item{Kind: KindText, At: Pt{x, base}, Text: l.text, Font: f.fs, Anchor: Middle, Fill: labelColor})
	}
}

// drawLegend draws each legend entry: a short line in the dataset's
// stroke (colour and dash), then its name.
func (f *frame) drawLegend(s *Scene, q *Query, sw float64) {
	for _, e := range f.legend {
		d := q.Datasets[e.ds]
		y := f.legY - f.fs*0.32
		s.Items = append(s.Items, Item{Kind: KindPath, Stroke: d.Stroke, Width: max(sw, 1.5), Dash: d.Dash,
			Lines: [][]Pt{{{e.x, y}, {e.x + legendSwatch*f.fs, y}}}})
		s.Items = append(s.Items, Item{Kind: KindText, At: Pt{e.x + (legendSwatch+legendGapIn)*f.fs, f.legY}, Text: e.text, Font: f.fs, Anchor: Start, Fill: labelColor})
	}
}
