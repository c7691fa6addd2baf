package wrap

import (
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/cronkit/cronkit/lib/metric"
	"github.com/cronkit/cronkit/lib/runner"
)

// runRecord is the "run" object of the runwrap.run record (schema version 1).
type runRecord struct {
	Version         int      `json:"version"`
	Check           string   `json:"check"`
	Command         []string `json:"command"`
	RunID           string   `json:"rid,omitempty"`
	Start           string   `json:"start"`
	End             string   `json:"end"`
	DurationSeconds float64  `json:"duration_seconds"`
	ExitCode        int      `json:"exit_code"`
	Status          string   `json:"status"`
	Signal          string   `json:"signal,omitempty"`
	TimedOut        bool     `json:"timed_out"`
	Attempts        int      `json:"attempts"`
	Ping            string   `json:"ping"`
	PingError       string   `json:"ping_error,omitempty"`
}

// writeRecord appends one run record and the metric records to c.Record.
// The run record is itself a metric record (runwrap.run, count 1) carrying
// a "run" object, so the whole file feeds statpost as it is.
func writeRecord(c *Config, res runner.Result, attempts int, rid string, kind Kind, pingErr error) error {
	end := res.Start.Add(res.Duration)
	tags := map[string]string{"check": c.CheckName}
	if h, err := os.Hostname(); err == nil {
		tags["host"] = h
	}
	rr := runRecord{Version: 1, Check: tags["check"], Command: c.Command, RunID: rid,
		Start: res.Start.UTC().Format(time.RFC3339Nano), End: end.UTC().Format(time.RFC3339Nano),
		DurationSeconds: res.Duration.Seconds(), ExitCode: res.ExitCode, Status: res.Status(c.Timeout),
		TimedOut: res.TimedOut, Attempts: attempts, Ping: string(kind)}
	if res.Signal != 0 {
		rr.Signal = runner.SignalName(res.Signal)
	}
	if pingErr != nil {
		rr.PingError = pingErr.Error()
	}
	head := metric.AppendJSON(nil, metric.Record{Name: "runwrap.run", Kind: metric.Count, Value: 1, Time: end, Tags: tags})
	run, err := json.Marshal(rr)
	if err != nil {
		return err
	}
	line := append(head[:len(head)-1], `,"run":`...)
	line = append(line, run...)
	line = append(line, '}', '\n')
	for _, m := range []metric.Record{
		{Name: "runwrap.duration_seconds", Kind: metric.Value, Value: res.Duration.Seconds(), Time: end, Tags: tags},
		{Name: "runwrap.exit_code", Kind: metric.Value, Value: float64(res.ExitCode), Time: end, Tags: tags},
	} {
		line = metric.AppendJSON(line, m)
		line = append(line, '\n')
	}
	f, err := os.OpenFile(c.Record, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	// One write: concurrent runs appending to the same file do not interleave.
	if _, err := f.Write(line); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("%s: %w", c.Record, err)
	}
	return nil
}
