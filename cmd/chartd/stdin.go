package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/cronkit/cronkit/lib/chart"
	"github.com/cronkit/cronkit/lib/cli"
	"github.com/cronkit/cronkit/lib/metric"
	"github.com/spf13/pflag"
)

// addRateFlags adds how counter series (records of kind counter) are charted.
func (o *chartOptions) addRateFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.rate, "rate", "per-interval", "chart counter series (kind counter) as their increase per-interval (record to record) or per-second")
	fs.BoolVar(&o.raw, "raw", false, "chart counter series as their cumulative value instead of a rate")
}

// rateOf is the chart.Rate the flags ask for.
func (o *chartOptions) rateOf() (chart.Rate, error) {
	if o.raw {
		if o.cmd != nil && o.cmd.Flags().Changed("rate") {
			return 0, cli.Usagef("--raw and --rate: choose one")
		}
		return chart.Raw, nil
	}
	r, err := chart.ParseRate(o.rate)
	if err != nil {
		return 0, usage(err)
	}
	return r, nil
}

// buildFromStdin reads series from stdin and encodes them into a query.
func buildFromStdin(o *chartOptions) (string, error) {
	copts, err := o.chartOpts()
	if err != nil {
		return "", err
	}
	rate, err := o.rateOf()
	if err != nil {
		return "", err
	}
	all, err := chart.ReadSeries(o.root.Env.Stdin, "stdin")
	var er *metric.ErrorRecord
	if errors.As(err, &er) {
		// The producer failed (it wrote an error record): a run-time
		// failure upstream, not bad input.
		return "", cli.WithCode(cli.ExitFailure, er)
	}
	if err != nil {
		return "", usage(err)
	}
	sel, err := chart.SelectSeries(all, o.series)
	if err != nil {
		return "", usage(err)
	}
	if len(all) > len(sel) {
		o.root.Logger.Info("series left out", "charted", len(sel), "read", len(all))
	}
	for _, s := range sel {
		if s.Counter && rate != chart.Raw {
			o.root.Logger.Info("counter charted as its rate", "series", s.Name, "rate", o.rate)
		}
	}
	if sel, err = chart.Rates(sel, rate); err != nil {
		return "", usage(err)
	}
	raw, err := chart.BuildQuery(sel, copts)
	if err != nil {
		return "", usage(err)
	}
	return raw, nil
}

// runStdin charts the data on stdin: an image, or with --url the URL.
func runStdin(_ context.Context, o *chartOptions) error {
	raw, err := buildFromStdin(o)
	var er *metric.ErrorRecord
	if errors.As(err, &er) && o.url == "" {
		return o.producerFailed(er)
	}
	if err != nil {
		return err
	}
	if o.url != "" {
		if len(raw) > chart.MaxQuery {
			o.root.Warnf("the URL's query is %d bytes; chartd serve accepts at most %d", len(raw), chart.MaxQuery)
		}
		fmt.Fprintln(o.root.Env.Stdout, chartURL(o.url, raw, o.png))
		return nil
	}
	q, err := chart.ParseUnbounded(raw)
	if err != nil {
		return usage(err)
	}
	f := chart.FormatSVG
	if o.png {
		f = chart.FormatPNG
	}
	return o.write(q, f)
}

// producerFailed renders the error image of chartd serve saying that the
// producer failed, where the chart was to go (a page showing yesterday's chart
// would hide the failure), and exits 1 with the same line on stderr.
func (o *chartOptions) producerFailed(er *metric.ErrorRecord) error {
	img := *er
	img.Input = "" // the position means nothing on the image
	sc := chart.ErrorScene(img.Error())
	var body []byte
	if o.png {
		b, err := sc.PNG(o.scale)
		if err != nil {
			return fmt.Errorf("render png: %w", err)
		}
		body = b
	} else {
		body = sc.SVG()
	}
	if err := o.writeBody(body); err != nil {
		return err
	}
	return cli.WithCode(cli.ExitFailure, er)
}
