package chart

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
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
	return Layout(q).PNG(scale)
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

type encoderPool struct{ p sync.Pool }

func (e *encoderPool) Get() *png.EncoderBuffer {
	b, _ := e.p.Get().(*png.EncoderBuffer)
	return b
}
func (e *encoderPool) Put(b *png.EncoderBuffer) { e.p.Put(b) }

// BestSpeed: charts are flat colours that compress well anyway, and a
// server renders many of them.
var pngEncoder = &png.Encoder{CompressionLevel: png.BestSpeed, BufferPool: &encoderPool{}}

// PNG draws the scene at scale and encodes it.
func (s *Scene) PNG(scale float64) ([]byte, error) {
	if err := CheckScale(s.W, s.H, scale); err != nil {
		return nil, err
	}
	img, err := s.Image(scale)
	if err != nil {
		return nil, err
	}
	b := pngBuffers.Get().(*bytes.Buffer)
	b.Reset()
	defer pngBuffers.Put(b)
	if err := pngEncoder.Encode(b, img); err != nil {
		return nil, fmt.Errorf("encode png: %w", err)
	}
	return bytes.Clone(b.Bytes()), nil
}

// Image draws the scene into a new RGBA bitmap at scale.
func (s *Scene) Image(scale float64) (*image.RGBA, error) {
	if err := CheckScale(s.W, s.H, scale); err != nil {
		return nil, err
	}
	img := image.NewRGBA(image.Rect(0, 0, pixels(s.W, scale), pixels(s.H, scale)))
	r := &painter{img: img, k: scale, z: vector.NewRasterizer(0, 0)}
	for i := range s.Items {
		if err := r.item(&s.Items[i]); err != nil {
			return nil, err
		}
	}
	return img, nil
}

type painter struct {
	img   *image.RGBA
	k     float64 // CSS px to bitmap px
	z     *vector.Rasterizer
	polys [][]Pt // scratch, in bitmap px
	faces map[faceKey]font.Face
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
		if it.Fill.A != 0 {
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

// fill rasterizes p.polys within their bounding box only, so that small
// shapes on a large bitmap stay cheap.
func (p *painter) fill(c Color) {
	minX, minY := math.Inf(1), math.Inf(1)
	maxX, maxY := math.Inf(-1), math.Inf(-1)
	for _, poly := range p.polys {
		for _, q := range poly {
			minX, minY = min(minX, q.X), min(minY, q.Y)
			maxX, maxY = max(maxX, q.X), max(maxY, q.Y)
		}
	}
	b := p.img.Bounds()
	r := image.Rect(int(math.Floor(minX)), int(math.Floor(minY)), int(math.Ceil(maxX))+1, int(math.Ceil(maxY))+1).Intersect(b)
	if r.Empty() {
		return
	}
	p.z.Reset(r.Dx(), r.Dy())
	ox, oy := float64(r.Min.X), float64(r.Min.Y)
	for _, poly := range p.polys {
		if len(poly) < 3 {
			continue
		}
		p.z.MoveTo(float32(poly[0].X-ox), float32(poly[0].Y-oy))
		for _, q := range poly[1:] {
			p.z.LineTo(float32(q.X-ox), float32(q.Y-oy))
		}
		p.z.ClosePath()
	}
	p.z.Draw(p.img, r, rgba(c), image.Point{})
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
