package stats

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cronkit/cronkit/lib/metric"
	"github.com/cronkit/cronkit/lib/spool"
)

// Target is a sink with its spool (nil: nothing is spooled, e.g. dry runs).
type Target struct {
	Sink  Sink
	Spool *spool.Spool
}

// PostOptions configure a Poster.
type PostOptions struct {
	Targets []Target
	// AtLeastOnce re-sends counts after an ambiguous failure (they may arrive twice).
	AtLeastOnce bool
	// DryRun, when set, receives what would be sent; nothing is sent or spooled.
	DryRun io.Writer
	// Chunk is how many records are handed to the sinks at once (default 1000);
	// each sink splits a chunk into its own MaxBatch.
	Chunk int
	// FlushEvery sends a partial chunk once its first record is this old, so a
	// slow stream is posted as it goes (default 1s; <0: only when full).
	FlushEvery time.Duration
	// SkipSpoolFlush leaves old spooled records alone (they are otherwise sent first).
	SkipSpoolFlush bool
	// Warn reports a problem that does not stop the run.
	Warn func(format string, args ...any)
	// Now is the clock (tests); default time.Now.
	Now func() time.Time
}

// TargetResult is what happened to one sink's records.
type TargetResult struct {
	Name      string
	Sent      int // records delivered in this run (new ones)
	FromSpool int // spooled records from earlier runs delivered now
	Spooled   int // records appended to the spool
	Lost      int // counts not re-sent after an ambiguous failure (may or may not have arrived)
	// Unspooled records were not delivered and could not be written to the
	// spool (SpoolErr says why): they are lost, and the run must say so.
	Unspooled int
	SpoolErr  error
	Rejected  int // records the receiver refused as invalid (4xx)
	Auth      bool
	Damaged   int   // damaged spool lines skipped
	Err       error // the first failure, for the report
	SpoolPath string
}

// Result is the outcome of a run.
type Result struct {
	Targets []TargetResult
	// Late counts records spooled (per sink) because they were added after Close.
	Late int
	// LateLost counts records added after Close that a spool could not take.
	LateLost int
	LateErr  error
}

// Poster batches records and sends them to every target from one goroutine
// per target, flushing each target's old spool first.
type Poster struct {
	ctx      context.Context
	opts     PostOptions
	mu       sync.Mutex
	chunk    []metric.Record
	first    time.Time
	closed   bool
	workers  []*worker
	wg       sync.WaitGroup
	stopTk   chan struct{}
	tkDone   chan struct{}
	late     int // records spooled by Add after Close
	lateLost int
	lateErr  error
}

type batch struct {
	recs []metric.Record
	at   time.Time     // when the chunk began: the time given to untimed records if spooled
	refs *atomic.Int32 // workers still using recs; the last one recycles it
}

// chunks recycles record slices: clearing a fresh 1,000-record slice per
// chunk was a tenth of the CPU time at 500,000 records/s.
var chunks sync.Pool

func (b batch) release() {
	if b.refs != nil && b.refs.Add(-1) == 0 {
		clear(b.recs) // drop references to names and tags
		c := b.recs[:0]
		chunks.Put(&c)
	}
}

type worker struct {
	p   *Poster
	t   Target
	in  chan batch
	res TargetResult
	// down is set after a failure: later batches go straight to the spool
	// rather than waiting out another deadline.
	down bool
}

