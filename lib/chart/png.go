package chart

import (
	"bytes"
	"cmp"
	"image"
	"image/draw"
	"math"
	"slices"
	"sync"

	"golang.org/x/image/math/fixed"
	"golang.org/x/image/vector"
)

// PNG limits: the bitmap side is at most MaxPixels (2000 CSS px at the
// default 2x, ref §2.5), and the scale at most MaxScale.
const (
	MaxPixels    = 4000
	MaxScale     = 4.0
	DefaultScale = 2.0 // retina: chartd.co doubles PNG dimensions (ref §2.4)
)

// RenderPNG renders q as a PNG of (w·scale)×(h·scale) pixels.
func RenderPNG(q *Query, scale float64) ([]byte, error) {
	s := Layout(q)
	defer s.release()
	return s.PNG(scale)
}

// CheckScale validates a PNG scale for a w×h chart.
func CheckScale(w, h int, scale float64) error {
	if math.IsNaN(scale) || scale <= 0 || scale > MaxScale {
		return errf("scale", "%g: want more than 0 and at most %g", scale, MaxScale)
	}
	if pw, ph := pixels(w, scale), pixels(h, scale); pw > MaxPixels || ph > MaxPixels {
		return errf("scale", "%dx%d pixels; at most %dx%d", pw, ph, MaxPixels, MaxPixels)
	}
	return nil
}

func pixels(side int, scale float64) int { return max(1, int(math.Round(float64(side)*scale))) }

var pngBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// PNG draws the scene at scale and encodes it: with a palette when its
// colours fit one (charts nearly always do), else in true colour.
func (s *Scene) PNG(scale float64) ([]byte, error) {
	if err := CheckScale(s.W, s.H, scale); err != nil {
		return nil, err
	}
	b := pngBuffers.Get().(*bytes.Buffer)
	b.Reset()
	defer pngBuffers.Put(b)
	w, h := pixels(s.W, scale), pixels(s.H, scale)
	t := palTargets.Get().(*palTarget)
	defer palTargets.Put(t)
	t.reset(w, h)
	if s.opaque() {
		t.reserve(s)
	} else {
		t.fillRect(image.Rect(0, 0, w, h), Color{0, 0, 0, 0xFF}) // image.NewRGBA's zero pixels, made opaque
	}
	if err := s.paint(t, scale, image.Rect(0, 0, w, h)); err != nil {
		return nil, err
	}
	if !t.full() {
		encodePaletted(b, t)
		return bytes.Clone(b.Bytes()), nil
	}
	img, err := s.image(scale, true)
	if err != nil {
		return nil, err
	}
	defer putPix(img.Pix)
	encodePNG(b, img)
	return bytes.Clone(b.Bytes()), nil
}

var palTargets = sync.Pool{New: func() any { return new(palTarget) }}

// Image draws the scene into a new RGBA bitmap at scale.
func (s *Scene) Image(scale float64) (*image.RGBA, error) { return s.image(scale, false) }

// opaque reports whether the scene starts with an opaque rectangle over the
// whole image (every layout does), so stale pooled pixels do not matter.
func (s *Scene) opaque() bool {
	return len(s.Items) > 0 && s.Items[0].Kind == KindRect && s.Items[0].Fill.A == 0xFF &&
		s.Items[0].At == (Pt{}) && s.Items[0].Size == (Pt{float64(s.W), float64(s.H)})
}

// pixPool recycles true-colour bitmaps; pooled pixels are stale, so only
// opaque scenes use it.
var pixPool sync.Pool

func putPix(p []byte) { pixPool.Put(&p) }

func (s *Scene) image(scale float64, pooled bool) (*image.RGBA, error) {
	if err := CheckScale(s.W, s.H, scale); err != nil {
		return nil, err
	}
	rect := image.Rect(0, 0, pixels(s.W, scale), pixels(s.H, scale))
	var img *image.RGBA
	if n := 4 * rect.Dx() * rect.Dy(); pooled && s.opaque() {
		if p, ok := pixPool.Get().(*[]byte); ok && cap(*p) >= n {
			img = &image.RGBA{Pix: (*p)[:n], Stride: 4 * rect.Dx(), Rect: rect}
		}
	}
	if img == nil {
		img = image.NewRGBA(rect)
		for i := 3; i < len(img.Pix); i += 4 {
			img.Pix[i] = 0xFF // the bitmap is opaque; targets blend colour channels only
		}
	}
	if err := s.paint(rgbaTarget{img}, scale, rect); err != nil {
		return nil, err
	}
	return img, nil
}

