package chartd

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/cronkit/cronkit/lib/chart"
	"github.com/cronkit/cronkit/lib/outcome"
)

// ServeOptions are `chartd serve`'s.
type ServeOptions struct {
	Stdout io.Writer // PrintURL's line (required with it)
	Stderr io.Writer // the access log and the serving/stopped lines (required with them)
	Logger *slog.Logger

	Listen       string
	MaxAge       time.Duration
	CacheMB      int // 0: no cache
	Scale        float64
	ReadTimeout  time.Duration
	WriteTimeout time.Duration
	AccessLog    bool // Common Log Format on Stderr
	Announce     bool // "serving on" and "stopped" on Stderr
	Debug        bool // a debug line as each request starts
	PrintURL     bool // the base URL on Stdout once listening, for scripts
}

// RunServe serves charts until ctx ends (SIGINT/SIGTERM), then shuts down
// gracefully and returns nil.
func RunServe(ctx context.Context, o ServeOptions) error {
	o.Logger = cmp.Or(o.Logger, slog.New(slog.DiscardHandler))
	if o.CacheMB < 0 || o.MaxAge < 0 || o.ReadTimeout <= 0 || o.WriteTimeout <= 0 {
		return usagef("--cache-mb, --max-age and the timeouts must be positive")
	}
	if err := chart.CheckScale(1, 1, o.Scale); err != nil || o.Scale*chart.MaxSide > chart.MaxPixels*2 {
		return usagef("--scale %g: want more than 0 and at most %g", o.Scale, chart.MaxScale)
	}
	cacheBytes := o.CacheMB << 20
	if o.CacheMB == 0 {
		cacheBytes = -1
	}
	var handler http.Handler = chart.NewHandler(chart.HandlerOptions{MaxAge: o.MaxAge, CacheBytes: cacheBytes, Scale: o.Scale, Logger: o.Logger})
	if o.AccessLog {
		handler = chart.AccessLog(handler, o.Stderr, nil)
	}
	if o.Debug { // beside the access log at each request's end
		next, log := handler, o.Logger
		handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			log.Debug("request", "method", r.Method, "path", r.URL.Path, "remote", r.RemoteAddr)
			next.ServeHTTP(w, r)
		})
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", o.Listen)
	if err != nil {
		return outcome.Wrap(outcome.Failed, fmt.Errorf("listen: %w", err)) // whatever the reason (a cancelled start too)
	}
	if o.Announce {
		fmt.Fprintf(o.Stderr, "chartd: serving on http://%s/\n", ln.Addr())
	}
	if o.PrintURL {
		fmt.Fprintf(o.Stdout, "http://%s\n", ln.Addr())
	}
	err = chart.Serve(ctx, ln, handler, chart.ServerOptions{ReadTimeout: o.ReadTimeout, WriteTimeout: o.WriteTimeout})
	if err == nil && o.Announce {
		fmt.Fprintln(o.Stderr, "chartd: stopped")
	}
	return err
}
