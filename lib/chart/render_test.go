package chart

import (
	"bytes"
	"encoding/xml"
	"image"
	"image/png"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cronkit/cronkit/lib/testutil"
)

// series makes n points of a smooth deterministic curve, encoded over its
// own range: realistic data for the 43- and 169-point examples (ref §2.3
// lists those sizes from the chartd.co page).
func series(n int, phase float64) string {
	v := make([]float64, n)
	for i := range v {
		x := float64(i)
		v[i] = 100 + 3*math.Sin(x/7+phase) + 1.5*math.Sin(x/2.3) + x/20
	}
	lo, hi, _ := Range(v)
	return Encode(v, lo, hi)
}

const temperature = "w=580&h=180&d0=RXZZfhgdURRUYZgfccZXUM&d1=HGHGHJHIJKLKJLMNMNMLKJ&d2=abcdefghijihgfedcbabcd&d3=9876543210zyxwvutsrqpo&ymin=45&ymax=90&t=Temperature"

// goldenCases are the chartd.co examples the issue lists, plus our edges.
var goldenCases = []struct{ name, query string }{
	{"temperature", temperature},
	{"temperature-300x100", strings.Replace(strings.Replace(temperature, "w=580", "w=300", 1), "h=180", "h=100", 1)},
	{"aapl-43", "w=580&h=180&d0=" + series(43, 0) + "&ymin=94.48&ymax=103.3&t=AAPL+(past+2+months)"},
	{"week-169-tz", "w=580&h=180&d0=" + series(169, 1) + "&ymin=0&ymax=160000000&xmin=1700006400&xmax=1700611200&tz=America/New_York&t=1+week+@+1+hour"},
	{"day-300x100-xaxis", "w=300&h=100&d0=" + series(48, 2) + "&xmin=1700006400&xmax=1700092800&ymin=0.5&ymax=12"},
	{"step", "w=580&h=180&d0=" + series(30, 0) + "&step=1&ymin=0&ymax=10"},
	{"hl", "w=580&h=180&d0=" + series(43, 0) + "&d1=" + series(43, 2) + "&hl=1"},
	{"strokes-dashed-dotted", "w=580&h=180&d0=RXZZfhgdURRUYZgfccZXUM&d1=HGHGHJHIJKLKJLMNMNMLKJ&d2=abcdefghijihgfedcbabcd&s0=4991AE&s1=FF8300.&s2=FF5DAA-"},
	{"fills", "w=580&h=180&d0=" + series(43, 0) + "&d1=HGHGHJHIJKLKJLMNMNMLKJ&f0=4991AE40&f1=FF830080&s1=FF8300"},
	{"one-point", "w=580&h=180&d0=e&hl=1"},
	{"all-equal", "w=580&h=180&d0=eeeeeeeeee&ymin=5&ymax=5"},
	{"gaps", "w=580&h=180&d0=AB__CDE_F__9&d1=_9_&f0=4991AE40&hl=1"},
	{"left-axis-only", "w=580&h=180&d0=" + series(43, 0) + "&ymin=94.48&ymax=103.3&ol=1"},
	{"right-axis-only", "w=300&h=100&d0=" + series(43, 0) + "&ymin=-0.00002&ymax=12345&or=1"},
	{"tiny", "w=1&h=1&d0=A9&t=x&ymin=0&ymax=1&xmin=0&xmax=60"},
	{"escaped-title", "w=300&h=100&d0=AZ9&t=%3C%2Ftext%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E+%26+%22q%22"},
	// Issue 15: legends, sparklines, small charts, long titles.
	{"legend", "w=580&h=180&d0=" + series(43, 0) + "&d1=" + series(43, 2) + "&s1=FF8300-&l0=xact_commit&l1=xact_rollback&ymin=0&ymax=400&t=Transactions"},
	{"legend-300x100-long", "w=300&h=100&d0=" + series(43, 0) + "&d1=" + series(43, 2) + "&d2=" + series(43, 3) + "&l0=pg_stat_database.xact_commit&l1=pg_stat_database.blks_hit&l2=wal&ymin=0&ymax=1"},
	{"spark-160x40", "w=160&h=40&d0=" + series(43, 0) + "&spark=1&hl=1&ymin=0&ymax=1&t=ignored"},
	{"small-160x40", "w=160&h=40&d0=" + series(43, 0) + "&ymin=0.08997&ymax=0.2906"},
	{"long-title-300", "w=300&h=100&d0=" + series(43, 0) + "&t=A+very+long+title+about+the+transactions+per+second+of+the+whole+cluster"},
}

