package chart

import (
	"errors"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // tz names must resolve the same on every machine
	"unicode/utf8"
)

// Bounds (our choice, ref §2.5; documented in docs/chartd.md).
const (
	MaxSide     = 2000      // w and h
	MaxDatasets = 5         // d0..d4
	MaxPoints   = 4096      // drawn per dataset; more are downsampled (LTTB)
	MaxTitle    = 200       // runes
	MaxQuery    = 16 * 1024 // bytes of query string
	MaxBody     = 1 << 20   // bytes of a POST body (query and body together)
)

// Format is the output image format.
type Format int

// Output formats; the zero value is SVG.
const (
	FormatSVG Format = iota
	FormatPNG
)

func (f Format) String() string {
	if f == FormatPNG {
		return "png"
	}
	return "svg"
}

// Dash is a stroke style.
type Dash int

// Stroke styles: a trailing '.' on a colour is dotted, '-' dashed (ref §2.2).
const (
	Solid Dash = iota
	Dotted
	Dashed
)

// Color is a non-premultiplied RGBA colour.
type Color struct{ R, G, B, A uint8 }

// Dataset is one series of points: each an index 0..61, or -1 for a gap.
type Dataset struct {
	Points []int8
	Stroke Color
	Dash   Dash
	Fill   Color  // A == 0: no fill
	Label  string // its name in the legend (lN, our extension); "" for none
	Given  int    // points given, when more than MaxPoints were downsampled; else 0
}

// Query is a parsed, validated chart request.
type Query struct {
	W, H     int
	Datasets []Dataset // 1..5, in dN order (a missing dN is skipped)
	Title    string

	HasYMin, HasYMax bool
	YMin, YMax       float64
	Left, Right      bool // which y axes to label

	Step, Highlight bool
	Spark           bool // spark=1 (our extension): the lines alone

	HasX       bool
	XMin, XMax time.Time // in TZ
	TZ         *time.Location
}

// DefaultStrokes are the stroke colours of d0..d4. The first three appear in
// a URL copied from chartd.co's colour example (ref §2.4).
var DefaultStrokes = [MaxDatasets]Color{
	{0x49, 0x91, 0xAE, 0xFF}, {0xFF, 0x83, 0x00, 0xFF}, {0xFF, 0x5D, 0xAA, 0xFF},
	{0x3C, 0xA5, 0x5C, 0xFF}, {0x8E, 0x6B, 0xBE, 0xFF},
}

// Error is a bad query. Param names the offending parameter ("" for the
// query as a whole); Msg is short enough to show inside a small image.
// Errors about the caller's own choices (series picked from data, the rate
// of counters) name them as Options, which the caller words as its own
// flags: the library knows no command.
type Error struct {
	Param string
	// Option is the caller's option at fault when it is not a query
	// parameter (Param is then "").
	Option Option
	Msg    string
	// Remedy is a caller's option that would get past the error, for the
	// caller to suggest; "": none.
	Remedy Option
}

func (e *Error) Error() string {
	switch {
	case e.Param != "":
		return e.Param + ": " + e.Msg
	case e.Option != "":
		return string(e.Option) + ": " + e.Msg
	}
	return e.Msg
}

// Option is a choice of the caller that is not a query parameter.
type Option string

const (
	OptRate   Option = "rate"   // the Rate given to ParseRate or Rates
	OptRaw    Option = "raw"    // Raw: counters charted as read
	OptSeries Option = "series" // SelectSeries' patterns
	OptYMax   Option = "ymax"   // ChartOptions.YMax, above YMin
)

func errf(param, format string, args ...any) error {
	return &Error{Param: param, Msg: fmt.Sprintf(format, args...)}
}

// IsQueryError reports whether err is a bad query (as opposed to a failure).
func IsQueryError(err error) bool {
	var e *Error
	return errors.As(err, &e)
}

// SplitRequest takes what a user pastes — a bare query ("w=580&h=180&d0=…"),
// a path ("a.svg?…", "/a.png?…") or a full URL ("https://chartd.co/a.svg?…")
// — and returns the raw query and the format the path's extension asks for
// (SVG when there is no path). hasExt tells whether the path named one.
func SplitRequest(s string) (rawQuery string, f Format, hasExt bool) {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '#'); i >= 0 {
		s = s[:i]
	}
	path := ""
	if i := strings.IndexByte(s, '?'); i >= 0 {
		path, rawQuery = s[:i], s[i+1:]
	} else if strings.Contains(s, "=") && !strings.Contains(s, "://") {
		rawQuery = s
	} else {
		path = s
	}
	f, hasExt = FormatOf(path)
	return rawQuery, f, hasExt
}

