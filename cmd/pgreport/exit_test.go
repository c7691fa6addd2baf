package main

import (
	"io"
	"strings"
	"testing"

	"github.com/cronkit/cronkit/lib/cli"
)

// The app says a key is missing; the command says where one comes from.
func TestPushNoKeyHint(t *testing.T) {
	var stderr strings.Builder
	e := &cli.Env{Stdin: strings.NewReader("{}"), Stdout: io.Discard, Stderr: &stderr, LookupEnv: func(string) (string, bool) { return "", false }}
	code := cli.Execute(newRoot(e), []string{"push", "--server", "db7"})
	want := "pgreport: no API key: set PGDASH_API_KEY or --api-key (file:/path to read it from a file) (see 'pgreport push --help')\n"
	if code != cli.ExitUsage || stderr.String() != want {
		t.Errorf("exit %d, stderr %q; want 2, %q", code, stderr.String(), want)
	}
}
