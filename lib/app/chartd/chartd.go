// Package chartd is chartd's behaviour behind its flags: charting the data
// on stdin (RunStdin), rendering a query string or URL (RunRender),
// encoding stdin as a query (RunEncode) and the HTTP server (RunServe), on
// injected streams. cmd/chartd binds the flags, the environment and the
// config file into Options and hands the errors returned here, of
// lib/outcome's kinds, to lib/cli.
package chartd

import (
	"cmp"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strconv"
	"strings"

	"github.com/cronkit/cronkit/lib/atomicfile"
	"github.com/cronkit/cronkit/lib/chart"
	"github.com/cronkit/cronkit/lib/outcome"
)

// Options are the chart and output options of stdin mode, render and encode.
type Options struct {
	Stdin  io.Reader
	Stdout io.Writer
	// Logger says what -v asks for; nil: nothing.
	Logger *slog.Logger
	// Warnf says a problem that does not stop the run; nil: nothing.
	Warnf func(format string, args ...any)
	// Changed says whether the flag of this name was given (on the command
	// line, in the environment or the config file): given chart flags
	// override a query's parameters. nil: none was.
	Changed func(flag string) bool

	Query string // render: QUERY or URL

	Width, Height int
	Title         string
	YMin, YMax    string // "": from the data
	Series        []string
	Step, HL      bool
	OnlyLeft      bool
	OnlyRight     bool
	TZ            string
	Spark         bool
	NoLegend      bool
	Rate          string // counters: per-interval or per-second
	Raw           bool   // counters as their cumulative value

	PNG    bool
	Scale  float64
	Output string // "" or "-": Stdout
	URL    string // print the chart URL on this base instead of an image
}

func (o Options) withDefaults() Options {
	o.Stdin = cmp.Or[io.Reader](o.Stdin, strings.NewReader(""))
	o.Stdout = cmp.Or[io.Writer](o.Stdout, io.Discard)
	o.Logger = cmp.Or(o.Logger, slog.New(slog.DiscardHandler))
	if o.Warnf == nil {
		o.Warnf = func(string, ...any) {}
	}
	if o.Changed == nil {
		o.Changed = func(string) bool { return false }
	}
	return o
}

func usagef(format string, args ...any) error { return outcome.Errorf(outcome.Usage, format, args...) }

// badInput marks a bad query or bad input as such (exit 2, no --help hint);
// other errors (a failure to write, say) stay as they are.
func badInput(err error) error {
	if chart.IsQueryError(err) {
		return outcome.Wrap(outcome.BadInput, err)
	}
	return err
}

// chartOpts turns the options into lib/chart's options for stdin data.
func (o Options) chartOpts() (chart.ChartOptions, error) {
	c := chart.ChartOptions{W: o.Width, H: o.Height, Title: o.Title, Step: o.Step, HL: o.HL,
		OnlyLeft: o.OnlyLeft, OnlyRight: o.OnlyRight, TZ: o.TZ, Spark: o.Spark, NoLegend: o.NoLegend,
		Downsampled: func(name string, from, to int) {
			o.Logger.Info("downsampled (LTTB)", "series", name, "points", from, "drawn", to)
		}}
	for _, f := range []struct {
		name, val string
		dst       **float64
	}{{"ymin", o.YMin, &c.YMin}, {"ymax", o.YMax, &c.YMax}} {
		if f.val == "" {
			continue
		}
		v, err := strconv.ParseFloat(f.val, 64)
		if err != nil {
			return c, usagef("--%s: %q is not a number", f.name, f.val)
		}
		*f.dst = &v
	}
	return c, nil
}

// overrides are the chart options given (Changed), appended to a given
// query so that they win over it.
func (o Options) overrides() string {
	var b strings.Builder
	add := func(flag, param, val string) {
		if o.Changed(flag) {
			b.WriteString("&" + param + "=" + val)
		}
	}
	add("width", "w", strconv.Itoa(o.Width))
	add("height", "h", strconv.Itoa(o.Height))
	add("title", "t", url.QueryEscape(o.Title))
	add("ymin", "ymin", url.QueryEscape(o.YMin))
	add("ymax", "ymax", url.QueryEscape(o.YMax))
	add("step", "step", boolParam(o.Step))
	add("hl", "hl", boolParam(o.HL))
	add("ol", "ol", boolParam(o.OnlyLeft))
	add("or", "or", boolParam(o.OnlyRight))
	add("tz", "tz", url.QueryEscape(o.TZ))
	add("spark", "spark", boolParam(o.Spark))
	return b.String()
}

func boolParam(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// write renders q in the chosen format and writes it to Output or Stdout.
func (o Options) write(q *chart.Query, f chart.Format) error {
	var body []byte
	if f == chart.FormatPNG {
		if err := chart.CheckScale(q.W, q.H, o.Scale); err != nil {
			return usagef("--scale: %s", strings.TrimPrefix(err.Error(), "scale: "))
		}
		b, err := chart.RenderPNG(q, o.Scale)
		if err != nil {
			return fmt.Errorf("render png: %w", err)
		}
		body = b
	} else {
		body = chart.RenderSVG(q)
	}
	return o.writeBody(body)
}

// writeBody writes an image to Output or Stdout. Output is renamed into
// place: a web server serving the file never sends a torn image, and a
// failure before this point leaves the old one.
func (o Options) writeBody(body []byte) error {
	if o.Output != "" && o.Output != "-" {
		if err := atomicfile.WriteFile(o.Output, body, 0o644); err != nil {
			return fmt.Errorf("write %s: %w", o.Output, err)
		}
		return nil
	}
	_, err := o.Stdout.Write(body)
	return err
}

// printURL prints the chart URL of query on base, saying when chartd serve
// would refuse the query as too long.
func (o Options) printURL(query string, png bool) {
	if len(query) > chart.MaxQuery {
		o.Warnf("the URL's query is %d bytes; chartd serve accepts at most %d", len(query), chart.MaxQuery)
	}
	fmt.Fprintln(o.Stdout, chartURL(o.URL, query, png))
}

// chartURL joins BASE and a query: BASE/a.svg?QUERY (a.png with png),
// or BASE?QUERY when BASE already names a .svg or .png.
func chartURL(base, query string, png bool) string {
	base = strings.TrimSuffix(base, "?")
	if _, ok := chart.FormatOf(base); ok {
		return base + "?" + query
	}
	name := "a.svg"
	if png {
		name = "a.png"
	}
	return strings.TrimSuffix(base, "/") + "/" + name + "?" + query
}
