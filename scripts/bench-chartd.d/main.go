// Command bench-chartd.d is the ceiling for scripts/bench-chartd: a minimal
// net/http server that answers every request with the same SVG bytes from
// memory, so wrk measures what net/http itself can do on this machine.
// With the single argument "noop" it exits at once: the cost of starting a
// small Go binary, the floor for chartd's CLI wall time. Not a cronkit tool;
// built and run only by the benchmark script.
package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
)

func main() {
	if len(os.Args) == 2 && os.Args[1] == "noop" {
		return // the floor for a Go process start, for the CLI figures
	}
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: bench-chartd.d FILE.svg ADDR")
		os.Exit(2)
	}
	body, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	ln, err := net.Listen("tcp", os.Args[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "serving on http://%s/\n", ln.Addr())
	n := strconv.Itoa(len(body))
	err = http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/svg+xml")
		w.Header().Set("Content-Length", n)
		_, _ = w.Write(body)
	}))
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
