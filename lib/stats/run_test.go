package stats

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/cronkit/cronkit/lib/metric"
	"github.com/cronkit/cronkit/lib/spool"
)

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

// TestRun: what statpost's post loop did in cmd/statpost before issue 18,
// now testable without a process: bad lines and far-future times are
// counted and said, error records counted and passed to --tee, the rest
// posted and teed.
func TestRun(t *testing.T) {
	in := `a 1
not a record line
{"error":"connection refused","source":"pgreport","time":"2026-11-22T21:05:00Z"}
b 2
{"name":"future","kind":"value","value":1,"time":"2999-01-01T00:00:00Z"}
c 3
`
	for _, tc := range []struct {
		name                   string
		tee                    io.Writer
		skipped                int
		finish                 error
		records, upstream, bad int
		readErr, teeErr        bool
		sent                   int
	}{
		{name: "plain", records: 3, upstream: 1, bad: 2, sent: 3},
		{name: "tee", tee: &bytes.Buffer{}, records: 3, upstream: 1, bad: 2, sent: 3},
		{name: "tee fails", tee: failWriter{}, records: 3, upstream: 1, bad: 2, sent: 3, teeErr: true},
		{name: "skipped", skipped: 5, records: 8, upstream: 1, bad: 2, sent: 3},
		{name: "finish fails", finish: errors.New("state"), records: 3, upstream: 1, bad: 2, sent: 3, readErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sink := &fakeSink{}
			p := NewPoster(context.Background(), PostOptions{Targets: []Target{{Sink: sink, Spool: spool.Open(t.TempDir(), "fake")}}, FlushEvery: -1})
			var said []string
			teeCalls := 0
			o := RunOptions{
				Errorf:   func(f string, a ...any) { said = append(said, fmt.Sprintf(f, a...)) },
				Position: func() string { return "here: " },
				Skipped:  func() int { return tc.skipped },
				Finish:   func() error { return tc.finish },
				TeeFailed: func(err error) error {
					teeCalls++
					return fmt.Errorf("tee: %w", err)
				},
			}
			if tc.tee != nil {
				o.Tee = metric.NewWriter(tc.tee)
			}
			rr := Run(context.Background(), p, metric.NewReader(strings.NewReader(in), metric.ReaderOptions{}), o)
			if rr.Records != tc.records || rr.Upstream != tc.upstream || rr.Bad != tc.bad || rr.Interrupted ||
				(rr.ReadErr != nil) != tc.readErr || (rr.TeeErr != nil) != tc.teeErr {
				t.Errorf("%+v", rr)
			}
			if got := rr.Targets[0].Sent; got != tc.sent {
				t.Errorf("sent %d, want %d", got, tc.sent)
			}
			if len(said) != 3 || !strings.Contains(said[1], "connection refused") || !strings.HasPrefix(said[2], "here: ") {
				t.Errorf("said %q", said)
			}
			if tc.teeErr && teeCalls != 1 {
				t.Errorf("TeeFailed called %d times; the copy must stop at the first failure", teeCalls)
			}
			if b, ok := tc.tee.(*bytes.Buffer); ok {
				if got := strings.Count(b.String(), "\n"); got != 4 || !strings.Contains(b.String(), `"error":"connection refused"`) {
					t.Errorf("tee got %d lines:\n%s", got, b)
				}
			}
		})
	}
}

// stuckSource yields one record, then blocks as a silent stdin does until released.
type stuckSource struct {
	n       int
	waiting chan struct{}
	release chan struct{}
}

func (s *stuckSource) Next() (metric.Record, error) {
	s.n++
	if s.n == 1 {
		return metric.Record{Name: "a", Kind: metric.Value, Value: 1}, nil
	}
	close(s.waiting)
	<-s.release
	return metric.Record{}, io.EOF
}

// TestRunInterrupted: an interrupt does not wait for a reader blocked on
// its input; the poster is closed and says what it did with the record read.
func TestRunInterrupted(t *testing.T) {
	src := &stuckSource{waiting: make(chan struct{}), release: make(chan struct{})}
	defer close(src.release)
	ctx, cancel := context.WithCancel(context.Background())
	p := NewPoster(ctx, PostOptions{Targets: []Target{{Sink: &fakeSink{}, Spool: spool.Open(t.TempDir(), "fake")}}, FlushEvery: -1})
	go func() {
		<-src.waiting // the first record is in the poster
		cancel()
	}()
	rr := Run(ctx, p, src, RunOptions{})
	if !rr.Interrupted || rr.ReadErr != nil {
		t.Fatalf("%+v", rr)
	}
	if tr := rr.Targets[0]; tr.Sent+tr.Spooled+tr.Lost != 1 {
		t.Errorf("the record read is neither sent nor spooled: %+v", tr)
	}
}
