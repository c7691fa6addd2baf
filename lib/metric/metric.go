// Package metric is the record that flows between cronkit tools (DESIGN.md §4):
// one JSON object a line,
//
//	{"name":"pg.hc.xact_commit","kind":"count","value":12,"time":"2026-11-22T21:05:00Z","tags":{"server":"db7"}}
//
// with its writer and a reader that also accepts StatHat bulk items and
// "NAME NUMBER" text lines. It is not a public API.
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
// Additive changes (new optional fields) keep it; anything else bumps it.
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
