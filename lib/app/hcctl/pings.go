package hcctl

import (
	"context"

	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/cronkit/cronkit/lib/hc"
	"github.com/cronkit/cronkit/lib/metric"
	"github.com/cronkit/cronkit/lib/redact"
)

// PingsOptions is hcctl pings and pings body.
type PingsOptions struct {
	Env
	Format string // table, json, jsonl or metrics
	Ref    string
	Limit  int // pings: at most this many (0: all the server returns)
	N      int // body: the ping's number
}

// RunPings lists a check's recent pings. With -f metrics a failure is
// also written to the stream as an error record.
func RunPings(ctx context.Context, o PingsOptions) (err error) {
	format, err := o.outFormat(o.Format, "table", "json", "jsonl", "metrics")
	if err != nil {
		return err
	}
	if format == "metrics" {
		defer func() {
			if err != nil {
				o.writeErrorRecord(err)
			}
		}()
	}
	if o.Limit < 0 {
		return usagef("-n %d: want 0 or more", o.Limit)
	}
	a, c, id, err := o.resolveWritable(ctx, o.Ref, "list pings of")
	if err != nil {
		return err
	}
	pings, err := a.CheckPings(ctx, id)
	if err != nil {
		return o.hint(namedErr(err, c))
	}
	if o.Limit > 0 && len(pings) > o.Limit {
		pings = pings[:o.Limit]
	}
	switch format {
	case "json", "jsonl":
		return hc.WriteList(o.Stdout, format, pings)
	case "metrics":
		return writePingMetrics(o.Stdout, c, pings)
	}
	return writePingTable(o.Stdout, pings)
}

// writePingMetrics writes each ping's duration as a metric record, oldest first.
func writePingMetrics(w io.Writer, c hc.Check, pings []hc.APIPing) error {
	key := c.Slug
	if key == "" {
		key = c.Name
	}
	mw := metric.NewWriter(w)
	// Oldest first: a time series reads forwards.
	for i := len(pings) - 1; i >= 0; i-- {
		p := pings[i]
		if p.Duration == nil {
			continue
		}
		rec := metric.Record{Name: "hc." + key + ".duration", Kind: metric.Value, Value: *p.Duration, Time: p.Date.UTC(),
			Tags: map[string]string{"check": key, "type": p.Type}}
		if err := mw.Write(rec); err != nil {
			return err
		}
	}
	return mw.Flush()
}

// writePingTable: the columns are what the API returns (healthchecks-api.md
// §3.2, captures "List pings"): no exit status, which a ping to /N turns
// into its type (fail, or success for 0).
func writePingTable(w io.Writer, pings []hc.APIPing) error {
	t := hc.NewTable(w, "N", "TYPE", "TIME", "DURATION", "METHOD", "BODY", "UA")
	for _, p := range pings {
		dur, body := "", "no"
		if p.Duration != nil {
			dur = strconv.FormatFloat(*p.Duration, 'f', 2, 64) + "s"
		}
		if p.BodyURL != nil {
			body = "yes"
		}
		t.Row(strconv.Itoa(p.N), p.Type, p.Date.UTC().Format(time.RFC3339), dur, p.Method, body, p.UA)
	}
	return t.Flush()
}

// writeErrorRecord says in the stream that the list failed (issue 13):
// `hcctl pings X -f metrics | chartd` runs under a shell without pipefail,
// and chartd then draws the failure instead of a chart of what came before.
// The message is the stderr line, secrets redacted.
func (e *Env) writeErrorRecord(err error) {
	mw := metric.NewWriter(e.Stdout)
	msg := redact.String(err.Error(), e.Secrets...)
	if mw.WriteError(metric.ErrorRecord{Msg: msg, Source: "hcctl", Time: e.now()}) == nil {
		_ = mw.Flush()
	}
}

// RunPingsBody prints the stored body of ping N of a check.
func RunPingsBody(ctx context.Context, o PingsOptions) error {
	a, c, id, err := o.resolveWritable(ctx, o.Ref, "read a ping body of")
	if err != nil {
		return err
	}
	b, err := a.PingBody(ctx, id, o.N)
	if err != nil {
		if ae, ok := err.(*hc.APIError); ok && ae.Status == 404 {
			return fmt.Errorf("ping %d of %q has no stored body (or is too old, or does not exist)", o.N, c.Name)
		}
		return o.hint(namedErr(err, c))
	}
	_, err = o.Stdout.Write(b)
	return err
}
