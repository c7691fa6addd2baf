package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"syscall"
	"time"

	"github.com/cronkit/cronkit/lib/cli"
	"github.com/cronkit/cronkit/lib/httpx"
	"github.com/cronkit/cronkit/lib/metric"
	"github.com/cronkit/cronkit/lib/spool"
	"github.com/cronkit/cronkit/lib/stats"
	"github.com/spf13/cobra"
)

// postOptions are the flags every posting command shares.
type postOptions struct {
	root *cli.Root

	sinks         []string
	apiURL        string
	ezkey         string
	dryRun        bool
	allowEmpty    bool
	tee           bool
	atLeastOnce   bool
	kind          string
	from          string
	batch         int
	flushInterval time.Duration
	spoolDir      string
	api           cli.API
	statsdMTU     int
	journal       bool
	fsync         bool
	syncIn        *syncReader // stdin, journaling what was read before reading more

	// pushgateway
	job    string
	labels []string
	// influx
	influxDB, influxOrg, influxBucket, influxToken string
	// statuspage
	spPage    string
	spMetrics []string
	spKey     string
	// prometheus input state
	promState string
}

func (o *postOptions) addFlags(cmd *cobra.Command) {
	f := cmd.PersistentFlags()
	f.StringArrayVar(&o.sinks, "sink", nil, "where to post, repeatable: stathat (default), statsd=udp://HOST:8125|tcp://..., pushgateway=URL, influx=URL, graphite=HOST:2003, statuspage")
	f.StringVar(&o.apiURL, "api-url", "https://api.stathat.com", "StatHat (or compatible) API base URL")
	f.StringVar(&o.ezkey, "ezkey", "", "StatHat EZ key (prefer $STATHAT_EZKEY or file:/path)")
	cli.EnvAlias(f, "ezkey", "STATHAT_EZKEY")
	cli.MarkSecret(f, "ezkey")
	f.BoolVar(&o.dryRun, "dry-run", false, "print what would be sent (keys redacted); send and spool nothing")
	f.BoolVar(&o.tee, "tee", false, "pass the records through to stdout as metric records")
	f.BoolVar(&o.atLeastOnce, "at-least-once", false, "re-send counts after an ambiguous failure (they may then count twice)")
	f.StringVar(&o.kind, "kind", "value", "kind of NAME NUMBER text lines on stdin: count or value")
	f.StringVar(&o.from, "from", "records", "stdin format: records (metric records, StatHat items, NAME NUMBER lines) or prometheus")
	f.IntVar(&o.batch, "batch", stats.StatHatMaxItems, "most records in one StatHat bulk post (1: one request per record)")
	f.DurationVar(&o.flushInterval, "flush-interval", time.Second, "post a partial batch once its first record is this old (streaming stdin)")
	f.StringVar(&o.spoolDir, "spool-dir", "", "spool directory (default $XDG_STATE_HOME/cronkit/statpost)")
	f.BoolVar(&o.journal, "journal", true, "journal every record read in the spool directory before sending it, so a kill -9 loses nothing read (--journal=false: memory only)")
	f.BoolVar(&o.fsync, "fsync", false, "fsync the journal after every append: survive a power loss too, not only a kill -9 (slower)")
	cli.AddAPIFlags(f, "statpost", &o.api, cli.OldAPINames{Timeout: "attempt-timeout", Deadline: "post-deadline"})
	f.IntVar(&o.statsdMTU, "statsd-mtu", stats.StatsDMTU, "most bytes in one StatsD UDP datagram (1: one line per datagram, as most clients send)")
	f.StringVar(&o.job, "job", "statpost", "pushgateway job name")
	f.StringArrayVar(&o.labels, "label", nil, "pushgateway grouping label KEY=VALUE, repeatable")
	f.StringVar(&o.influxDB, "influx-db", "statpost", "InfluxDB v1 database (/write?db=)")
	f.StringVar(&o.influxOrg, "influx-org", "", "InfluxDB v2 organisation (with --influx-bucket: use /api/v2/write)")
	f.StringVar(&o.influxBucket, "influx-bucket", "", "InfluxDB v2 bucket")
	f.StringVar(&o.influxToken, "influx-token", "", "InfluxDB token (prefer $INFLUX_TOKEN or file:/path)")
	cli.EnvAlias(f, "influx-token", "INFLUX_TOKEN")
	cli.MarkSecret(f, "influx-token")
	f.StringVar(&o.spPage, "statuspage-page", "", "Statuspage page id")
	f.StringArrayVar(&o.spMetrics, "statuspage-metric", nil, "Statuspage metric id for a name: NAME=METRIC_ID, repeatable")
	f.StringVar(&o.spKey, "statuspage-key", "", "Statuspage API key (prefer $STATUSPAGE_API_KEY or file:/path)")
	cli.EnvAlias(f, "statuspage-key", "STATUSPAGE_API_KEY")
	cli.MarkSecret(f, "statuspage-key")
	f.StringVar(&o.promState, "prometheus-state", "", "file keeping counter values between runs for --from prometheus (default in the spool directory)")
}