var painters = sync.Pool{New: func() any { return &painter{z: vector.NewRasterizer(0, 0)} }}

// paint draws every item onto t, which covers bounds, at scale.
func (s *Scene) paint(t target, scale float64, bounds image.Rectangle) error {
	p := painters.Get().(*painter)
	defer painters.Put(p)
	p.t, p.k, p.bounds = t, scale, bounds
	defer func() { p.t = nil }()
	for i := range s.Items {
		if err := p.item(&s.Items[i]); err != nil {
			return err
		}
		if t.full() {
			return nil
		}
	}
	return nil
}

type painter struct {
	t       target
	bounds  image.Rectangle
	k       float64 // CSS px to bitmap px
	z       *vector.Rasterizer
	polys   [][]Pt // scratch, in bitmap px
	boxes   [][4]float64
	inBand  []bandPoly
	clipped [][]Pt      // scratch for polygons clipped to a band
	cover   image.Alpha // scratch coverage mask for one band
}

func (p *painter) item(it *Item) error {
	switch it.Kind {
	case KindRect:
		r := image.Rect(int(math.Round(it.At.X*p.k)), int(math.Round(it.At.Y*p.k)),
			int(math.Round((it.At.X+it.Size.X)*p.k)), int(math.Round((it.At.Y+it.Size.Y)*p.k)))
		p.t.fillRect(r.Intersect(p.bounds), it.Fill)
	case KindPath:
		if it.Fill.A != 0 {
			p.polys = p.polys[:0]
			for _, l := range it.Lines {
				p.polys = append(p.polys, p.scaled(l))
			}
			p.fill(it.Fill)
		}
		if it.Stroke.A != 0 && it.Width > 0 {
			p.polys = p.polys[:0]
			hw := it.Width * p.k / 2
			for _, l := range it.Lines {
				pts := p.scaled(l)
				if d := dashArray(it.Dash, it.Width); d != nil {
					for _, part := range dashes(pts, d[0]*p.k, d[1]*p.k) {
						p.strokeLine(part, hw, false)
					}
				} else {
					p.strokeLine(pts, hw, true)
				}
			}
			p.fill(it.Stroke)
		}
	case KindCircle:
		c := Pt{it.At.X * p.k, it.At.Y * p.k}
		r := it.R * p.k
		if it.Fill.A != 0 {
			p.polys = append(p.polys[:0], circle(c, r, false))
			p.fill(it.Fill)
		}
		if it.Stroke.A != 0 && it.Width > 0 {
			hw := it.Width * p.k / 2
			// A ring: outer and inner circles wound in opposite directions.
			p.polys = append(p.polys[:0], circle(c, r+hw, false), circle(c, max(r-hw, 0), true))
			p.fill(it.Stroke)
		}
	case KindText:
		return p.text(it)
	}
	return nil
}

func (p *painter) scaled(l []Pt) []Pt {
	out := make([]Pt, len(l))
	for i, q := range l {
		out[i] = Pt{q.X * p.k, q.Y * p.k}
	}
	return out
}

// strokeLine adds the outline of a polyline of half-width hw as polygons
// that all wind the same way, so the rasterizer's coverage (which saturates)
// gives their union: a quad per segment and a disc per joint (round joins),
// and at the ends when round caps are asked for.
func (p *painter) strokeLine(pts []Pt, hw float64, roundCaps bool) {
	for i := 0; i+1 < len(pts); i++ {
		a, b := pts[i], pts[i+1]
		dx, dy := b.X-a.X, b.Y-a.Y
		l := math.Hypot(dx, dy)
		if l == 0 {
			continue
		}
		nx, ny := -dy/l*hw, dx/l*hw
		p.polys = append(p.polys, []Pt{{a.X + nx, a.Y + ny}, {b.X + nx, b.Y + ny}, {b.X - nx, b.Y - ny}, {a.X - nx, a.Y - ny}})
		if i+2 < len(pts) {
			p.polys = append(p.polys, circle(b, hw, false))
		}
	}
	if roundCaps && len(pts) > 0 {
		p.polys = append(p.polys, circle(pts[0], hw, false), circle(pts[len(pts)-1], hw, false))
	}
}

