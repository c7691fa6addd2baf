package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"time"

	"github.com/cronkit/cronkit/lib/cli"
	"github.com/cronkit/cronkit/lib/spool"
	"github.com/cronkit/cronkit/lib/stats"
	"github.com/spf13/cobra"
)

func newSpoolCmd(po *postOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "spool status|flush|drop",
		Short: "Show, send or discard records spooled by earlier runs",
		Long: `Records that could not be delivered are kept in one spool file per destination
(sink kind, URL, key, job and labels, database...) under
$XDG_STATE_HOME/cronkit/statpost (or --spool-dir) and sent first by the next
run that posts to that destination, never to another one. These commands look
at them directly.`,
		Example: `  statpost spool status
  statpost spool flush --sink stathat --sink statsd=udp://127.0.0.1:8125
  statpost spool drop statsd`,
	}
	// Without RunE cobra prints the help and exits 0 for "spool bogus".
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if len(args) > 0 {
			return cli.Usagef("unknown spool command %q (want status, flush or drop)", args[0])
		}
		return cli.Usagef("spool needs a command: status, flush or drop")
	}
	cmd.AddCommand(newSpoolStatusCmd(po), newSpoolFlushCmd(po), newSpoolDropCmd(po))
	return cmd
}

// spools returns the spools of the configured destinations (when they can be
// built, e.g. the key is set) and every other spool present, legacy ones too.
func (o *postOptions) spools() ([]*spool.Spool, error) {
	dir, err := o.spoolDirectory()
	if err != nil {
		return nil, cli.Usagef("%v", err)
	}
	var out []*spool.Spool
	seen := map[string]bool{}
	if targets, err := o.buildTargets(); err == nil {
		for _, t := range targets {
			out = append(out, t.Spool)
			seen[t.Spool.Name()] = true
		}
	}
	present, err := spool.List(dir)
	if err != nil {
		return nil, err
	}
	sort.Slice(present, func(i, j int) bool { return present[i].Name() < present[j].Name() })
	for _, s := range present {
		if !seen[s.Name()] {
			out = append(out, s)
		}
	}
	return out, nil
}

// legacyNote explains a spool written before spools were keyed by destination.
const legacyNote = "destination unknown: spooled by an older statpost, before spools were keyed by destination; " +
	"`statpost spool flush --adopt %[1]s` sends it to the configured %[1]s destination, `statpost spool drop %[1]s` discards it"

// warnLegacy says when a legacy spool of a configured sink kind holds records:
// they are kept, but no run sends them on its own.
func (o *postOptions) warnLegacy(targets []stats.Target) {
	for _, t := range targets {
		if t.Spool == nil {
			continue
		}
		legacy := spool.Open(filepath.Dir(t.Spool.Path()), t.Spool.Kind())
		if st, err := legacy.Status(); err == nil && st.Records > 0 {
			o.root.Warnf("%s: %s in %s: "+legacyNote, st.Kind, records(st.Records), st.Path)
		}
	}
}

// adopt moves the named spools into the spools of the targets of their kind.
func (o *postOptions) adopt(ctx context.Context, targets []stats.Target, names []string) error {
	for _, n := range names {
		var to *stats.Target
		for i, t := range targets {
			if t.Spool.Kind() == spool.Open("", n).Kind() {
				to = &targets[i]
			}
		}
		if to == nil {
			return cli.Usagef("--adopt %s: no --sink %s is configured to send its records to", n, spool.Open("", n).Kind())
		}
		if n == to.Spool.Name() {
			continue
		}
		from := spool.Open(filepath.Dir(to.Spool.Path()), n)
		if _, err := os.Stat(from.Path()); err != nil {
			return cli.Usagef("--adopt %s: no such spool (%s)", n, from.Path())
		}
		res, err := from.MoveTo(ctx, to.Spool)
		if err != nil {
			return fmt.Errorf("%s: adopting %s: %w", to.Sink.Name(), from.Path(), err)
		}
		fmt.Fprintf(o.root.Env.Stdout, "%s: %s adopted from %s for %s\n", to.Sink.Name(), records(res.Sent), from.Path(), to.Spool.Destination())
	}
	return nil
}

func newSpoolStatusCmd(po *postOptions) *cobra.Command {
	return &cobra.Command{
		Use:     "status",
		Short:   "Show how many records each destination's spool holds, and the destination",
		Example: "  statpost spool status",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runSpoolStatus(cmd.Context(), po)
		},
	}
}

func runSpoolStatus(_ context.Context, o *postOptions) error {
	sps, err := o.spools()
	if err != nil {
		return err
	}
	out := o.root.Env.Stdout
	for _, s := range sps {
		st, err := s.Status()
		if err != nil {
			return fmt.Errorf("%s: %w", s.Name(), err)
		}
		// Records waiting, wherever they wait: the spool, or the journal of
		// an interrupted or killed run (moved into the spool by the next run).
		fmt.Fprintf(out, "%s: %s", st.Kind, records(st.Records+st.Journaled))
		if st.Records > 0 {
			fmt.Fprintf(out, ", %d bytes, oldest %s, newest %s", st.Bytes, st.Oldest.UTC().Format(time.RFC3339), st.Newest.UTC().Format(time.RFC3339))
		}
		if st.Journaled > 0 {
			fmt.Fprintf(out, ", %d of them in the journals of interrupted or killed runs", st.Journaled)
		}
		if st.Damaged > 0 {
			fmt.Fprintf(out, ", %d damaged lines (skipped)", st.Damaged)
		}
		if st.Dest != "" {
			fmt.Fprintf(out, "; to %s", st.Dest)
		} else {
			fmt.Fprintf(out, "; "+legacyNote, st.Kind)
		}
		fmt.Fprintf(out, " (%s)\n", st.Path)
	}
	return nil
}

