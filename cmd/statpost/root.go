package main

import (
	"github.com/cronkit/cronkit/lib/cli"
	"github.com/cronkit/cronkit/lib/cli/viperconf"
	"github.com/spf13/cobra"
)

// newRoot builds statpost's command tree on env's streams.
func newRoot(env *cli.Env) *cli.Root {
	r := cli.NewRoot(env, cli.Tool{
		Name:        "statpost",
		ParseConfig: cli.ConfigParser(viperconf.Parse), // every format viper reads
		Short:       "Post counts and values to stat APIs (StatHat, StatsD, Pushgateway, InfluxDB, Graphite, Statuspage)",
		Long: `statpost posts counts and values to stat services, from arguments or from
records streamed on stdin, batched, retried within a bounded time and never
silently dropped: what cannot be delivered is spooled under
$XDG_STATE_HOME/cronkit/statpost and sent first on the next run.

With no arguments (or "-") it reads stdin: metric records
({"name":..,"kind":..,"value":..}), StatHat bulk items ({"stat":..,"count":..})
and "NAME NUMBER" text lines (the name may contain spaces; --kind says whether
text lines are counts or values). Stdin with no records is a failure (exit 1;
--allow-empty accepts it), and so is an error record ({"error":..}) from a
producer that failed: it is reported, and the good records are still posted.

Cumulative counters (kind counter: pgreport's xact_commit, Prometheus counters
with --from prometheus) go to StatHat and StatsD as counts of their increase
since the last run (state per destination beside its spool; the first sighting
posts nothing), to the Pushgateway as counters, to InfluxDB and Graphite as
they are.

The StatHat EZ key comes from $STATHAT_EZKEY, $STATPOST_EZKEY, the config file
or --ezkey file:/path (a key on the command line shows in ps).`,
		Example: `  statpost count installs
  statpost count "emails sent" 12
  statpost value "daily active users" 1234 --time 2026-11-22T00:00:00Z
  pgreport -f metrics hc | statpost
  printf 'queue depth 17\n' | statpost --sink statsd=udp://127.0.0.1:8125
  curl -s http://www1/metrics | statpost --from prometheus --sink pushgateway=http://127.0.0.1:9091
  curl -s http://www1/metrics | statpost --from prometheus --sink statuspage \
      --statuspage-page PAGE_ID --statuspage-metric 'http_requests_total=METRIC_ID'
  statpost --tee < today.jsonl | chartd > today.svg
  statpost time "backup seconds" -- pg_dump -f /backup/db.sql db
  statpost spool status`,
	})
	o := &postOptions{root: r}
	o.addFlags(r.Cmd)
	r.Cmd.Args = cobra.MaximumNArgs(1)
	r.Cmd.Flags().BoolVar(&o.a.AllowEmpty, "allow-empty", false, "exit 0 when stdin holds no records (by default that is a failure: the producer failed)")
	r.Cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if len(args) == 1 && args[0] != "-" {
			return cli.Usagef("unknown command %q (want count, value, time, spool, or - for stdin)", args[0])
		}
		ctx, cancel := r.Context(cmd.Context())
		defer cancel()
		return runPost(ctx, o)
	}
	r.Cmd.AddCommand(newCountCmd(o, "count"), newCountCmd(o, "value"), newTimeCmd(o), newSpoolCmd(o))
	return r
}