func mustParse(t testing.TB, q string) *Query {
	t.Helper()
	p, err := Parse(q)
	if err != nil {
		t.Fatalf("Parse(%.60q): %v", q, err)
	}
	return p
}

func TestGoldenSVG(t *testing.T) {
	for _, c := range goldenCases {
		t.Run(c.name, func(t *testing.T) {
			q := mustParse(t, c.query)
			got := RenderSVG(q)
			testutil.Golden(t, filepath.Join("testdata", "golden", c.name+".svg"), got)
			checkSVG(t, got)
			if again := RenderSVG(mustParse(t, c.query)); !bytes.Equal(got, again) {
				t.Error("output is not deterministic")
			}
			checkBounds(t, Layout(q))
		})
	}
}

// allowed is every element the renderer may emit: nothing that can run
// script or load anything (ref §2.5 security).
var allowed = map[string]bool{"svg": true, "title": true, "rect": true, "path": true, "circle": true, "g": true, "text": true}

// checkSVG parses the document with encoding/xml and rejects any element
// or attribute outside what the renderer writes.
func checkSVG(t *testing.T, doc []byte) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(doc))
	d.Strict = true
	depth := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("SVG is not well-formed XML: %v", err)
		}
		switch el := tok.(type) {
		case xml.StartElement:
			if depth == 0 && (el.Name.Local != "svg" || el.Name.Space != "http://www.w3.org/2000/svg") {
				t.Fatalf("root is %v", el.Name)
			}
			depth++
			if !allowed[el.Name.Local] {
				t.Fatalf("unexpected element <%s>", el.Name.Local)
			}
			for _, a := range el.Attr {
				if strings.HasPrefix(strings.ToLower(a.Name.Local), "on") || strings.Contains(strings.ToLower(a.Value), "javascript:") || a.Name.Local == "href" {
					t.Fatalf("unexpected attribute %s=%q", a.Name.Local, a.Value)
				}
			}
		case xml.EndElement:
			depth--
		case xml.ProcInst, xml.Directive:
			t.Fatalf("unexpected %T", el)
		}
	}
}

// checkBounds asserts nothing is placed outside the w×h canvas.
func checkBounds(t testing.TB, s *Scene) {
	t.Helper()
	w, h := float64(s.W), float64(s.H)
	in := func(p Pt, what string) {
		if math.IsNaN(p.X) || math.IsNaN(p.Y) || p.X < -0.01 || p.Y < -0.01 || p.X > w+0.01 || p.Y > h+0.01 {
			t.Fatalf("%s at %v outside %vx%v", what, p, w, h)
		}
	}
	for _, it := range s.Items {
		switch it.Kind {
		case KindPath:
			for _, l := range it.Lines {
				for _, p := range l {
					in(p, "path point")
				}
			}
		case KindCircle:
			in(it.At, "circle")
		case KindText:
			in(it.At, "text "+it.Text)
			tw := textWidth(it.Text, it.Font, it.Bold)
			x0 := it.At.X
			switch it.Anchor {
			case Middle:
				x0 -= tw / 2
			case End:
				x0 -= tw
			}
			if x0 < -0.5 || x0+tw > w+0.5 {
				t.Fatalf("text %q spans %.1f..%.1f outside width %v", it.Text, x0, x0+tw, w)
			}
		}
	}
}

func TestEscapedTitle(t *testing.T) {
	q := mustParse(t, "w=300&h=100&d0=AZ9&t=%3C%2Ftext%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E+%26+%22q%22%27")
	doc := RenderSVG(q)
	checkSVG(t, doc)
	if bytes.Contains(doc, []byte("<script")) {
		t.Fatal("markup from the title reached the SVG")
	}
	var parsed struct {
		Title string `xml:"title"`
	}
	if err := xml.Unmarshal(doc, &parsed); err != nil {
		t.Fatal(err)
	}
	if want := `</text><script>alert(1)</script> & "q"'`; parsed.Title != want {
		t.Errorf("title = %q, want %q", parsed.Title, want)
	}
}

func TestSVGResponsive(t *testing.T) {
	doc := string(RenderSVG(mustParse(t, "w=580&h=180&d0=AB")))
	for _, want := range []string{`viewBox="0 0 580 180"`, `width="580"`, `height="180"`, `preserveAspectRatio="xMidYMid meet"`} {
		if !strings.Contains(doc, want) {
			t.Errorf("missing %s", want)
		}
	}
}

