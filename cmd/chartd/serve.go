package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/cronkit/cronkit/lib/chart"
	"github.com/cronkit/cronkit/lib/cli"
	"github.com/spf13/cobra"
)

type serveOptions struct {
	root         *cli.Root
	listen       string
	maxAge       time.Duration
	cacheMB      int
	scale        float64
	readTimeout  time.Duration
	writeTimeout time.Duration
	noAccessLog  bool
	printURL     bool
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
	fs.StringVar(&o.listen, "listen", "127.0.0.1:8080", "address to listen on (host:port; port 0 picks one)")
	fs.DurationVar(&o.maxAge, "max-age", 24*time.Hour, "Cache-Control max-age of charts")
	fs.IntVar(&o.cacheMB, "cache-mb", 64, "memory for cached charts, MiB (0: no cache)")
	fs.Float64Var(&o.scale, "scale", chart.DefaultScale, "PNG pixels per CSS px")
	fs.DurationVar(&o.readTimeout, "read-timeout", 10*time.Second, "deadline to read a request")
	fs.DurationVar(&o.writeTimeout, "write-timeout", 10*time.Second, "deadline to write a response")
	fs.BoolVar(&o.noAccessLog, "no-access-log", false, "do not log requests to stderr")
	fs.BoolVar(&o.printURL, "print-url", false, "print the base URL (http://host:port) on stdout once listening, for scripts")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		return runServe(cmd.Context(), o)
	}
	return cmd
}

// runServe serves until ctx ends (SIGINT/SIGTERM via lib/cli), then shuts
// down gracefully and returns nil.
func runServe(ctx context.Context, o *serveOptions) error {
	if o.cacheMB < 0 || o.maxAge < 0 || o.readTimeout <= 0 || o.writeTimeout <= 0 {
		return cli.Usagef("--cache-mb, --max-age and the timeouts must be positive")
	}
	if err := chart.CheckScale(1, 1, o.scale); err != nil || o.scale*chart.MaxSide > chart.MaxPixels*2 {
		return cli.Usagef("--scale %g: want more than 0 and at most %g", o.scale, chart.MaxScale)
	}
	cacheBytes := o.cacheMB << 20
	if o.cacheMB == 0 {
		cacheBytes = -1
	}
	h := chart.NewHandler(chart.HandlerOptions{MaxAge: o.maxAge, CacheBytes: cacheBytes, Scale: o.scale, Logger: o.root.Logger})
	var handler http.Handler = h
	if !o.noAccessLog && !o.root.Quiet { // -q: only errors on stderr
		handler = chart.AccessLog(handler, o.root.Env.Stderr, nil)
	}
	if o.root.Verbose >= 2 { // -vv: a debug line as each request starts, beside the access log at its end
		next, log := handler, o.root.Logger
		handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			log.Debug("request", "method", r.Method, "path", r.URL.Path, "remote", r.RemoteAddr)
			next.ServeHTTP(w, r)
		})
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", o.listen)
	if err != nil {
		return cli.WithCode(cli.ExitFailure, fmt.Errorf("listen: %w", err))
	}
	if !o.root.Quiet {
		fmt.Fprintf(o.root.Env.Stderr, "chartd: serving on http://%s/\n", ln.Addr())
	}
	if o.printURL {
		fmt.Fprintf(o.root.Env.Stdout, "http://%s\n", ln.Addr())
	}
	err = chart.Serve(ctx, ln, handler, chart.ServerOptions{ReadTimeout: o.readTimeout, WriteTimeout: o.writeTimeout})
	if err == nil && !o.root.Quiet {
		fmt.Fprintln(o.root.Env.Stderr, "chartd: stopped")
	}
	return err
}
