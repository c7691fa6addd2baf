// Package pgreport holds pgreport's use cases behind its flags: the report
// (RunReport), the alert rules (RunCheck, ListRules) and the pgDash
// submission (RunPush), each a function of its options with injected
// streams and clock, so that what the README says pgreport does is testable
// by a function call. cmd/pgreport binds the flags and the environment and
// words the hints; lib/cli maps the errors returned here to exit codes
// (docs/architecture.md, "app"): each typed error below unwraps to the
// lib/outcome error of its kind, so that it says its exit code wherever it
// is made. It is not a public API.
package pgreport

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/cronkit/cronkit/lib/metric"
	"github.com/cronkit/cronkit/lib/outcome"
	"github.com/cronkit/cronkit/lib/redact"
	"github.com/cronkit/cronkit/lib/version"
)

// Env is what a run reads and writes besides its options: the streams, the
// logger, the secrets to redact, the clock and the password prompt. Zero
// fields are safe: no input, discarded output and logs, no warnings, the
// real clock, no prompt.
type Env struct {
	Stdin   io.Reader
	Stdout  io.Writer
	Logger  *slog.Logger            // info and debug on stderr; nil: discarded
	Warnf   func(string, ...any)    // "pgreport: warning: ..." (not with -q); nil: none
	Getenv  func(key string) string // the state file's default place; nil: os.Getenv
	Secrets []string                // redacted from error records, Nagios lines and pgDash's errors
	Now     func() time.Time        // nil: time.Now
	Prompt  func() (string, error)  // asks for the password (-W); nil: never asked
}

func (e *Env) defaults() {
	if e.Stdin == nil {
		e.Stdin = strings.NewReader("")
	}
	if e.Stdout == nil {
		e.Stdout = io.Discard
	}
	if e.Logger == nil {
		e.Logger = slog.New(slog.DiscardHandler)
	}
	if e.Warnf == nil {
		e.Warnf = func(string, ...any) {}
	}
	if e.Getenv == nil {
		e.Getenv = os.Getenv
	}
	if e.Now == nil {
		e.Now = time.Now
	}
}

// userAgent is application_name and meta.user_agent.
func userAgent() string { return "pgreport/" + version.String() }

// UsageError is a wrong option or input: a flag's value, flags that
// contradict each other, an unreadable --input or rules file. Usage: exit
// 2 with the "see --help" hint.
type UsageError struct{ Err error }

func usagef(format string, args ...any) error {
	return &UsageError{Err: fmt.Errorf(format, args...)}
}

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return outcome.Wrap(outcome.Usage, e.Err) }

// BadInput: the user's to fix (lib/cli reads the Usage outcome it unwraps to).
func (e *UsageError) BadInput() bool { return true }

// ConnStringError is a connection string (or -h with a URL) that does not
// parse: exit 2, found before any prompt or dial, with no --help hint
// (the libpq syntax is not pgreport's): BadInput.
type ConnStringError struct{ Err error }

func (e *ConnStringError) Error() string  { return e.Err.Error() }
func (e *ConnStringError) Unwrap() error  { return outcome.Wrap(outcome.BadInput, e.Err) }
func (e *ConnStringError) BadInput() bool { return true }

// PartialError is a run whose output is complete but for the parts it
// names (failed sections, UNKNOWN rules): Partial, exit 3.
type PartialError struct{ Msg string }

func (e *PartialError) Error() string { return e.Msg }

// Unwrap says the message again (as FindingsError's): an outcome without
// one is silent, lib/cli would print nothing.
func (e *PartialError) Unwrap() error { return outcome.Errorf(outcome.Partial, "%s", e.Msg) }

// FindingsError is check's verdict: findings at --fail-on or worse (Failed,
// exit 1). The output is complete: no error record follows it.
type FindingsError struct{ Critical, Warning int }

func (e *FindingsError) Error() string {
	return fmt.Sprintf("check: %d critical, %d warning finding(s)", e.Critical, e.Warning)
}

func (e *FindingsError) Unwrap() error { return outcome.Errorf(outcome.Failed, "%s", e.Error()) }

// PluginError is check -f nagios's exit: the plugin code (1 WARNING,
// 2 CRITICAL, 3 UNKNOWN), lib/outcome's Coded. With a nil Err the status
// line says it all (a silent outcome); otherwise Err is why the check is
// UNKNOWN, for stderr, without a --help hint even if Err is a usage error.
type PluginError struct {
	Code int
	Err  error
}

func (e *PluginError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit status %d", e.Code)
	}
	return e.Err.Error()
}

func (e *PluginError) Unwrap() error {
	return &outcome.Error{Kind: outcome.Coded, Code: e.Code, Err: e.Err}
}

// writeErrorRecord ends the metric records with an error record carrying the
// line pgreport prints on stderr (secrets redacted): `pgreport -f metrics |
// statpost` under dash has no pipefail, so the consumer learns of the failure
// only from the stream. A stdout that cannot be written to is not reported again.
func writeErrorRecord(e *Env, err error) {
	mw := metric.NewWriter(e.Stdout)
	msg := redact.String(err.Error(), e.Secrets...)
	if mw.WriteError(metric.ErrorRecord{Msg: msg, Source: "pgreport", Time: e.Now()}) == nil {
		_ = mw.Flush()
	}
}

// readInput reads a file, or stdin for "-", and names it for messages.
func readInput(path string, stdin io.Reader) (name string, b []byte, err error) {
	if path == "-" {
		b, err = io.ReadAll(stdin)
		return "stdin", b, err
	}
	b, err = os.ReadFile(path)
	return path, b, err
}
