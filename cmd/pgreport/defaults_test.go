package main

import (
	"io"
	"strings"
	"testing"

	"github.com/cronkit/cronkit/lib/cli"
)

// The connect timeout defaults to pgmetrics' (its --timeout, 5 s, bounds the
// connect too; shared/reference/pgmetrics.md "general"): a server that
// accepts and never answers costs no more than it would with pgmetrics
// (issue 19).
func TestConnectTimeoutDefaultIsPgmetrics(t *testing.T) {
	root := newRoot(&cli.Env{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: io.Discard})
	f := root.Cmd.Flags().Lookup("connect-timeout")
	if f == nil {
		f = root.Cmd.PersistentFlags().Lookup("connect-timeout")
	}
	if f == nil || f.DefValue != "5s" {
		t.Fatalf("--connect-timeout = %v, want a flag defaulting to 5s", f)
	}
}
