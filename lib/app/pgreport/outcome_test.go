package pgreport

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/cronkit/cronkit/lib/outcome"
)

// Each typed error says its lib/outcome kind wherever it is made, so that
// lib/cli alone gives the exit code (and a Usage error the --help hint):
// the table cmd/pgreport's exitError once kept. lib/cli's
// TestReportOutcome turns these kinds into codes and stderr lines.
func TestErrorOutcomes(t *testing.T) {
	usage := &UsageError{Err: errors.New("rules.yaml:3: x")}
	for _, tt := range []struct {
		name   string
		err    error
		kind   outcome.Kind
		code   int  // Coded's exit code
		silent bool // the outcome has nothing to say: stdout said it
	}{
		{"usage", usage, outcome.Usage, 0, false},
		{"usage, wrapped", fmt.Errorf("rules: %w", usage), outcome.Usage, 0, false},
		{"no API key", &UsageError{Err: ErrNoAPIKey}, outcome.Usage, 0, false},
		{"connection string", &ConnStringError{Err: errors.New("connection string: bad")}, outcome.BadInput, 0, false},
		{"partial", &PartialError{Msg: "partial report: tables: x"}, outcome.Partial, 0, false},
		{"findings", &FindingsError{Critical: 1, Warning: 2}, outcome.Failed, 0, false},
		{"nagios verdict", &PluginError{Code: 2}, outcome.Coded, 2, true},
		{"nagios unknown, around a usage error", &PluginError{Code: 3, Err: usage}, outcome.Coded, 3, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var oe *outcome.Error
			if !errors.As(tt.err, &oe) || outcome.Of(tt.err) != tt.kind || oe.Kind != tt.kind || oe.Code != tt.code {
				t.Fatalf("%v: outcome %+v, want kind %v code %d", tt.err, oe, tt.kind, tt.code)
			}
			if got := oe.Err == nil; got != tt.silent {
				t.Errorf("silent %v, want %v", got, tt.silent)
			}
		})
	}
}

// The same from real runs: a push without a key, check's verdicts.
func TestRunOutcomes(t *testing.T) {
	env, _ := testEnv(t, "{}")
	o := pushOpts(env, "http://127.0.0.1:1/api/v1/report")
	o.APIKey = ""
	if err := RunPush(context.Background(), o); outcome.Of(err) != outcome.Usage || !errors.Is(err, ErrNoAPIKey) {
		t.Errorf("push without a key: %v, kind %v", err, outcome.Of(err))
	}
	for _, tt := range []struct {
		file, format string
		kind         outcome.Kind
		code         int
	}{
		{"crit.json", "text", outcome.Failed, 0},
		{"partial.json", "text", outcome.Partial, 0},
		{"warn.json", "nagios", outcome.Coded, 1},
		{"crit.json", "nagios", outcome.Coded, 2},
		{"partial.json", "nagios", outcome.Coded, 3},
	} {
		env, _ := testEnv(t, "")
		err := RunCheck(context.Background(), checkOpts(env, tt.file, tt.format))
		var oe *outcome.Error
		if !errors.As(err, &oe) || oe.Kind != tt.kind || oe.Code != tt.code {
			t.Errorf("check %s -f %s: %v, outcome %+v; want %v %d", tt.file, tt.format, err, oe, tt.kind, tt.code)
		}
	}
}
