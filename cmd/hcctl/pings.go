package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/cronkit/cronkit/lib/cli"
	"github.com/cronkit/cronkit/lib/hc"
	"github.com/cronkit/cronkit/lib/metric"
	"github.com/spf13/cobra"
)

type pingsOptions struct {
	g     *global
	ref   string
	limit int
}

func newPingsCmd(g *global) *cobra.Command {
	o := &pingsOptions{g: g}
	cmd := &cobra.Command{
		Use:   "pings CHECK",
		Short: "List a check's recent pings (type, time, duration, method, body)",
		Long: `List a check's recent pings, newest first, as the API returns them: type
(success, start, fail, log, ign), time, the run's duration when a start
preceded it, method, whether a body is stored, user agent. The API does not
return a ping's exit status: a ping to /N is listed as fail (success for 0);
runwrap ends the body it sends with the exit status (hcctl pings body).

-f metrics writes one metric record per ping that has a duration, named
hc.<slug or name>.duration (seconds, kind value, tagged check and type), so
that chartd can chart a job's runtime; when the API fails it writes an error
record ({"error":..}) before exiting non-zero, so that chartd draws the
failure. The pings list needs a read-write key.`,
		Example: `  hcctl pings backups
  hcctl pings backups -n 5 -f json
  hcctl pings db7-pgreport -f metrics | chartd -t "pgreport runtime" > runtime.svg
  hcctl pings body backups 12`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: completeCheck(g),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.ref = args[0]
			ctx, cancel := g.root.Context(cmd.Context())
			defer cancel()
			return runPings(ctx, o)
		},
	}
	cmd.Flags().IntVarP(&o.limit, "limit", "n", 0, "show at most N pings (0: all the server returns)")
	noEnv(cmd.Flags(), "limit")
	addFormatFlag(cmd, g, "table, json, jsonl, metrics")
	cmd.AddCommand(newPingsBodyCmd(g))
	return cmd
}

func runPings(ctx context.Context, o *pingsOptions) (err error) {
	format, err := o.g.outFormat("table", "json", "jsonl", "metrics")
	if err != nil {
		return err
	}
	if format == "metrics" {
		defer func() {
			if err != nil {
				writeErrorRecord(o.g.root, err)
			}
		}()
	}
	if o.limit < 0 {
		return cli.Usagef("-n %d: want 0 or more", o.limit)
	}
	a, c, id, err := o.g.resolveWritable(ctx, o.ref, "list pings of")
	if err != nil {
		return err
	}
	pings, err := a.CheckPings(ctx, id)
	if err != nil {
		return apiErr(namedErr(err, c))
	}
	if o.limit > 0 && len(pings) > o.limit {
		pings = pings[:o.limit]
	}
	w := o.g.root.Env.Stdout
	switch format {
	case "json", "jsonl":
		return hc.WriteList(w, format, pings)
	case "metrics":
		return writePingMetrics(w, c, pings)
	}
	return writePingTable(w, pings)
}

// writePingMetrics writes each ping's duration as a metric record, oldest first.
func writePingMetrics(w io.Writer, c hc.Check, pings []hc.APIPing) error {
	key := c.Slug
	if key == "" {
		key = c.Name
	}
	mw := metric.NewWriter(w)
	// Oldest first: a time series reads forwards.
	for i := len(pings) - 1; i >= 0; i-- {
		p := pings[i]
		if p.Duration == nil {
			continue
		}
		rec := metric.Record{Name: "hc." + key + ".duration", Kind: metric.Value, Value: *p.Duration, Time: p.Date.UTC(),
			Tags: map[string]string{"check": key, "type": p.Type}}
		if err := mw.Write(rec); err != nil {
			return err
		}
	}
	return mw.Flush()
}

// writePingTable: the columns are what the API returns (healthchecks-api.md
// §3.2, captures "List pings"): no exit status, which a ping to /N turns
// into its type (fail, or success for 0).
func writePingTable(w io.Writer, pings []hc.APIPing) error {
	t := hc.NewTable(w, "N", "TYPE", "TIME", "DURATION", "METHOD", "BODY", "UA")
	for _, p := range pings {
		dur, body := "", "no"
		if p.Duration != nil {
			dur = strconv.FormatFloat(*p.Duration, 'f', 2, 64) + "s"
		}
		if p.BodyURL != nil {
			body = "yes"
		}
		t.Row(strconv.Itoa(p.N), p.Type, p.Date.UTC().Format(time.RFC3339), dur, p.Method, body, p.UA)
	}
	return t.Flush()
}

// writeErrorRecord says in the stream that the list failed (issue 13):
// `hcctl pings X -f metrics | chartd` runs under a shell without pipefail,
// and chartd then draws the failure instead of a chart of what came before.
// The message is the stderr line, secrets redacted.
func writeErrorRecord(r *cli.Root, err error) {
	mw := metric.NewWriter(r.Env.Stdout)
	msg := cli.Redact(err.Error(), r.Secrets()...)
	if mw.WriteError(metric.ErrorRecord{Msg: msg, Source: "hcctl", Time: time.Now()}) == nil {
		_ = mw.Flush()
	}
}

type bodyOptions struct {
	g   *global
	ref string
	n   int
}

func newPingsBodyCmd(g *global) *cobra.Command {
	o := &bodyOptions{g: g}
	return &cobra.Command{
		Use:               "body CHECK N",
		Short:             "Print the stored body of ping N of a check",
		Example:           "  hcctl pings body backups 12 > backup.log",
		Args:              cobra.ExactArgs(2),
		ValidArgsFunction: completeCheck(g),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.ref = args[0]
			n, err := strconv.Atoi(args[1])
			if err != nil || n < 1 {
				return cli.Usagef("N %q: want a ping number (the N column of hcctl pings)", args[1])
			}
			o.n = n
			ctx, cancel := g.root.Context(cmd.Context())
			defer cancel()
			return runPingsBody(ctx, o)
		},
	}
}

func runPingsBody(ctx context.Context, o *bodyOptions) error {
	a, c, id, err := o.g.resolveWritable(ctx, o.ref, "read a ping body of")
	if err != nil {
		return err
	}
	b, err := a.PingBody(ctx, id, o.n)
	if err != nil {
		if ae, ok := err.(*hc.APIError); ok && ae.Status == 404 {
			return fmt.Errorf("ping %d of %q has no stored body (or is too old, or does not exist)", o.n, c.Name)
		}
		return apiErr(namedErr(err, c))
	}
	_, err = o.g.root.Env.Stdout.Write(b)
	return err
}
