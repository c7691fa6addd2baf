package wrap

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/cronkit/cronkit/lib/metric"
	"github.com/cronkit/cronkit/lib/runner"
)

// --record writes what statpost and chartd read (lib/metric's reader, the one
// both use): every line is a metric record, runs append, and the run record's
// "run" object names the outcome.
func TestRecordReadsAsMetrics(t *testing.T) {
	path := filepath.Join(t.TempDir(), "runs.jsonl")
	c := &Config{Record: path, Command: []string{"sh", "-c", "kill -TERM $$"}, Timeout: time.Minute, CheckName: "nightly"}
	start := time.Date(2026, 11, 22, 23, 5, 0, 0, time.UTC)
	res := runner.Result{ExitCode: 143, Signal: syscall.SIGTERM, Start: start, Duration: 1500 * time.Millisecond}
	for range 2 {
		if err := writeRecord(c, res, 2, "6f0c5a0e-1b2c-4d3e-8f40-5a6b7c8d9e0f", ExitCode, errors.New("ping exit-code: 503")); err != nil {
			t.Fatal(err)
		}
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := metric.NewReader(f, metric.ReaderOptions{Source: path})
	var got []metric.Record
	for {
		rec, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("record file does not read as metric records: %v", err)
		}
		got = append(got, rec)
	}
	want := []struct {
		name  string
		kind  metric.Kind
		value float64
	}{{"runwrap.run", metric.Count, 1}, {"runwrap.duration_seconds", metric.Value, 1.5}, {"runwrap.exit_code", metric.Value, 143}}
	if len(got) != 2*len(want) {
		t.Fatalf("%d records, want %d", len(got), 2*len(want))
	}
	for i, rec := range got {
		w := want[i%len(want)]
		if rec.Name != w.name || rec.Kind != w.kind || rec.Value != w.value ||
			!rec.Time.Equal(start.Add(res.Duration)) || rec.Tags["check"] != "nightly" {
			t.Errorf("record %d = %+v, want %s %s %v at the run's end, check=nightly", i, rec, w.name, w.kind, w.value)
		}
	}

	// The run object.
	b, _ := os.ReadFile(path)
	line, _, _ := bytes.Cut(b, []byte("\n"))
	var first struct {
		Run runRecord `json:"run"`
	}
	if err := json.Unmarshal(line, &first); err != nil {
		t.Fatal(err)
	}
	run := first.Run
	if run.Version != 1 || run.ExitCode != 143 || run.Signal != "SIGTERM" || run.Attempts != 2 ||
		run.Ping != "exit-code" || run.PingError != "ping exit-code: 503" || run.DurationSeconds != 1.5 {
		t.Errorf("run = %+v", run)
	}
}
