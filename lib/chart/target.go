package chart

import (
	"encoding/binary"
	"image"
	"slices"
)

// A target receives what the painter draws: whole rectangles and 8-bit
// coverage masks, each in one colour. It works a span or a mask at a time,
// never a pixel through an interface. Rectangles arrive clipped to the
// image.
type target interface {
	// fillRect paints r with c (composited over when c is translucent).
	fillRect(r image.Rectangle, c Color)
	// mask composites c over r with coverage m: r.Dx() bytes a row, rows
	// stride bytes apart.
	mask(r image.Rectangle, m []byte, stride int, c Color)
	// full reports that the target cannot take more colours (palTarget);
	// the painter stops and the caller draws again in true colour.
	full() bool
}

// blendChan composites source channel s over d with alpha qa/den, rounded.
func blendChan(d, s uint8, qa, den uint32) uint8 {
	return uint8((uint32(d)*(den-qa) + uint32(s)*qa + den/2) / den)
}

// rgbaTarget draws into an opaque RGBA bitmap with the full 8-bit coverage.
// It draws Image (tests, library users) and the PNGs whose colours do not
// fit a palette.
type rgbaTarget struct{ img *image.RGBA }

func (t rgbaTarget) full() bool { return false }

func (t rgbaTarget) fillRect(r image.Rectangle, c Color) {
	if c.A == 0 || r.Empty() {
		return
	}
	for y := r.Min.Y; y < r.Max.Y; y++ {
		row := t.img.Pix[t.img.PixOffset(r.Min.X, y):][:4*r.Dx()]
		if c.A == 0xFF {
			for i := 0; i+4 <= len(row); i += 4 {
				row[i], row[i+1], row[i+2], row[i+3] = c.R, c.G, c.B, 0xFF
			}
			continue
		}
		qa := uint32(c.A) * 255
		for i := 0; i+4 <= len(row); i += 4 {
			row[i] = blendChan(row[i], c.R, qa, 255*255)
			row[i+1] = blendChan(row[i+1], c.G, qa, 255*255)
			row[i+2] = blendChan(row[i+2], c.B, qa, 255*255)
		}
	}
}

func (t rgbaTarget) mask(r image.Rectangle, m []byte, stride int, c Color) {
	if c.A == 0 {
		return
	}
	w := r.Dx()
	for y := 0; y < r.Dy(); y++ {
		row := t.img.Pix[t.img.PixOffset(r.Min.X, r.Min.Y+y):][:4*w]
		mr := m[y*stride:][:w]
		for x := 0; x < w; x++ {
			if x+8 <= w && binary.LittleEndian.Uint64(mr[x:]) == 0 {
				x += 7
				continue
			}
			v := mr[x]
			if v == 0 {
				continue
			}
			qa := uint32(v) * uint32(c.A)
			i := 4 * x
			row[i] = blendChan(row[i], c.R, qa, 255*255)
			row[i+1] = blendChan(row[i+1], c.G, qa, 255*255)
			row[i+2] = blendChan(row[i+2], c.B, qa, 255*255)
		}
	}
}

// Palette rendering. A chart has a handful of colours, and antialiasing
// blends each with what is under it. With the coverage rounded to one of
// palLevels steps (plenty for an edge two bitmap pixels wide; the tests
// compare with the true-colour drawing) the blends of most charts fit a
// 256-colour palette. Then every pixel is one byte from drawing to deflate,
// a third of RGB's, and each blend is computed once per (colour under,
// coverage step) and looked up after. A chart whose blends do not fit (five
// series crossing each other often) is drawn again in true colour.
const palLevels = 16

// palLevel maps 8-bit coverage to its step 0..palLevels, rounded.
var palLevel = func() (t [256]uint8) {
	for v := range t {
		t[v] = uint8((v*palLevels + 127) / 255)
	}
	return t
}()

// palTarget draws palette indices into pix, laid out as the PNG's filtered
// stream: each row is a 0 byte (filter None) and then w indices, so the
// encoder deflates pix as it is.
type palTarget struct {
	w, h   int
	pix    []byte
	pal    [256][3]byte
	n      int
	index  map[uint32]uint8
	over   bool // a colour was further than palMaxErr from any in the full palette
	cur    Color
	curIdx int16 // index of cur when opaque, or -1
	rowOf  [256]uint8
	rows   [][palLevels + 1]int16 // blend of cur over a colour, by step; -1 unknown
}

func (t *palTarget) reset(w, h int) {
	t.w, t.h = w, h
	n := (w + 1) * h
	if cap(t.pix) < n {
		t.pix = make([]byte, n)
	}
	t.pix = t.pix[:n]
	t.n = 0
	if t.index == nil {
		t.index = map[uint32]uint8{}
	}
	clear(t.index)
	t.over = false
	t.cur = Color{}
	t.rows = t.rows[:0]
	clear(t.rowOf[:])
	for y := 0; y < h; y++ {
		t.pix[y*(w+1)] = 0 // filter byte; pooled buffers hold old pixels
	}
}

func (t *palTarget) full() bool { return t.over }