// spoolFlushOptions: the posting flags (the destinations), and --adopt.
type spoolFlushOptions struct {
	*postOptions
	adoptSpools []string
}

func newSpoolFlushCmd(po *postOptions) *cobra.Command {
	o := &spoolFlushOptions{postOptions: po}
	cmd := &cobra.Command{
		Use:   "flush",
		Short: "Send the spooled records of the configured destinations now",
		Long: `Send the records spooled for the configured destinations (--sink and the
options that place records: --api-url and the key, --job and --label,
--influx-db/-org/-bucket, ...). Spools of other destinations are left alone.

--adopt SPOOL first moves the records of another spool of the same sink kind
(its name as spool status shows it in the path) to the configured
destination: for a spool written by an older statpost (<dir>/<sink>.spool,
whose destination is unknown), or records kept for a key that was refused and
has since been replaced.`,
		Example: `  statpost spool flush
  statpost spool flush --sink statsd=udp://127.0.0.1:8125
  statpost spool flush --sink pushgateway=http://127.0.0.1:9091 --job backup --adopt pushgateway`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, cancel := po.root.Context(cmd.Context())
			defer cancel()
			return runSpoolFlush(ctx, o)
		},
	}
	cmd.Flags().StringArrayVar(&o.adoptSpools, "adopt", nil, "first move the records of this spool (a name from spool status, e.g. the legacy `stathat`) to the configured destination of its sink kind, repeatable")
	return cmd
}

func runSpoolFlush(ctx context.Context, o *spoolFlushOptions) error {
	if o.dryRun {
		return cli.Usagef("spool flush has no --dry-run; use spool status")
	}
	targets, err := o.buildTargets()
	if err != nil {
		return err
	}
	if err := o.adopt(ctx, targets, o.adoptSpools); err != nil {
		return err
	}
	o.warnLegacy(targets)
	p := stats.NewPoster(ctx, stats.PostOptions{Targets: targets, AtLeastOnce: o.atLeastOnce, Warn: o.root.Warnf, FlushEvery: -1})
	res := p.Close()
	for _, t := range res.Targets {
		fmt.Fprintf(o.root.Env.Stdout, "%s: %s sent\n", t.Name, records(t.FromSpool))
	}
	return o.report(ctx, res, 0, nil, false)
}

// spoolDropOptions: the spools to drop, by name or kind, or --all.
type spoolDropOptions struct {
	*postOptions
	names []string
	all   bool
}

func newSpoolDropCmd(po *postOptions) *cobra.Command {
	o := &spoolDropOptions{postOptions: po}
	cmd := &cobra.Command{
		Use:   "drop SINK|SPOOL...|--all",
		Short: "Discard spooled records (they are never sent)",
		Long: `Discard spooled records. SINK (stathat, statsd, ...) drops the spools of
every destination of that kind, legacy ones too; SPOOL drops one spool by
the name that spool status shows in its path (e.g. pushgateway-1a2b3c4d5e6f7a8b).`,
		Example: `  statpost spool drop statsd
  statpost spool drop --all`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.all == (len(args) > 0) {
				return cli.Usagef("name the sinks whose spool to drop, or give --all")
			}
			o.names = args
			return runSpoolDrop(cmd.Context(), o)
		},
	}
	cmd.Flags().BoolVar(&o.all, "all", false, "drop every spool")
	return cmd
}

func runSpoolDrop(_ context.Context, o *spoolDropOptions) error {
	dir, err := o.spoolDirectory()
	if err != nil {
		return cli.Usagef("%v", err)
	}
	present, err := spool.List(dir)
	if err != nil {
		return err
	}
	names := o.names
	if o.all {
		names = nil
		for _, s := range present {
			names = append(names, s.Name())
		}
	}
	for _, n := range names {
		_, kindErr := stats.ParseSpec(n)
		var sps []*spool.Spool
		for _, s := range present {
			if s.Name() == n || kindErr == nil && s.Kind() == n {
				sps = append(sps, s)
			}
		}
		if kindErr != nil && len(sps) == 0 {
			return cli.Usagef("%v, and no spool is named %q", kindErr, n)
		}
		dropped := 0
		for _, s := range sps {
			k, err := s.Drop()
			if err != nil {
				return fmt.Errorf("%s: %w", s.Name(), err)
			}
			dropped += k
		}
		fmt.Fprintf(o.root.Env.Stdout, "%s: %s dropped\n", n, records(dropped))
	}
	return nil
}

// records is "1 record" or "N records".
func records[T ~int | ~int64](n T) string {
	if n == 1 {
		return "1 record"
	}
	return strconv.FormatInt(int64(n), 10) + " records"
}
