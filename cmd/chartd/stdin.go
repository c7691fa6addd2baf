package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/cronkit/cronkit/lib/chart"
	"github.com/cronkit/cronkit/lib/cli"
	"github.com/cronkit/cronkit/lib/metric"
)

// buildFromStdin reads series from stdin and encodes them into a query.
func buildFromStdin(o *chartOptions) (string, error) {
	copts, err := o.chartOpts()
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
