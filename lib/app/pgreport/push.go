package pgreport

import (
	"context"
	"errors"
	"time"

	"github.com/cronkit/cronkit/lib/pgdash"
)

// PushOptions are `pgreport push`'s options.
type PushOptions struct {
	Env
	Server         string // the name pgDash shows
	APIURL         string // "": pgdash.DefaultURL
	APIKey         string
	Input          string // the report file; "-": Stdin
	Retries        int    // after the first attempt
	AttemptTimeout time.Duration
	Deadline       time.Duration // all attempts
	MaxAge         time.Duration // refuse reports collected longer ago
}

// ErrNoAPIKey is a push without a pgDash key (a *UsageError): the command
// says where a key comes from (its flag, its environment variable, a file).
var ErrNoAPIKey = errors.New("no API key")

// RunPush checks one JSON report as pgDash would and submits it. A report
// pgDash would refuse is a *UsageError (or pgdash's *InputError); pgDash's
// own answers keep their HTTP status (lib/cli: 400 bad input, 401/403
// refused, the rest failures).
func RunPush(ctx context.Context, o PushOptions) error {
	o.defaults()
	if err := o.validate(); err != nil {
		return err
	}
	name, raw, err := readInput(o.Input, o.Stdin)
	if err != nil {
		return usagef("--input: %v", err)
	}
	data, err := pgdash.CheckReport(name, raw, o.MaxAge, o.Now())
	if err != nil {
		return &UsageError{Err: err}
	}
	res, err := pgdash.Submit(ctx, pgdash.Options{URL: o.APIURL, APIKey: o.APIKey, Server: o.Server,
		Retries: o.Retries, AttemptTimeout: o.AttemptTimeout, Deadline: o.Deadline,
		Logger: o.Logger, Secrets: o.Secrets}, data)
	if err != nil {
		return err
	}
	o.Logger.Info("report submitted", "server", o.Server, "bytes", res.Bytes, "attempts", res.Attempts)
	return nil
}

func (o *PushOptions) validate() error {
	switch {
	case o.Server == "":
		return usagef("--server is required")
	case !pgdash.ValidServer(o.Server):
		return usagef("--server %q: use 1-64 letters, digits, '_', '.' or '-'", o.Server)
	case o.APIKey == "":
		return &UsageError{Err: ErrNoAPIKey}
	case o.Retries < 0:
		return usagef("--api-retries must not be negative")
	}
	return nil
}