// NewPoster starts the workers. ctx bounds sending; when it ends, what is
// left is spooled.
func NewPoster(ctx context.Context, opts PostOptions) *Poster {
	if opts.Chunk <= 0 {
		opts.Chunk = 1000
	}
	if opts.FlushEvery == 0 {
		opts.FlushEvery = time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Warn == nil {
		opts.Warn = func(string, ...any) {}
	}
	p := &Poster{ctx: ctx, opts: opts, stopTk: make(chan struct{}), tkDone: make(chan struct{})}
	for _, t := range opts.Targets {
		w := &worker{p: p, t: t, in: make(chan batch, 4), res: TargetResult{Name: t.Sink.Name()}}
		if t.Spool != nil {
			w.res.SpoolPath = t.Spool.Path()
		}
		p.workers = append(p.workers, w)
		if opts.DryRun == nil {
			p.wg.Add(1)
			go w.run()
		}
	}
	if opts.FlushEvery > 0 {
		go p.ticker()
	} else {
		close(p.tkDone)
	}
	return p
}

// Check returns the first sink's objection to rec, if any.
func (p *Poster) Check(rec metric.Record) error {
	for _, t := range p.opts.Targets {
		if err := t.Sink.Check(rec); err != nil {
			return fmt.Errorf("%s: %w", t.Sink.Name(), err)
		}
	}
	return nil
}

// Add queues rec. After Close it is spooled directly, so a record read while
// the run was being interrupted is not lost.
//
// Chunks are handed to the workers under p.mu, and Close closes the workers'
// queues under p.mu once closed is set: a hand-over can never meet a closed
// queue (issue 13: Close used to race a blocked Add into "send on closed
// channel"). A hand-over may block on a slow worker; Close then waits for it,
// which is bounded by the worker's deadlines.
func (p *Poster) Add(rec metric.Record) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		p.spoolLate(rec)
		return
	}
	if len(p.chunk) == 0 {
		p.first = p.opts.Now()
		if cap(p.chunk) < p.opts.Chunk {
			if c, ok := chunks.Get().(*[]metric.Record); ok && cap(*c) >= p.opts.Chunk {
				p.chunk = *c
			} else {
				p.chunk = make([]metric.Record, 0, p.opts.Chunk)
			}
		}
	}
	p.chunk = append(p.chunk, rec)
	if len(p.chunk) >= p.opts.Chunk {
		p.dispatch(p.take())
	}
}

// take hands over the current chunk; p.mu is held.
func (p *Poster) take() batch {
	b := batch{recs: p.chunk, at: p.first}
	p.chunk = nil
	return b
}

// dispatch hands b to every worker; p.mu is held.
func (p *Poster) dispatch(b batch) {
	if len(b.recs) == 0 {
		return
	}
	if p.opts.DryRun != nil {
		for _, w := range p.workers {
			w.dryRun(b.recs)
		}
		return
	}
	b.refs = new(atomic.Int32)
	b.refs.Store(int32(len(p.workers)))
	for _, w := range p.workers {
		w.in <- b
	}
}

// ticker sends a partial chunk once it is FlushEvery old.
func (p *Poster) ticker() {
	defer close(p.tkDone)
	tk := time.NewTicker(p.opts.FlushEvery / 4)
	defer tk.Stop()
	for {
		select {
		case <-p.stopTk:
			return
		case <-tk.C:
		}
		p.mu.Lock()
		if !p.closed && len(p.chunk) > 0 && p.opts.Now().Sub(p.first) >= p.opts.FlushEvery {
			p.dispatch(p.take())
		}
		p.mu.Unlock()
	}
}

// Close sends what is queued, waits for every target and returns the result.
func (p *Poster) Close() Result {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return p.result()
	}
	p.closed = true
	p.dispatch(p.take())
	for _, w := range p.workers {
		if p.opts.DryRun == nil {
			close(w.in)
		}
	}
	p.mu.Unlock()
	close(p.stopTk)
	<-p.tkDone
	p.wg.Wait()
	return p.result()
}

func (p *Poster) result() Result {
	var r Result
	for _, w := range p.workers {
		r.Targets = append(r.Targets, w.res)
	}
	p.mu.Lock()
	r.Late, r.LateLost, r.LateErr = p.late, p.lateLost, p.lateErr
	p.mu.Unlock()
	return r
}

// spoolLate spools a record added after Close; p.mu is held.
func (p *Poster) spoolLate(rec metric.Record) {
	if p.opts.DryRun != nil {
		return
	}
	if rec.Time.IsZero() {
		rec.Time = p.opts.Now()
	}
	for _, w := range p.workers {
		// Not through w.spool: the worker may still be running.
		if w.t.Spool == nil {
			continue
		}
		if err := w.t.Spool.Append([]metric.Record{rec}); err != nil {
			p.lateLost++
			if p.lateErr == nil {
				p.lateErr = fmt.Errorf("%s: %w", w.res.Name, err)
			}
			continue
		}
		p.late++
	}
}

func (w *worker) dryRun(recs []metric.Record) {
	max := w.t.Sink.MaxBatch()
	for len(recs) > 0 {
		n := min(max, len(recs))
		if err := w.t.Sink.DryRun(w.p.opts.DryRun, recs[:n]); err != nil && w.res.Err == nil {
			w.res.Err = err
		}
		w.res.Sent += n
		recs = recs[n:]
	}
}

