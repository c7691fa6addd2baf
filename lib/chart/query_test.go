package chart

import (
	"strings"
	"testing"
	"time"
)

func TestParseValid(t *testing.T) {
	q, err := Parse("w=580&h=180&d0=RXZ_&d2=9A&ymin=45&ymax=90&t=AAPL+(past+2+months)&step=true&hl=1" +
		"&s0=FF8300.&s2=%234991AE80-&f0=00FF0080&xmin=1700000000&xmax=1700604800&tz=Asia/Kolkata&zzz=ignored&ol=1")
	if err != nil {
		t.Fatal(err)
	}
	if q.W != 580 || q.H != 180 || len(q.Datasets) != 2 || q.Title != "AAPL (past 2 months)" {
		t.Fatalf("got %+v", q)
	}
	if got := q.Datasets[0].Points; len(got) != 4 || got[0] != 17 || got[3] != -1 {
		t.Errorf("d0 points = %v", got)
	}
	if d := q.Datasets[0]; d.Stroke != (Color{0xFF, 0x83, 0, 0xFF}) || d.Dash != Dotted || d.Fill != (Color{0, 0xFF, 0, 0x80}) {
		t.Errorf("d0 style = %+v", d)
	}
	// d1 is missing: d2 keeps its own style (s2), not s1's.
	if d := q.Datasets[1]; d.Stroke != (Color{0x49, 0x91, 0xAE, 0x80}) || d.Dash != Dashed || d.Fill.A != 0 {
		t.Errorf("d2 style = %+v", d)
	}
	if !q.HasYMin || !q.HasYMax || q.YMin != 45 || q.YMax != 90 || !q.Left || q.Right {
		t.Errorf("y axis = %+v", q)
	}
	if !q.Step || !q.Highlight || !q.HasX || q.TZ.String() != "Asia/Kolkata" {
		t.Errorf("flags = %+v", q)
	}
	if got := q.XMin.Format(time.RFC3339); got != "2023-11-15T03:43:20+05:30" {
		t.Errorf("xmin = %s", got)
	}
}

