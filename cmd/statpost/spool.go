package main

import (
	"context"

	"github.com/cronkit/cronkit/lib/app/statpost"
	"github.com/cronkit/cronkit/lib/cli"
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

func runSpoolStatus(ctx context.Context, o *postOptions) error {
	return exitErr(statpost.SpoolStatus(ctx, o.app()))
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
	return exitErr(statpost.SpoolFlush(ctx, statpost.FlushOptions{Options: o.app(), Adopt: o.adoptSpools}))
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
			o.names = args
			return runSpoolDrop(cmd.Context(), o)
		},
	}
	cmd.Flags().BoolVar(&o.all, "all", false, "drop every spool")
	return cmd
}

func runSpoolDrop(ctx context.Context, o *spoolDropOptions) error {
	return exitErr(statpost.SpoolDrop(ctx, statpost.DropOptions{Options: o.app(), Names: o.names, All: o.all}))
}