func (w *worker) run() {
	defer w.p.wg.Done()
	if w.t.Spool != nil && !w.p.opts.SkipSpoolFlush {
		w.flushSpool()
	}
	max := w.t.Sink.MaxBatch()
	for b := range w.in {
		recs := b.recs
		for len(recs) > 0 {
			n := min(max, len(recs))
			w.send(recs[:n], b.at)
			recs = recs[n:]
		}
		b.release()
	}
	if c, ok := w.t.Sink.(io.Closer); ok {
		_ = c.Close()
	}
}

// flushSpool sends what earlier runs spooled, before anything new.
func (w *worker) flushSpool() {
	var sendErr error
	res, err := w.t.Spool.Flush(w.p.ctx, w.t.Sink.MaxBatch(), func(ctx context.Context, recs []metric.Record) ([]metric.Record, error) {
		if err := ctx.Err(); err != nil {
			sendErr = err
			return recs, err
		}
		err := w.t.Sink.Send(ctx, recs)
		if err == nil {
			return nil, nil
		}
		sendErr = err
		se := AsSendError(err)
		w.res.FromSpool += se.Done
		keep, lost, rejected := w.salvage(recs[se.Done:], se)
		w.res.Lost += len(lost)
		w.res.Rejected += len(rejected)
		return keep, err
	})
	w.res.FromSpool += res.Sent
	w.res.Damaged += res.Damaged
	if res.Damaged > 0 {
		w.p.opts.Warn("%s: %d damaged spool lines skipped in %s", w.res.Name, res.Damaged, w.t.Spool.Path())
	}
	switch {
	case err == nil:
	case errors.Is(err, spool.ErrBusy):
		w.p.opts.Warn("%s: %v; new records are sent directly", w.res.Name, err)
	case sendErr == nil:
		// The spool itself failed (unreadable directory, full disk): the sink
		// may well be up, so new records are still sent to it.
		w.res.SpoolErr = err
	default:
		w.fail(err)
	}
}

func (w *worker) fail(err error) {
	se := AsSendError(err)
	if !se.Permanent {
		w.down = true
	}
	if se.Auth {
		w.res.Auth = true
	}
	if w.res.Err == nil {
		w.res.Err = err
	}
}

// send delivers one batch or spools it.
func (w *worker) send(recs []metric.Record, at time.Time) {
	ctx := w.p.ctx
	if w.down || ctx.Err() != nil {
		reason := ctx.Err()
		if reason == nil {
			reason = w.res.Err
		}
		w.spool(recs, at, reason)
		return
	}
	err := w.t.Sink.Send(ctx, recs)
	if err == nil {
		w.res.Sent += len(recs)
		return
	}
	se := AsSendError(err)
	w.res.Sent += se.Done
	w.fail(err)
	keep, lost, rejected := w.salvage(recs[se.Done:], se)
	w.res.Lost += len(lost)
	w.res.Rejected += len(rejected)
	w.spool(keep, at, err)
}

// salvage splits a failed batch: what to keep for another try, what is given
// up because re-sending could count it twice, and what the receiver rejected.
func (w *worker) salvage(recs []metric.Record, se *SendError) (keep, lost, rejected []metric.Record) {
	if se.Permanent {
		return nil, nil, recs
	}
	if !se.Ambiguous || w.p.opts.AtLeastOnce {
		return recs, nil, nil
	}
	for _, r := range recs {
		if w.t.Sink.Idempotent(r.Kind) {
			keep = append(keep, r)
		} else {
			lost = append(lost, r)
		}
	}
	return keep, lost, nil
}

// spool appends recs (untimed ones get at) to the target's spool.
func (w *worker) spool(recs []metric.Record, at time.Time, reason error) {
	if len(recs) == 0 {
		return
	}
	if w.res.Err == nil && reason != nil {
		w.res.Err = reason
	}
	if w.t.Spool == nil {
		w.res.Lost += len(recs)
		return
	}
	if at.IsZero() {
		at = w.p.opts.Now()
	}
	stamped := make([]metric.Record, len(recs))
	for i, r := range recs {
		if r.Time.IsZero() {
			r.Time = at
		}
		stamped[i] = r
	}
	if err := w.t.Spool.Append(stamped); err != nil {
		w.res.Unspooled += len(recs)
		if w.res.SpoolErr == nil {
			w.res.SpoolErr = err
		}
		return
	}
	w.res.Spooled += len(recs)
}
