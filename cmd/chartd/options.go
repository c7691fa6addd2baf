package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/cronkit/cronkit/lib/atomicfile"
	"github.com/cronkit/cronkit/lib/chart"
	"github.com/cronkit/cronkit/lib/cli"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// chartOptions are the chart and output flags shared by stdin mode,
// render and encode.
type chartOptions struct {
	root *cli.Root
	cmd  *cobra.Command

	query string // render: QUERY or URL

	width, height int
	title         string
	ymin, ymax    string
	series        []string
	step, hl      bool
	onlyLeft      bool
	onlyRight     bool
	tz            string
	spark         bool
	noLegend      bool

	png    bool
	scale  float64
	output string
	url    string
}

func (o *chartOptions) addFlags(cmd *cobra.Command) {
	o.cmd = cmd
	o.addChartFlags(cmd.Flags())
	o.addOutputFlags(cmd.Flags(), true)
}

func (o *chartOptions) addChartFlags(fs *pflag.FlagSet) {
	fs.IntVarP(&o.width, "width", "w", 580, "chart width in CSS px (1-2000): w")
	fs.IntVarP(&o.height, "height", "H", 180, "chart height in CSS px (1-2000): h")
	fs.StringVarP(&o.title, "title", "t", "", "chart title: t")
	fs.StringVar(&o.ymin, "ymin", "", "bottom of the y axis (default: the data's minimum)")
	fs.StringVar(&o.ymax, "ymax", "", "top of the y axis (default: the data's maximum)")
	fs.StringSliceVar(&o.series, "series", nil, "series to chart, by name or glob, in order (at most 5; default: all)")
	fs.BoolVar(&o.step, "step", false, "step chart instead of lines: step=1")
	fs.BoolVar(&o.hl, "hl", false, "highlight the last point: hl=1")
	fs.BoolVar(&o.onlyLeft, "ol", false, "label only the left y axis: ol=1")
	fs.BoolVar(&o.onlyRight, "or", false, "label only the right y axis: or=1")
	fs.StringVar(&o.tz, "tz", "", "IANA time zone of the x axis times (default UTC): tz")
	fs.BoolVar(&o.spark, "spark", false, "sparkline: the lines alone, no labels, title or legend: spark=1 (extension)")
	fs.BoolVar(&o.noLegend, "no-legend", false, "no legend naming several series (stdin data: l0..l4)")
}

func (o *chartOptions) addOutputFlags(fs *pflag.FlagSet, withURL bool) {
	fs.BoolVar(&o.png, "png", false, "write PNG instead of SVG")
	fs.Float64Var(&o.scale, "scale", chart.DefaultScale, "PNG pixels per CSS px (2: retina)")
	fs.StringVarP(&o.output, "output", "o", "", "write the image to FILE instead of stdout (renamed into place: readers never see a partial file)")
	if withURL {
		fs.StringVar(&o.url, "url", "", "print the chart URL on BASE (e.g. https://chartd.co) instead of an image")
	}
}

// chartOpts turns the flags into lib/chart's options for stdin data.
func (o *chartOptions) chartOpts() (chart.ChartOptions, error) {
	c := chart.ChartOptions{W: o.width, H: o.height, Title: o.title, Step: o.step, HL: o.hl,
		OnlyLeft: o.onlyLeft, OnlyRight: o.onlyRight, TZ: o.tz, Spark: o.spark, NoLegend: o.noLegend,
		Downsampled: func(name string, from, to int) {
			o.root.Logger.Info("downsampled (LTTB)", "series", name, "points", from, "drawn", to)
		}}
	for _, f := range []struct {
		name, val string
		dst       **float64
	}{{"ymin", o.ymin, &c.YMin}, {"ymax", o.ymax, &c.YMax}} {
		if f.val == "" {
			continue
		}
		v, err := strconv.ParseFloat(f.val, 64)
		if err != nil {
			return c, cli.Usagef("--%s: %q is not a number", f.name, f.val)
		}
		*f.dst = &v
	}
	return c, nil
}

// overrides are the chart flags set on the command line (or from the
// environment), appended to a given query so that they win over it.
func (o *chartOptions) overrides() string {
	var b strings.Builder
	add := func(flag, param, val string) {
		if f := o.cmd.Flags().Lookup(flag); f != nil && f.Changed {
			b.WriteString("&" + param + "=" + val)
		}
	}
	add("width", "w", strconv.Itoa(o.width))
	add("height", "h", strconv.Itoa(o.height))
	add("title", "t", urlQueryEscape(o.title))
	add("ymin", "ymin", urlQueryEscape(o.ymin))
	add("ymax", "ymax", urlQueryEscape(o.ymax))
	add("step", "step", boolParam(o.step))
	add("hl", "hl", boolParam(o.hl))
	add("ol", "ol", boolParam(o.onlyLeft))
	add("or", "or", boolParam(o.onlyRight))
	add("tz", "tz", urlQueryEscape(o.tz))
	add("spark", "spark", boolParam(o.spark))
	return b.String()
}

func boolParam(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// write renders q in the chosen format and writes it to -o or stdout.
func (o *chartOptions) write(q *chart.Query, f chart.Format) error {
	var body []byte
	if f == chart.FormatPNG {
		if err := chart.CheckScale(q.W, q.H, o.scale); err != nil {
			return cli.Usagef("--scale: %s", strings.TrimPrefix(err.Error(), "scale: "))
		}
		b, err := chart.RenderPNG(q, o.scale)
		if err != nil {
			return fmt.Errorf("render png: %w", err)
		}
		body = b
	} else {
		body = chart.RenderSVG(q)
	}
	return o.writeBody(body)
}

// writeBody writes an image to -o or stdout. -o renames it into place: a web
// server serving the file never sends a torn image, and a failure before
// this point leaves the old one.
func (o *chartOptions) writeBody(body []byte) error {
	if o.output != "" && o.output != "-" {
		if err := atomicfile.WriteFile(o.output, body, 0o644); err != nil {
			return fmt.Errorf("write %s: %w", o.output, err)
		}
		return nil
	}
	_, err := o.root.Env.Stdout.Write(body)
	return err
}

// chartURL joins BASE and a query: BASE/a.svg?QUERY (a.png with --png),
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

// usage turns a bad query or bad input into exit code 2.
func usage(err error) error {
	if chart.IsQueryError(err) {
		return cli.WithCode(cli.ExitUsage, err)
	}
	return err
}
