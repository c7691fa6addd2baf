package stats

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cronkit/cronkit/lib/metric"
	"github.com/cronkit/cronkit/lib/spool"
)

// slowSink answers every Send only when the context ends (a server that
// answers later than --timeout), counting what it was given.
type slowSink struct {
	fakeSink
	mu    sync.Mutex
	tried int
}

func (s *slowSink) Send(ctx context.Context, recs []metric.Record) error {
	s.mu.Lock()
	s.tried += len(recs)
	s.mu.Unlock()
	<-ctx.Done()
	return &SendError{Err: ctx.Err()}
}

// Issue 13 item 4: `yes 'x 1' | statpost --timeout 1s` against a slow server
// panicked with "send on closed channel": Close closed a worker's channel
// while Add was blocked sending a full chunk to it. Every record added must
// be delivered, spooled, or spooled late; nothing panics or vanishes.
func TestPosterCloseRacesAdd(t *testing.T) {
	for round := 0; round < 20; round++ {
		sp := spool.Open(t.TempDir(), "fake")
		ctx, cancel := context.WithCancel(context.Background())
		sink := &slowSink{}
		p := NewPoster(ctx, PostOptions{Targets: []Target{{Sink: sink, Spool: sp}}, FlushEvery: -1, Chunk: 2})
		added := make(chan int)
		go func() {
			// More chunks than the worker's queue holds: Add blocks on it.
			const n = 41
			for i := 0; i < n; i++ {
				p.Add(metric.Record{Name: "x", Kind: metric.Count, Value: 1})
			}
			added <- n
		}()
		// Let the reader fill the worker's queue, then time out and close
		// while it is still adding.
		for {
			sink.mu.Lock()
			tried := sink.tried
			sink.mu.Unlock()
			if tried > 0 {
				break
			}
			time.Sleep(time.Millisecond)
		}
		cancel()
		p.Close()
		n := <-added
		res := p.Close() // again: counts the records spooled late since
		r := res.Targets[0]
		st, err := sp.Status()
		if err != nil {
			t.Fatal(err)
		}
		if r.Sent != 0 || r.Spooled+res.Late != n || st.Records != n {
			t.Fatalf("added %d: result %+v late %d, spool holds %d", n, r, res.Late, st.Records)
		}
	}
}

// gateSink blocks every Send until open is closed, then records in order.
type gateSink struct {
	fakeSink
	open chan struct{}
	mu   sync.Mutex
	got  []float64
}

func (g *gateSink) MaxBatch() int { return 50 }
func (g *gateSink) Send(ctx context.Context, recs []metric.Record) error {
	select {
	case <-g.open:
	case <-ctx.Done():
		return &SendError{Err: ctx.Err()}
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, r := range recs {
		g.got = append(g.got, r.Value)
	}
	return nil
}

// Issue 13 item 5: with the journal, a slow sink does not hold up reading:
// every Add returns while the sink has not answered once (the records wait
// in the journal, not in memory), and they are all sent, in order, once it
// answers; the journal is removed when the run ends.
func TestPosterJournalNotThrottled(t *testing.T) {
	dir := t.TempDir()
	sp := spool.ForDestination(dir, "fake", "gate")
	sink := &gateSink{open: make(chan struct{})}
	p := NewPoster(context.Background(), PostOptions{Targets: []Target{{Sink: sink, Spool: sp}}, FlushEvery: -1, Chunk: 100, Journal: true})
	const n = 20000
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < n; i++ {
			p.Add(metric.Record{Name: "x", Kind: metric.Count, Value: float64(i)})
		}
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		close(sink.open)
		t.Fatal("reading was held up by a sink that had not answered")
	}
	close(sink.open)
	res := p.Close().Targets[0]
	if res.Sent != n || res.Spooled != 0 || res.JournalErr != nil {
		t.Fatalf("%+v", res)
	}
	for i, v := range sink.got {
		if v != float64(i) {
			t.Fatalf("record %d is %v: out of order", i, v)
		}
	}
	if len(sink.got) != n {
		t.Fatalf("sink got %d", len(sink.got))
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "*.journal")); len(m) != 0 {
		t.Fatalf("journal left after a clean run: %v", m)
	}
}

// The journal holds every record added before it is sent: a poster that is
// never closed (the process killed) leaves them for the next run, which
// sends the ones not acknowledged. Here the sink took nothing.
func TestPosterJournalKilled(t *testing.T) {
	dir := t.TempDir()
	sp := spool.ForDestination(dir, "fake", "gate")
	sink := &gateSink{open: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.Background())
	p := NewPoster(ctx, PostOptions{Targets: []Target{{Sink: sink, Spool: sp}}, FlushEvery: -1, Chunk: 100, Journal: true})
	for i := 0; i < 250; i++ {
		p.Add(metric.Record{Name: "x", Kind: metric.Value, Value: float64(i)})
	}
	p.Sync() // what the reader does before it waits for more input
	// As if killed: read the journal through a second process's eyes. The
	// live journal is not recovered while its run holds it.
	if st, _ := sp.Status(); st.Journaled != 0 {
		t.Fatalf("a live run's journal counted as orphaned: %+v", st)
	}
	m, _ := filepath.Glob(filepath.Join(dir, "*.journal"))
	if len(m) != 1 {
		t.Fatalf("journals %v", m)
	}
	b, err := os.ReadFile(m[0])
	if err != nil || strings.Count(string(b), "\n") != 250 {
		t.Fatalf("journal holds %d lines (%v), want 250", strings.Count(string(b), "\n"), err)
	}
	cancel()
	close(sink.open)
	p.Close()
}

