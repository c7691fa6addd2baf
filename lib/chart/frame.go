package chart

import "math"

// frame is what Layout decides before drawing anything: where the plot
// goes and which decorations around it are kept, at which sizes.
type frame struct {
	w, h, pad                float64
	left, right, top, bottom float64 // the plot area

	fs, ts float64 // label (x axis, legend) and title font sizes
	title  string  // "" when there is none or it was dropped; fitted

	ylab              []yLabel // nil when dropped
	yfs, labW         float64  // the y labels' size (they shrink first) and widest
	labLeft, labRight bool
	gapR              float64 // right labels start this far right of the plot

	showX  bool
	legend []legendEntry // placed; nil when there is none or it was dropped
	legY   float64       // the legend row's baseline
	spark  bool
}

// Label budget: the y labels and their gaps take at most this share of the
// width, shrinking to minLabelFont and falling back to one side first.
const (
	yLabelShare  = 0.25
	minLabelFont = 6.0
)

// fontSizes are the label and title sizes and the padding for a w×h chart:
// labels 12 px at h=180, 8 at h=100 and below (and below 240 px wide).
func fontSizes(w, h float64) (fs, ts, pad float64) {
	fs = math.Round(h/15*2) / 2
	fs = min(max(fs, 8), 12)
	if w < 240 {
		fs = min(fs, 8)
	}
	return fs, fs + 1, min(4, math.Floor(w/8), math.Floor(h/8))
}

// yLabelTexts are the y labels the query asks for: ymin at the bottom,
// ymax at the top, and their middle when both are given.
func yLabelTexts(q *Query) []yLabel {
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
	return ylab
}

// fitYLabels chooses the sides and size of the y labels so that they take
// at most yLabelShare of the width w: the sides asked for at fs, else one
// side (the left, unless only the right was asked for), then smaller sizes
// down to minLabelFont. ok is false when even that does not fit: the
// labels go, the line stays.
func fitYLabels(labels []yLabel, left, right bool, fs, w, gapR float64) (l, r bool, size, labW float64, ok bool) {
	widest := func(size float64) float64 {
		lw := 0.0
		for _, lb := range labels {
			lw = max(lw, textWidth(lb.text, size, false))
		}
		return lw
	}
	need := func(l, r bool, lw float64) float64 {
		n := 0.0
		if l {
			n += lw + 5
		}
		if r {
			n += lw + gapR
		}
		return n
	}
	if len(labels) == 0 {
		return false, false, fs, 0, false
	}
	if lw := widest(fs); need(left, right, lw) <= yLabelShare*w {
		return left, right, fs, lw, true
	}
	if left && right {
		right = false
	}
	for size = fs; size >= minLabelFont; size-- {
		if lw := widest(size); need(left, right, lw) <= yLabelShare*w {
			return left, right, size, lw, true
		}
	}
	return false, false, fs, 0, false
}

// planFrame decides the frame: decorations are dropped, in the order x
// axis, legend, title, y labels, until the plot keeps a usable size; the
// line is never dropped.
func planFrame(q *Query) frame {
	w, h := float64(q.W), float64(q.H)
	fs, ts, pad := fontSizes(w, h)
	f := frame{w: w, h: h, pad: pad, fs: fs, ts: ts, yfs: fs, spark: q.Spark, gapR: 5}
	if q.Highlight {
		f.gapR = 8 // the right labels start clear of the hl dots
	}
	if q.Spark {
		return sparkFrame(q, f)
	}
	f.ylab = yLabelTexts(q)
	var ok bool
	if f.labLeft, f.labRight, f.yfs, f.labW, ok = fitYLabels(f.ylab, q.Left, q.Right, fs, w, f.gapR); !ok {
		f.ylab = nil
	}
	f.title = q.Title
	f.showX = q.HasX
	f.legend = fitLegend(q, fs, pad, w-2*pad)
	for {
		f.place()
		pw, ph := f.right-f.left, f.bottom-f.top
		short := ph < max(12, h/3)
		switch {
		case f.showX && short:
			f.showX = false
		case f.legend != nil && short:
			f.legend = nil
		case f.title != "" && short:
			f.title = ""
		case len(f.ylab) > 0 && (short || pw < max(24, w/3)):
			f.ylab = nil
		default: // with nothing left to drop, pad <= h/8 keeps ph > 0
			if f.title != "" {
				f.title = fitText(f.title, ts, true, w-2*pad)
			}
			return f
		}
	}
}

