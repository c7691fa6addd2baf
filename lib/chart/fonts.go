package chart

import (
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gomedium"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
)

// The Go fonts are embedded so that the PNG looks the same everywhere and the
// layout can measure text without a system font. The SVG names them first,
// then only faces no wider than what the layout measures (boundAdvance):
// Arial-metric faces, then DejaVu Sans, the widest, which is also what the
// generic sans-serif is on Debian (Chromium there has no other). Helvetica
// Neue, wider than Arial, is left out on purpose.
const svgFontFamily = "Go,Arial,Helvetica,'Liberation Sans',Arimo,'Nimbus Sans','DejaVu Sans','Bitstream Vera Sans',sans-serif"

// Text beyond ASCII is measured from the Go fonts, widened by
// nonASCIIWiden (DejaVu Sans's letters are up to about 1.4 times Go's) up
// to 1.1 em, and a rune the Go fonts lack by missingAdvance: another
// face draws it, CJK ideographs a full em.
const (
	nonASCIIWiden  = 1.45
	widenCap       = 1.1 // DejaVu Sans Bold's Æ
	missingAdvance = 1.0
)

type fontSet struct {
	regular, medium *sfnt.Font
	mu              sync.Mutex
	adv             [2]map[rune]float64 // advance in em of runes beyond ASCII, filled as met
	buf             sfnt.Buffer
}

var (
	fontsOnce sync.Once
	fonts     *fontSet
	fontsErr  error
)

func loadFonts() (*fontSet, error) {
	fontsOnce.Do(func() {
		fs := &fontSet{adv: [2]map[rune]float64{{}, {}}}
		if fs.regular, fontsErr = sfnt.Parse(goregular.TTF); fontsErr != nil {
			return
		}
		if fs.medium, fontsErr = sfnt.Parse(gomedium.TTF); fontsErr != nil {
			return
		}
		fonts = fs
	})
	return fonts, fontsErr
}

// textWidth bounds the advance width of s at size px, regular or bold
// (weight 600), in any face of svgFontFamily, without kerning (which only
// narrows).
func textWidth(s string, size float64, bold bool) float64 {
	w := 0
	if bold {
		w = 1
	}
	total := 0.0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 32 || c >= 127 {
			return total*size + otherWidth(s[i:], size, w)
		}
		total += boundAdvance[w][c-32]
	}
	return total * size
}

// otherWidth is textWidth for text beyond printable ASCII, from the fonts.
func otherWidth(s string, size float64, w int) float64 {
	fs, err := loadFonts()
	if err != nil {
		return missingAdvance * size * float64(len([]rune(s)))
	}
	f := fs.regular
	if w == 1 {
		f = fs.medium
	}
	total := 0.0
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for _, r := range s {
		if r >= 32 && r < 127 {
			total += boundAdvance[w][r-32]
			continue
		}
		a, ok := fs.adv[w][r]
		if !ok {
			a = fs.advance(f, r)
			if len(fs.adv[w]) < 4096 { // bound the cache; titles can hold any rune
				fs.adv[w][r] = a
			}
		}
		total += a
	}
	return total * size
}

// advance bounds r's advance width in em in the faces of svgFontFamily:
// the Go font's widened, or missingAdvance when the Go font lacks r. The
// caller holds fs.mu.
func (fs *fontSet) advance(f *sfnt.Font, r rune) float64 {
	if a, ok := goAdvance(&fs.buf, f, r); ok {
		return min(a*nonASCIIWiden, max(a, widenCap))
	}
	return missingAdvance
}

// goAdvance is r's advance in em in f, if f has r.
func goAdvance(buf *sfnt.Buffer, f *sfnt.Font, r rune) (float64, bool) {
	upem := fixed.Int26_6(f.UnitsPerEm())
	if gi, err := f.GlyphIndex(buf, r); err == nil && gi != 0 {
		if adv, err := f.GlyphAdvance(buf, gi, upem, font.HintingNone); err == nil {
			return float64(adv) / float64(upem), true
		}
	}
	return 0, false
}