func TestParseDefaults(t *testing.T) {
	q, err := Parse("w=1&h=2000&d0=A")
	if err != nil {
		t.Fatal(err)
	}
	if !q.Left || !q.Right || q.Step || q.Highlight || q.HasX || q.HasYMin || q.TZ != time.UTC {
		t.Errorf("defaults = %+v", q)
	}
	if q.Datasets[0].Stroke != DefaultStrokes[0] {
		t.Errorf("stroke = %v", q.Datasets[0].Stroke)
	}
	// or=1 alone: the right axis only.
	q, _ = Parse("w=1&h=1&d0=A&or=1&step=0")
	if q.Left || !q.Right || q.Step {
		t.Errorf("or=1 step=0: %+v", q)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ q, want string }{
		{"", "w: missing"},
		{"w=580&d0=A", "h: missing"},
		{"w=580&h=180", "d0: missing"},
		{"w=0&h=180&d0=A", "w: 0: want a whole number from 1 to 2000"},
		{"w=2001&h=180&d0=A", "w: 2001: want"},
		{"w=abc&h=180&d0=A", "w: abc: want"},
		{"w=5&h=-1&d0=A", "h: -1: want"},
		{"w=5&h=5&d0=AB!C", `d0: invalid character '!' at 3`},
		{"w=5&h=5&d0=A+B", `d0: invalid character ' ' at 2`},
		{"w=5&h=5&d0=", "d0: no points"},
		{"w=5&h=5&d0=A&l0=" + strings.Repeat("x", 201), "l0: label is 201 characters; at most 200"},
		{"w=5&h=5&d0=A&d5=A", "d5: too many datasets"},
		{"w=5&h=5&d0=A&t=" + strings.Repeat("é", 201), "t: title is 201 characters; at most 200"},
		{"w=5&h=5&d0=A&ymin=x", "ymin: x: not a number"},
		{"w=5&h=5&d0=A&ymax=NaN", "ymax: NaN: not a number"},
		{"w=5&h=5&d0=A&ymax=Inf", "ymax: Inf: not a number"},
		{"w=5&h=5&d0=A&s0=red", "s0: red: want RRGGBB or RRGGBBAA"},
		{"w=5&h=5&d0=A&f1=12345", ""}, // f1 without d1 is ignored
		{"w=5&h=5&d0=A&f0=GG0000", "f0: GG0000: want"},
		{"w=5&h=5&d0=A&xmin=1", "xmin: xmin and xmax go together"},
		{"w=5&h=5&d0=A&xmin=2&xmax=1", "xmax: must be after xmin"},
		{"w=5&h=5&d0=A&xmin=0&xmax=1e13", "xmin: time out of range"},
		{"w=5&h=5&d0=A&tz=Mars/Base", "tz: Mars/Base: unknown time zone"},
		{"w=5&h=5&d0=A&tz=Local", "tz: Local: unknown time zone"},
		{"w=5&h=5&d0=A&tz=../../etc/passwd", "tz: ../../etc/passwd: unknown time zone"},
		{"w=5&h=5&d0=A%zz", `d0: invalid escape "%zz"`},
		{"w=5;h=5&d0=A", "w: semicolon in the query"},
		{"w=5&h=5&d0=A&t=a;b", "t: semicolon in the query"},
		// Unknown parameters are ignored, even malformed ones.
		{"w=5&h=5&d0=A&_=%&utm=a;b&%zz=1&x=%zz", ""},
		{"a=1;w=5&h=5&d0=A", "w: missing"},
		{"w=5&amp;h=5&amp;d0=A", "h: written &amp;h: a URL copied from HTML? separate parameters with &"},
		{"w=5&h=5&d0=A&x=" + strings.Repeat("x", MaxQuery), "query is 16399 bytes; at most 16384"},
	}
	for _, tt := range tests {
		_, err := Parse(tt.q)
		if tt.want == "" {
			if err != nil {
				t.Errorf("Parse(%.40q): %v", tt.q, err)
			}
			continue
		}
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("Parse(%.40q) = %v, want %q", tt.q, err, tt.want)
			continue
		}
		if !IsQueryError(err) {
			t.Errorf("Parse(%.40q): %v is not a query error", tt.q, err)
		}
		if len(err.Error()) > 120 {
			t.Errorf("message too long for an error image: %q", err)
		}
	}
}

func TestTitleCleaned(t *testing.T) {
	q, err := Parse("w=5&h=5&d0=A&t=a%00b%1Bc%0Ad%FFe%EF%BF%BEf")
	if err != nil {
		t.Fatal(err)
	}
	if q.Title != "a b c d\uFFFDe\uFFFDf" {
		t.Errorf("title = %q", q.Title)
	}
}

func TestSplitRequest(t *testing.T) {
	tests := []struct {
		in, raw string
		f       Format
		ext     bool
	}{
		{"w=1&h=1&d0=A", "w=1&h=1&d0=A", FormatSVG, false},
		{"a.svg?w=1&h=1&d0=A", "w=1&h=1&d0=A", FormatSVG, true},
		{"/x/chart.PNG?w=1", "w=1", FormatPNG, true},
		{"https://chartd.co/a.png?w=580&h=180&d0=RX#frag", "w=580&h=180&d0=RX", FormatPNG, true},
		{"  https://chartd.co/a.svg  ", "", FormatSVG, true},
		{"https://example.com/a?b=c", "b=c", FormatSVG, false},
	}
	for _, tt := range tests {
		raw, f, ext := SplitRequest(tt.in)
		if raw != tt.raw || f != tt.f || ext != tt.ext {
			t.Errorf("SplitRequest(%q) = %q %v %v, want %q %v %v", tt.in, raw, f, ext, tt.raw, tt.f, tt.ext)
		}
	}
}

func TestParamIndex(t *testing.T) {
	for i, k := range knownParams {
		if got := paramIndex(k); got != i {
			t.Errorf("paramIndex(%q) = %d, want %d", k, got, i)
		}
	}
	for _, k := range []string{"", "x", "d", "s5", "f9", "oo", "yminx", "W", "d00"} {
		if got := paramIndex(k); got != -1 {
			t.Errorf("paramIndex(%q) = %d", k, got)
		}
	}
}
