package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
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
	return isCobraUsage(err)
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

// Libraries say what went wrong through these small interfaces, so that they
// need not import this package and every tool maps the same failure to the
// same code (Code is the one place that decides).
type (
	// httpStatusError is an HTTP answer that was not a success
	// (lib/httpx.StatusError, lib/hc.APIError).
	httpStatusError interface{ HTTPStatus() int }
	// sqlStateError is an error reported by PostgreSQL (pgx's *pgconn.PgError,
	// also inside the *pgconn.ConnectError of a failed connection).
	sqlStateError interface{ SQLState() string }
	// badInputError is input a library found wrong (an ambiguous name, say).
	badInputError interface{ BadInput() bool }
)

// Code maps an error to the process exit code (the README's table):
//
//   - an *ExitError: the code the command chose;
//   - context.Canceled: 130;
//   - HTTP 401 or 403, SQLSTATE class 28 (28000, 28P01: a wrong user or
//     password): 4, refused;
//   - HTTP 400, a library's bad input, cobra's usage errors: 2;
//   - anything else (network, other statuses, database errors): 1.
func Code(err error) int {
	if err == nil {
		return ExitOK
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		return ee.Code
	}
	if errors.Is(err, context.Canceled) {
		return ExitInterrupted
	}
	var hs httpStatusError
	if errors.As(err, &hs) {
		switch hs.HTTPStatus() {
		case 401, 403:
			return ExitRefused
		case 400:
			return ExitUsage
		}
		return ExitFailure
	}
	var ss sqlStateError
	if errors.As(err, &ss) {
		if strings.HasPrefix(ss.SQLState(), "28") {
			return ExitRefused
		}
		return ExitFailure
	}
	var bi badInputError
	if errors.As(err, &bi) && bi.BadInput() {
		return ExitUsage
	}
	if isCobraUsage(err) {
		return ExitUsage
	}
	return ExitFailure
}
