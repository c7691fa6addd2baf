package main

import (
	"github.com/cronkit/cronkit/lib/app/chartd"
	"github.com/cronkit/cronkit/lib/cli"
	"github.com/spf13/cobra"
)

func newEncodeCmd(r *cli.Root) *cobra.Command {
	o := &chartOptions{root: r}
	cmd := &cobra.Command{
		Use:   "encode",
		Short: "Print the chartd.co query string for numbers on stdin",
		Long: `Read numbers (or metric records, or NAME NUMBER lines) on stdin and print the
chartd.co query string that charts them: one dataset per series, encoded on one
shared scale (ymin/ymax from the data unless given), for shell users building
URLs for the hosted service or for chartd serve.`,
		Example: `  seq 10 | chartd encode
  seq 10 | chartd encode --ymin 0 --ymax 20 -t Ten
  printf 'cpu 0.5\ncpu 0.7\nmem 0.2\nmem 0.3\n' | chartd encode --series cpu,mem
  echo "https://chartd.co/a.svg?$(seq 10 | chartd encode)"`,
		Args: cobra.NoArgs,
	}
	o.cmd = cmd
	o.addChartFlags(cmd.Flags())
	o.addRateFlags(cmd.Flags())
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		ctx, cancel := r.Context(cmd.Context())
		defer cancel()
		return o.run(ctx, chartd.RunEncode)
	}
	return cmd
}