// place computes the plot area for the decorations kept.
func (f *frame) place() {
	top, bottom, left, right := f.pad, f.h-f.pad, f.pad, f.w-f.pad
	if f.title != "" {
		top += f.ts + 4
	}
	if f.legend != nil {
		f.legY = top + f.fs*0.8
		top += f.fs + 4
		if len(f.ylab) > 0 { // the top label rises above its line: clear of the legend
			top += f.yfs * 0.4
		}
	}
	if len(f.ylab) > 0 {
		if f.labLeft {
			left += f.labW + 5
		}
		if f.labRight {
			right -= f.labW + f.gapR
		}
		top = max(top, f.pad+f.yfs*0.6)
		bottom = min(bottom, f.h-f.pad-f.yfs*0.45)
	}
	if f.showX {
		bottom = f.h - f.pad - f.fs - 3
	}
	f.left, f.right, f.top, f.bottom = left, right, math.Round(top), math.Round(bottom)
}

// sparkFrame is a sparkline's frame: the line alone, with room for the
// stroke (and the hl dots) at the edges.
func sparkFrame(q *Query, f frame) frame {
	m := min(2, f.w/4, f.h/4)
	if q.Highlight {
		m = min(5, f.w/4, f.h/4)
	}
	f.left, f.right, f.top, f.bottom = m, f.w-m, m, f.h-m
	return f
}

// legendEntry is one series named in the legend: its swatch starts at x.
type legendEntry struct {
	ds   int
	text string
	x    float64
}

// Legend geometry, in label font sizes: a swatch of line, a gap, the name;
// a wider gap between entries.
const (
	legendSwatch = 1.5
	legendGapIn  = 0.35
	legendGap    = 1.0
)

// fitLegend names the datasets that have a label in one row centred in
// [x0, x0+width]: long names are shortened (the longest first) to fit, and
// the legend is dropped (nil) when a name would keep fewer than one
// character.
func fitLegend(q *Query, fs, x0, width float64) []legendEntry {
	var out []legendEntry
	for i, d := range q.Datasets {
		if d.Label != "" {
			out = append(out, legendEntry{ds: i, text: d.Label})
		}
	}
	if len(out) == 0 {
		return nil
	}
	fixed := float64(len(out))*(legendSwatch+legendGapIn)*fs + float64(len(out)-1)*legendGap*fs
	avail := width - fixed
	ws := make([]float64, len(out))
	total := 0.0
	for i, e := range out {
		ws[i] = textWidth(e.text, fs, false)
		total += ws[i]
	}
	if total > avail {
		// Water-fill: names narrower than an equal share keep their width,
		// the others share what is left equally.
		capW := waterLevel(ws, avail)
		for i := range out {
			if ws[i] > capW {
				out[i].text = fitText(out[i].text, fs, false, capW)
				if out[i].text == "" || out[i].text == "…" {
					return nil
				}
				ws[i] = textWidth(out[i].text, fs, false)
			}
		}
		total = 0
		for _, v := range ws {
			total += v
		}
	}
	x := x0 + (width-(total+fixed))/2
	for i := range out {
		out[i].x = x
		x += (legendSwatch+legendGapIn)*fs + ws[i] + legendGap*fs
	}
	return out
}

// waterLevel is the largest cap such that sum(min(w, cap)) <= avail.
func waterLevel(ws []float64, avail float64) float64 {
	if avail <= 0 {
		return 0
	}
	sorted := append([]float64(nil), ws...)
	for i := 1; i < len(sorted); i++ { // insertion sort: at most five names
		for j := i; j > 0 && sorted[j] < sorted[j-1]; j-- {
			sorted[j], sorted[j-1] = sorted[j-1], sorted[j]
		}
	}
	left := avail
	for i, v := range sorted {
		share := left / float64(len(sorted)-i)
		if v > share {
			return share
		}
		left -= v
	}
	return math.Inf(1)
}
