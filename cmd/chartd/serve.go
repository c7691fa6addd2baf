package main

import (
	"context"
	"time"

	"github.com/cronkit/cronkit/lib/app/chartd"
	"github.com/cronkit/cronkit/lib/chart"
	"github.com/cronkit/cronkit/lib/cli"
	"github.com/spf13/cobra"
)

// serveOptions are serve's flags, bound into lib/app/chartd's options.
type serveOptions struct {
	root        *cli.Root
	a           chartd.ServeOptions
	noAccessLog bool
}

func newServeCmd(r *cli.Root) *cobra.Command {
	o := &serveOptions{root: r}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve charts over HTTP for <img> tags",
		Long: `Serve charts over HTTP:

  GET|HEAD /<any name>.svg?QUERY   SVG chart (image/svg+xml)
  GET|HEAD /<any name>.png?QUERY   PNG chart at --scale (default 2x, for retina)
  POST /<name>.svg|.png            the query in the body, for long data
  GET /healthz                     "ok"
  GET /                            documentation with a live example for every parameter

Responses carry a strong ETag (answering 304 to If-None-Match), Cache-Control,
X-Content-Type-Options: nosniff and, on SVG, a Content-Security-Policy that
allows nothing to load or run. Bad queries get 400 with a small image showing
the message (and the message in X-Chartd-Error). Rendered charts are cached in
memory (--cache-mb). An access log in Common Log Format goes to stderr (off with
--no-access-log or -q). SIGINT or SIGTERM stops accepting, lets requests in flight
finish (for up to 10s) and exits 0: a stop asked for is a success.`,
		Example: `  chartd serve
  chartd serve --listen 127.0.0.1:8080 --cache-mb 128
  CHARTD_LISTEN=0.0.0.0:80 chartd serve --no-access-log
  curl -s 'http://127.0.0.1:8080/a.svg?w=580&h=180&d0=RXZZfhgdURRUYZgfccZXUM' > t.svg`,
		Args: cobra.NoArgs,
	}
	fs := cmd.Flags()
	fs.StringVar(&o.a.Listen, "listen", "127.0.0.1:8080", "address to listen on (host:port; port 0 picks one)")
	fs.DurationVar(&o.a.MaxAge, "max-age", 24*time.Hour, "Cache-Control max-age of charts")
	fs.IntVar(&o.a.CacheMB, "cache-mb", 64, "memory for cached charts, MiB (0: no cache)")
	fs.Float64Var(&o.a.Scale, "scale", chart.DefaultScale, "PNG pixels per CSS px")
	fs.DurationVar(&o.a.ReadTimeout, "read-timeout", 10*time.Second, "deadline to read a request")
	fs.DurationVar(&o.a.WriteTimeout, "write-timeout", 10*time.Second, "deadline to write a response")
	fs.BoolVar(&o.noAccessLog, "no-access-log", false, "do not log requests to stderr")
	fs.BoolVar(&o.a.PrintURL, "print-url", false, "print the base URL (http://host:port) on stdout once listening, for scripts")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		return runServe(cmd.Context(), o)
	}
	return cmd
}

// runServe serves until ctx ends (SIGINT/SIGTERM via lib/cli), then shuts
// down gracefully and returns nil.
func runServe(ctx context.Context, o *serveOptions) error {
	r, a := o.root, o.a
	a.Stdout, a.Stderr, a.Logger = r.Env.Stdout, r.Env.Stderr, r.Logger
	a.AccessLog = !o.noAccessLog && !r.Quiet // -q: only errors on stderr
	a.Announce, a.Debug = !r.Quiet, r.Verbose >= 2
	return chartd.RunServe(ctx, a)
}
