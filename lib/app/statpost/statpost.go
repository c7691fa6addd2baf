// Package statpost is statpost's behaviour behind its flags: posting records
// read from stdin (RunPost), one count or value (RunCount), a command's
// duration (RunTime) and the spool commands (SpoolStatus, SpoolFlush,
// SpoolDrop), on injected streams and clock. cmd/statpost binds the flags,
// the environment and the config file into Options, words a KeyError in
// its own flags and hands the rest to lib/cli: errors of lib/outcome's
// kinds (a run's outcome: Partial, Failed, Refused, BadInput, Interrupted)
// and what the receivers' errors say about themselves.
package statpost

import (
	"cmp"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/cronkit/cronkit/lib/httpx"
	"github.com/cronkit/cronkit/lib/outcome"
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
	o.Stdin = cmp.Or[io.Reader](o.Stdin, strings.NewReader(""))
	o.Stdout = cmp.Or[io.Writer](o.Stdout, io.Discard)
	o.Stderr = cmp.Or[io.Writer](o.Stderr, io.Discard)
	o.Logger = cmp.Or(o.Logger, slog.New(slog.DiscardHandler))
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

func usagef(format string, args ...any) error { return outcome.Errorf(outcome.Usage, format, args...) }

// KeyError says that a sink has no key to post with: the command words
// where one is set (its environment variable, flag and config key).
type KeyError struct{ Sink string }

func (e *KeyError) Error() string  { return "no " + e.Sink + " key" }
func (e *KeyError) BadInput() bool { return true }