func (o *postOptions) spoolDirectory() (string, error) {
	if o.spoolDir != "" {
		return o.spoolDir, nil
	}
	return spool.Dir(o.root.Env.Getenv)
}

func (o *postOptions) httpClient() *httpx.Client {
	opts := httpx.Options{Tool: "statpost", AttemptTimeout: o.api.Timeout, Deadline: o.api.Deadline, RetryMax: o.api.RetryMax()}
	opts.Logger, opts.Secrets = o.root.Logger, o.root.Secrets()
	return httpx.New(opts)
}

// buildTargets makes the sinks named by --sink, each with its spool.
func (o *postOptions) buildTargets() ([]stats.Target, error) {
	if err := o.api.Check(); err != nil {
		return nil, err
	}
	specs := o.sinks
	if len(specs) == 0 {
		specs = []string{"stathat"}
	}
	dir := ""
	if !o.dryRun {
		d, err := o.spoolDirectory()
		if err != nil {
			return nil, cli.Usagef("%v", err)
		}
		dir = d
	}
	seen := map[string]bool{}
	var out []stats.Target
	for _, s := range specs {
		spec, err := stats.ParseSpec(s)
		if err != nil {
			return nil, cli.Usagef("--sink: %v", err)
		}
		if seen[spec.Kind] {
			return nil, cli.Usagef("--sink %s given twice (one sink of each kind)", spec.Kind)
		}
		seen[spec.Kind] = true
		sink, err := o.buildSink(spec)
		if err != nil {
			return nil, err
		}
		t := stats.Target{Sink: sink}
		if dir != "" {
			// keyed by destination: a spool is only ever sent where its records were bound
			t.Spool = spool.ForDestination(dir, sink.Name(), stats.Destination(sink))
		}
		out = append(out, t)
	}
	return out, nil
}

func (o *postOptions) buildSink(spec stats.Spec) (stats.Sink, error) {
	switch spec.Kind {
	case "stathat":
		u := o.apiURL
		if spec.Target != "" {
			u = spec.Target
		}
		if o.ezkey == "" && !o.dryRun {
			return nil, cli.Usagef("no StatHat EZ key: set $STATHAT_EZKEY (or ezkey in the config file, or --ezkey file:/path)")
		}
		s := &stats.StatHat{URL: u, EZKey: o.ezkey, Client: o.httpClient(), AtLeastOnce: o.atLeastOnce, MaxItems: o.batch}
		if o.root.Verbose > 0 {
			s.Verbose = o.root.Env.Stderr
		}
		return s, nil
	}
	return o.buildOtherSink(spec)
}

// runPost reads records from stdin and posts them.
func runPost(ctx context.Context, o *postOptions) error {
	// Every read of stdin first journals the records read so far (see post).
	o.syncIn = &syncReader{r: o.root.Env.Stdin}
	o.root.Env.Stdin = o.syncIn
	src, err := o.source()
	if err != nil {
		return err
	}
	return o.post(ctx, src)
}

// source is something that yields records: metric.Reader or the Prometheus reader.
type source = stats.Source

