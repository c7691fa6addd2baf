package metric

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

// results reads in and returns each Next outcome as a line: "rec NAME",
// "error-record ERROR()" or "line-error ERROR()".
func results(t *testing.T, in string) []string {
	t.Helper()
	r := NewReader(strings.NewReader(in), ReaderOptions{})
	var out []string
	for {
		rec, err := r.Next()
		var er *ErrorRecord
		var le *LineError
		switch {
		case err == io.EOF:
			return out
		case errors.As(err, &er):
			out = append(out, "error-record "+er.Error())
		case errors.As(err, &le):
			out = append(out, "line-error "+le.Error())
		case err != nil:
			t.Fatalf("unexpected error %v", err)
		default:
			out = append(out, "rec "+rec.Name)
		}
	}
}

// The reader returns an error record distinctly (not a record, not a bad
// line) and goes on after it; shapes that mix it with another stay bad lines.
func TestReaderErrorRecord(t *testing.T) {
	in := strings.Join([]string{
		`{"name":"a","kind":"count","value":1}`,
		`{"error":"connection refused\nretry later","source":"pgreport","time":"2026-11-22T21:05:00Z"}`,
		`b 2`,
		`{"error":"x"}`,
		`{"error":""}`,
		`{"error":null}`,
		`{"error":42}`,
		`{"error":"x","name":"a","kind":"count","value":1}`,
		`{"error":"x","stat":"s","count":1}`,
		`{"error":"x","time":"yesterday"}`,
		`{"source":"pgreport"}`,
	}, "\n")
	want := []string{
		"rec a",
		"error-record stdin:2: pgreport failed: connection refused retry later",
		"rec b",
		"error-record stdin:4: the producer failed: x",
		`line-error stdin:5: error record with an empty "error"`,
		`line-error stdin:6: error record: "error" is not a string`,
		`line-error stdin:7: error record: "error" is not a string`,
		`line-error stdin:8: object has "error" (error record) and fields of another record`,
		`line-error stdin:9: object has "error" (error record) and fields of another record`,
		`line-error stdin:10: error record: time "yesterday" is neither unix seconds nor RFC 3339`,
		`line-error stdin:11: object has neither "name" (metric record) nor "stat" (StatHat item)`,
	}
	got := results(t, in)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestErrorRecordRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	w := NewWriter(&buf)
	in := ErrorRecord{Msg: "sections failed: tables: \"timeout\" <&>", Source: "pgreport", Time: t0}
	if err := w.Write(Record{Name: "a", Kind: Value, Value: 1}); err != nil {
		t.Fatal(err)
	}
	if err := w.WriteError(in); err != nil {
		t.Fatal(err)
	}
	if err := w.WriteError(ErrorRecord{}); err != nil {
		t.Fatal(err)
	}
	_ = w.Flush()
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if lines[1] != `{"error":"sections failed: tables: \"timeout\" \u003c\u0026\u003e","source":"pgreport","time":"2026-11-22T21:05:00Z"}` {
		t.Errorf("written %s", lines[1])
	}
	if lines[2] != `{"error":"failed"}` {
		t.Errorf("empty message written as %s", lines[2])
	}
	r := NewReader(&buf, ReaderOptions{Source: "in"})
	if _, err := r.Next(); err != nil {
		t.Fatal(err)
	}
	_, err := r.Next()
	var er *ErrorRecord
	if !errors.As(err, &er) || er.Msg != in.Msg || er.Source != in.Source || !er.Time.Equal(in.Time) || er.Input != "in" || er.Line != 2 {
		t.Fatalf("read back %#v", err)
	}
}

func TestErrorRecordMessageOneLine(t *testing.T) {
	e := &ErrorRecord{Msg: strings.Repeat("é", 400) + "\r\nmore", Source: "x\ny"}
	s := e.Error()
	if strings.ContainsAny(s, "\r\n") || !strings.HasPrefix(s, "x y failed: ") || !strings.HasSuffix(s, "…") || len(s) > 600 {
		t.Errorf("Error() = %q", s)
	}
	if !strings.HasPrefix(strings.TrimPrefix(s, "x y failed: "), "éé") || strings.Contains(s, "\ufffd") {
		t.Errorf("clipped inside a character: %q", s)
	}
}

// One rule for a record's time, whether from --time or a stream.
func TestCheckTime(t *testing.T) {
	now := time.Date(2026, 11, 22, 21, 0, 0, 0, time.UTC)
	tests := []struct {
		t    time.Time
		want string
	}{
		{time.Time{}, ""},
		{now, ""},
		{now.Add(-24 * 365 * time.Hour), ""},
		{now.Add(MaxFuture), ""},
		{now.Add(MaxFuture + time.Second), "time 2026-11-22T21:05:01Z is in the future (more than 5 minutes ahead)"},
		{time.Unix(4102444800, 0), "time 2100-01-01T00:00:00Z is in the future (more than 5 minutes ahead)"},
		{time.Unix(0, 0), "time 1970-01-01T00:00:00Z is not after 1970-01-01T00:00:00Z"},
		{time.Unix(1, 0), ""},
	}
	for _, tt := range tests {
		for _, name := range []string{"CheckTime", "TimeChecker"} {
			var err error
			if name == "CheckTime" {
				err = CheckTime(tt.t, now)
			} else {
				c := TimeChecker{Now: func() time.Time { return now }}
				_ = c.Check(now) // primes the cached limit
				err = c.Check(tt.t)
			}
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tt.want {
				t.Errorf("%s(%v) = %q, want %q", name, tt.t, got, tt.want)
			}
		}
	}
}

// TimeChecker reads the clock again once a time passes its cached limit.
func TestTimeCheckerClockMoves(t *testing.T) {
	now := time.Date(2026, 11, 22, 21, 0, 0, 0, time.UTC)
	calls := 0
	c := TimeChecker{Now: func() time.Time { calls++; return now }}
	if err := c.Check(now); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 100; i++ {
		if err := c.Check(now.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	if calls != 1 {
		t.Errorf("clock read %d times for times under the limit", calls)
	}
	later := now.Add(time.Hour)
	if err := c.Check(later); err == nil {
		t.Fatal("an hour ahead passed")
	}
	now = later
	if err := c.Check(later); err != nil {
		t.Errorf("after the clock moved: %v", err)
	}
}