// FormatOf returns the format a path's extension names.
func FormatOf(path string) (Format, bool) {
	p := strings.ToLower(path)
	switch {
	case strings.HasSuffix(p, ".png"):
		return FormatPNG, true
	case strings.HasSuffix(p, ".svg"):
		return FormatSVG, true
	}
	return FormatSVG, false
}

// Parse parses and validates a raw (still URL-encoded) query string.
// Unknown parameters are ignored (ref §2.2).
func Parse(raw string) (*Query, error) { return parse(raw, MaxQuery) }

// ParseBody parses the query of a POST: URL query and body together, up
// to MaxBody bytes (long data is what POST is for, ref §2.5).
func ParseBody(raw string) (*Query, error) { return parse(raw, MaxBody) }

func parse(raw string, maxLen int) (*Query, error) {
	if len(raw) > maxLen {
		return nil, errf("", "query is %d bytes; at most %d", len(raw), maxLen)
	}
	vals, err := scanQuery(raw)
	if err != nil {
		return nil, err
	}
	get := vals.get
	q := &Query{TZ: time.UTC}
	if q.W, err = side(get, "w"); err != nil {
		return nil, err
	}
	if q.H, err = side(get, "h"); err != nil {
		return nil, err
	}
	for i := 0; i < MaxDatasets; i++ {
		name := "d" + strconv.Itoa(i)
		d, ok := get(name)
		if !ok {
			if i == 0 {
				return nil, errf("d0", "missing (w, h and d0 are required)")
			}
			continue
		}
		ds, err := dataset(name, d)
		if err != nil {
			return nil, err
		}
		if ds.Stroke, ds.Dash, err = parseColor(get, "s"+strconv.Itoa(i), DefaultStrokes[i]); err != nil {
			return nil, err
		}
		if ds.Fill, _, err = parseColor(get, "f"+strconv.Itoa(i), Color{}); err != nil {
			return nil, err
		}
		if l, ok := get("l" + strconv.Itoa(i)); ok {
			ds.Label = strings.TrimSpace(cleanText(l))
			if n := utf8.RuneCountInString(ds.Label); n > MaxTitle {
				return nil, errf("l"+strconv.Itoa(i), "label is %d characters; at most %d", n, MaxTitle)
			}
		}
		q.Datasets = append(q.Datasets, ds)
	}
	for i := MaxDatasets; i < MaxDatasets+5; i++ {
		if _, ok := get("d" + strconv.Itoa(i)); ok {
			return nil, errf("d"+strconv.Itoa(i), "too many datasets; at most %d (d0..d4)", MaxDatasets)
		}
	}
	if t, ok := get("t"); ok {
		q.Title = cleanText(t)
		if n := utf8.RuneCountInString(q.Title); n > MaxTitle {
			return nil, errf("t", "title is %d characters; at most %d", n, MaxTitle)
		}
	}
	if q.YMin, q.HasYMin, err = number(get, "ymin"); err != nil {
		return nil, err
	}
	if q.YMax, q.HasYMax, err = number(get, "ymax"); err != nil {
		return nil, err
	}
	ol, or := truthy(get, "ol"), truthy(get, "or")
	q.Left = ol || !or
	q.Right = or || !ol
	q.Step = truthy(get, "step")
	q.Highlight = truthy(get, "hl")
	q.Spark = truthy(get, "spark")
	if tz, ok := get("tz"); ok && tz != "" {
		if q.TZ, err = location(tz); err != nil {
			return nil, err
		}
	}
	xmin, hasMin, err := number(get, "xmin")
	if err != nil {
		return nil, err
	}
	xmax, hasMax, err := number(get, "xmax")
	if err != nil {
		return nil, err
	}
	switch {
	case hasMin != hasMax:
		return nil, errf("xmin", "xmin and xmax go together")
	case hasMin:
		const maxUnix = 253402300799 // 9999-12-31T23:59:59Z keeps labels four-digit years
		if math.Abs(xmin) > maxUnix || math.Abs(xmax) > maxUnix {
			return nil, errf("xmin", "time out of range (unix seconds up to year 9999)")
		}
		if !(xmax > xmin) {
			return nil, errf("xmax", "must be after xmin")
		}
		q.HasX = true
		q.XMin, q.XMax = unixTime(xmin).In(q.TZ), unixTime(xmax).In(q.TZ)
	}
	return q, nil
}