// An interrupted run (Ctrl-C, --timeout) leaves what it had not taken in its
// journal, counted as spooled, instead of reading it all back into the spool
// before it exits; the next run recovers it.
func TestPosterJournalInterrupted(t *testing.T) {
	dir := t.TempDir()
	sp := spool.ForDestination(dir, "fake", "gate")
	sink := &gateSink{open: make(chan struct{})} // never opened: answers when the run is cancelled
	ctx, cancel := context.WithCancel(context.Background())
	p := NewPoster(ctx, PostOptions{Targets: []Target{{Sink: sink, Spool: sp}}, FlushEvery: -1, Chunk: 100, Journal: true})
	const n = 5000
	for i := 0; i < n; i++ {
		p.Add(metric.Record{Name: "x", Kind: metric.Value, Value: float64(i)})
	}
	cancel()
	res := p.Close().Targets[0]
	if res.Sent != 0 || res.Spooled != n {
		t.Fatalf("%+v", res)
	}
	st, err := sp.Status()
	if err != nil || st.Records+st.Journaled != n || st.Journaled < n-100 {
		t.Fatalf("spool %d records, journals %d (%v): want them all, most in the journal", st.Records, st.Journaled, err)
	}
	rr, err := sp.Recover(func(metric.Record) bool { return true })
	if err != nil || rr.Records != st.Journaled || rr.InFlight != 0 {
		t.Fatalf("%+v %v", rr, err)
	}
	if st, _ := sp.Status(); st.Records != n {
		t.Fatalf("after recovery the spool holds %d", st.Records)
	}
}

// A timed record added with the line it was read from is journaled as that
// line, byte for byte (no second encoding); an untimed one is encoded with
// the time it was read, as before, so a recovered record keeps its time.
func TestPosterJournalsLineAsRead(t *testing.T) {
	dir := t.TempDir()
	sp := spool.ForDestination(dir, "fake", "gate")
	sink := &gateSink{open: make(chan struct{})}
	t0 := time.Date(2026, 12, 7, 17, 0, 0, 0, time.UTC)
	p := NewPoster(context.Background(), PostOptions{Targets: []Target{{Sink: sink, Spool: sp}}, FlushEvery: -1,
		Chunk: 100, Journal: true, Now: func() time.Time { return t0 }})
	timed := `{"name":"a","kind":"count","value":1,"time":"1700000000"}`
	untimed := `{"name":"b","kind":"value","value":2}`
	for _, l := range []string{timed, untimed} {
		rec, ok := metric.ParseCanonical([]byte(l))
		if !ok {
			t.Fatalf("not canonical: %s", l)
		}
		p.AddLine(rec, []byte(l))
	}
	p.Add(metric.Record{Name: "c", Kind: metric.Value, Value: 3, Time: t0})
	p.Sync()
	m, _ := filepath.Glob(filepath.Join(dir, "*.journal"))
	if len(m) != 1 {
		t.Fatalf("journals %v", m)
	}
	b, err := os.ReadFile(m[0])
	if err != nil {
		t.Fatal(err)
	}
	want := string(spool.AppendLine(nil, []byte(timed))) +
		string(spool.AppendEntry(nil, metric.Record{Name: "b", Kind: metric.Value, Value: 2, Time: t0})) +
		string(spool.AppendEntry(nil, metric.Record{Name: "c", Kind: metric.Value, Value: 3, Time: t0}))
	if string(b) != want {
		t.Fatalf("journal:\n%s\nwant:\n%s", b, want)
	}
	close(sink.open)
	res := p.Close().Targets[0]
	if res.Sent != 3 || len(sink.got) != 3 || sink.got[0] != 1 || sink.got[2] != 3 {
		t.Fatalf("%+v, sink got %v", res, sink.got)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "*.journal")); len(m) != 0 {
		t.Fatalf("journal left after a clean run: %v", m)
	}
}

// Issue 18: the library names no command's flag; the caller's name for
// AtLeastOnce (statpost's --at-least-once) is the hint of the warnings about
// counts not re-sent, and without one there is no hint.
func TestResendHint(t *testing.T) {
	for name, want := range map[string]string{
		"--at-least-once": " (--at-least-once re-sends them)",
		"":                "",
	} {
		if got := resendHint(name); got != want {
			t.Errorf("resendHint(%q) = %q, want %q", name, got, want)
		}
	}
}
