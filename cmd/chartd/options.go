package main

import (
	"context"

	"github.com/cronkit/cronkit/lib/app/chartd"
	"github.com/cronkit/cronkit/lib/chart"
	"github.com/cronkit/cronkit/lib/cli"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// chartOptions are the chart and output flags shared by stdin mode,
// render and encode, bound into lib/app/chartd's options.
type chartOptions struct {
	root *cli.Root
	cmd  *cobra.Command
	a    chartd.Options
}

func (o *chartOptions) addFlags(cmd *cobra.Command) {
	o.cmd = cmd
	o.addChartFlags(cmd.Flags())
	o.addOutputFlags(cmd.Flags(), true)
}

func (o *chartOptions) addChartFlags(fs *pflag.FlagSet) {
	fs.IntVarP(&o.a.Width, "width", "w", 580, "chart width in CSS px (1-2000): w")
	fs.IntVarP(&o.a.Height, "height", "H", 180, "chart height in CSS px (1-2000): h")
	fs.StringVarP(&o.a.Title, "title", "t", "", "chart title: t")
	fs.StringVar(&o.a.YMin, "ymin", "", "bottom of the y axis (default: the data's minimum)")
	fs.StringVar(&o.a.YMax, "ymax", "", "top of the y axis (default: the data's maximum)")
	fs.StringSliceVar(&o.a.Series, "series", nil, "series to chart, by name or glob, in order (at most 5; default: all)")
	fs.BoolVar(&o.a.Step, "step", false, "step chart instead of lines: step=1")
	fs.BoolVar(&o.a.HL, "hl", false, "highlight the last point: hl=1")
	fs.BoolVar(&o.a.OnlyLeft, "ol", false, "label only the left y axis: ol=1")
	fs.BoolVar(&o.a.OnlyRight, "or", false, "label only the right y axis: or=1")
	fs.StringVar(&o.a.TZ, "tz", "", "IANA time zone of the x axis times (default UTC): tz")
	fs.BoolVar(&o.a.Spark, "spark", false, "sparkline: the lines alone, no labels, title or legend: spark=1 (extension)")
	fs.BoolVar(&o.a.NoLegend, "no-legend", false, "no legend naming several series (stdin data: l0..l4)")
}

func (o *chartOptions) addOutputFlags(fs *pflag.FlagSet, withURL bool) {
	fs.BoolVar(&o.a.PNG, "png", false, "write PNG instead of SVG")
	fs.Float64Var(&o.a.Scale, "scale", chart.DefaultScale, "PNG pixels per CSS px (2: retina)")
	fs.StringVarP(&o.a.Output, "output", "o", "", "write the image to FILE instead of stdout (renamed into place: readers never see a partial file)")
	if withURL {
		fs.StringVar(&o.a.URL, "url", "", "print the chart URL on BASE (e.g. https://chartd.co) instead of an image")
	}
}

// addRateFlags adds how counter series (records of kind counter) are charted.
func (o *chartOptions) addRateFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.a.Rate, "rate", "per-interval", "chart counter series (kind counter) as their increase per-interval (record to record) or per-second")
	fs.BoolVar(&o.a.Raw, "raw", false, "chart counter series as their cumulative value instead of a rate")
}

// run runs one of lib/app/chartd's use cases (RunStdin, RunRender,
// RunEncode) on the flags and the root's streams and logger (set once the
// flags are parsed).
func (o *chartOptions) run(ctx context.Context, use func(context.Context, chartd.Options) error) error {
	a := o.a
	a.Stdin, a.Stdout, a.Logger, a.Warnf = o.root.Env.Stdin, o.root.Env.Stdout, o.root.Logger, o.root.Warnf
	a.Changed = o.cmd.Flags().Changed
	return use(ctx, a)
}
