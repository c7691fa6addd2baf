package stats

import (
	"context"
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
