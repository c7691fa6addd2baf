package main

import (
	"github.com/cronkit/cronkit/lib/app/chartd"
	"github.com/cronkit/cronkit/lib/cli"
	"github.com/spf13/cobra"
)

func newRenderCmd(r *cli.Root) *cobra.Command {
	o := &chartOptions{root: r}
	cmd := &cobra.Command{
		Use:   "render QUERY|URL|-",
		Short: "Render a chartd.co query string or URL as SVG (or PNG)",
		Long: `Render a chartd.co query string, a path like a.png?..., or a full chartd.co URL.
SVG goes to stdout unless --png is given or the URL names a .png; -o writes a file.
Chart flags given on the command line (--title, --width, --hl, ...) override the
query's parameters. "-" reads data from stdin as chartd does without a command.`,
		Example: `  chartd render 'w=580&h=180&d0=RXZZfhgdURRUYZgfccZXUM&ymin=45&ymax=90&t=Temperature' > t.svg
  chartd render 'https://chartd.co/a.png?w=580&h=180&d0=RXZZfhgdURRUYZgfccZXUM' -o t.png
  chartd render 'a.svg?w=580&h=180&d0=RXZZfhgd' --png --scale 1 -o small.png
  seq 10 | chartd render - --title Ten`,
		Args: cobra.ExactArgs(1),
	}
	o.addFlags(cmd)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		ctx, cancel := r.Context(cmd.Context())
		defer cancel()
		if args[0] == "-" {
			return o.run(ctx, chartd.RunStdin)
		}
		o.a.Query = args[0]
		return o.run(ctx, chartd.RunRender)
	}
	return cmd
}
