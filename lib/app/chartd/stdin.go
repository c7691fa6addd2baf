package chartd

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/cronkit/cronkit/lib/chart"
	"github.com/cronkit/cronkit/lib/metric"
	"github.com/cronkit/cronkit/lib/outcome"
)

// rate is the chart.Rate the options ask for.
func (o Options) rate() (chart.Rate, error) {
	if o.Raw {
		if o.Changed("rate") {
			return 0, usagef("--raw and --rate: choose one")
		}
		return chart.Raw, nil
	}
	r, err := chart.ParseRate(o.Rate)
	if err != nil {
		return 0, badInput(err)
	}
	return r, nil
}

// fromStdin reads series from Stdin and encodes them into a query. A
// producer's error record comes back as the *metric.ErrorRecord, a Failed
// outcome: a run-time failure upstream, not bad input.
func (o Options) fromStdin() (string, error) {
	copts, err := o.chartOpts()
	if err != nil {
		return "", err
	}
	rate, err := o.rate()
	if err != nil {
		return "", err
	}
	all, err := chart.ReadSeries(o.Stdin, "stdin")
	var er *metric.ErrorRecord
	if errors.As(err, &er) {
		return "", outcome.Wrap(outcome.Failed, er)
	}
	if err != nil {
		return "", badInput(err)
	}
	sel, err := chart.SelectSeries(all, o.Series)
	if err != nil {
		return "", badInput(err)
	}
	if len(all) > len(sel) {
		o.Logger.Info("series left out", "charted", len(sel), "read", len(all))
	}
	for _, s := range sel {
		if s.Counter && rate != chart.Raw {
			o.Logger.Info("counter charted as its rate", "series", s.Name, "rate", o.Rate)
		}
	}
	if sel, err = chart.Rates(sel, rate); err != nil {
		return "", badInput(err)
	}
	raw, err := chart.BuildQuery(sel, copts)
	if err != nil {
		return "", badInput(err)
	}
	return raw, nil
}

// RunStdin charts the data on Stdin: an image, or with URL the URL. A
// producer's error record is drawn as an error image where the chart was to
// go, and returned.
func RunStdin(_ context.Context, o Options) error {
	o = o.withDefaults()
	raw, err := o.fromStdin()
	var er *metric.ErrorRecord
	if errors.As(err, &er) && o.URL == "" {
		return o.producerFailed(er)
	}
	if err != nil {
		return err
	}
	if o.URL != "" {
		o.printURL(raw, o.PNG)
		return nil
	}
	q, err := chart.ParseUnbounded(raw)
	if err != nil {
		return badInput(err)
	}
	f := chart.FormatSVG
	if o.PNG {
		f = chart.FormatPNG
	}
	return o.write(q, f)
}

// producerFailed renders the error image of chartd serve saying that the
// producer failed, where the chart was to go (a page showing yesterday's chart
// would hide the failure), and returns er as a Failed outcome.
func (o Options) producerFailed(er *metric.ErrorRecord) error {
	img := *er
	img.Input = "" // the position means nothing on the image
	sc := chart.ErrorScene(img.Error())
	var body []byte
	if o.PNG {
		b, err := sc.PNG(o.Scale)
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
	return outcome.Wrap(outcome.Failed, er)
}

// RunEncode prints the chartd.co query string for the data on Stdin.
func RunEncode(_ context.Context, o Options) error {
	o = o.withDefaults()
	raw, err := o.fromStdin()
	if err != nil {
		return err
	}
	if len(raw) > chart.MaxQuery {
		o.Warnf("the query is %d bytes; chartd serve accepts at most %d", len(raw), chart.MaxQuery)
	}
	_, err = fmt.Fprintln(o.Stdout, raw)
	return err
}

// RunRender renders Query, with the given chart options overriding its
// parameters, to Output or Stdout (or prints its URL on URL).
func RunRender(_ context.Context, o Options) error {
	o = o.withDefaults()
	raw, f, hasExt := chart.SplitRequest(o.Query)
	if len(o.Series) > 0 {
		return usagef("--series picks series from stdin data; a query already has its datasets")
	}
	raw = strings.TrimLeft(raw+o.overrides(), "&")
	// The 16 KiB bound protects the server; a local render takes any length.
	// A URL is checked too: printing a link to an error image helps no one.
	q, err := chart.ParseUnbounded(raw)
	if err != nil {
		return badInput(err)
	}
	if o.URL != "" {
		o.printURL(raw, o.PNG || (hasExt && f == chart.FormatPNG))
		return nil
	}
	if o.PNG {
		f = chart.FormatPNG
	}
	return o.write(q, f)
}
