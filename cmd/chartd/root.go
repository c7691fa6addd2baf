package main

import (
	"strings"

	"github.com/cronkit/cronkit/lib/app/chartd"
	"github.com/cronkit/cronkit/lib/cli"
	"github.com/cronkit/cronkit/lib/cli/viperconf"
	"github.com/spf13/cobra"
)

// newRoot builds chartd's command tree on env's streams.
func newRoot(env *cli.Env) *cli.Root {
	r := cli.NewRoot(env, cli.Tool{
		Name:        "chartd",
		ParseConfig: cli.ConfigParser(viperconf.Parse), // every format viper reads
		Short:       "Render SVG and PNG charts from chartd.co-style query strings",
		Long: `chartd renders line and step charts from a chartd.co-style query string
(w=580&h=180&d0=RXZZfhgd...&ymin=45&ymax=90&t=Temperature) or from numbers and
metric records on stdin, as a command or as an HTTP server whose URLs go
straight into <img> tags, e-mails and READMEs.

With no command and data on stdin, it charts the data: bare numbers, metric
records ({"name":..,"kind":..,"value":..,"time":..}), StatHat items and
"NAME NUMBER" lines, one series per name (at most 5, pick them with --series),
ymin/ymax from the data (widened to round numbers) unless given, xmin/xmax
from the records' times, several series named in a legend. More than 4,096
points are downsampled (LTTB: the shape, minimum and maximum stay; -v says so).
An error record ({"error":..}, a producer that failed) is drawn as an error
image saying so, and chartd exits 1.
A query string or chartd.co URL as the only argument is rendered as with
"chartd render".`,
		Example: `  seq 10 | chartd -t Ten > ten.svg
  hcctl pings db7-pgreport -f metrics | chartd -t "pgreport runtime" --png -o runtime.png
  pgreport -f metrics hc | chartd --series 'pg.hc.xact_*' --hl
  pgreport -f metrics hc | chartd --series pg.hc.xact_commit --rate per-second -t "commits/s"
  chartd 'w=580&h=180&d0=RXZZfhgdURRUYZgfccZXUM&ymin=45&ymax=90&t=Temperature' > t.svg
  chartd render 'https://chartd.co/a.png?w=580&h=180&d0=RXZZfhgdURRUYZgfccZXUM' -o t.png
  seq 10 | chartd encode
  seq 10 | chartd --url https://chartd.co
  seq 100 | chartd --spark -w 160 -H 40 > spark.svg
  chartd serve --listen 127.0.0.1:8080`,
		ExitCodes: exitCodesHelp,
	})
	o := &chartOptions{root: r}
	o.addFlags(r.Cmd)
	o.addRateFlags(r.Cmd.Flags())
	r.Cmd.Args = cobra.MaximumNArgs(1)
	r.Cmd.RunE = func(cmd *cobra.Command, args []string) error {
		ctx, cancel := r.Context(cmd.Context())
		defer cancel()
		switch {
		case len(args) == 1 && args[0] == "-":
			return o.run(ctx, chartd.RunStdin)
		case len(args) == 1 && (strings.ContainsAny(args[0], "=?") || strings.Contains(args[0], "://")):
			o.a.Query = args[0]
			return o.run(ctx, chartd.RunRender)
		case len(args) == 1:
			return cli.Usagef("unknown command %q (want render, encode, serve, a query string, or - for stdin)", args[0])
		case cli.IsTerminal(env.Stdin): // no piped data to chart
			return cli.Usagef("no data: pipe numbers or records into chartd, or see chartd --help")
		}
		return o.run(ctx, chartd.RunStdin)
	}
	r.Cmd.AddCommand(newRenderCmd(r), newEncodeCmd(r), newServeCmd(r))
	return r
}

// exitCodesHelp lists only the codes chartd can return: it posts nothing and
// logs in nowhere, so there is no partial (3) and no refused (4).
const exitCodesHelp = `Exit codes:
  0    success
  1    failure at run time: the output cannot be written, serve cannot listen
  2    usage: bad flags or arguments, a bad query string, bad input data
  130  interrupted (143 on SIGTERM)`
