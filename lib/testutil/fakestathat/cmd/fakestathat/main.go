// Command fakestathat serves the fake StatHat (lib/testutil/fakestathat) on a
// loopback port for e2e scripts, benchmarks and the demo, until SIGTERM or
// SIGINT. It is a test helper, not one of cronkit's tools.
//
//	fakestathat -listen 127.0.0.1:0 -print-url &
//	curl -d 'ezkey=k&stat=installs&count=1' "$URL/ez"
//	curl "$URL/_fake/points"
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"syscall"

	"github.com/cronkit/cronkit/lib/testutil"
	"github.com/cronkit/cronkit/lib/testutil/fakestathat"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "fakestathat:", err)
		os.Exit(1)
	}
}

func run() error {
	listen := flag.String("listen", "127.0.0.1:0", "address to listen on")
	printURL := flag.Bool("print-url", false, "print the base URL on stdout once listening")
	urlFile := flag.String("url-file", "", "also write the base URL to this file (written atomically once listening)")
	mode := flag.String("mode", "ok", "how to answer posts (ok, body500, bodystring, 500, 503, 429, stall, accept500, verbose)")
	light := flag.Bool("light", false, "count points without recording them (benchmarks)")
	flag.Parse()
	m, err := fakestathat.ParseMode(*mode)
	if err != nil {
		return err
	}
	f := fakestathat.New(fakestathat.Options{Light: *light})
	f.SetMode(m)
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	return testutil.AnnounceAndServe(ctx, ln, f.Handler(), "http://"+ln.Addr().String(), *urlFile, *printURL, os.Stdout, f.Close)
}
