package main

import (
	"context"
	"fmt"

	"github.com/cronkit/cronkit/lib/chart"
)

// buildFromStdin reads series from stdin and encodes them into a query.
func buildFromStdin(o *chartOptions) (string, error) {
	copts, err := o.chartOpts()
	if err != nil {
		return "", err
	}
	all, err := chart.ReadSeries(o.root.Env.Stdin, "stdin")
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
	raw, err := chart.BuildQuery(sel, copts)
	if err != nil {
		return "", usage(err)
	}
	return raw, nil
}

// runStdin charts the data on stdin: an image, or with --url the URL.
func runStdin(_ context.Context, o *chartOptions) error {
	raw, err := buildFromStdin(o)
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
