// Command fakehc serves the Healthchecks fake (lib/testutil/fakehc) on a
// loopback port, for the demo and the e2e tests. It is a test helper, not
// one of cronkit's tools.
//
//	fakehc -listen 127.0.0.1:0 -print-url -api-key KEY -ping-key PKEY -slug backups
//
// prints the base URL on stdout, then serves until SIGTERM or SIGINT.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/cronkit/cronkit/lib/testutil/fakehc"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "fakehc:", err)
		os.Exit(2)
	}
}

type slugs []string

func (s *slugs) String() string     { return strings.Join(*s, ",") }
func (s *slugs) Set(v string) error { *s = append(*s, v); return nil }

func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("fakehc", flag.ContinueOnError)
	listen := fs.String("listen", "127.0.0.1:0", "loopback address to listen on")
	printURL := fs.Bool("print-url", false, "print the base URL on stdout once listening")
	apiKey := fs.String("api-key", fakehc.DefaultAPIKey, "read-write API key (32 characters)")
	roKey := fs.String("read-only-key", fakehc.DefaultReadOnlyKey, "read-only API key (32 characters; - for none)")
	pingKey := fs.String("ping-key", fakehc.DefaultPingKey, "project ping key")
	bodyLimit := fs.Int("ping-body-limit", 10000, "bytes of a ping body stored (-1: unlimited)")
	rate := fs.Int("rate-limit", 0, "Management API requests per key per minute before 429 (0: off)")
	var seed slugs
	fs.Var(&seed, "slug", "create a check with this name and slug (repeatable)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	for _, k := range []string{*apiKey, *roKey} {
		if k != "-" && len(k) != 32 {
			return errors.New("API keys must be 32 characters (the server answers 401 to any other length)")
		}
	}
	host, _, err := net.SplitHostPort(*listen)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("-listen %s: only loopback addresses are allowed", *listen)
	}
	f := fakehc.New(fakehc.Options{
		APIKey: *apiKey, ReadOnlyKey: *roKey, PingKey: *pingKey,
		PingBodyLimit: *bodyLimit, RateLimit: *rate,
	})
	for _, s := range seed {
		f.AddCheck(fakehc.Spec{Name: s, Slug: s})
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	f.URL = "http://" + ln.Addr().String()
	if *printURL {
		fmt.Fprintln(stdout, f.URL)
	}
	srv := &http.Server{Handler: f, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	f.Release()
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}
