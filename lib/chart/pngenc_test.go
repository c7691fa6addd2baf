package chart

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/adler32"
	"image"
	"image/png"
	"math"
	"math/rand/v2"
	"testing"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// Every PNG chartd writes decodes (with the standard library) to exactly
// the bitmap it drew: the hand-rolled deflate must be lossless.
func TestEncodePNGRoundTrip(t *testing.T) {
	var imgs []*image.RGBA
	for _, c := range goldenCases {
		img, err := Layout(mustParse(t, c.query)).Image(2)
		if err != nil {
			t.Fatal(err)
		}
		imgs = append(imgs, img)
	}
	// Noise (literals only), one colour (long runs), the widest bitmap, and
	// rows that repeat with a shift.
	r := rand.New(rand.NewPCG(5, 6))
	noise := image.NewRGBA(image.Rect(0, 0, 97, 31))
	for i := range noise.Pix {
		noise.Pix[i] = byte(r.Uint32())
		if i%4 == 3 {
			noise.Pix[i] = 0xFF
		}
	}
	flat := image.NewRGBA(image.Rect(0, 0, MaxPixels, 3))
	for i := range flat.Pix {
		flat.Pix[i] = 0xFF
	}
	shift := image.NewRGBA(image.Rect(0, 0, 300, 50))
	for y := 0; y < 50; y++ {
		for x := 0; x < 300; x++ {
			o := shift.PixOffset(x, y)
			shift.Pix[o], shift.Pix[o+1], shift.Pix[o+2], shift.Pix[o+3] = byte((x+y)/7), byte(x/50), 9, 0xFF
		}
	}
	imgs = append(imgs, noise, flat, shift)
	for n, img := range imgs {
		var b bytes.Buffer
		encodePNG(&b, img)
		got, err := png.Decode(&b)
		if err != nil {
			t.Fatalf("image %d: decode: %v", n, err)
		}
		if got.Bounds() != img.Bounds() {
			t.Fatalf("image %d: bounds %v, want %v", n, got.Bounds(), img.Bounds())
		}
		for y := img.Rect.Min.Y; y < img.Rect.Max.Y; y++ {
			for x := img.Rect.Min.X; x < img.Rect.Max.X; x++ {
				r1, g1, b1, _ := got.At(x, y).RGBA()
				w := img.RGBAAt(x, y)
				if uint8(r1>>8) != w.R || uint8(g1>>8) != w.G || uint8(b1>>8) != w.B {
					t.Fatalf("image %d: pixel (%d,%d) = %v, want %v", n, x, y, got.At(x, y), w)
				}
			}
		}
	}
}

// adler32Update (eight bytes at a time in lanes) and adler32Combine agree
// with hash/adler32 over any split, on random bytes and on all-0xFF runs
// (the largest lane sums).
func TestAdler32Update(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for n := 0; n < 300; n++ {
		p := make([]byte, r.IntN(6000))
		for i := range p {
			p[i] = byte(r.Uint32())
		}
		if n%3 == 0 {
			for i := range p {
				p[i] = 0xFF
			}
		}
		want := adler32.Checksum(p)
		k := 0
		if len(p) > 0 {
			k = r.IntN(len(p))
		}
		if got := adler32Update(adler32Update(1, p[:k]), p[k:]); got != want {
			t.Fatalf("len %d split %d: adler32 = %08x, want %08x", len(p), k, got, want)
		}
		if got := adler32Combine(adler32Update(1, p[:k]), adler32Update(0, p[k:]), len(p)-k); got != want {
			t.Fatalf("len %d split %d: combined adler32 = %08x, want %08x", len(p), k, got, want)
		}
	}
}

// fiveSeries crosses five series often: more blends than a palette holds.
var fiveSeries = "w=580&h=180&d0=" + series(43, 0) + "&d1=" + series(43, 1) + "&d2=" + series(43, 2) +
	"&d3=" + series(43, 3) + "&d4=" + series(43, 4) + "&f0=4991AE40&hl=1&t=Five&ymin=0&ymax=10"

// A PNG is written with a palette when the chart's colours fit one, and
// then shows the true-colour drawing (Image) with the coverage rounded to
// 16 steps: no channel further off than palMaxErr (a near colour where a
// full palette lacks a blend). A chart with too many blends is written in
// true colour, exactly.
func TestPNGPaletteMatchesTrueColour(t *testing.T) {
	cases := append([]struct{ name, query string }{{"five-series", fiveSeries}}, goldenCases...)
	for _, c := range cases {
		for _, scale := range []float64{1, 2} {
			s := Layout(mustParse(t, c.query))
			b, err := s.PNG(scale)
			if err != nil {
				t.Fatal(err)
			}
			const colourType = 8 + 4 + 4 + 4 + 4 + 1 // signature, IHDR length and type, w, h, depth
			paletted := b[colourType] == 3
			if want := c.name != "five-series"; paletted != want {
				t.Errorf("%s: colour type %d, want paletted %v", c.name, b[colourType], want)
			}
			got, err := png.Decode(bytes.NewReader(b))
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			want, err := s.Image(scale)
			if err != nil {
				t.Fatal(err)
			}
			if got.Bounds() != want.Bounds() {
				t.Fatalf("%s: bounds %v, want %v", c.name, got.Bounds(), want.Bounds())
			}
			tol := 0
			if paletted {
				// A palette with room left has every blend exactly: off by
				// at most half a coverage step (and rounding).
				tol = 255/palLevels/2 + 4
				if n := binary.BigEndian.Uint32(b[33:]) / 3; n == 256 { // PLTE's length, after IHDR
					tol = palMaxErr
				}
			}
			worst := 0
			for y := 0; y < want.Rect.Dy(); y++ {
				for x := 0; x < want.Rect.Dx(); x++ {
					r, g, bl, _ := got.At(x, y).RGBA()
					w := want.RGBAAt(x, y)
					worst = max(worst, absDiff(r>>8, w.R), absDiff(g>>8, w.G), absDiff(bl>>8, w.B))
				}
			}
			if worst > tol {
				t.Errorf("%s at %vx: a channel %d off the true-colour drawing (tolerance %d)", c.name, scale, worst, tol)
			}
		}
	}
}

