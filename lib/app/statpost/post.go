package statpost

import (
	"context"
	"errors"
	"fmt"
	"io"
	"syscall"

	"github.com/cronkit/cronkit/lib/metric"
	"github.com/cronkit/cronkit/lib/outcome"
	"github.com/cronkit/cronkit/lib/promtext"
	"github.com/cronkit/cronkit/lib/redact"
	"github.com/cronkit/cronkit/lib/stats"
)

// RunPost reads records from Stdin (metric records, StatHat items, NAME
// NUMBER lines, or with From "prometheus" the Prometheus text format) and
// posts them.
func RunPost(ctx context.Context, o Options) error {
	o = o.withDefaults()
	// Every read of stdin first journals the records read so far (see post).
	in := &syncReader{r: o.Stdin}
	o.Stdin = in
	src, err := o.source()
	if err != nil {
		return err
	}
	return o.post(ctx, src, in)
}

func (o Options) source() (stats.Source, error) {
	kind, err := metric.ParseKind(o.Kind)
	if err != nil {
		return nil, usagef("--kind: %v", err)
	}
	switch o.From {
	case "records", "":
		return metric.NewReader(o.Stdin, metric.ReaderOptions{Source: "stdin", TextKind: kind}), nil
	case "prometheus":
		return &promSource{Reader: promtext.NewReader(o.Stdin), o: o}, nil
	}
	return nil, usagef("--from %q: want records or prometheus", o.From)
}

// promSource reads the Prometheus text format. Counters come out as records
// of kind counter: the sinks turn them into increases with state kept per
// destination (stats.Increases), so nothing is kept here.
type promSource struct {
	*promtext.Reader
	o Options
}

// finish says what was skipped.
func (p *promSource) finish() {
	if p.Skipped > 0 {
		p.o.Logger.Info("prometheus samples not posted (buckets, quantiles, NaN)", "samples", p.Skipped)
	}
}

// post drives the reading and sending (stats.Run) and weighs the outcome.
// in, when not nil, is the stdin src reads.
func (o Options) post(ctx context.Context, src stats.Source, in *syncReader) error {
	targets, err := o.targets()
	if err != nil {
		return err
	}
	o.warnLegacy(targets)
	popts := stats.PostOptions{Targets: targets, AtLeastOnce: o.AtLeastOnce, FlushEvery: o.FlushInterval,
		Warn: o.Warnf, Journal: o.Journal, Fsync: o.Fsync}
	if o.DryRun {
		popts.DryRun = o.Stdout
		if o.Tee {
			popts.DryRun = o.Stderr
		}
	}
	p := stats.NewPoster(ctx, popts)
	if in != nil {
		in.sync = p.Sync
	}
	rr := stats.Run(ctx, p, src, o.runOptions(src))
	for _, t := range targets {
		if sp, ok := t.Sink.(*stats.Statuspage); ok {
			if n := sp.Unmapped.Load(); n > 0 {
				o.Warnf("statuspage: %s had no --statuspage-metric id and were not sent there", records(n))
			}
		}
	}
	err = o.report(ctx, rr.Result, rr.Bad, rr.ReadErr, rr.Interrupted)
	err = o.upstreamFailed(err, rr.Records, rr.Upstream, rr.Bad, rr.ReadErr != nil || rr.Interrupted)
	if err == nil && rr.TeeErr != nil {
		return rr.TeeErr
	}
	return err
}

// runOptions words stats.Run's findings on stderr, and hooks the
// Prometheus reader's counter state.
func (o Options) runOptions(src stats.Source) stats.RunOptions {
	stderr := o.Stderr
	ro := stats.RunOptions{TeeFailed: o.teeFailed, Position: func() string { return position(src) },
		Errorf: func(format string, args ...any) { fmt.Fprintf(stderr, "statpost: "+format+"\n", args...) }}
	if o.Tee {
		ro.Tee = metric.NewWriter(o.Stdout)
	}
	if ps, ok := src.(*promSource); ok {
		// A scrape of only buckets and quantiles is not empty input.
		ro.Skipped = func() int { return int(ps.Skipped) }
		ro.Finish = func() error {
			ps.finish()
			return nil
		}
	}
	return ro
}

// upstreamFailed makes a run fail (unless a weightier outcome was decided)
// when a producer sent an error record, or when stdin held no records at all:
// under dash, `pgreport -f metrics | statpost` has no pipefail, so an empty
// stdin is the only sign that pgreport failed. AllowEmpty accepts that.
func (o Options) upstreamFailed(err error, records, upstream, bad int, cutShort bool) error {
	empty := records == 0 && upstream == 0 && bad == 0 && !cutShort && !o.AllowEmpty
	if empty {
		fmt.Fprintln(o.Stderr, "statpost: no records on stdin (--allow-empty accepts that)")
	}
	if !empty && upstream == 0 {
		return err
	}
	if err == nil || outcome.Of(err) == outcome.Partial {
		return &outcome.Error{Kind: outcome.Failed}
	}
	return err
}

// teeFailed stops --tee after a write error and goes on posting: the records
// matter more than their copy. A reader that went away (EPIPE, e.g. `| head`)
// is not an error, as with `tee -p`; any other failure is reported and makes
// the run fail once everything is posted.
func (o Options) teeFailed(err error) error {
	if errors.Is(err, syscall.EPIPE) {
		o.Logger.Info("--tee: stdout was closed; records are still posted")
		return nil
	}
	fmt.Fprintf(o.Stderr, "statpost: --tee: %v; records are still posted\n", err)
	return &outcome.Error{Kind: outcome.Failed}
}

