// Package hcctl holds hcctl's use cases behind its flags: one RunX(ctx,
// XOptions) per subcommand, with injected streams, API client and clock, so
// that everything hcctl does is testable by a function call (cmd/hcctl keeps
// the flags, the config binding and the wording of hints that name them).
// It returns typed errors (lib/outcome's, lib/hc's) and never picks an exit code.
// Not a public API.
package hcctl

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/cronkit/cronkit/lib/hc"
	"github.com/cronkit/cronkit/lib/httpx"
	"github.com/cronkit/cronkit/lib/outcome"
)

// Env is what every use case is given by the command: streams, the API
// client and the command's wording of errors.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// Terminal: Stdout is a terminal (tables by default, not JSON Lines).
	Terminal bool
	// StdinTerminal: Stdin is a terminal to ask on (checks delete).
	StdinTerminal bool
	// API returns the Management API client; it is called only once the
	// options are checked, so its own errors (no key) come after theirs.
	API func() (*hc.API, error)
	// HTTP returns the client for a ping URL (hcctl ping).
	HTTP func() *httpx.Client
	// Hint adds the command's hint to a domain error whose fix is one of
	// its flags or commands (a bad --api-url, a channel hcctl channels
	// lists); nil adds none.
	Hint    func(error) error
	Warnf   func(format string, args ...any)
	Logger  *slog.Logger
	Now     func() time.Time
	Secrets []string // redacted from what is written to Stdout (error records)
}

func (e *Env) hint(err error) error {
	if e.Hint == nil || err == nil {
		return err
	}
	return e.Hint(err)
}

func (e *Env) warnf(format string, args ...any) {
	if e.Warnf != nil {
		e.Warnf(format, args...)
	}
}

func (e *Env) logger() *slog.Logger {
	if e.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return e.Logger
}

func (e *Env) now() time.Time {
	if e.Now == nil {
		return time.Now()
	}
	return e.Now()
}

// Kind, Error and the kinds hcctl returns are lib/outcome's, by the names
// this package has always used: lib/cli maps them to exit codes (a Usage
// error with the "see --help" hint), the command has nothing to map.
type (
	Kind  = outcome.Kind
	Error = outcome.Error
)

const (
	Usage   = outcome.Usage   // bad flags, arguments or input (exit 2)
	Refused = outcome.Refused // authentication or permission (exit 4)
	Partial = outcome.Partial // some of the work failed (exit 3)
)

func usagef(format string, args ...any) error { return outcome.Errorf(Usage, format, args...) }

func refusedf(format string, args ...any) error { return outcome.Errorf(Refused, format, args...) }

func partialf(format string, args ...any) error { return outcome.Errorf(Partial, format, args...) }

// refused reports whether a write failed for the key's rights: a 401 or
// 403 from the server, or this package's refusal.
func refused(err error) bool { return outcome.Of(err) == Refused }

// outFormat resolves -f: table on a terminal, jsonl otherwise.
func (e *Env) outFormat(f string, allowed ...string) (string, error) {
	if f == "" {
		f = "jsonl"
		if e.Terminal {
			f = "table"
		}
	}
	for _, a := range allowed {
		if f == a {
			return f, nil
		}
	}
	return "", usagef("-f %s: want one of %s", f, strings.Join(allowed, ", "))
}

// resolve returns the API client and the check ref names (UUID, slug or name).
func (e *Env) resolve(ctx context.Context, ref string) (*hc.API, hc.Check, error) {
	a, err := e.API()
	if err != nil {
		return nil, hc.Check{}, err
	}
	c, err := a.Resolve(ctx, ref)
	if err != nil {
		return nil, hc.Check{}, e.hint(err)
	}
	return a, c, nil
}

// resolveWritable is resolve for operations that need the check's UUID,
// which the API shows to read-write keys only; op names the operation.
func (e *Env) resolveWritable(ctx context.Context, ref, op string) (*hc.API, hc.Check, string, error) {
	a, c, err := e.resolve(ctx, ref)
	if err != nil {
		return nil, c, "", err
	}
	id, err := writableID(c, op)
	if err != nil {
		return nil, c, "", err
	}
	return a, c, id, nil
}

// writableID is the UUID of c for an operation that needs a read-write key:
// a read-only key sees checks without UUIDs (only unique_key), so such an
// operation is refused here with the reason rather than sent to a 404.
func writableID(c hc.Check, op string) (string, error) {
	if id := c.ID(); hc.IsUUID(id) {
		return id, nil
	}
	return "", refusedf("%s %q: the API key is read-only; a read-write key is needed", op, c.Name)
}

// namedErr puts the check's name where an API error quotes its UUID: the
// user asked for "backups", not for 5bf66975-... .
func namedErr(err error, c hc.Check) error {
	var ae *hc.APIError
	if errors.As(err, &ae) && c.Name != "" && c.ID() != "" {
		ae.Op = strings.Replace(ae.Op, c.ID(), strconv.Quote(c.Name), 1)
	}
	return err
}

// checkTags refuses a --tag filter that can never match: Healthchecks tags
// are space-separated words, so "" or "prod db" would select no check (and a
// status gate or --prune on it would silently do nothing).
func checkTags(tags []string) error {
	for _, t := range tags {
		if t == "" || len(strings.Fields(t)) != 1 || strings.TrimSpace(t) != t {
			return usagef("--tag %q: want one tag, a word without blanks (repeat --tag for several)", t)
		}
	}
	return nil
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