// circle approximates a circle by a polygon wound like strokeLine's quads
// (or the other way when reverse is set, to cut a hole).
func circle(c Pt, r float64, reverse bool) []Pt {
	n := int(math.Ceil(r * 2))
	n = min(max(n, 8), 64)
	out := make([]Pt, n)
	for i := range out {
		t := -2 * math.Pi * float64(i) / float64(n)
		if reverse {
			t = -t
		}
		out[i] = Pt{c.X + r*math.Cos(t), c.Y + r*math.Sin(t)}
	}
	return out
}

// dashes cuts a polyline into its "on" parts for an on/off pattern.
func dashes(pts []Pt, on, off float64) [][]Pt {
	if on <= 0 || off <= 0 {
		return [][]Pt{pts}
	}
	var out [][]Pt
	var cur []Pt
	drawing, left := true, on
	cur = append(cur, pts[0])
	for i := 0; i+1 < len(pts); i++ {
		a, b := pts[i], pts[i+1]
		l := math.Hypot(b.X-a.X, b.Y-a.Y)
		pos := 0.0
		for l-pos > left {
			pos += left
			t := pos / l
			q := Pt{a.X + (b.X-a.X)*t, a.Y + (b.Y-a.Y)*t}
			if drawing {
				cur = append(cur, q)
				out = append(out, cur)
				cur = nil
				left = off
			} else {
				cur = []Pt{q}
				left = on
			}
			drawing = !drawing
		}
		left -= l - pos
		if drawing {
			cur = append(cur, b)
		}
	}
	if drawing && len(cur) > 1 {
		out = append(out, cur)
	}
	return out
}

// fill rasterizes p.polys as one shape (their union). A long line's
// bounding box is most of the image, and the rasterizer works on every
// pixel of the box it is given, so wide shapes are drawn in vertical bands,
// each over only the rows its polygons reach there. Polygons wider than a
// band (a fill under a series) are clipped to it first, so the rasterizer
// walks only their edges within the band. Bands split pixels, not shapes:
// every pixel is composited once and joints stay seamless.
func (p *painter) fill(c Color) {
	const band = 48
	boxes := p.boxes[:0]
	all := [4]float64{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}
	for _, poly := range p.polys {
		b := polyBox(poly)
		boxes = append(boxes, b)
		all = [4]float64{min(all[0], b[0]), min(all[1], b[1]), max(all[2], b[2]), max(all[3], b[3])}
	}
	p.boxes = boxes
	whole := image.Rect(int(math.Floor(all[0])), int(math.Floor(all[1])), int(math.Ceil(all[2]))+1, int(math.Ceil(all[3]))+1).Intersect(p.bounds)
	if whole.Empty() {
		return
	}
	for bx := whole.Min.X; bx < whole.Max.X; bx += band {
		x0, x1 := float64(bx), float64(min(bx+band, whole.Max.X))
		// The polygons reaching this band (clipped to it, with a pixel to
		// spare), by top edge: vertically disjoint groups (a grid's
		// separate lines) are composited separately, so the rows between
		// them cost nothing.
		in := p.inBand[:0]
		nclip := 0
		for i, b := range boxes {
			if len(p.polys[i]) < 3 || b[2] < x0-1 || b[0] > x1+1 {
				continue
			}
			bp := bandPoly{pts: p.polys[i], box: b}
			if b[0] < x0-1 || b[2] > x1+1 {
				if nclip == len(p.clipped) {
					p.clipped = append(p.clipped, nil)
				}
				p.clipped[nclip] = clipX(p.polys[i], x0-1, x1+1, p.clipped[nclip][:0])
				bp.pts = p.clipped[nclip]
				nclip++
				if len(bp.pts) < 3 {
					continue
				}
				bp.box = polyBox(bp.pts)
			}
			in = append(in, bp)
		}
		p.inBand = in
		slices.SortFunc(in, func(a, b bandPoly) int { return cmp.Compare(a.box[1], b.box[1]) })
		for g := 0; g < len(in); {
			y0, y1 := in[g].box[1], in[g].box[3]
			e := g + 1
			for e < len(in) && in[e].box[1] <= y1+2 {
				y1 = max(y1, in[e].box[3])
				e++
			}
			p.draw(in[g:e], image.Rect(bx, int(math.Floor(y0)), int(x1), int(math.Ceil(y1))+1).Intersect(whole), c)
			g = e
		}
	}
}

