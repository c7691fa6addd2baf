// Command bench-runwrap.d is the floor for scripts/bench-runwrap: the least a
// Go program can do for a wrapped run, what runitor does without its flags,
// config and retries: a start ping, the command with inherited stdout and
// stderr, a finish ping, with plain net/http. runwrap's figures are measured
// beside it in the same run. Usage: bench-runwrap.d PING_URL CMD [ARG...];
// "bench-runwrap.d noop" exits at once: the start-up of Go with net/http.
// Not a cronkit tool; built and run only by the benchmark script.
package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"time"
)

func main() {
	if len(os.Args) == 2 && os.Args[1] == "noop" {
		return
	}
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: bench-runwrap.d PING_URL CMD [ARG...]")
		os.Exit(2)
	}
	url := os.Args[1]
	c := &http.Client{Timeout: 5 * time.Second}
	ping(c, url+"/start")
	cmd := exec.Command(os.Args[2], os.Args[3:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	err := cmd.Run()
	code := cmd.ProcessState.ExitCode()
	if err != nil && code < 0 {
		code = 127
	}
	ping(c, fmt.Sprintf("%s/%d", url, code))
	os.Exit(code)
}

func ping(c *http.Client, url string) {
	resp, err := c.Post(url, "text/plain", strings.NewReader(""))
	if err != nil {
		fmt.Fprintln(os.Stderr, "ping:", err)
		return
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
}
