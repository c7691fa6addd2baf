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
// layout can measure text without a system font. The SVG names them first
// and falls back to common sans-serif faces of similar width.
const svgFontFamily = "Go,'Helvetica Neue',Helvetica,Arial,sans-serif"

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

// textWidth is the advance width of s at size px, in the regular or the
// medium (bold) face, without kerning.
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
		total += asciiAdvance[w][c-32]
	}
	return total * size
}

// otherWidth is textWidth for text beyond printable ASCII, from the fonts.
func otherWidth(s string, size float64, w int) float64 {
	fs, err := loadFonts()
	if err != nil {
		return 0.6 * size * float64(len([]rune(s)))
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
			total += asciiAdvance[w][r-32]
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

// advance is r's advance width in em (0.6 when the font lacks it). The
// caller holds fs.mu.
func (fs *fontSet) advance(f *sfnt.Font, r rune) float64 {
	upem := fixed.Int26_6(f.UnitsPerEm())
	if gi, err := f.GlyphIndex(&fs.buf, r); err == nil && gi != 0 {
		if adv, err := f.GlyphAdvance(&fs.buf, gi, upem, font.HintingNone); err == nil {
			return float64(adv) / float64(upem)
		}
	}
	return 0.6
}