// rsvg-convert (Debian librsvg2-bin) must rasterise every golden SVG
// (ref §2.5 test tooling). Skipped only outside CI when it is missing.
func TestRsvgConvert(t *testing.T) {
	bin := testutil.NeedProgram(t, "rsvg-convert")
	dir := t.TempDir()
	for _, c := range goldenCases {
		svg := filepath.Join(dir, c.name+".svg")
		out := filepath.Join(dir, c.name+".png")
		if err := os.WriteFile(svg, RenderSVG(mustParse(t, c.query)), 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(bin, "-z", "2", "-o", out, svg)
		if msg, err := cmd.CombinedOutput(); err != nil || len(bytes.TrimSpace(msg)) > 0 {
			t.Fatalf("%s: rsvg-convert: %v %s", c.name, err, msg)
		}
		img := decodePNGFile(t, out)
		q := mustParse(t, c.query)
		if b := img.Bounds(); b.Dx() != 2*q.W || b.Dy() != 2*q.H {
			t.Errorf("%s: rsvg size %v", c.name, b)
		}
	}
}

// The PNG backend draws the same geometry as the SVG one: the amount of
// coloured (data) ink in our PNG and in rsvg's rendering of our SVG agree.
func TestPNGMatchesRsvg(t *testing.T) {
	bin := testutil.NeedProgram(t, "rsvg-convert")
	dir := t.TempDir()
	for _, name := range []string{"temperature", "fills", "strokes-dashed-dotted", "step", "hl"} {
		var query string
		for _, c := range goldenCases {
			if c.name == name {
				query = c.query
			}
		}
		q := mustParse(t, query)
		svg := filepath.Join(dir, name+".svg")
		if err := os.WriteFile(svg, RenderSVG(q), 0o644); err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(dir, name+".png")
		if msg, err := exec.Command(bin, "-z", "2", "-b", "white", "-o", out, svg).CombinedOutput(); err != nil {
			t.Fatalf("rsvg-convert: %v %s", err, msg)
		}
		ref := decodePNGFile(t, out)
		b, err := RenderPNG(q, 2)
		if err != nil {
			t.Fatal(err)
		}
		ours, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		a, r := ink(ours), ink(ref)
		if r == 0 || math.Abs(float64(a-r))/float64(r) > 0.12 {
			t.Errorf("%s: coloured pixels: ours %d, rsvg %d", name, a, r)
		}
	}
}

// ink counts saturated pixels: data strokes and fills, not grey text or grid.
func ink(img image.Image) int {
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			hi, lo := max(r, g, bl)>>8, min(r, g, bl)>>8
			if hi-lo > 40 {
				n++
			}
		}
	}
	return n
}

func TestPNG(t *testing.T) {
	q := mustParse(t, temperature+"&hl=1")
	for _, tt := range []struct {
		scale float64
		w, h  int
	}{{2, 1160, 360}, {1, 580, 180}, {0.5, 290, 90}} {
		b, err := RenderPNG(q, tt.scale)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		if got := img.Bounds(); got.Dx() != tt.w || got.Dy() != tt.h {
			t.Errorf("scale %v: %v, want %dx%d", tt.scale, got, tt.w, tt.h)
		}
	}
	s := Layout(q)
	img, err := s.Image(2)
	if err != nil {
		t.Fatal(err)
	}
	near := func(x, y float64, want Color, what string) {
		t.Helper()
		c := img.RGBAAt(int(x*2), int(y*2))
		d := math.Abs(float64(c.R)-float64(want.R)) + math.Abs(float64(c.G)-float64(want.G)) + math.Abs(float64(c.B)-float64(want.B))
		if d > 30 {
			t.Errorf("%s at (%v,%v): %v, want %v", what, x, y, c, want)
		}
	}
	near(1, 1, background, "background corner")
	// The middle of a segment of each dataset's line has its stroke colour.
	for _, it := range s.Items {
		if it.Kind == KindPath && it.Stroke.A == 0xFF && it.Width > 1 {
			a, b := it.Lines[0][5], it.Lines[0][6]
			near((a.X+b.X)/2, (a.Y+b.Y)/2, it.Stroke, "line")
		}
		if it.Kind == KindCircle { // hl: the centre is the dataset colour
			near(it.At.X, it.At.Y, it.Fill, "highlight")
		}
	}
}