// post drives the reading and sending (stats.Run) and turns the outcome
// into the exit code.
func (o *postOptions) post(ctx context.Context, src source) error {
	targets, err := o.buildTargets()
	if err != nil {
		return err
	}
	o.warnLegacy(targets)
	env := o.root.Env
	popts := stats.PostOptions{Targets: targets, AtLeastOnce: o.atLeastOnce, FlushEvery: o.flushInterval,
		Warn: o.root.Warnf, Journal: o.journal, Fsync: o.fsync}
	if o.dryRun {
		popts.DryRun = env.Stdout
		if o.tee {
			popts.DryRun = env.Stderr
		}
	}
	p := stats.NewPoster(ctx, popts)
	if o.syncIn != nil {
		o.syncIn.sync = p.Sync
	}
	rr := stats.Run(ctx, p, src, o.runOptions(src))
	for _, t := range targets {
		if sp, ok := t.Sink.(*stats.Statuspage); ok {
			if n := sp.Unmapped.Load(); n > 0 {
				o.root.Warnf("statuspage: %s had no --statuspage-metric id and were not sent there", records(n))
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
func (o *postOptions) runOptions(src source) stats.RunOptions {
	stderr := o.root.Env.Stderr
	ro := stats.RunOptions{TeeFailed: o.teeFailed, Position: func() string { return o.position(src) },
		Errorf: func(format string, args ...any) { fmt.Fprintf(stderr, "statpost: "+format+"\n", args...) }}
	if o.tee {
		ro.Tee = metric.NewWriter(o.root.Env.Stdout)
	}
	if ps, ok := src.(*promSource); ok {
		// A counter's first sample only records where it stands: the
		// input was not empty even if nothing is posted.
		ro.Skipped = func() int { return int(ps.Skipped) }
		ro.Finish = func() error {
			if err := ps.finish(); err != nil {
				return fmt.Errorf("prometheus state: %w", err)
			}
			return nil
		}
	}
	return ro
}

// upstreamFailed makes a run exit 1 (unless a weightier code was decided)
// when a producer sent an error record, or when stdin held no records at all:
// under dash, `pgreport -f metrics | statpost` has no pipefail, so an empty
// stdin is the only sign that pgreport failed. --allow-empty accepts that.
func (o *postOptions) upstreamFailed(err error, records, upstream, bad int, cutShort bool) error {
	empty := records == 0 && upstream == 0 && bad == 0 && !cutShort && !o.allowEmpty
	if empty {
		fmt.Fprintln(o.root.Env.Stderr, "statpost: no records on stdin (--allow-empty accepts that)")
	}
	if !empty && upstream == 0 {
		return err
	}
	if c := cli.Code(err); c == cli.ExitOK || c == cli.ExitPartial {
		return cli.Exit(cli.ExitFailure)
	}
	return err
}

// teeFailed stops --tee after a write error and goes on posting: the records
// matter more than their copy. A reader that went away (EPIPE, e.g. `| head`)
// is not an error, as with `tee -p`; any other failure is reported and makes
// the run exit 1 once everything is posted.
func (o *postOptions) teeFailed(err error) error {
	if errors.Is(err, syscall.EPIPE) {
		o.root.Logger.Info("--tee: stdout was closed; records are still posted")
		return nil
	}
	fmt.Fprintf(o.root.Env.Stderr, "statpost: --tee: %v; records are still posted\n", err)
	return cli.Exit(cli.ExitFailure)
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

type positioner interface{ Line() int }

func (o *postOptions) position(src source) string {
	if p, ok := src.(positioner); ok {
		return fmt.Sprintf("stdin:%d: ", p.Line())
	}
	return ""
}

// verdict is what a run's outcome weighs, for its exit code.
type verdict struct{ auth, badInput, rejected, partial, failed bool }

func (v *verdict) add(w verdict) {
	v.auth, v.badInput, v.rejected = v.auth || w.auth, v.badInput || w.badInput, v.rejected || w.rejected
	v.partial, v.failed = v.partial || w.partial, v.failed || w.failed
}

// reportTarget prints what did not arrive at one sink.
func (o *postOptions) reportTarget(t stats.TargetResult) (v verdict) {
	stderr := o.root.Env.Stderr
	secrets := o.root.Secrets()
	why := ""
	if t.Err != nil {
		why = " (" + cli.Redact(t.Err.Error(), secrets...) + ")"
	}
	if t.FromSpool > 0 {
		o.root.Logger.Info("spooled records delivered", "sink", t.Name, "records", t.FromSpool)
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
		switch cli.Code(t.Err) {
		case cli.ExitUsage:
			v.badInput = true
		case cli.ExitRefused:
			v.auth = true
		default:
			v.rejected = true
		}
	}
	if t.Unspooled > 0 {
		fmt.Fprintf(stderr, "statpost: %s: %s not delivered%s and not spooled (%s); they are lost\n", t.Name, records(t.Unspooled), why, cli.Redact(t.SpoolErr.Error(), secrets...))
		v.failed = true
	} else if t.SpoolErr != nil {
		// the old spool could not be read or rewritten; it is left as it is
		fmt.Fprintf(stderr, "statpost: %s: cannot use the spool (%s); records spooled by earlier runs, if any, were not sent\n", t.Name, cli.Redact(t.SpoolErr.Error(), secrets...))
		v.partial = true
	}
	if t.Spooled == 0 && t.Lost == 0 && t.Rejected == 0 && t.Unspooled == 0 && t.Err != nil {
		// e.g. a failed flush of an old spool, which is kept for the next run
		fmt.Fprintf(stderr, "statpost: %s: %s\n", t.Name, cli.Redact(t.Err.Error(), secrets...))
		v.partial = true
	}
	v.auth = v.auth || t.Auth || (t.Err != nil && cli.Code(t.Err) == cli.ExitRefused)
	return v
}

// report prints what did not arrive and returns the exit code:
// 2 bad input (a line, or records a receiver answered 400), 4 refused,
// 1 rejected otherwise or lost (not delivered and not spooled), 3 spooled
// or possibly lost, 130 interrupted. What a receiver's error means is
// lib/cli's to say (cli.Code), as in every tool.
func (o *postOptions) report(ctx context.Context, res stats.Result, bad int, readErr error, interrupted bool) error {
	stderr := o.root.Env.Stderr
	var v verdict
	for _, t := range res.Targets {
		v.add(o.reportTarget(t))
	}
	auth, badInput, rejected, partial, failed := v.auth, v.badInput, v.rejected, v.partial, v.failed
	if res.Late > 0 {
		fmt.Fprintf(stderr, "statpost: %s read while stopping were spooled\n", records(res.Late))
		partial = true
	}
	if res.LateLost > 0 {
		fmt.Fprintf(stderr, "statpost: %s read while stopping could not be spooled (%v); they are lost\n", records(res.LateLost), res.LateErr)
		failed = true
	}
	if readErr != nil {
		fmt.Fprintf(stderr, "statpost: reading stdin: %v\n", readErr)
	}
	if interrupted && ctx.Err() != context.Canceled {
		fmt.Fprintf(stderr, "statpost: --timeout reached; what was not sent is spooled\n")
		partial = true
	}
	switch {
	case ctx.Err() == context.Canceled:
		if partial {
			return cli.WithCode(cli.ExitInterrupted, errors.New("interrupted; what was not sent is spooled"))
		}
		return cli.WithCode(cli.ExitInterrupted, errors.New("interrupted"))
	case bad > 0, badInput:
		// the documented order: 130, 2, 4, 1, 3
		return cli.Exit(cli.ExitUsage)
	case auth:
		return cli.Exit(cli.ExitRefused)
	case readErr != nil, rejected, failed:
		return cli.Exit(cli.ExitFailure)
	case partial:
		return cli.Exit(cli.ExitPartial)
	}
	return nil
}

func (o *postOptions) source() (source, error) {
	kind, err := metric.ParseKind(o.kind)
	if err != nil {
		return nil, cli.Usagef("--kind: %v", err)
	}
	switch o.from {
	case "records", "":
		return metric.NewReader(o.root.Env.Stdin, metric.ReaderOptions{Source: "stdin", TextKind: kind}), nil
	case "prometheus":
		return o.promSource()
	}
	return nil, cli.Usagef("--from %q: want records or prometheus", o.from)
}
