package main

import (
	"context"
	"fmt"
	"net/url"

	"github.com/cronkit/cronkit/lib/chart"
	"github.com/cronkit/cronkit/lib/cli"
	"github.com/spf13/cobra"
)

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

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
			return runStdin(ctx, o)
		}
		o.query = args[0]
		return runRender(ctx, o)
	}
	return cmd
}

// runRender renders o.query, with flag overrides, to stdout or -o.
func runRender(_ context.Context, o *chartOptions) error {
	raw, f, hasExt := chart.SplitRequest(o.query)
	if len(o.series) > 0 {
		return cli.Usagef("--series picks series from stdin data; a query already has its datasets")
	}
	raw += o.overrides()
	// The 16 KiB bound protects the server; a local render takes any length.
	// A URL is checked too: printing a link to an error image helps no one.
	q, err := chart.ParseUnbounded(trimAmp(raw))
	if err != nil {
		return usage(err)
	}
	if o.url != "" {
		if len(trimAmp(raw)) > chart.MaxQuery {
			o.root.Warnf("the URL's query is %d bytes; chartd serve accepts at most %d", len(trimAmp(raw)), chart.MaxQuery)
		}
		fmt.Fprintln(o.root.Env.Stdout, chartURL(o.url, trimAmp(raw), o.png || (hasExt && f == chart.FormatPNG)))
		return nil
	}
	if o.png {
		f = chart.FormatPNG
	}
	return o.write(q, f)
}

func trimAmp(s string) string {
	for len(s) > 0 && s[0] == '&' {
		s = s[1:]
	}
	return s
}
