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

// postOptions are the flags every posting command shares, bound into
// lib/app/statpost's options.
type postOptions struct {
	root      *cli.Root
	a         statpost.Options
	api       cli.API
	promState string // no longer used
}

func (o *postOptions) addFlags(cmd *cobra.Command) {
	f := cmd.PersistentFlags()
	f.StringArrayVar(&o.a.Sinks, "sink", nil, "where to post, repeatable: stathat (default), statsd=udp://HOST:8125|tcp://..., pushgateway=URL, influx=URL, graphite=HOST:2003, statuspage")
	f.StringVar(&o.a.APIURL, "api-url", "https://api.stathat.com", "StatHat (or compatible) API base URL")
	f.StringVar(&o.a.EZKey, "ezkey", "", "StatHat EZ key (prefer $STATHAT_EZKEY or file:/path)")
	cli.EnvAlias(f, "ezkey", "STATHAT_EZKEY")
	cli.MarkSecret(f, "ezkey")
	f.BoolVar(&o.a.DryRun, "dry-run", false, "print what would be sent (keys redacted); send and spool nothing")
	f.BoolVar(&o.a.Tee, "tee", false, "pass the records through to stdout as metric records")
	f.BoolVar(&o.a.AtLeastOnce, "at-least-once", false, "re-send counts after an ambiguous failure (they may then count twice)")
	f.StringVar(&o.a.Kind, "kind", "value", "kind of NAME NUMBER text lines on stdin: count, value or counter (cumulative)")
	f.StringVar(&o.a.From, "from", "records", "stdin format: records (metric records, StatHat items, NAME NUMBER lines) or prometheus")
	f.IntVar(&o.a.Batch, "batch", stats.StatHatMaxItems, "most records in one StatHat bulk post (1: one request per record)")
	f.DurationVar(&o.a.FlushInterval, "flush-interval", time.Second, "post a partial batch once its first record is this old (streaming stdin)")
	f.StringVar(&o.a.SpoolDir, "spool-dir", "", "spool directory (default $XDG_STATE_HOME/cronkit/statpost)")
	f.BoolVar(&o.a.Journal, "journal", true, "journal every record read in the spool directory before sending it, so a kill -9 loses nothing read (--journal=false: memory only)")
	f.BoolVar(&o.a.Fsync, "fsync", false, "fsync the journal after every append: survive a power loss too, not only a kill -9 (slower)")
	cli.AddAPIFlags(f, "statpost", &o.api, cli.OldAPINames{Timeout: "attempt-timeout", Deadline: "post-deadline"})
	f.IntVar(&o.a.StatsDMTU, "statsd-mtu", stats.StatsDMTU, "most bytes in one StatsD UDP datagram (1: one line per datagram, as most clients send)")
	f.StringVar(&o.a.Job, "job", "statpost", "pushgateway job name")
	f.StringArrayVar(&o.a.Labels, "label", nil, "pushgateway grouping label KEY=VALUE, repeatable")
	f.StringVar(&o.a.InfluxDB, "influx-db", "statpost", "InfluxDB v1 database (/write?db=)")
	f.StringVar(&o.a.InfluxOrg, "influx-org", "", "InfluxDB v2 organisation (with --influx-bucket: use /api/v2/write)")
	f.StringVar(&o.a.InfluxBucket, "influx-bucket", "", "InfluxDB v2 bucket")
	f.StringVar(&o.a.InfluxToken, "influx-token", "", "InfluxDB token (prefer $INFLUX_TOKEN or file:/path)")
	cli.EnvAlias(f, "influx-token", "INFLUX_TOKEN")
	cli.MarkSecret(f, "influx-token")
	f.StringVar(&o.a.StatuspagePage, "statuspage-page", "", "Statuspage page id")
	f.StringArrayVar(&o.a.StatuspageMetrics, "statuspage-metric", nil, "Statuspage metric id for a name: NAME=METRIC_ID, repeatable")
	f.StringVar(&o.a.StatuspageKey, "statuspage-key", "", "Statuspage API key (prefer $STATUSPAGE_API_KEY or file:/path)")
	cli.EnvAlias(f, "statuspage-key", "STATUSPAGE_API_KEY")
	cli.MarkSecret(f, "statuspage-key")
	f.StringVar(&o.promState, "prometheus-state", "", "no longer used: counters keep their state per destination in the spool directory")
	_ = f.MarkDeprecated("prometheus-state", "counters now keep their state per destination in the spool directory")
}

// app is lib/app/statpost's options: the flags, on the root's streams,
// logger and secrets (set once the flags are parsed).
func (o *postOptions) app() statpost.Options {
	a, r := o.a, o.root
	a.Stdin, a.Stdout, a.Stderr, a.Getenv = r.Env.Stdin, r.Env.Stdout, r.Env.Stderr, r.Env.Getenv
	a.Logger, a.Warnf, a.Secrets, a.Verbose = r.Logger, r.Warnf, r.Secrets(), r.Verbose > 0
	a.HTTP = httpx.Options{Tool: "statpost", AttemptTimeout: o.api.Timeout, Deadline: o.api.Deadline,
		RetryMax: o.api.RetryMax(), Logger: r.Logger, Secrets: r.Secrets()}
	a.HTTPErr = o.api.Check()
	return a
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

// exitErr words lib/app/statpost's missing key in statpost's flags and
// environment; its other errors are lib/cli's to map (lib/outcome).
func exitErr(err error) error {
	var ke *statpost.KeyError
	if errors.As(err, &ke) {
		return cli.Usagef("%s", keyHints[ke.Sink])
	}
	return err
}