func TestPNGScaleBounds(t *testing.T) {
	q := mustParse(t, "w=2000&h=10&d0=A")
	if _, err := RenderPNG(q, 2); err != nil {
		t.Errorf("2000 px at 2x: %v", err)
	}
	for _, s := range []float64{2.5, 0, -1, math.NaN(), 5} {
		if _, err := RenderPNG(q, s); err == nil || !IsQueryError(err) {
			t.Errorf("scale %v: err %v", s, err)
		}
	}
}

func TestErrorScene(t *testing.T) {
	s := ErrorScene(`d0: invalid character '<' at 3` + strings.Repeat(" long", 200))
	doc := s.SVG()
	checkSVG(t, doc)
	checkBounds(t, s)
	// Too long for three lines: wrapped, then cut with an ellipsis.
	if s.W > 600 || s.H != 60 || !bytes.Contains(doc, []byte("chartd: d0: invalid character &#39;&lt;&#39; at 3")) || !bytes.Contains(doc, []byte("…</text>")) {
		t.Errorf("error image %dx%d: %s", s.W, s.H, doc)
	}
	if _, err := s.PNG(2); err != nil {
		t.Error(err)
	}
}

// The error image shows the whole message of every query error, not a
// truncated one (an <img> user has nothing else to go on): its text lines
// put back together are the message.
func TestErrorSceneShowsWholeMessage(t *testing.T) {
	msgs := []string{
		`ymin: <": not a number`,
		`d0: invalid character '<' at 2 (want A-Z a-z 0-9 or _)`,
		`s0: <script>: want RRGGBB or RRGGBBAA, then . or - for dotted or dashed`,
		`tz: "><script>: unknown time zone (want an IANA name like Europe/Paris)`,
		`series "` + strings.Repeat("x", 60) + `" has 4097 points; at most 4096 ` + strings.Repeat("word ", 20),
	}
	for _, m := range msgs {
		s := ErrorScene(m)
		var lines []string
		for _, it := range s.Items {
			if it.Kind == KindText {
				lines = append(lines, it.Text)
			}
		}
		if got := strings.Join(lines, " "); got != "chartd: "+strings.TrimSpace(m) {
			t.Errorf("error image of %q shows %q", m, got)
		}
		if s.H != 28+16*(len(lines)-1) || s.W > 600 {
			t.Errorf("%q: %dx%d for %d lines", m, s.W, s.H, len(lines))
		}
		checkBounds(t, s)
		checkSVG(t, s.SVG())
	}
}

func TestFormatNum(t *testing.T) {
	for v, want := range map[float64]string{
		0: "0", 94.48: "94.48", 103.3: "103.3", 160000000: "160M", 12345: "12.3k", 999999: "1M",
		-1500000: "-1.5M", 0.00002: "2e-05", 9999.5: "10k", 2e15: "2e+15", 45: "45", 67.5: "67.5", 3e9: "3G",
	} {
		if got := formatNum(v); got != want {
			t.Errorf("formatNum(%v) = %q, want %q", v, got, want)
		}
	}
}

func TestXLabels(t *testing.T) {
	ny, _ := location("America/New_York")
	tests := []struct {
		from, to int64
		tz       string
		pw       float64
		want     string
	}{
		// one week: a label a day at local midnight
		{1700024400, 1700629200, "America/New_York", 560, "Nov 15|Nov 16|Nov 17|Nov 18|Nov 19|Nov 20|Nov 21|Nov 22"},
		{1700000000, 1700086400, "UTC", 560, "Nov 15|03:00|06:00|09:00|12:00|15:00|18:00|21:00"},
		{0, 86400 * 365 * 30, "UTC", 560, "1970|1975|1980|1985|1990|1995"},
		{1700000000, 1700000090, "UTC", 560, "22:13:30|22:13:45|22:14:00|22:14:15|22:14:30|22:14:45"},
	}
	for _, tt := range tests {
		loc := time.UTC
		if tt.tz != "UTC" {
			loc = ny
		}
		var got []string
		for _, l := range xLabels(time.Unix(tt.from, 0).In(loc), time.Unix(tt.to, 0).In(loc), tt.pw, 12) {
			if l.at < 0 || l.at > 1 {
				t.Errorf("label %q at %v", l.text, l.at)
			}
			got = append(got, l.text)
		}
		if g := strings.Join(got, "|"); g != tt.want {
			t.Errorf("xLabels(%d, %d) = %s, want %s", tt.from, tt.to, g, tt.want)
		}
	}
}

