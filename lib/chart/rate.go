package chart

import (
	"fmt"
	"time"
)

// Rate says how a counter series (records of kind counter: a running
// total such as PostgreSQL's xact_commit) is charted. Its raw value only
// ever climbs, a diagonal that says nothing; its rate is what people read.
type Rate int

const (
	// PerInterval charts the increase from each record to the next.
	PerInterval Rate = iota
	// PerSecond divides that increase by the seconds between the records.
	PerSecond
	// Raw charts the cumulative value as read.
	Raw
)

// ParseRate reads a Rate's name: "per-interval" or "per-second".
func ParseRate(s string) (Rate, error) {
	switch s {
	case "per-interval", "":
		return PerInterval, nil
	case "per-second":
		return PerSecond, nil
	}
	return 0, &Error{Option: OptRate, Msg: fmt.Sprintf("%q: want per-interval or per-second", s)}
}

// Rates returns series with every counter series replaced by its rate; other
// series are returned as they are. A rate point belongs to the later record
// of each pair (its time), so a counter of n records gives n-1 points. A
// value below the previous one means the counter was reset (a server
// restart): the increase is the new value, never negative.
func Rates(series []Series, r Rate) ([]Series, error) {
	if r == Raw {
		return series, nil
	}
	out := make([]Series, len(series))
	for i, s := range series {
		if !s.Counter {
			out[i] = s
			continue
		}
		rs, err := rate(s, r)
		if err != nil {
			return nil, err
		}
		out[i] = rs
	}
	return out, nil
}

func rate(s Series, r Rate) (Series, error) {
	if len(s.Values) < 2 {
		return s, &Error{Msg: fmt.Sprintf("counter %q has %d record; a rate needs two", s.Name, len(s.Values)), Remedy: OptRaw}
	}
	timed := len(s.Times) == len(s.Values)
	out := Series{Name: s.Name, Values: make([]float64, 0, len(s.Values)-1)}
	if timed {
		out.Times = make([]time.Time, 0, len(s.Values)-1)
	}
	for i := 1; i < len(s.Values); i++ {
		inc := s.Values[i] - s.Values[i-1]
		if inc < 0 {
			inc = s.Values[i] // reset: counted from zero again
		}
		if r == PerSecond {
			if !timed || s.Times[i].IsZero() || s.Times[i-1].IsZero() {
				return s, &Error{Option: OptRate, Msg: fmt.Sprintf("per-second needs a time on every record of counter %q", s.Name)}
			}
			dt := s.Times[i].Sub(s.Times[i-1]).Seconds()
			if dt <= 0 {
				return s, &Error{Option: OptRate, Msg: fmt.Sprintf("counter %q: record %d is not later than the one before (%s)", s.Name, i+1, s.Times[i].UTC().Format(time.RFC3339))}
			}
			inc /= dt
		}
		out.Values = append(out.Values, inc)
		if timed {
			out.Times = append(out.Times, s.Times[i])
		}
	}
	return out, nil
}
