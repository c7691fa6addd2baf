package cli

import (
	"bytes"
	"errors"
	"fmt"
	"testing"

	"github.com/cronkit/cronkit/lib/outcome"
)

// Libraries and app packages say the kind of a failure (lib/outcome); the
// exit code and the --help hint are this package's to give.
func TestReportOutcome(t *testing.T) {
	for _, tt := range []struct {
		name   string
		err    error
		code   int
		stderr string
	}{
		{"usage gets the hint", outcome.Errorf(outcome.Usage, "--kind: bad"), 2, "demo: --kind: bad (see 'demo --help')\n"},
		{"bad input gets none", fmt.Errorf("stdin: %w", outcome.Errorf(outcome.BadInput, "not a number")), 2, "demo: stdin: not a number\n"},
		{"partial is silent without a message", &outcome.Error{Kind: outcome.Partial}, 3, ""},
		{"refused", &outcome.Error{Kind: outcome.Refused}, 4, ""},
		{"failed", outcome.Wrap(outcome.Failed, errors.New("listen: address in use")), 1, "demo: listen: address in use\n"},
		{"failed wins over what it wraps", outcome.Wrap(outcome.Failed, badInput{}), 1, "demo: 2 checks are named \"x\"\n"},
		{"interrupted", outcome.Errorf(outcome.Interrupted, "interrupted"), 130, "demo: interrupted\n"},
		{"an unknown kind is a failure", &outcome.Error{Kind: 99, Err: errors.New("x")}, 1, "demo: x\n"},
		{"unknown, wrapped", &outcome.Error{Kind: outcome.Unknown, Err: errors.New("x")}, 1, "demo: x\n"},
		// hcctl's kinds (lib/app/hcctl), once mapped by cmd/hcctl's cliErr
		{"usage, wrapped", fmt.Errorf("apply: %w", outcome.Errorf(outcome.Usage, "--tag \"\": want one tag")), 2, "demo: apply: --tag \"\": want one tag (see 'demo --help')\n"},
		{"refused with a message", outcome.Errorf(outcome.Refused, "update check \"x\": the API key is read-only"), 4, "demo: update check \"x\": the API key is read-only\n"},
		{"partial with a message", outcome.Errorf(outcome.Partial, "1 of 3 writes failed"), 3, "demo: 1 of 3 writes failed\n"},
		{"a usage error says it is bad input, but gets the hint", outcome.Errorf(outcome.Usage, "-n -1"), 2, "demo: -n -1 (see 'demo --help')\n"},
		// pgreport's (lib/app/pgreport), once mapped by cmd/pgreport's exitError
		{"findings fail", outcome.Errorf(outcome.Failed, "check: 1 critical, 2 warning finding(s)"), 1, "demo: check: 1 critical, 2 warning finding(s)\n"},
		{"a Nagios verdict: its code, silent", &outcome.Error{Kind: outcome.Coded, Code: 2}, 2, ""},
		{"a Nagios UNKNOWN: its code over the usage error it wraps, no hint", &outcome.Error{Kind: outcome.Coded, Code: 3,
			Err: outcome.Errorf(outcome.Usage, "rules.yaml:3: x")}, 3, "demo: rules.yaml:3: x\n"},
		{"a code of 0 is no success", &outcome.Error{Kind: outcome.Coded, Err: errors.New("x")}, 1, "demo: x\n"},
		{"a code over 255 is a failure", &outcome.Error{Kind: outcome.Coded, Code: 256}, 1, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var errb bytes.Buffer
			r := NewRoot(&Env{Stdout: &bytes.Buffer{}, Stderr: &errb}, Tool{Name: "demo"})
			if code := r.Report(tt.err, nil); code != tt.code || errb.String() != tt.stderr {
				t.Errorf("exit %d, stderr %q; want %d, %q", code, errb.String(), tt.code, tt.stderr)
			}
		})
	}
	// runwrap's UsageCode replaces a usage outcome's code as any usage error's
	r := NewRoot(&Env{Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}}, Tool{Name: "demo", UsageCode: 125})
	if code := r.Report(outcome.Errorf(outcome.Usage, "bad"), nil); code != 125 {
		t.Errorf("UsageCode: exit %d, want 125", code)
	}
}
