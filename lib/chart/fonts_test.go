package chart

import (
	"math"
	"os"
	"testing"

	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/sfnt"
)

// needFont reads a font file that Debian's fonts-dejavu-core installs (a
// dependency of chromium, in scripts/apt-packages.txt): skipped only
// outside CI, like testutil.NeedProgram.
func needFont(t *testing.T, path string) *sfnt.Font {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		if os.Getenv("CI") == "" {
			t.Skipf("%v; CI is unset", err)
		}
		t.Fatalf("%v (scripts/setup installs fonts-dejavu-core)", err)
	}
	f, err := sfnt.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// The layout measures ASCII with the widest advance among the faces the
// SVG's font-family stack can resolve to: the Go fonts (and the
// Arial-metric faces, which have the Go fonts' advances) and DejaVu Sans.
func TestBoundAdvances(t *testing.T) {
	fs, err := loadFonts()
	if err != nil {
		t.Fatal(err)
	}
	bold, err := sfnt.Parse(gobold.TTF)
	if err != nil {
		t.Fatal(err)
	}
	dv := [2]*sfnt.Font{
		needFont(t, "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
		needFont(t, "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
	}
	faces := [2][]*sfnt.Font{{fs.regular, dv[0]}, {fs.medium, bold, dv[1]}}
	var buf sfnt.Buffer
	for w := range faces {
		for r := rune(32); r < 127; r++ {
			want := 0.0
			for _, f := range faces[w] {
				a, ok := goAdvance(&buf, f, r)
				if !ok {
					t.Fatalf("face lacks %q", r)
				}
				want = max(want, a)
			}
			if got := boundAdvance[w][r-32]; got != want {
				t.Errorf("weight %d %q: table %v, fonts %v", w, r, got, want)
			}
		}
	}
	// Beyond ASCII: at least DejaVu's advance for the Latin-1 letters.
	for w := range faces {
		for r := rune(0xC0); r <= 0xFF; r++ {
			a, ok := goAdvance(&buf, dv[w], r)
			if !ok {
				continue
			}
			if got := textWidth(string(r), 1, w == 1); got < a {
				t.Errorf("weight %d %q: measured %v, DejaVu %v", w, r, got, a)
			}
		}
	}
}

func TestTextWidth(t *testing.T) {
	if a, b := textWidth("Temp é", 12, false), textWidth("Temp ", 12, false)+textWidth("é", 12, false); math.Abs(a-b) > 1e-9 {
		t.Errorf("mixed text %v, parts %v", a, b)
	}
	// A rune no Go font has (CJK) counts a full em; the ellipsis 1.1.
	if got := textWidth("漢字", 10, false); got != 20 {
		t.Errorf("CJK: %v, want 20", got)
	}
	if got := textWidth("…", 10, true); math.Abs(got-11) > 1e-9 {
		t.Errorf("ellipsis: %v, want 11", got)
	}
}