func shortURLErr(err error) string {
	var ee url.EscapeError
	if errors.As(err, &ee) {
		return fmt.Sprintf("invalid escape %q", string(ee))
	}
	return strings.TrimPrefix(err.Error(), "invalid ")
}

func unixTime(s float64) time.Time {
	sec, frac := math.Modf(s)
	return time.Unix(int64(sec), int64(frac*1e9))
}

func side(get func(string) (string, bool), k string) (int, error) {
	v, ok := get(k)
	if !ok {
		return 0, errf(k, "missing (w, h and d0 are required)")
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 1 || n > MaxSide {
		return 0, errf(k, "%s: want a whole number from 1 to %d", clip(v, 20), MaxSide)
	}
	return n, nil
}

func number(get func(string) (string, bool), k string) (float64, bool, error) {
	v, ok := get(k)
	if !ok || strings.TrimSpace(v) == "" {
		return 0, false, nil
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false, errf(k, "%s: not a number", clip(v, 20))
	}
	return f, true, nil
}

// truthy accepts 1/true/yes/on and anything else but 0/false/no/off/""
// (chartd-swift sends step=true, ref §2.2).
func truthy(get func(string) (string, bool), k string) bool {
	v, ok := get(k)
	if !ok {
		return false
	}
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "", "0", "false", "no", "off", "f", "n":
		return false
	}
	return true
}

func dataset(name, d string) (Dataset, error) {
	if d == "" {
		return Dataset{}, errf(name, "no points")
	}
	pts := make([]int8, len(d))
	for i := 0; i < len(d); i++ {
		x := index(d[i])
		if x == -2 {
			r, _ := utf8.DecodeRuneInString(d[i:])
			return Dataset{}, errf(name, "invalid character %q at %d (want A-Z a-z 0-9 or _)", r, i+1)
		}
		pts[i] = int8(x)
	}
	if len(pts) > MaxPoints { // more points than pixels: keep the shape (LTTB)
		return Dataset{Points: downsampleIndices(pts, MaxPoints), Given: len(pts)}, nil
	}
	return Dataset{Points: pts}, nil
}

// parseColor parses RRGGBB or RRGGBBAA with an optional leading '#' and trailing
// '.' (dotted) or '-' (dashed).
func parseColor(get func(string) (string, bool), k string, def Color) (Color, Dash, error) {
	v, ok := get(k)
	v = strings.TrimSpace(v)
	if !ok || v == "" {
		return def, Solid, nil
	}
	orig := v
	dash := Solid
	switch v[len(v)-1] {
	case '.':
		dash, v = Dotted, v[:len(v)-1]
	case '-':
		dash, v = Dashed, v[:len(v)-1]
	}
	v = strings.TrimPrefix(v, "#")
	if len(v) != 6 && len(v) != 8 {
		return def, Solid, errf(k, "%s: want RRGGBB or RRGGBBAA, then . or - for dotted or dashed", clip(orig, 20))
	}
	var b [4]uint8
	b[3] = 0xFF
	for i := 0; i < len(v)/2; i++ {
		n, err := strconv.ParseUint(v[2*i:2*i+2], 16, 8)
		if err != nil {
			return def, Solid, errf(k, "%s: want RRGGBB or RRGGBBAA, then . or - for dotted or dashed", clip(orig, 20))
		}
		b[i] = uint8(n)
	}
	return Color{b[0], b[1], b[2], b[3]}, dash, nil
}

var locations sync.Map // name -> *time.Location; only valid names are stored

func location(name string) (*time.Location, error) {
	if l, ok := locations.Load(name); ok {
		return l.(*time.Location), nil
	}
	// "Local" would make output depend on the machine.
	if name == "Local" || len(name) > 64 {
		return nil, errf("tz", "%s: unknown time zone (want an IANA name like Europe/Paris)", clip(name, 30))
	}
	l, err := time.LoadLocation(name)
	if err != nil {
		return nil, errf("tz", "%s: unknown time zone (want an IANA name like Europe/Paris)", clip(name, 30))
	}
	locations.Store(name, l)
	return l, nil
}

