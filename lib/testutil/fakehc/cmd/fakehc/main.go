// Command fakehc serves the Healthchecks fake (lib/testutil/fakehc) on a
// loopback port, for the demo and the e2e tests. It is a test helper, not
// one of cronkit's tools.
//
//	fakehc -listen 127.0.0.1:0 -print-url -api-key KEY -ping-key PKEY -slug backups
//
// prints the base URL on stdout, then serves until SIGTERM or SIGINT.
//
// Besides the Healthchecks routes it answers two of its own, for scripts and
// benchmarks that cannot reach the fake's Go API: GET /_fake/counts (the
// requests seen, by kind, as JSON, with "writes") and POST /_fake/reset.
package main

import (
	"context"
	"encoding/json"
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

	"github.com/cronkit/cronkit/lib/testutil"
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
	urlFile := fs.String("url-file", "", "write the base URL to this file once listening")
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
	return testutil.AnnounceAndServe(ctx, ln, withControl(f), f.URL, *urlFile, *printURL, stdout, f.Release)
}

// withControl adds the /_fake/ routes in front of the fake.
func withControl(f *fakehc.Fake) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/_fake/counts" && r.Method == http.MethodGet:
			counts := map[string]int{"writes": f.Writes()}
			for k, v := range f.Counts() {
				counts[string(k)] = v
			}
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(counts)
		case r.URL.Path == "/_fake/reset" && r.Method == http.MethodPost:
			f.ResetCounts()
			w.WriteHeader(http.StatusNoContent)
		default:
			f.ServeHTTP(w, r)
		}
	})
}
