package main

import (
	"context"
	"errors"
	"time"

	"github.com/cronkit/cronkit/lib/app/statpost"
	"github.com/cronkit/cronkit/lib/cli"
	"github.com/cronkit/cronkit/lib/httpx"
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
	f.StringVar(&o.kind, "kind", "value", "kind of NAME NUMBER text lines on stdin: count, value or counter (cumulative)")
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
	f.StringVar(&o.promState, "prometheus-state", "", "no longer used: counters keep their state per destination in the spool directory")
	_ = f.MarkDeprecated("prometheus-state", "counters now keep their state per destination in the spool directory")
}

// app binds the flags into lib/app/statpost's options, on the root's
// streams, logger and secrets (set once the flags are parsed).
func (o *postOptions) app() statpost.Options {
	r, env := o.root, o.root.Env
	return statpost.Options{
		Stdin: env.Stdin, Stdout: env.Stdout, Stderr: env.Stderr,
		Logger: r.Logger, Warnf: r.Warnf, Secrets: r.Secrets(), Verbose: r.Verbose > 0, Getenv: env.Getenv,
		HTTP: httpx.Options{Tool: "statpost", AttemptTimeout: o.api.Timeout, Deadline: o.api.Deadline,
			RetryMax: o.api.RetryMax(), Logger: r.Logger, Secrets: r.Secrets()},
		HTTPErr: o.api.Check(),

		Sinks: o.sinks, APIURL: o.apiURL, EZKey: o.ezkey, DryRun: o.dryRun, AllowEmpty: o.allowEmpty,
		Tee: o.tee, AtLeastOnce: o.atLeastOnce, Kind: o.kind, From: o.from, Batch: o.batch,
		FlushInterval: o.flushInterval, SpoolDir: o.spoolDir, StatsDMTU: o.statsdMTU,
		Journal: o.journal, Fsync: o.fsync, Job: o.job, Labels: o.labels,
		InfluxDB: o.influxDB, InfluxOrg: o.influxOrg, InfluxBucket: o.influxBucket, InfluxToken: o.influxToken,
		StatuspagePage: o.spPage, StatuspageMetrics: o.spMetrics, StatuspageKey: o.spKey,
	}
}

// runPost reads records from stdin and posts them.
func runPost(ctx context.Context, o *postOptions) error {
	return exitErr(statpost.RunPost(ctx, o.app()))
}

// keyHints say where each sink's key is set, in statpost's flags and
// environment.
var keyHints = map[string]string{
	"stathat":    "no StatHat EZ key: set $STATHAT_EZKEY (or ezkey in the config file, or --ezkey file:/path)",
	"statuspage": "--sink statuspage needs an API key: $STATUSPAGE_API_KEY or --statuspage-key file:/path",
}

// outcomeCodes are the exit codes of lib/app/statpost's outcomes (the
// README's table).
var outcomeCodes = map[statpost.Outcome]int{
	statpost.Partial: cli.ExitPartial, statpost.Failed: cli.ExitFailure, statpost.Refused: cli.ExitRefused,
	statpost.BadInput: cli.ExitUsage, statpost.Interrupted: cli.ExitInterrupted,
}

// exitErr hands lib/app/statpost's typed errors to lib/cli: usage errors
// with the hint to --help, a missing key with where to set it, an outcome
// with its exit code (silent when the details are on stderr already).
func exitErr(err error) error {
	var (
		ke *statpost.KeyError
		ue *statpost.UsageError
		re *statpost.RunError
	)
	switch {
	case errors.As(err, &ke):
		return cli.Usagef("%s", keyHints[ke.Sink])
	case errors.As(err, &ue):
		return cli.Usagef("%s", err.Error())
	case errors.As(err, &re) && re.Err == nil:
		return cli.Exit(outcomeCodes[re.Outcome])
	case errors.As(err, &re):
		return cli.WithCode(outcomeCodes[re.Outcome], re.Err)
	}
	return err
}