// cleanText makes user text safe to put in XML 1.0: invalid UTF-8 and
// characters XML forbids become U+FFFD, other control characters a space.
func cleanText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			return ' '
		case r < 0x20 || r == 0x7F || (r >= 0x80 && r < 0xA0):
			return ' '
		case r == 0xFFFE || r == 0xFFFF || (r >= 0xD800 && r <= 0xDFFF):
			return '\uFFFD'
		}
		return r
	}, s)
}

// clip shortens user input quoted back in an error message.
func clip(s string, n int) string {
	s = cleanText(s)
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}

// knownParams are the parameters Parse reads; anything else is ignored
// without being decoded or stored.
var knownParams = [...]string{"w", "h", "t", "ymin", "ymax", "ol", "or", "step", "hl", "xmin", "xmax", "tz",
	"d0", "d1", "d2", "d3", "d4", "d5", "d6", "d7", "d8", "d9",
	"s0", "s1", "s2", "s3", "s4", "f0", "f1", "f2", "f3", "f4",
	"l0", "l1", "l2", "l3", "l4", "spark"}

// params holds the last value of each known parameter: the last one wins,
// as in most servers.
type params struct {
	val [len(knownParams)]string
	set [len(knownParams)]bool
}

func (p *params) get(k string) (string, bool) {
	if i := paramIndex(k); i >= 0 {
		return p.val[i], p.set[i]
	}
	return "", false
}

// paramIndex is the index of k in knownParams, or -1.
func paramIndex(k string) int {
	switch len(k) {
	case 1:
		switch k[0] {
		case 'w':
			return 0
		case 'h':
			return 1
		case 't':
			return 2
		}
	case 2:
		c := k[1]
		switch k[0] {
		case 'd':
			if c >= '0' && c <= '9' {
				return 12 + int(c-'0')
			}
		case 's':
			if c >= '0' && c <= '4' {
				return 22 + int(c-'0')
			}
		case 'f':
			if c >= '0' && c <= '4' {
				return 27 + int(c-'0')
			}
		case 'l':
			if c >= '0' && c <= '4' {
				return 32 + int(c-'0')
			}
		case 'o':
			if c == 'l' {
				return 5
			}
			if c == 'r' {
				return 6
			}
		case 'h':
			if c == 'l' {
				return 8
			}
		case 't':
			if c == 'z' {
				return 11
			}
		}
	default:
		switch k {
		case "ymin":
			return 3
		case "ymax":
			return 4
		case "step":
			return 7
		case "xmin":
			return 9
		case "xmax":
			return 10
		case "spark":
			return 37
		}
	}
	return -1
}

// scanQuery is url.ParseQuery's syntax (form encoding, '+' is a space, ';'
// refused in a known parameter) without its map: the server parses every
// request it renders. Unknown parameters are skipped unread.
func scanQuery(raw string) (*params, error) {
	p := &params{}
	for raw != "" {
		var kv string
		kv, raw, _ = strings.Cut(raw, "&")
		if kv == "" {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		// Unknown parameters are ignored (ref §2.2), even malformed ones
		// (a tracker's "&_=%"); a key that does not unescape is unknown.
		k, err := unescape(k)
		if err != nil {
			continue
		}
		idx := paramIndex(k)
		if idx < 0 {
			if kk, ok := strings.CutPrefix(k, "amp;"); ok && paramIndex(kk) >= 0 {
				return nil, errf(kk, "written &amp;%s: a URL copied from HTML? separate parameters with &", kk)
			}
			continue
		}
		if strings.Contains(kv, ";") {
			return nil, errf(k, "semicolon in the query (separate parameters with &)")
		}
		if v, err = unescape(v); err != nil {
			return nil, errf(k, "%s", shortURLErr(err))
		}
		p.val[idx], p.set[idx] = v, true
	}
	return p, nil
}

func unescape(s string) (string, error) {
	if !strings.ContainsAny(s, "%+") {
		return s, nil
	}
	return url.QueryUnescape(s)
}
