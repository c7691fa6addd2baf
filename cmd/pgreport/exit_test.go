package main

import (
	"errors"
	"io"
	"strings"
	"testing"

	app "github.com/cronkit/cronkit/lib/app/pgreport"
	"github.com/cronkit/cronkit/lib/cli"
)

// The app's typed errors get the README's exit codes here, and only a
// usage error gets the --help hint; -f nagios keeps the plugin's codes.
func TestExitError(t *testing.T) {
	for _, tt := range []struct {
		name   string
		err    error
		code   int
		stderr string
	}{
		{"usage", &app.UsageError{Err: errors.New("--top must be positive")}, 2, "pgreport: --top must be positive (see 'pgreport --help')\n"},
		{"connection string", &app.ConnStringError{Err: errors.New("connection string: bad")}, 2, "pgreport: connection string: bad\n"},
		{"partial", &app.PartialError{Msg: "partial report: tables: x"}, 3, "pgreport: partial report: tables: x\n"},
		{"findings", &app.FindingsError{Critical: 1, Warning: 2}, 1, "pgreport: check: 1 critical, 2 warning finding(s)\n"},
		{"nagios verdict", &app.PluginError{Code: 2}, 2, ""},
		{"nagios unknown", &app.PluginError{Code: 3, Err: &app.UsageError{Err: errors.New("rules.yaml:3: x")}}, 3, "pgreport: rules.yaml:3: x\n"},
		{"other", errors.New("server down"), 1, "pgreport: server down\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var stderr strings.Builder
			r := newRoot(&cli.Env{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: &stderr,
				LookupEnv: func(string) (string, bool) { return "", false }})
			if code := r.Report(exitError(tt.err), nil); code != tt.code || stderr.String() != tt.stderr {
				t.Errorf("exit %d, stderr %q; want %d, %q", code, stderr.String(), tt.code, tt.stderr)
			}
		})
	}
}

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