// syncReader calls sync before every read: the records parsed from what
// was read before are journaled before statpost reads (or waits for) more.
type syncReader struct {
	r    io.Reader
	sync func()
}

func (s *syncReader) Read(b []byte) (int, error) {
	if s.sync != nil {
		s.sync()
	}
	return s.r.Read(b)
}

func position(src stats.Source) string {
	if p, ok := src.(interface{ Line() int }); ok {
		return fmt.Sprintf("stdin:%d: ", p.Line())
	}
	return ""
}

// verdict is what a run's outcome weighs.
type verdict struct{ auth, badInput, rejected, partial, failed bool }

func (v *verdict) add(w verdict) {
	v.auth, v.badInput, v.rejected = v.auth || w.auth, v.badInput || w.badInput, v.rejected || w.rejected
	v.partial, v.failed = v.partial || w.partial, v.failed || w.failed
}

// reportTarget prints what did not arrive at one sink.
func (o Options) reportTarget(t stats.TargetResult) (v verdict) {
	stderr := o.Stderr
	why := ""
	if t.Err != nil {
		why = " (" + o.redact(t.Err) + ")"
	}
	if t.FromSpool > 0 {
		o.Logger.Info("spooled records delivered", "sink", t.Name, "records", t.FromSpool)
	}
	if t.Spooled > 0 {
		fmt.Fprintf(stderr, "statpost: %s: %s spooled to %s%s; they are sent first on the next run\n", t.Name, records(t.Spooled), t.SpoolPath, why)
		v.partial = true
	}
	if t.Lost > 0 {
		fmt.Fprintf(stderr, "statpost: %s: %d counts not re-sent after an ambiguous failure%s; they may or may not have arrived (--at-least-once re-sends them)\n", t.Name, t.Lost, why)
		v.partial = true
	}
	if t.Rejected > 0 {
		fmt.Fprintf(stderr, "statpost: %s: %s rejected by the receiver%s\n", t.Name, records(t.Rejected), why)
		switch outcome.Of(t.Err) {
		case outcome.BadInput, outcome.Usage:
			v.badInput = true
		case outcome.Refused:
			v.auth = true
		default:
			v.rejected = true
		}
	}
	if t.Unspooled > 0 {
		fmt.Fprintf(stderr, "statpost: %s: %s not delivered%s and not spooled (%s); they are lost\n", t.Name, records(t.Unspooled), why, o.redact(t.SpoolErr))
		v.failed = true
	} else if t.SpoolErr != nil {
		// the old spool could not be read or rewritten; it is left as it is
		fmt.Fprintf(stderr, "statpost: %s: cannot use the spool (%s); records spooled by earlier runs, if any, were not sent\n", t.Name, o.redact(t.SpoolErr))
		v.partial = true
	}
	if t.Spooled == 0 && t.Lost == 0 && t.Rejected == 0 && t.Unspooled == 0 && t.Err != nil {
		// e.g. a failed flush of an old spool, which is kept for the next run
		fmt.Fprintf(stderr, "statpost: %s: %s\n", t.Name, o.redact(t.Err))
		v.partial = true
	}
	v.auth = v.auth || t.Auth || outcome.Of(t.Err) == outcome.Refused
	return v
}

func (o Options) redact(err error) string { return redact.String(err.Error(), o.Secrets...) }

// report prints what did not arrive and weighs it: BadInput (a line, or
// records a receiver answered 400), Refused, Failed (rejected otherwise or
// lost: not delivered and not spooled), Partial (spooled or possibly lost),
// Interrupted. What a receiver's error means is what it says about itself
// (outcome.Of, as lib/cli.Code reads it), as in every tool.
func (o Options) report(ctx context.Context, res stats.Result, bad int, readErr error, interrupted bool) error {
	stderr := o.Stderr
	var v verdict
	for _, t := range res.Targets {
		v.add(o.reportTarget(t))
	}
	if res.Late > 0 {
		fmt.Fprintf(stderr, "statpost: %s read while stopping were spooled\n", records(res.Late))
		v.partial = true
	}
	if res.LateLost > 0 {
		fmt.Fprintf(stderr, "statpost: %s read while stopping could not be spooled (%v); they are lost\n", records(res.LateLost), res.LateErr)
		v.failed = true
	}
	if readErr != nil {
		fmt.Fprintf(stderr, "statpost: reading stdin: %v\n", readErr)
	}
	if interrupted && ctx.Err() != context.Canceled {
		fmt.Fprintf(stderr, "statpost: --timeout reached; what was not sent is spooled\n")
		v.partial = true
	}
	switch {
	case ctx.Err() == context.Canceled:
		if v.partial {
			return &outcome.Error{Kind: outcome.Interrupted, Err: errors.New("interrupted; what was not sent is spooled")}
		}
		return &outcome.Error{Kind: outcome.Interrupted, Err: errors.New("interrupted")}
	case bad > 0, v.badInput:
		// the documented order: 130, 2, 4, 1, 3
		return &outcome.Error{Kind: outcome.BadInput}
	case v.auth:
		return &outcome.Error{Kind: outcome.Refused}
	case readErr != nil, v.rejected, v.failed:
		return &outcome.Error{Kind: outcome.Failed}
	case v.partial:
		return &outcome.Error{Kind: outcome.Partial}
	}
	return nil
}
