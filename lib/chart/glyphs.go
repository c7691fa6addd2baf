package chart

import (
	"fmt"
	"image"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// Rasterised glyphs are kept across renders: a server draws the same
// labels in the same sizes again and again, and rasterising a glyph costs
// more than compositing it. A glyph's mask depends only on the font, the
// size, the rune and the dot's position within its pixel, so cached glyphs
// are exactly what the face would draw. The Go fonts have no kerning pairs
// (TestGoFontsHaveNoKerning), so runes are placed by their advances alone.

type glyphKey struct {
	size   float64
	r      rune
	fx, fy uint8 // the dot's 26.6 fraction
	bold   bool
}

type glyph struct {
	off  image.Point // mask's top left, from the dot's pixel
	w, h int
	pix  []byte
	adv  fixed.Int26_6
}

type advKey struct {
	size float64
	r    rune
	bold bool
}

// Bounds on what the caches hold; past them glyphs are drawn uncached.
const (
	maxCachedGlyphs = 8192
	maxCachedFaces  = 64
)

var glyphCache struct {
	sync.RWMutex
	glyphs map[glyphKey]*glyph
	advs   map[advKey]fixed.Int26_6
	faces  map[advKey]*opentype.Face // r unused; opentype faces are not safe for concurrent use: held under the lock
}

var (
	otOnce           sync.Once
	otRegular, otMed *opentype.Font
	otErr            error
)

// faceLocked returns the face for size and weight; the caller holds the
// cache's write lock.
func faceLocked(size float64, bold bool) (*opentype.Face, error) {
	k := advKey{size: size, bold: bold}
	if f, ok := glyphCache.faces[k]; ok {
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
	if glyphCache.faces == nil {
		glyphCache.faces = map[advKey]*opentype.Face{}
		glyphCache.glyphs = map[glyphKey]*glyph{}
		glyphCache.advs = map[advKey]fixed.Int26_6{}
	}
	if len(glyphCache.faces) < maxCachedFaces {
		glyphCache.faces[k] = f.(*opentype.Face)
	}
	return f.(*opentype.Face), nil
}

// advance is r's advance at size, as font.MeasureString adds it up.
func advance(size float64, bold bool, r rune) (fixed.Int26_6, error) {
	k := advKey{size, r, bold}
	glyphCache.RLock()
	a, ok := glyphCache.advs[k]
	glyphCache.RUnlock()
	if ok {
		return a, nil
	}
	glyphCache.Lock()
	defer glyphCache.Unlock()
	f, err := faceLocked(size, bold)
	if err != nil {
		return 0, err
	}
	a, _ = f.GlyphAdvance(r) // a missing rune draws as .notdef, with its advance
	if len(glyphCache.advs) < maxCachedGlyphs {
		glyphCache.advs[k] = a
	}
	return a, nil
}

// glyphAt returns r drawn with its dot at dot.
func glyphAt(size float64, bold bool, r rune, dot fixed.Point26_6) (*glyph, error) {
	k := glyphKey{size: size, r: r, fx: uint8(dot.X & 63), fy: uint8(dot.Y & 63), bold: bold}
	glyphCache.RLock()
	g, ok := glyphCache.glyphs[k]
	glyphCache.RUnlock()
	if ok {
		return g, nil
	}
	glyphCache.Lock()
	defer glyphCache.Unlock()
	if g, ok := glyphCache.glyphs[k]; ok {
		return g, nil
	}
	f, err := faceLocked(size, bold)
	if err != nil {
		return nil, err
	}
	// Rasterise at the same fraction within pixel (0, 0).
	d := fixed.Point26_6{X: fixed.Int26_6(k.fx), Y: fixed.Int26_6(k.fy)}
	// ok is false for a rune the font lacks, yet the mask holds its
	// .notdef box, which font.Drawer draws: so does drawText.
	dr, mask, mp, adv, _ := f.Glyph(d, r)
	g = &glyph{adv: adv}
	if !dr.Empty() {
		a, isAlpha := mask.(*image.Alpha)
		if !isAlpha {
			return nil, fmt.Errorf("font face: unexpected mask %T", mask)
		}
		g.off, g.w, g.h = dr.Min, dr.Dx(), dr.Dy()
		g.pix = make([]byte, g.w*g.h)
		for y := 0; y < g.h; y++ {
			copy(g.pix[y*g.w:][:g.w], a.Pix[a.PixOffset(mp.X, mp.Y+y):])
		}
	}
	if len(glyphCache.glyphs) < maxCachedGlyphs {
		glyphCache.glyphs[k] = g
	}
	return g, nil
}

// measure is s's advance width at size, as font.MeasureString.
func measure(s string, size float64, bold bool) (fixed.Int26_6, error) {
	var w fixed.Int26_6
	for _, r := range s {
		a, err := advance(size, bold, r)
		if err != nil {
			return 0, err
		}
		w += a
	}
	return w, nil
}

// drawText draws s with its first dot at dot onto t, clipped to bounds, as
// font.Drawer.DrawString does.
func drawText(t target, bounds image.Rectangle, s string, size float64, bold bool, dot fixed.Point26_6, c Color) error {
	for _, r := range s {
		g, err := glyphAt(size, bold, r, dot)
		if err != nil {
			return err
		}
		if g.w > 0 && g.h > 0 {
			at := image.Pt(dot.X.Floor(), dot.Y.Floor()).Add(g.off)
			dr := image.Rect(at.X, at.Y, at.X+g.w, at.Y+g.h)
			if cr := dr.Intersect(bounds); !cr.Empty() {
				m := g.pix[(cr.Min.Y-dr.Min.Y)*g.w+(cr.Min.X-dr.Min.X):]
				t.mask(cr, m, g.w, c)
			}
		}
		dot.X += g.adv
	}
	return nil
}
