// Package statpost is statpost's behaviour behind its flags: posting records
// read from stdin (RunPost), one count or value (RunCount), a command's
// duration (RunTime) and the spool commands (SpoolStatus, SpoolFlush,
// SpoolDrop), on injected streams and clock. cmd/statpost binds the flags,
// the environment and the config file into Options and hands the typed
// errors returned here to lib/cli.
package statpost

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"time"

	"github.com/cronkit/cronkit/lib/httpx"
)

// Options are what every posting command shares: where records go (the
// sinks and the options that place records at a destination) and how.
type Options struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// Logger says what -v asks for (info) and -vv (debug); nil: nothing.
	Logger *slog.Logger
	// Warnf says a problem that does not stop the run; nil: on Stderr.
	Warnf func(format string, args ...any)
	// Secrets are redacted from every message.
	Secrets []string
	// Verbose traces StatHat's requests on Stderr.
	Verbose bool
	// Now is the clock; nil: time.Now.
	Now func() time.Time
	// Getenv places the default spool directory ($XDG_STATE_HOME, $HOME).
	Getenv func(string) string
	// HTTP is the policy of every HTTP sink's client.
	HTTP httpx.Options
	// HTTPErr says what is wrong with the HTTP policy (the command's range
	// check of its flags): every use of the sinks fails with it.
	HTTPErr error

	Sinks         []string // --sink specs; none: stathat
	APIURL        string   // StatHat's base URL
	EZKey         string
	DryRun        bool
	AllowEmpty    bool
	Tee           bool
	AtLeastOnce   bool
	Kind          string // kind of NAME NUMBER text lines
	From          string // records or prometheus
	Batch         int
	FlushInterval time.Duration
	SpoolDir      string // "": spool.Dir(Getenv)
	StatsDMTU     int
	Journal       bool
	Fsync         bool

	Job    string   // pushgateway
	Labels []string // pushgateway KEY=VALUE

	InfluxDB, InfluxOrg, InfluxBucket, InfluxToken string

	StatuspagePage    string
	StatuspageMetrics []string // NAME=METRIC_ID
	StatuspageKey     string
}

func (o Options) withDefaults() Options {
	if o.Stdin == nil {
		o.Stdin = eofReader{}
	}
	if o.Stdout == nil {
		o.Stdout = io.Discard
	}
	if o.Stderr == nil {
		o.Stderr = io.Discard
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Warnf == nil {
		stderr := o.Stderr
		o.Warnf = func(format string, args ...any) {
			fmt.Fprintf(stderr, "statpost: warning: %s\n", fmt.Sprintf(format, args...))
		}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Getenv == nil {
		o.Getenv = func(string) string { return "" }
	}
	return o
}

type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }

// UsageError is bad flags, arguments or input: exit 2, with the command's
// hint to its --help.
type UsageError struct{ Err error }

func (e *UsageError) Error() string  { return e.Err.Error() }
func (e *UsageError) Unwrap() error  { return e.Err }
func (e *UsageError) BadInput() bool { return true }

func usagef(format string, args ...any) error {
	return &UsageError{Err: fmt.Errorf(format, args...)}
}

// KeyError says that a sink has no key to post with: the command words
// where one is set (its environment variable, flag and config key).
type KeyError struct{ Sink string }

func (e *KeyError) Error() string  { return "no " + e.Sink + " key" }
func (e *KeyError) BadInput() bool { return true }

// Outcome is what a run that did not deliver everything weighs, lightest
// first: the README's exit codes 3, 1, 4, 2, 130 in their documented order of
// precedence (130, 2, 4, 1, 3).
type Outcome int

const (
	Partial     Outcome = iota + 1 // spooled, or possibly lost after an ambiguous failure (3)
	Failed                         // rejected, lost, a read error, a producer that failed (1)
	Refused                        // a receiver refused the credentials (4)
	BadInput                       // bad lines, or records a receiver answered 400 (2)
	Interrupted                    // SIGINT or SIGTERM (130)
)

// RunError is a run's Outcome. Err is what to say on stderr; nil: the
// details are on stderr already.
type RunError struct {
	Outcome Outcome
	Err     error
}

func (e *RunError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("statpost: outcome %d", e.Outcome)
	}
	return e.Err.Error()
}

func (e *RunError) Unwrap() error { return e.Err }

// OutcomeOf is err's Outcome, 0 for nil or an error that is no RunError.
func OutcomeOf(err error) Outcome {
	var re *RunError
	if errors.As(err, &re) {
		return re.Outcome
	}
	return 0
}

// weigh is what a receiver's error says about itself, through the
// interfaces lib/cli.Code reads: 401/403 refused, 400 or bad input, the rest
// a failure.
func weigh(err error) Outcome {
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
	var bi interface{ BadInput() bool }
	if errors.As(err, &bi) && bi.BadInput() {
		return BadInput
	}
	return Failed
}

// records is "1 record" or "N records".
func records[T ~int | ~int64](n T) string {
	if n == 1 {
		return "1 record"
	}
	return strconv.FormatInt(int64(n), 10) + " records"
}
