// Package metric is the record that flows between cronkit tools (DESIGN.md §4):
// one JSON object a line,
//
//	{"name":"pg.hc.xact_commit","kind":"count","value":12,"time":"2026-11-22T21:05:00Z","tags":{"server":"db7"}}
//
// with its writer and a reader that also accepts StatHat bulk items and
// "NAME NUMBER" text lines, and the error record a failing producer ends its
// stream with (ErrorRecord). It is not a public API.
package metric

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// SchemaVersion is the version of the record format documented in the README.
// Additive changes (new optional fields, new optional record shapes such as
// the error record) keep it; anything else bumps it.
const SchemaVersion = 1

// Kind says how a series aggregates over time.
type Kind string

const (
	// Count is summed over time: StatHat counter, StatsD "c".
	Count Kind = "count"
	// Value is averaged or latest: StatHat value, StatsD "g".
	Value Kind = "value"
)

// ParseKind accepts "count" or "value".
func ParseKind(s string) (Kind, error) {
	switch Kind(s) {
	case Count, Value:
		return Kind(s), nil
	}
	return "", fmt.Errorf("kind %q is not count or value", s)
}

// Record is one data point.
type Record struct {
	Name  string            `json:"name"`
	Kind  Kind              `json:"kind"`
	Value float64           `json:"value"`
	Time  time.Time         `json:"time,omitzero"`
	Tags  map[string]string `json:"tags,omitempty"`
}

// Validate checks what every consumer relies on.
func (r *Record) Validate() error {
	if r.Name == "" {
		return errors.New("empty name")
	}
	if !utf8.ValidString(r.Name) {
		return fmt.Errorf("name %q is not valid UTF-8", r.Name)
	}
	if r.Kind != Count && r.Kind != Value {
		return fmt.Errorf("kind %q is not count or value", r.Kind)
	}
	if math.IsNaN(r.Value) || math.IsInf(r.Value, 0) {
		return fmt.Errorf("value %v is not a finite number", r.Value)
	}
	return nil
}

// ParseValue parses a number the way every reader does, with the message
// the brief asks for: `value "abc" is not a number`.
func ParseValue(s string) (float64, error) {
	// Go's syntax extras (0x1p4, 1_000) are not numbers to StatHat, StatsD
	// or a person reading a crontab: only plain decimal notation is.
	if strings.ContainsAny(s, "xX_pP") {
		return 0, fmt.Errorf("value %q is not a number", s)
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("value %q is not a number", s)
	}
	return v, nil
}

// ParseTime accepts unix seconds (integer or fractional) or RFC 3339.
func ParseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, errors.New("empty time")
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		if f < 0 || f > 1e11 || math.IsNaN(f) {
			return time.Time{}, fmt.Errorf("time %q is out of range", s)
		}
		sec, frac := math.Modf(f)
		return time.Unix(int64(sec), int64(frac*1e9)).UTC(), nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("time %q is neither unix seconds nor RFC 3339", s)
	}
	return t, nil
}

// MaxFuture is how far ahead of our clock a record's time may be: clocks a
// little ahead of ours are fine, a point further ahead is almost always a
// typo (milliseconds, a wrong year) and would sit unseen on every chart.
const MaxFuture = 5 * time.Minute

// CheckTime is the one rule for the time of a record that is sent on, the
// same for a command-line --time and a record read from a stream: the zero
// time (none given) passes; otherwise it must be after 1970-01-01T00:00:00Z
// (StatHat reads t=0 as "no time") and at most MaxFuture after now.
func CheckTime(t, now time.Time) error {
	if t.IsZero() {
		return nil
	}
	if t.Unix() <= 0 {
		return fmt.Errorf("time %s is not after 1970-01-01T00:00:00Z", t.UTC().Format(time.RFC3339Nano))
	}
	if t.After(now.Add(MaxFuture)) {
		return fmt.Errorf("time %s is in the future (more than %g minutes ahead)", t.UTC().Format(time.RFC3339Nano), MaxFuture.Minutes())
	}
	return nil
}

// TimeChecker applies CheckTime to a stream and reads the clock only for a
// time past the limit it last computed: the limit only moves forwards, so a
// time before it is certainly fine (a stream of 500,000 records/s pays nothing).
type TimeChecker struct {
	Now   func() time.Time // default time.Now
	limit time.Time
}

// Check applies CheckTime to t.
func (c *TimeChecker) Check(t time.Time) error {
	if t.IsZero() {
		return nil
	}
	if t.Unix() > 0 && !t.After(c.limit) {
		return nil
	}
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	n := now()
	c.limit = n.Add(MaxFuture)
	return CheckTime(t, n)
}
