package chart

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cronkit/cronkit/lib/testutil"
)

// textCase is a chart or an error image that puts text near its edges.
type textCase struct {
	name  string
	query string // "" for an error image
	err   string
	errW  int
}

// textCases: titles, labels, legends and error messages at the widths
// issue 15 names (160, 300, 580 px), with the widest characters.
func textCases() []textCase {
	long := "A+very+long+title+about+the+transactions+per+second+of+the+whole+cluster+WWWW+MMMM"
	var out []textCase
	for _, wh := range [][2]int{{160, 40}, {160, 100}, {300, 100}, {580, 180}} {
		size := fmt.Sprintf("w=%d&h=%d", wh[0], wh[1])
		id := fmt.Sprintf("%dx%d", wh[0], wh[1])
		out = append(out,
			textCase{name: id + "-title", query: size + "&d0=" + series(43, 0) + "&t=" + long},
			textCase{name: id + "-labels", query: size + "&d0=" + series(43, 0) + "&ymin=0.08997&ymax=0.2906&hl=1"},
			textCase{name: id + "-wide-labels", query: size + "&d0=" + series(43, 1) + "&ymin=-1.7e308&ymax=1.7e308&t=Temp%C3%A9rature+%C3%86%C3%98%C3%85+%E6%BC%A2%E5%AD%97&xmin=1700006400&xmax=1700092800"},
			textCase{name: id + "-legend", query: size + "&d0=" + series(43, 0) + "&d1=" + series(43, 2) + "&d2=" + series(43, 3) +
				"&l0=pg_stat_database.xact_commit&l1=WWWWWWWWWWWWWWWW&l2=blks_hit&ymin=0&ymax=160000000&t=" + long},
			textCase{name: id + "-spark", query: size + "&d0=" + series(43, 0) + "&spark=1&hl=1&t=" + long + "&ymin=0&ymax=1"},
			textCase{name: id + "-error", err: `d0: invalid character '<' at 3 (want A-Z a-z 0-9 or _) WWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWW and more words after it`, errW: wh[0]},
		)
	}
	return out
}

// Families the text test forces in turn: the SVG's own stack (what a
// viewer gets), then each named face of it that Debian has (fonts-go,
// fonts-liberation, fonts-dejavu-core), then the generic sans-serif.
var testFamilies = []string{"", "Go", "Liberation Sans", "DejaVu Sans", "sans-serif"}

