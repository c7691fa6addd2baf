// Command pgsandbox is the engine behind scripts/pg-sandbox: it starts,
// describes and stops a detached throwaway PostgreSQL cluster in a state
// directory. It is a development helper, not one of cronkit's tools.
//
//	pgsandbox start|stop|env|status [-dir DIR]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"time"

	"github.com/cronkit/cronkit/lib/testutil/pgsandbox"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("pg-sandbox", flag.ContinueOnError)
	fs.SetOutput(stderr)
	def := os.Getenv("PG_SANDBOX_DIR")
	if def == "" {
		def = "/tmp/cronkit-pg-sandbox"
	}
	dir := fs.String("dir", def, "state directory ($PG_SANDBOX_DIR)")
	usage := "usage: pg-sandbox start|stop|env|status [-dir DIR]"
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return 2
	}
	verb := args[0]
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	var err error
	switch verb {
	case "start":
		err = start(*dir, stdout)
	case "stop":
		err = stop(*dir)
	case "env":
		err = env(*dir, stdout)
	case "status":
		err = status(*dir, stdout)
	default:
		fmt.Fprintln(stderr, usage)
		return 2
	}
	if err != nil {
		fmt.Fprintf(stderr, "pg-sandbox: %v\n", err)
		return 1
	}
	return 0
}

func start(dir string, stdout io.Writer) error {
	if c, err := pgsandbox.Attach(dir); err == nil && c.Running() {
		fmt.Fprintln(stdout, c.Dir)
		return nil // already running: idempotent for the demo
	}
	if _, err := os.Stat(dir); err == nil {
		// A stale directory from a killed sandbox: start afresh.
		if err := os.RemoveAll(dir); err != nil {
			return err
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c, err := pgsandbox.Start(ctx, pgsandbox.Options{Dir: dir, Detach: true})
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, c.Dir)
	return nil
}

func stop(dir string) error {
	c, err := pgsandbox.Attach(dir)
	if errors.Is(err, fs.ErrNotExist) {
		if _, serr := os.Stat(dir); errors.Is(serr, fs.ErrNotExist) {
			return nil // nothing to stop
		}
	}
	return c.Stop() // removes the directory even when the pid file was unreadable
}

func env(dir string, stdout io.Writer) error {
	c, err := pgsandbox.Attach(dir)
	if err != nil {
		return fmt.Errorf("no sandbox in %s (run: scripts/pg-sandbox start)", dir)
	}
	for _, kv := range c.Env("postgres") {
		k, v, _ := cut(kv)
		fmt.Fprintf(stdout, "export %s=%s\n", k, strconv.Quote(v))
	}
	return nil
}

func status(dir string, stdout io.Writer) error {
	c, err := pgsandbox.Attach(dir)
	if err != nil || !c.Running() {
		return fmt.Errorf("not running (%s)", dir)
	}
	fmt.Fprintf(stdout, "running: pid %d, host %s, port %d\n", c.PID(), c.Host, c.Port)
	return nil
}

func cut(kv string) (string, string, bool) {
	for i := 0; i < len(kv); i++ {
		if kv[i] == '=' {
			return kv[:i], kv[i+1:], true
		}
	}
	return kv, "", false
}