type bandPoly struct {
	pts []Pt
	box [4]float64 // x0, y0, x1, y1
}

func polyBox(poly []Pt) [4]float64 {
	b := [4]float64{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}
	for _, q := range poly {
		b[0], b[1] = min(b[0], q.X), min(b[1], q.Y)
		b[2], b[3] = max(b[2], q.X), max(b[3], q.Y)
	}
	return b
}

// clipX clips a closed polygon to lo <= x <= hi (Sutherland-Hodgman),
// appending to dst. The parts cut off lie outside the band the rasterizer
// draws, so the band's pixels are covered as before.
func clipX(poly []Pt, lo, hi float64, dst []Pt) []Pt {
	var tmp [64]Pt
	half := clipHalf(poly, lo, false, tmp[:0])
	return clipHalf(half, hi, true, dst)
}

// clipHalf keeps the part of a closed polygon with x >= at (x <= at when
// below is set).
func clipHalf(poly []Pt, at float64, below bool, dst []Pt) []Pt {
	inside := func(q Pt) bool { return (q.X >= at) != below || q.X == at }
	for i, cur := range poly {
		prev := poly[(i+len(poly)-1)%len(poly)]
		ci, pi := inside(cur), inside(prev)
		if ci != pi {
			t := (at - prev.X) / (cur.X - prev.X)
			dst = append(dst, Pt{at, prev.Y + t*(cur.Y-prev.Y)})
		}
		if ci {
			dst = append(dst, cur)
		}
	}
	return dst
}

// draw rasterizes the polygons ps as one shape within r: the coverage goes
// into a scratch mask (the rasterizer's fast path) and from there onto the
// target in c.
func (p *painter) draw(ps []bandPoly, r image.Rectangle, c Color) {
	if r.Empty() {
		return
	}
	w, h := r.Dx(), r.Dy()
	p.z.Reset(w, h)
	p.z.DrawOp = draw.Src // every mask pixel is written: no clearing
	ox, oy := float64(r.Min.X), float64(r.Min.Y)
	for _, bp := range ps {
		poly := bp.pts
		p.z.MoveTo(float32(poly[0].X-ox), float32(poly[0].Y-oy))
		for _, q := range poly[1:] {
			p.z.LineTo(float32(q.X-ox), float32(q.Y-oy))
		}
		p.z.ClosePath()
	}
	if cap(p.cover.Pix) < w*h {
		p.cover.Pix = make([]byte, w*h)
	}
	p.cover.Pix, p.cover.Stride, p.cover.Rect = p.cover.Pix[:w*h], w, image.Rect(0, 0, w, h)
	p.z.Draw(&p.cover, p.cover.Rect, image.Opaque, image.Point{})
	p.t.mask(r, p.cover.Pix, w, c)
}

func (p *painter) text(it *Item) error {
	size, x := it.Font*p.k, it.At.X*p.k
	if it.Anchor != Start {
		tw, err := measure(it.Text, size, it.Bold)
		if err != nil {
			return err
		}
		if it.Anchor == Middle {
			x -= float64(tw) / 64 / 2
		} else {
			x -= float64(tw) / 64
		}
	}
	dot := fixed.Point26_6{X: fixed.Int26_6(math.Round(x * 64)), Y: fixed.Int26_6(math.Round(it.At.Y * p.k * 64))}
	return drawText(p.t, p.bounds, it.Text, size, it.Bold, dot, it.Fill)
}
