package main

import (
	"context"
	"fmt"
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
		Long: `Records that could not be delivered are kept in one spool file per sink under
$XDG_STATE_HOME/cronkit/statpost (or --spool-dir) and sent first by the next
run that posts to that sink. These commands look at them directly.`,
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

// spools returns the spools of the configured sinks and any others present.
func (o *postOptions) spools() ([]*spool.Spool, error) {
	dir, err := o.spoolDirectory()
	if err != nil {
		return nil, cli.Usagef("%v", err)
	}
	names := map[string]bool{}
	specs := o.sinks
	if len(specs) == 0 {
		specs = []string{"stathat"}
	}
	for _, s := range specs {
		spec, err := stats.ParseSpec(s)
		if err != nil {
			return nil, cli.Usagef("--sink: %v", err)
		}
		names[spec.Kind] = true
	}
	present, err := spool.List(dir)
	if err != nil {
		return nil, err
	}
	for _, s := range present {
		names[s.Name()] = true
	}
	sorted := make([]string, 0, len(names))
	for n := range names {
		sorted = append(sorted, n)
	}
	sort.Strings(sorted)
	out := make([]*spool.Spool, len(sorted))
	for i, n := range sorted {
		out[i] = spool.Open(dir, n)
	}
	return out, nil
}

func newSpoolStatusCmd(po *postOptions) *cobra.Command {
	return &cobra.Command{
		Use:     "status",
		Short:   "Show how many records each sink's spool holds",
		Example: "  statpost spool status",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runSpoolStatus(po)
		},
	}
}

func runSpoolStatus(o *postOptions) error {
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
		fmt.Fprintf(out, "%s: %s", st.Name, records(st.Records))
		if st.Records > 0 {
			fmt.Fprintf(out, ", %d bytes, oldest %s, newest %s", st.Bytes, st.Oldest.UTC().Format(time.RFC3339), st.Newest.UTC().Format(time.RFC3339))
		}
		if st.Damaged > 0 {
			fmt.Fprintf(out, ", %d damaged lines (skipped)", st.Damaged)
		}
		fmt.Fprintf(out, " (%s)\n", st.Path)
	}
	return nil
}

func newSpoolFlushCmd(po *postOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "flush",
		Short: "Send the spooled records of the configured sinks now",
		Example: `  statpost spool flush
  statpost spool flush --sink statsd=udp://127.0.0.1:8125`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, cancel := po.root.Context(cmd.Context())
			defer cancel()
			return runSpoolFlush(ctx, po)
		},
	}
}

func runSpoolFlush(ctx context.Context, o *postOptions) error {
	if o.dryRun {
		return cli.Usagef("spool flush has no --dry-run; use spool status")
	}
	targets, err := o.buildTargets()
	if err != nil {
		return err
	}
	p := stats.NewPoster(ctx, stats.PostOptions{Targets: targets, AtLeastOnce: o.atLeastOnce, Warn: o.root.Warnf, FlushEvery: -1})
	res := p.Close()
	for _, t := range res.Targets {
		fmt.Fprintf(o.root.Env.Stdout, "%s: %s sent\n", t.Name, records(t.FromSpool))
	}
	return o.report(ctx, res, 0, nil, false)
}

func newSpoolDropCmd(po *postOptions) *cobra.Command {
	var all bool
	cmd := &cobra.Command{
		Use:   "drop SINK...|--all",
		Short: "Discard spooled records (they are never sent)",
		Example: `  statpost spool drop statsd
  statpost spool drop --all`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if all == (len(args) > 0) {
				return cli.Usagef("name the sinks whose spool to drop, or give --all")
			}
			return runSpoolDrop(po, args, all)
		},
	}
	cmd.Flags().BoolVar(&all, "all", false, "drop every sink's spool")
	return cmd
}

func runSpoolDrop(o *postOptions, names []string, all bool) error {
	dir, err := o.spoolDirectory()
	if err != nil {
		return cli.Usagef("%v", err)
	}
	var sps []*spool.Spool
	if all {
		if sps, err = spool.List(dir); err != nil {
			return err
		}
	} else {
		for _, n := range names {
			if _, err := stats.ParseSpec(n); err != nil {
				return cli.Usagef("%v", err)
			}
			sps = append(sps, spool.Open(dir, n))
		}
	}
	for _, s := range sps {
		n, err := s.Drop()
		if err != nil {
			return fmt.Errorf("%s: %w", s.Name(), err)
		}
		fmt.Fprintf(o.root.Env.Stdout, "%s: %s dropped\n", s.Name(), records(n))
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