func absDiff(a uint32, b uint8) int {
	d := int(a) - int(b)
	if d < 0 {
		return -d
	}
	return d
}

// drawText places glyphs from the cache where font.Drawer puts the face's.
func TestDrawTextMatchesFontDrawer(t *testing.T) {
	for _, tt := range []struct {
		s    string
		size float64
		bold bool
		x, y float64
	}{{"Temperature", 26, true, 10.3, 30.7}, {"67.5 Nov 15 03:00 ✓ é", 24, false, 3.9, 25.2}, {"0", 16, false, -2.5, 10}} {
		r := image.Rect(0, 0, 400, 40)
		want := image.NewAlpha(r)
		f, err := opentype.NewFace(map[bool]*opentype.Font{false: mustFont(t, false), true: mustFont(t, true)}[tt.bold],
			&opentype.FaceOptions{Size: tt.size, DPI: 72, Hinting: font.HintingNone})
		if err != nil {
			t.Fatal(err)
		}
		dot := fixed.Point26_6{X: fixed.Int26_6(math.Round(tt.x * 64)), Y: fixed.Int26_6(math.Round(tt.y * 64))}
		d := font.Drawer{Dst: want, Src: image.Opaque, Face: f, Dot: dot}
		d.DrawString(tt.s)
		got := alphaTarget{image.NewAlpha(r)}
		for range 2 { // the second time from the cache
			clear(got.img.Pix)
			if err := drawText(got, r, tt.s, tt.size, tt.bold, dot, Color{0, 0, 0, 0xFF}); err != nil {
				t.Fatal(err)
			}
			for i := range want.Pix {
				if absDiff(uint32(want.Pix[i]), got.img.Pix[i]) > 1 {
					t.Fatalf("%q: pixel %d: %d, want %d", tt.s, i, got.img.Pix[i], want.Pix[i])
				}
			}
		}
		if adv, err := measure(tt.s, tt.size, tt.bold); err != nil || adv != font.MeasureString(f, tt.s) {
			t.Errorf("%q: measure %v (%v), want %v", tt.s, adv, err, font.MeasureString(f, tt.s))
		}
	}
}

// alphaTarget records coverage (the union of the masks) for tests.
type alphaTarget struct{ img *image.Alpha }

func (a alphaTarget) full() bool                      { return false }
func (a alphaTarget) fillRect(image.Rectangle, Color) {}
func (a alphaTarget) mask(r image.Rectangle, m []byte, stride int, _ Color) {
	for y := 0; y < r.Dy(); y++ {
		for x := 0; x < r.Dx(); x++ {
			i := a.img.PixOffset(r.Min.X+x, r.Min.Y+y)
			v := uint32(m[y*stride+x])
			a.img.Pix[i] = uint8((uint32(a.img.Pix[i])*(255-v)+127)/255 + v)
		}
	}
}

func mustFont(t *testing.T, bold bool) *opentype.Font {
	t.Helper()
	fs, err := loadFonts()
	if err != nil {
		t.Fatal(err)
	}
	if bold {
		return fs.medium
	}
	return fs.regular
}

// The glyph cache places runes by their advances alone: the Go fonts must
// have no kerning pairs (if a font update adds some, drawText must kern).
func TestGoFontsHaveNoKerning(t *testing.T) {
	for _, bold := range []bool{false, true} {
		f, err := opentype.NewFace(mustFont(t, bold), &opentype.FaceOptions{Size: 24, DPI: 72, Hinting: font.HintingNone})
		if err != nil {
			t.Fatal(err)
		}
		for r0 := rune(32); r0 < 0x180; r0++ {
			for r1 := rune(32); r1 < 0x180; r1++ {
				if k := f.Kern(r0, r1); k != 0 {
					t.Fatalf("kern(%q, %q) = %v", r0, r1, k)
				}
			}
		}
	}
}

// Renders share the glyph cache and pooled bitmaps: concurrent renders of
// different charts (run with -race) give the same bytes as one at a time.
func TestPNGConcurrent(t *testing.T) {
	want := map[string][]byte{}
	for _, c := range goldenCases {
		b, err := RenderPNG(mustParse(t, c.query), 2)
		if err != nil {
			t.Fatal(err)
		}
		want[c.name] = b
	}
	glyphCache.Lock()
	glyphCache.glyphs, glyphCache.advs, glyphCache.faces = nil, nil, nil // rasterise again, concurrently
	glyphCache.Unlock()
	errs := make(chan error, 4*len(goldenCases))
	for range 4 {
		for _, c := range goldenCases {
			q := mustParse(t, c.query)
			go func() {
				b, err := RenderPNG(q, 2)
				if err == nil && !bytes.Equal(b, want[c.name]) {
					err = fmt.Errorf("%s: concurrent render differs", c.name)
				}
				errs <- err
			}()
		}
	}
	for range 4 * len(goldenCases) {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
