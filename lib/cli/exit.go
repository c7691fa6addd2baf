package cli

import (
	"errors"
	"fmt"
	"strings"

	"github.com/cronkit/cronkit/lib/outcome"
)

// Exit codes shared by every tool (DESIGN.md §5). Only this package decides
// which error becomes which code.
const (
	ExitOK          = 0
	ExitFailure     = 1
	ExitUsage       = 2
	ExitPartial     = 3
	ExitRefused     = 4
	ExitInterrupted = 130
)

// ExitCodesHelp is the exit-code table appended to every --help.
const ExitCodesHelp = `Exit codes:
  0    success
  1    failure at run time (network, server, database)
  2    usage: bad flags, arguments or input (an API's 400 too)
  3    partial: some records not posted or some collectors failed (details on stderr)
  4    refused: authentication or permission (HTTP 401/403, a wrong database password)
  130  interrupted (143 on SIGTERM)`

// ExitError carries an exit code with the error that caused it.
// A nil Err with a code is a silent exit (the tool already said what it had to).
type ExitError struct {
	Code  int
	Err   error
	usage bool // a usage error: Tool.UsageCode may replace the code
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit status %d", e.Code)
	}
	return e.Err.Error()
}

func (e *ExitError) Unwrap() error { return e.Err }

// WithCode wraps err so that it exits with code. A nil err stays nil.
func WithCode(code int, err error) error {
	if err == nil {
		return nil
	}
	return &ExitError{Code: code, Err: err}
}

// Exit returns an error that exits with code and prints nothing.
func Exit(code int) error { return &ExitError{Code: code} }

// Usagef reports bad flags, arguments or input (exit 2).
func Usagef(format string, args ...any) error {
	return &ExitError{Code: ExitUsage, Err: fmt.Errorf(format, args...), usage: true}
}

// isUsage reports whether err is a usage error (bad flags, arguments, config)
// rather than an exit code chosen by the command or input an API refused:
// only a usage error gets the "see --help" hint and Tool.UsageCode.
func isUsage(err error) bool {
	var ee *ExitError
	if errors.As(err, &ee) {
		return ee.usage
	}
	var oe *outcome.Error
	if errors.As(err, &oe) {
		return oe.Kind == outcome.Usage
	}
	return isCobraUsage(err)
}

// silent reports whether err has nothing to say: the tool said it already.
func silent(err error) bool {
	var ee *ExitError
	if errors.As(err, &ee) {
		return ee.Err == nil
	}
	var oe *outcome.Error
	return errors.As(err, &oe) && oe.Err == nil
}

func isCobraUsage(err error) bool {
	msg := err.Error()
	for _, p := range cobraUsagePrefixes {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}

// Partialf reports a run where some work failed (exit 3).
func Partialf(format string, args ...any) error {
	return &ExitError{Code: ExitPartial, Err: fmt.Errorf(format, args...)}
}

// Refusedf reports an authentication or permission refusal (exit 4).
func Refusedf(format string, args ...any) error {
	return &ExitError{Code: ExitRefused, Err: fmt.Errorf(format, args...)}
}

// cobra reports its own usage errors as plain errors; these prefixes name them.
var cobraUsagePrefixes = []string{
	"unknown command", "unknown flag", "unknown shorthand flag", "invalid argument",
	"flag needs an argument", "accepts ", "requires at least", "requires at most",
	"requires exactly", "bad flag syntax", "invalid command", "if any flags in the group",
	"none of the others can be",
}

// kindCodes are the exit codes of the outcome kinds (the README's table).
var kindCodes = map[outcome.Kind]int{
	outcome.Failed: ExitFailure, outcome.Usage: ExitUsage, outcome.BadInput: ExitUsage,
	outcome.Partial: ExitPartial, outcome.Refused: ExitRefused, outcome.Interrupted: ExitInterrupted,
}

// Code maps an error to the process exit code (the README's table):
//
//   - an *ExitError: the code the command chose;
//   - otherwise what the error says about itself (outcome.Of): an
//     *outcome.Error's kind, a Coded one its Code (1-255, else 1); context.Canceled: 130; HTTP 401 or 403, SQLSTATE
//     class 28 (28000, 28P01: a wrong user or password): 4, refused; HTTP
//     400, a library's bad input: 2; other HTTP statuses and database
//     errors: 1;
//   - cobra's usage errors: 2;
//   - anything else (network errors, say): 1.
//
// Libraries say what went wrong through lib/outcome, so that they need not
// import this package and every tool maps the same failure to the same code
// (Code is the one place that decides).
func Code(err error) int {
	if err == nil {
		return ExitOK
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		return ee.Code
	}
	k := outcome.Of(err)
	if k == outcome.Coded {
		return coded(err)
	}
	if c, ok := kindCodes[k]; ok {
		return c
	}
	if isCobraUsage(err) {
		return ExitUsage
	}
	return ExitFailure
}

// coded is the exit code a Coded outcome carries: a protocol's own (a
// Nagios plugin's 1-3). One outside 1-255 is a failure, never a success.
func coded(err error) int {
	var oe *outcome.Error
	if errors.As(err, &oe) && oe.Code > 0 && oe.Code < 256 {
		return oe.Code
	}
	return ExitFailure
}
