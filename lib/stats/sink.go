// Package stats holds statpost's sinks (StatHat, StatsD, Pushgateway,
// InfluxDB, Graphite, Statuspage) behind one small interface, and the
// pipeline that batches records, sends them to every sink and spools what
// could not be delivered. It is not a public API.
package stats

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/cronkit/cronkit/lib/httpx"
	"github.com/cronkit/cronkit/lib/metric"
)

// Sink is one destination for records.
type Sink interface {
	// Name is the sink's kind ("stathat", "statsd", ...); it names its spool file.
	Name() string
	// MaxBatch is the most records one Send takes (one request for HTTP sinks).
	MaxBatch() int
	// Check reports a record this sink cannot take (e.g. a StatHat name over
	// 255 characters), before anything is sent.
	Check(rec metric.Record) error
	// Send delivers recs, in order. A failure is a *SendError (or is treated
	// as an ambiguous one).
	Send(ctx context.Context, recs []metric.Record) error
	// Idempotent reports whether sending a record of kind k twice cannot
	// double-count it, so it may be re-sent after an ambiguous failure.
	Idempotent(k metric.Kind) bool
	// DryRun writes what Send would send, with secrets redacted.
	DryRun(w io.Writer, recs []metric.Record) error
}

// SendError says how a Send failed, which decides what happens to the batch.
type SendError struct {
	Err error
	// Done records at the front of the batch were delivered before the failure.
	Done int
	// Ambiguous: the receiver may have acted on the request (a timeout after
	// sending, a 500): re-sending a count could count it twice.
	Ambiguous bool
	// Permanent: the receiver rejected the data (a 400); sending it again
	// cannot help, so it is reported and not spooled.
	Permanent bool
	// Auth: the receiver refused the credentials (401/403).
	Auth bool
}

func (e *SendError) Error() string { return e.Err.Error() }
func (e *SendError) Unwrap() error { return e.Err }

// AsSendError returns err as a *SendError; unknown errors are ambiguous.
func AsSendError(err error) *SendError {
	var se *SendError
	if errors.As(err, &se) {
		return se
	}
	return &SendError{Err: err, Ambiguous: true}
}

// classifyHTTP turns an httpx error into a SendError following the policy in
// docs/statpost.md: 429, 408 and 503 mean the request was not processed; other
// 5xx and transport errors after the connection was made are ambiguous; other
// 4xx are permanent rejections; 401/403 are refusals (kept for a fixed key).
func classifyHTTP(ctxErrBefore error, err error) *SendError {
	if ctxErrBefore != nil {
		return &SendError{Err: ctxErrBefore}
	}
	se := &SendError{Err: err}
	if st := httpx.StatusOf(err); st != 0 {
		switch {
		case st == 401 || st == 403:
			se.Auth = true
		case st == 408 || st == 429 || st == 503:
		case st >= 500:
			se.Ambiguous = true
		default:
			se.Permanent = true
		}
		return se
	}
	se.Ambiguous = !httpx.NeverSent(err)
	return se
}

// Spec is one --sink value: a kind and an optional target.
type Spec struct {
	Kind   string // stathat, statsd, pushgateway, influx, graphite, statuspage
	Target string // URL or address; "" for the kind's default
}

// Kinds lists the sink kinds.
var Kinds = []string{"stathat", "statsd", "pushgateway", "influx", "graphite", "statuspage"}

// ParseSpec reads "KIND" or "KIND=TARGET".
func ParseSpec(s string) (Spec, error) {
	k, t, _ := cutEq(s)
	for _, known := range Kinds {
		if k == known {
			return Spec{Kind: k, Target: t}, nil
		}
	}
	return Spec{}, fmt.Errorf("unknown sink %q (want one of stathat, statsd, pushgateway, influx, graphite, statuspage)", k)
}

func cutEq(s string) (string, string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == '=' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}
