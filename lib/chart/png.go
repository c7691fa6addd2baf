package chart

import (
	"bytes"
	"cmp"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"math"
	"slices"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
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

// PNG draws the scene at scale and encodes it.
func (s *Scene) PNG(scale float64) ([]byte, error) {
	if err := CheckScale(s.W, s.H, scale); err != nil {
		return nil, err
	}
	img, err := s.image(scale, true)
	if err != nil {
		return nil, err
	}
	defer putPix(img.Pix)
	b := pngBuffers.Get().(*bytes.Buffer)
	b.Reset()
	defer pngBuffers.Put(b)
	if err := encodePNG(b, img); err != nil {
		return nil, fmt.Errorf("encode png: %w", err)
	}
	return bytes.Clone(b.Bytes()), nil
}

// Image draws the scene into a new RGBA bitmap at scale.
func (s *Scene) Image(scale float64) (*image.RGBA, error) { return s.image(scale, false) }

// pixPool recycles bitmaps for PNG encoding; pooled pixels are stale, which
// is fine because every scene starts with an opaque background rectangle.
var pixPool sync.Pool

func putPix(p []byte) { pixPool.Put(&p) }

var rasterizers = sync.Pool{New: func() any { return vector.NewRasterizer(0, 0) }}

func (s *Scene) image(scale float64, pooled bool) (*image.RGBA, error) {
	if err := CheckScale(s.W, s.H, scale); err != nil {
		return nil, err
	}
	rect := image.Rect(0, 0, pixels(s.W, scale), pixels(s.H, scale))
	var img *image.RGBA
	opaque := len(s.Items) > 0 && s.Items[0].Kind == KindRect && s.Items[0].Fill.A == 0xFF &&
		s.Items[0].At == (Pt{}) && s.Items[0].Size == (Pt{float64(s.W), float64(s.H)})
	if n := 4 * rect.Dx() * rect.Dy(); pooled && opaque {
		if p, ok := pixPool.Get().(*[]byte); ok && cap(*p) >= n {
			img = &image.RGBA{Pix: (*p)[:n], Stride: 4 * rect.Dx(), Rect: rect}
		}
	}
	if img == nil {
		img = image.NewRGBA(rect)
	}
	z := rasterizers.Get().(*vector.Rasterizer)
	defer rasterizers.Put(z)
	r := &painter{img: img, k: scale, z: z}
	for i := range s.Items {
		if err := r.item(&s.Items[i]); err != nil {
			return nil, err
		}
	}
	return img, nil
}

type painter struct {
	img    *image.RGBA
	k      float64 // CSS px to bitmap px
	z      *vector.Rasterizer
	polys  [][]Pt // scratch, in bitmap px
	boxes  [][4]float64
	inBand []int
	faces  map[faceKey]font.Face
}

type faceKey struct {
	size float64
	bold bool
}

func rgba(c Color) *image.Uniform {
	return image.NewUniform(color.NRGBA{c.R, c.G, c.B, c.A})
}

func (p *painter) item(it *Item) error {
	switch it.Kind {
	case KindRect:
		r := image.Rect(int(math.Round(it.At.X*p.k)), int(math.Round(it.At.Y*p.k)),
			int(math.Round((it.At.X+it.Size.X)*p.k)), int(math.Round((it.At.Y+it.Size.Y)*p.k)))
		if it.Fill.A == 0xFF {
			draw.Draw(p.img, r, rgba(it.Fill), image.Point{}, draw.Src)
		} else if it.Fill.A != 0 {
			draw.Draw(p.img, r, rgba(it.Fill), image.Point{}, draw.Over)
		}
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
// bounding box is most of the image, and the rasterizer composites every
// pixel of the box it is given, so wide shapes are drawn in vertical bands,
// each over only the rows its polygons reach there. Bands split pixels, not
// polygons, so every pixel is composited once and joints stay seamless.
func (p *painter) fill(c Color) {
	const band = 48
	src := rgba(c)
	bounds := p.img.Bounds()
	type box struct{ x0, y0, x1, y1 float64 }
	boxes := p.boxes[:0]
	all := box{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}
	for _, poly := range p.polys {
		b := box{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}
		for _, q := range poly {
			b.x0, b.y0 = min(b.x0, q.X), min(b.y0, q.Y)
			b.x1, b.y1 = max(b.x1, q.X), max(b.y1, q.Y)
		}
		boxes = append(boxes, [4]float64{b.x0, b.y0, b.x1, b.y1})
		all.x0, all.y0 = min(all.x0, b.x0), min(all.y0, b.y0)
		all.x1, all.y1 = max(all.x1, b.x1), max(all.y1, b.y1)
	}
	p.boxes = boxes
	whole := image.Rect(int(math.Floor(all.x0)), int(math.Floor(all.y0)), int(math.Ceil(all.x1))+1, int(math.Ceil(all.y1))+1).Intersect(bounds)
	if whole.Empty() {
		return
	}
	for bx := whole.Min.X; bx < whole.Max.X; bx += band {
		x0, x1 := float64(bx), float64(min(bx+band, whole.Max.X))
		// The polygons reaching this band, by top edge: vertically
		// disjoint groups (a grid's separate lines) are composited
		// separately, so the rows between them cost nothing.
		in := p.inBand[:0]
		for i, b := range boxes {
			if len(p.polys[i]) >= 3 && b[2] >= x0-1 && b[0] <= x1+1 {
				in = append(in, i)
			}
		}
		p.inBand = in
		slices.SortFunc(in, func(a, b int) int { return cmp.Compare(boxes[a][1], boxes[b][1]) })
		for g := 0; g < len(in); {
			y0, y1 := boxes[in[g]][1], boxes[in[g]][3]
			e := g + 1
			for e < len(in) && boxes[in[e]][1] <= y1+2 {
				y1 = max(y1, boxes[in[e]][3])
				e++
			}
			p.draw(in[g:e], image.Rect(bx, int(math.Floor(y0)), int(x1), int(math.Ceil(y1))+1).Intersect(whole), src)
			g = e
		}
	}
}

// draw rasterizes the polygons idx as one shape within r.
func (p *painter) draw(idx []int, r image.Rectangle, src image.Image) {
	if r.Empty() {
		return
	}
	p.z.Reset(r.Dx(), r.Dy())
	ox, oy := float64(r.Min.X), float64(r.Min.Y)
	for _, i := range idx {
		poly := p.polys[i]
		p.z.MoveTo(float32(poly[0].X-ox), float32(poly[0].Y-oy))
		for _, q := range poly[1:] {
			p.z.LineTo(float32(q.X-ox), float32(q.Y-oy))
		}
		p.z.ClosePath()
	}
	p.z.Draw(p.img, r, src, image.Point{})
}

func (p *painter) text(it *Item) error {
	f, err := p.face(it.Font*p.k, it.Bold)
	if err != nil {
		return err
	}
	d := font.Drawer{Dst: p.img, Src: rgba(it.Fill), Face: f}
	x := it.At.X * p.k
	switch it.Anchor {
	case Middle:
		x -= float64(d.MeasureString(it.Text)) / 64 / 2
	case End:
		x -= float64(d.MeasureString(it.Text)) / 64
	}
	d.Dot = fixed.Point26_6{X: fixed.Int26_6(math.Round(x * 64)), Y: fixed.Int26_6(math.Round(it.At.Y * p.k * 64))}
	d.DrawString(it.Text)
	return nil
}

var (
	otOnce           sync.Once
	otRegular, otMed *opentype.Font
	otErr            error
)

// face returns a face for this render; opentype faces are not safe for
// concurrent use, so each render makes its own from the shared parsed font.
func (p *painter) face(size float64, bold bool) (font.Face, error) {
	k := faceKey{size, bold}
	if f, ok := p.faces[k]; ok {
		return f, nil
	}
	otOnce.Do(func() {
		fs, err := loadFonts()
		if err != nil {
			otErr = err
			return
		}
		otRegular, otMed = fs.regular, fs.medium
	})
	if otErr != nil {
		return nil, fmt.Errorf("load font: %w", otErr)
	}
	ft := otRegular
	if bold {
		ft = otMed
	}
	f, err := opentype.NewFace(ft, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingNone})
	if err != nil {
		return nil, fmt.Errorf("font face: %w", err)
	}
	if p.faces == nil {
		p.faces = map[faceKey]font.Face{}
	}
	p.faces[k] = f
	return f, nil
}
