// Package outcome names how an operation ended short of success, in the
// terms of the README's exit table, for the packages that may not import
// lib/cli (app and domain packages): they return an *Error of a Kind, or
// an error that says what it is (HTTPStatus, SQLState, BadInput), and
// lib/cli alone maps the Kind to an exit code. A tool that speaks a
// protocol of exit codes (a Nagios plugin's 1-3) says its code with the
// Coded kind; lib/cli still decides, and gives that code.
package outcome

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// Kind is how an operation failed.
type Kind int

const (
	Unknown     Kind = iota // the error says nothing about itself
	Failed                  // failure at run time (exit 1)
	Usage                   // bad flags or arguments: the command adds its --help hint (exit 2)
	BadInput                // bad input data, a bad query, an API's 400 (exit 2, no hint)
	Partial                 // some of the work was not done, the details are said (exit 3)
	Refused                 // authentication or permission (exit 4)
	Interrupted             // SIGINT or SIGTERM (exit 130)
	// Coded: the exit code is part of what the tool promises (Error.Code,
	// 1-255: pgreport check -f nagios's 1 WARNING, 2 CRITICAL, 3 UNKNOWN),
	// not a kind of failure of this table; outside 1-255 it is Failed's 1,
	// so that no error exits 0.
	Coded
)

var names = [...]string{"unknown", "failed", "usage", "bad input", "partial", "refused", "interrupted", "coded"}

func (k Kind) String() string {
	if k < 0 || int(k) >= len(names) {
		return fmt.Sprintf("outcome.Kind(%d)", int(k))
	}
	return names[k]
}

// Error is an error of a Kind. A nil Err is a silent failure: what went
// wrong is said already (on stderr), only the exit code is left to give.
type Error struct {
	Kind Kind
	Code int // Coded's exit code; unused by the other kinds
	Err  error
}

func (e *Error) Error() string {
	if e.Err == nil {
		return e.Kind.String()
	}
	return e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// BadInput: a Usage or BadInput error is the user's to fix (as the
// BadInput() of lib/hc's and lib/pgdash's errors says).
func (e *Error) BadInput() bool { return e.Kind == Usage || e.Kind == BadInput }

// Errorf is an *Error of kind k saying format.
func Errorf(k Kind, format string, args ...any) error {
	return &Error{Kind: k, Err: fmt.Errorf(format, args...)}
}

// Wrap gives err the kind k; a nil err stays nil.
func Wrap(k Kind, err error) error {
	if err == nil {
		return nil
	}
	return &Error{Kind: k, Err: err}
}

// Of is what err says about itself: an *Error its Kind; a cancelled
// context Interrupted; an HTTP answer (HTTPStatus) 401 or 403 Refused, 400
// BadInput, any other Failed; a PostgreSQL error (SQLState) of class 28 (a
// wrong user or password) Refused, any other Failed; BadInput() true
// BadInput. Anything else, and nil, is Unknown.
func Of(err error) Kind {
	var oe *Error
	if errors.As(err, &oe) {
		return oe.Kind
	}
	if errors.Is(err, context.Canceled) {
		return Interrupted
	}
	var hs interface{ HTTPStatus() int }
	if errors.As(err, &hs) {
		switch hs.HTTPStatus() {
		case 401, 403:
			return Refused
		case 400:
			return BadInput
		}
		return Failed
	}
	var ss interface{ SQLState() string }
	if errors.As(err, &ss) {
		if strings.HasPrefix(ss.SQLState(), "28") {
			return Refused
		}
		return Failed
	}
	var bi interface{ BadInput() bool }
	if errors.As(err, &bi) && bi.BadInput() {
		return BadInput
	}
	return Unknown
}