func decodePNGFile(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return img
}

// Index i is drawn at i/61 of the plot height (ref §2.3): A on the
// baseline, 9 on the top grid line (the ymax label's line), everything in
// between linear; points are evenly spaced from the left to the right
// edge; a step chart goes across, then up or down.
func TestLayoutGeometry(t *testing.T) {
	for _, q := range []string{"w=580&h=180&d0=" + Alphabet + "&ymin=0&ymax=61&t=T", "w=300&h=100&d0=" + Alphabet + "&ymin=0&ymax=61&xmin=0&xmax=61"} {
		s := Layout(mustParse(t, q))
		var grid, data []Item
		for _, it := range s.Items {
			if it.Kind != KindPath {
				continue
			}
			if it.Stroke == DefaultStrokes[0] {
				data = append(data, it)
			} else {
				grid = append(grid, it)
			}
		}
		if len(data) != 1 || len(data[0].Lines) != 1 || len(data[0].Lines[0]) != 62 || len(grid) != 2 {
			t.Fatalf("%s: %d data paths, %d grid paths", q, len(data), len(grid))
		}
		pts := data[0].Lines[0]
		bottom, top := pts[0].Y, pts[61].Y
		if base := grid[0].Lines[0][0].Y; math.Abs(base-0.5-bottom) > 1e-9 {
			t.Errorf("A at y=%v, baseline at %v", bottom, base-0.5)
		}
		if topLine := grid[1].Lines[0][0].Y; math.Abs(topLine-0.5-top) > 1e-9 {
			t.Errorf("9 at y=%v, top grid line at %v", top, topLine-0.5)
		}
		left, right := pts[0].X, pts[61].X
		for i, p := range pts {
			if want := bottom - float64(i)/61*(bottom-top); math.Abs(p.Y-want) > 1e-9 {
				t.Errorf("%c at y=%v, want %v (i/61 of the height)", Alphabet[i], p.Y, want)
			}
			if want := left + float64(i)*(right-left)/61; math.Abs(p.X-want) > 1e-9 {
				t.Errorf("point %d at x=%v, want %v", i, p.X, want)
			}
		}
	}
	s := Layout(mustParse(t, "w=100&h=100&d0=A9A&step=1"))
	for _, it := range s.Items {
		if it.Kind == KindPath && it.Stroke == DefaultStrokes[0] {
			p := it.Lines[0]
			if len(p) != 5 || p[1].Y != p[0].Y || p[1].X != p[2].X || p[3].Y != p[2].Y || p[3].X != p[4].X {
				t.Errorf("step path %v: want across, then up or down", p)
			}
		}
	}
}

// Huge axis values: the middle label is their mean, not +Inf from an
// overflowing ymax−ymin.
func TestMiddleLabelNoOverflow(t *testing.T) {
	s := Layout(mustParse(t, "w=580&h=180&d0=A9&ymin=-1.7e308&ymax=1.7e308&ol=1"))
	var got []string
	for _, it := range s.Items {
		if it.Kind == KindText {
			got = append(got, it.Text)
		}
	}
	if g := strings.Join(got, "|"); g != "-1.7e+308|1.7e+308|0" {
		t.Errorf("labels %s", g)
	}
}

// hl dots on the last points stay clear of the right axis labels.
func TestHighlightClearOfLabels(t *testing.T) {
	for _, q := range []string{
		"w=580&h=180&d0=AeA&d1=9e9&d2=eee&hl=1&ymin=0&ymax=10",
		"w=300&h=100&d0=AeA&d1=9e9&d2=eee&hl=1&ymin=0&ymax=10&or=1",
	} {
		s := Layout(mustParse(t, q))
		dotRight, labelLeft := math.Inf(-1), math.Inf(1)
		for _, it := range s.Items {
			switch {
			case it.Kind == KindCircle:
				dotRight = max(dotRight, it.At.X+it.R+it.Width/2)
			case it.Kind == KindText && it.Anchor == Start:
				labelLeft = min(labelLeft, it.At.X)
			}
		}
		if math.IsInf(labelLeft, 1) || labelLeft-dotRight < 2 {
			t.Errorf("%s: dots end at %.2f, right labels start at %.2f", q, dotRight, labelLeft)
		}
	}
}
