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