// TestBrowserTextFits: headless Chromium (Debian's chromium) draws every
// case with its text in each family; on the screenshot no pixel outside
// a chart's box is drawn (each SVG is inline with overflow visible, so
// text running past an edge shows), and a chart's outermost columns are
// blank (text does not touch the edge). CHARTD_SHOTS=DIR keeps the
// screenshots for review.
func TestBrowserTextFits(t *testing.T) {
	browser := testutil.NeedProgram(t, "chromium", "chromium-browser", "google-chrome")
	cases := textCases()
	shots := os.Getenv("CHARTD_SHOTS")
	for fi, fam := range testFamilies {
		page, boxes, size := textPage(t, cases, fam)
		dir := t.TempDir()
		html := filepath.Join(dir, "page.html")
		if err := os.WriteFile(html, page, 0o644); err != nil {
			t.Fatal(err)
		}
		shot := filepath.Join(dir, "shot.png")
		img := screenshot(t, browser, html, shot, size)
		if shots != "" {
			if err := os.MkdirAll(shots, 0o755); err != nil {
				t.Fatal(err)
			}
			b, _ := os.ReadFile(shot)
			if err := os.WriteFile(filepath.Join(shots, fmt.Sprintf("text-%d.png", fi)), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		checkInk(t, fam, img, cases, boxes)
	}
}

const pageMargin = 80 // px around and between boxes

// textPage is one HTML page with every case inline, in a column, each
// with overflow visible, its text forced to family (when not "").
func textPage(t *testing.T, cases []textCase, family string) ([]byte, []image.Rectangle, image.Point) {
	var b bytes.Buffer
	b.WriteString(`<!doctype html><html><head><meta charset="utf-8"><style>html,body{margin:0;background:#fff}` +
		`svg{position:absolute;overflow:visible;display:block}`)
	if family != "" {
		fmt.Fprintf(&b, `svg text,svg g{font-family:'%s' !important}`, family)
	}
	b.WriteString(`</style></head><body>`)
	var boxes []image.Rectangle
	y, width := pageMargin, 0
	for _, c := range cases {
		var doc []byte
		if c.query != "" {
			doc = RenderSVG(mustParse(t, c.query))
		} else {
			doc = ErrorSceneWidth(c.err, c.errW).SVG()
		}
		var sc struct{ w, h int }
		if _, err := fmt.Sscanf(string(doc[bytes.Index(doc, []byte(`width="`)):]), `width="%d" height="%d"`, &sc.w, &sc.h); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		r := image.Rect(pageMargin*3, y, pageMargin*3+sc.w, y+sc.h)
		boxes = append(boxes, r)
		doc = bytes.Replace(doc, []byte("<svg "), []byte(fmt.Sprintf(`<svg style="left:%dpx;top:%dpx" `, r.Min.X, r.Min.Y)), 1)
		b.Write(doc)
		y = r.Max.Y + pageMargin
		width = max(width, r.Max.X+pageMargin*3)
	}
	b.WriteString(`</body></html>`)
	return b.Bytes(), boxes, image.Pt(width, y)
}

// screenshot runs headless Chromium (the flags of cmd/chartd's browser
// test) on a local page at device scale 1.
func screenshot(t *testing.T, browser, html, out string, size image.Point) image.Image {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
		"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-dev-shm-usage", "--user-data-dir="+t.TempDir(), "--hide-scrollbars",
		"--force-device-scale-factor=1", fmt.Sprintf("--window-size=%d,%d", size.X, size.Y),
		"--screenshot="+out, "file://"+html)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium: %v\n%s", err, stderr.String())
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatalf("no screenshot: %v\n%s", err, stderr.String())
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != size.X || b.Dy() != size.Y {
		t.Fatalf("screenshot is %v, want %v", b, size)
	}
	return img
}

// checkInk fails for every box with ink outside it (within the margin
// around it) or, for a chart, in its outermost columns.
func checkInk(t *testing.T, family string, img image.Image, cases []textCase, boxes []image.Rectangle) {
	t.Helper()
	if family == "" {
		family = "the SVG's font stack"
	}
	ink := func(x, y int) bool {
		r, g, b, _ := img.At(x, y).RGBA()
		return r>>8 < 235 || g>>8 < 235 || b>>8 < 235
	}
	bounds := img.Bounds()
	for i, box := range boxes {
		around := box.Inset(-pageMargin / 2).Intersect(bounds)
		var outside []string
		for y := around.Min.Y; y < around.Max.Y; y++ {
			for x := around.Min.X; x < around.Max.X; x++ {
				if !(image.Pt(x, y).In(box)) && ink(x, y) {
					outside = append(outside, fmt.Sprintf("(%d,%d)", x-box.Min.X, y-box.Min.Y))
				}
			}
		}
		if len(outside) > 0 {
			t.Errorf("%s in %s: %d pixels drawn outside the %dx%d box, e.g. %s", cases[i].name, family,
				len(outside), box.Dx(), box.Dy(), strings.Join(outside[:min(5, len(outside))], " "))
		}
		if cases[i].query == "" {
			continue
		}
		for y := box.Min.Y; y < box.Max.Y; y++ {
			if ink(box.Min.X, y) || ink(box.Max.X-1, y) {
				t.Errorf("%s in %s: ink in the outermost column at y=%d", cases[i].name, family, y-box.Min.Y)
				break
			}
		}
	}
	// Nothing at all outside the margins either (a title overflowing by
	// hundreds of pixels).
	union := image.Rectangle{}
	for _, b := range boxes {
		union = union.Union(b.Inset(-pageMargin / 2))
	}
	n := 0
	for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
		for x := bounds.Min.X; x < bounds.Max.X; x++ {
			if !image.Pt(x, y).In(union) && ink(x, y) {
				n++
			}
		}
	}
	if n > 0 {
		t.Errorf("%s: %d pixels drawn far outside every box", family, n)
	}
}
