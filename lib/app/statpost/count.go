package statpost

import (
	"context"
	"io"
	"time"

	"github.com/cronkit/cronkit/lib/metric"
)

// CountOptions are `statpost count NAME [N]` and `statpost value NAME V`.
type CountOptions struct {
	Options
	Kind  metric.Kind // count or value
	Name  string
	Value string // N or V as given; "": 1
	Time  string // unix seconds or RFC 3339; "": now
}

// RunCount posts one count or value.
func RunCount(ctx context.Context, c CountOptions) error {
	o := c.Options.withDefaults()
	rec, err := c.record(o.Now())
	if err != nil {
		return err
	}
	return o.post(ctx, &list{recs: []metric.Record{rec}}, nil)
}

func (c CountOptions) record(now time.Time) (metric.Record, error) {
	num := c.Value
	if num == "" {
		num = "1"
	}
	v, err := metric.ParseValue(num)
	if err != nil {
		return metric.Record{}, usagef("%v", err)
	}
	rec := metric.Record{Name: c.Name, Kind: c.Kind, Value: v}
	if c.Time != "" {
		t, err := metric.ParseTime(c.Time)
		if err != nil {
			return rec, usagef("--time: %v", err)
		}
		// --time is for a past point: the rule a record's time on stdin
		// follows too (a typo, milliseconds, t=0 are refused alike).
		if err := metric.CheckTime(t, now); err != nil {
			return rec, usagef("--time %s: %v", c.Time, err)
		}
		rec.Time = t
	}
	if err := rec.Validate(); err != nil {
		return rec, usagef("%v", err)
	}
	return rec, nil
}

// list yields a few records.
type list struct{ recs []metric.Record }

func (l *list) Next() (metric.Record, error) {
	if len(l.recs) == 0 {
		return metric.Record{}, io.EOF
	}
	r := l.recs[0]
	l.recs = l.recs[1:]
	return r, nil
}