// colour returns the palette index of an RGB colour, adding it if new.
// When the palette is full it returns the nearest colour, remembering how
// far off that was: past palMaxErr on a channel the target is full.
func (t *palTarget) colour(r, g, b uint8) uint8 {
	k := uint32(r)<<16 | uint32(g)<<8 | uint32(b)
	if i, ok := t.index[k]; ok {
		return i
	}
	if t.n == len(t.pal) {
		best, bestD := 0, 1<<30
		for i, p := range t.pal {
			dr, dg, db := int(p[0])-int(r), int(p[1])-int(g), int(p[2])-int(b)
			if d := dr*dr + dg*dg + db*db; d < bestD {
				best, bestD = i, d
			}
		}
		p := t.pal[best]
		if e := max(absInt(int(p[0])-int(r)), absInt(int(p[1])-int(g)), absInt(int(p[2])-int(b))); e > palMaxErr {
			t.over = true
		}
		t.index[k] = uint8(best)
		return uint8(best)
	}
	i := uint8(t.n)
	t.pal[i] = [3]byte{r, g, b}
	t.index[k] = i
	t.n++
	return i
}

// palMaxErr bounds how far a pixel may be from its colour when the palette
// is full: a few blends where lines cross, off by less than a coverage step.
const palMaxErr = 24

func absInt(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// reserve enters, before drawing, the colours of every item and their
// antialiasing ramps over the background, so that if the palette fills up
// it is with blends of blends (where lines cross), and those are the
// pixels that may get a near colour.
func (t *palTarget) reserve(s *Scene) {
	if len(s.Items) == 0 {
		return
	}
	bg := s.Items[0].Fill
	bgIdx := t.colour(bg.R, bg.G, bg.B)
	seen := 0
	var done [16]Color
	for i := range s.Items {
		it := &s.Items[i]
		for _, c := range [2]Color{it.Fill, it.Stroke} {
			if c.A == 0 || slices.Contains(done[:seen], c) {
				continue
			}
			if seen == len(done) {
				return
			}
			done[seen] = c
			seen++
			t.use(c)
			for q := uint8(1); q <= palLevels; q++ {
				t.blend(bgIdx, q)
			}
		}
	}
}

// use makes c the colour that blend composites, forgetting the blends of
// the previous one.
func (t *palTarget) use(c Color) {
	if c == t.cur && len(t.rows) > 0 {
		return
	}
	t.cur = c
	t.rows = t.rows[:0]
	clear(t.rowOf[:])
	t.curIdx = -1
	if c.A == 0xFF {
		t.curIdx = int16(t.colour(c.R, c.G, c.B))
	}
}

// blend returns the index of t.cur at coverage step q over index d.
func (t *palTarget) blend(d uint8, q uint8) uint8 {
	if q == palLevels && t.curIdx >= 0 {
		return uint8(t.curIdx)
	}
	ri := t.rowOf[d]
	if ri == 0 {
		if len(t.rows) == 255 { // every index under one colour: start over
			t.rows = t.rows[:0]
			clear(t.rowOf[:])
		}
		var row [palLevels + 1]int16
		for i := range row {
			row[i] = -1
		}
		t.rows = append(t.rows, row)
		ri = uint8(len(t.rows))
		t.rowOf[d] = ri
	}
	e := &t.rows[ri-1][q]
	if *e < 0 {
		c, p := t.cur, t.pal[d]
		qa := uint32(q) * uint32(c.A)
		const den = palLevels * 255
		*e = int16(t.colour(blendChan(p[0], c.R, qa, den), blendChan(p[1], c.G, qa, den), blendChan(p[2], c.B, qa, den)))
	}
	return uint8(*e)
}

func (t *palTarget) row(y int) []byte { return t.pix[y*(t.w+1)+1:][:t.w] }

func (t *palTarget) fillRect(r image.Rectangle, c Color) {
	if c.A == 0 || r.Empty() {
		return
	}
	t.use(c)
	first := t.row(r.Min.Y)[r.Min.X:r.Max.X]
	for y := r.Min.Y; y < r.Max.Y; y++ {
		row := t.row(y)[r.Min.X:r.Max.X]
		if t.curIdx < 0 {
			for i, d := range row {
				row[i] = t.blend(d, palLevels)
			}
		} else if y == r.Min.Y {
			v := uint8(t.curIdx)
			for i := range row {
				row[i] = v
			}
		} else {
			copy(row, first)
		}
	}
}

func (t *palTarget) mask(r image.Rectangle, m []byte, stride int, c Color) {
	if c.A == 0 {
		return
	}
	t.use(c)
	w := r.Dx()
	solid := -1 // what full coverage draws, when it needs no blending
	if t.curIdx >= 0 {
		solid = int(t.curIdx)
	}
	for y := 0; y < r.Dy(); y++ {
		row := t.row(r.Min.Y + y)[r.Min.X:][:w]
		mr := m[y*stride:][:w]
		for x := 0; x < len(mr) && x < len(row); x++ {
			if x+8 <= len(mr) && binary.LittleEndian.Uint64(mr[x:]) == 0 {
				x += 7
				continue
			}
			switch v := mr[x]; {
			case v == 0xFF && solid >= 0:
				row[x] = uint8(solid)
			case v != 0:
				if q := palLevel[v]; q != 0 {
					row[x] = t.blend(row[x], q)
				}
			}
		}
	}
}
