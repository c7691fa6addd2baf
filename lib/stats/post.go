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
	// AtLeastOnceName is the caller's name for AtLeastOnce (a command's
	// flag), named in the warnings about counts not re-sent; "": not named.
	AtLeastOnceName string
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
	// Journal appends every record to a journal beside its target's spool
	// before it is sent (spool.Journal), so a kill -9 loses nothing that was
	// read, and a slow sink does not hold up reading: what its worker has not
	// taken yet waits in the journal, not in memory.
	Journal bool
	// Fsync makes every journal append durable against power loss too.
	Fsync bool
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
	// Recovered records were moved into the spool from the journals of
	// killed runs (and then sent with it: FromSpool counts them).
	Recovered int
	// JournalErr says why this run's records were not journaled (all or some):
	// they were still sent, but a crash would have lost them.
	JournalErr error
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
	ends     []int64 // journal offset after each record of chunk
	start    int64   // journal offset of chunk's first record
	first    time.Time
	closed   bool
	jbuf     []byte // journal entries not written yet
	enc      spool.Encoder
	off      int64 // journal offset after the last entry encoded
	end      int64 // off at Close: where the workers' journals end
	count    int   // records journaled
	workers  []*worker
	wg       sync.WaitGroup
	stopTk   chan struct{}
	tkDone   chan struct{}
	late     int // records spooled by Add after Close
	lateLost int
	lateErr  error
}

type batch struct {
	recs  []metric.Record
	ends  []int64       // journal offset after each record (nil: not journaled)
	start int64         // journal offset of the first record
	at    time.Time     // when the chunk began: the time given to untimed records if spooled
	refs  *atomic.Int32 // workers still using recs; the last one recycles it
}

// chunks recycles record slices: clearing a fresh 1,000-record slice per
// chunk was a tenth of the CPU time at 500,000 records/s.
var chunks sync.Pool

func (b batch) release() {
	if b.refs != nil && b.refs.Add(-1) == 0 {
		clear(b.recs) // drop references to names and tags
		c := b.recs[:0]
		chunks.Put(&c)
		if b.ends != nil {
			e := b.ends[:0]
			endsPool.Put(&e)
		}
	}
}

var endsPool sync.Pool

type worker struct {
	p   *Poster
	t   Target
	in  chan batch
	res TargetResult
	// down is set after a failure: later batches go straight to the spool
	// rather than waiting out another deadline.
	down bool

	// The journal: set by the poster (under p.mu) before the first batch
	// that uses it is handed over; jdead once a write failed.
	j     *spool.Journal
	jdead atomic.Bool
	// unread is set when journaled records could not be read back: the
	// journal then stays for the next run.
	unread bool
	// next is the journal offset of the first record the worker has not
	// taken; acked the offset before which every record is resolved.
	next, acked int64
	taken       int // journaled records taken (sent or spooled)
	// sendSince is when the Send in progress began (unix ns), 0 between sends.
	sendSince atomic.Int64
	wait      *time.Timer
}

// stuckSend is how long a worker's Send may last before chunks for it stop
// waiting for room in its queue and are left in the journal instead, for the
// worker to read back when it gets there. A sink that answers in time (a
// burst, a GC pause, a busy machine) holds reading up as before, so records
// are not parsed twice; one that is slow or stalled does not: reading waits
// at most this long per request it makes.
const stuckSend = 50 * time.Millisecond

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
func (p *Poster) Add(rec metric.Record) { p.AddLine(rec, nil) }

// AddLine is Add for a record read from line, a canonical metric-record line
// (metric.Reader.Raw; nil if there is none): a timed record is journaled as
// that line, which costs a copy and a CRC, instead of being encoded again
// (a third of the journal's CPU time at 500,000 records/s). line is used
// only during the call.
func (p *Poster) AddLine(rec metric.Record, line []byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		p.spoolLate(rec)
		return
	}
	if len(p.chunk) == 0 {
		p.first = p.opts.Now()
		p.start = p.off
		if cap(p.chunk) < p.opts.Chunk {
			if c, ok := chunks.Get().(*[]metric.Record); ok && cap(*c) >= p.opts.Chunk {
				p.chunk = *c
			} else {
				p.chunk = make([]metric.Record, 0, p.opts.Chunk)
			}
		}
		if p.journaling() && cap(p.ends) < p.opts.Chunk {
			if e, ok := endsPool.Get().(*[]int64); ok && cap(*e) >= p.opts.Chunk {
				p.ends = *e
			} else {
				p.ends = make([]int64, 0, p.opts.Chunk)
			}
		}
	}
	p.chunk = append(p.chunk, rec)
	if p.journaling() {
		// Untimed records are journaled with the chunk's time, as they would
		// be spooled: sent from the journal later, they keep it.
		n := len(p.jbuf)
		switch {
		case line != nil && !rec.Time.IsZero():
			p.jbuf = spool.AppendLine(p.jbuf, line)
		case rec.Time.IsZero():
			rec.Time = p.first
			fallthrough
		default:
			p.jbuf = p.enc.AppendEntry(p.jbuf, rec)
		}
		p.off += int64(len(p.jbuf) - n)
		p.ends = append(p.ends, p.off)
		p.count++
		if len(p.jbuf) >= 256<<10 {
			p.writeJournals()
		}
	}
	if len(p.chunk) >= p.opts.Chunk {
		p.dispatch(p.take())
	}
}

// take hands over the current chunk; p.mu is held.
func (p *Poster) take() batch {
	b := batch{recs: p.chunk, ends: p.ends, start: p.start, at: p.first}
	p.chunk, p.ends = nil, nil
	return b
}

// journaling reports whether records are journaled in this run.
func (p *Poster) journaling() bool {
	return p.opts.Journal && p.opts.DryRun == nil
}

// Sync writes the records added so far to the journals. The reader calls it
// before it waits for more input, so what it has read is on disk while it
// waits.
func (p *Poster) Sync() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.closed {
		p.writeJournals()
	}
}

// writeJournals appends the pending entries to every worker's journal,
// starting the journal on first use; p.mu is held. A journal that fails is
// given up (the worker's chunks are then handed over in memory only) and the
// failure reported.
func (p *Poster) writeJournals() {
	if len(p.jbuf) == 0 {
		return
	}
	for _, w := range p.workers {
		if w.jdead.Load() || w.t.Spool == nil {
			continue
		}
		if w.j == nil {
			j, err := w.t.Spool.NewJournal(p.opts.Fsync)
			if err != nil {
				w.journalFailed(err)
				continue
			}
			w.j = j
		}
		if err := w.j.Write(p.jbuf); err != nil {
			w.journalFailed(err)
		}
	}
	p.jbuf = p.jbuf[:0]
}

// journalFailed gives the worker's journal up; p.mu is held.
func (w *worker) journalFailed(err error) {
	w.jdead.Store(true)
	w.res.JournalErr = err
	w.p.opts.Warn("%s: cannot journal records (%v): they are still sent, but a crash now would lose those not yet sent", w.res.Name, err)
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
	p.writeJournals()
	b.refs = new(atomic.Int32)
	b.refs.Store(int32(len(p.workers)))
	for _, w := range p.workers {
		if b.ends == nil || w.j == nil || w.jdead.Load() {
			w.in <- b // in memory only: wait for room
			continue
		}
		if w.waitForRoom(b) {
			continue
		}
		// Left in the journal: the worker reads it back when it gets there.
		b.release()
	}
}

// waitForRoom hands b to the worker unless its queue stays full while a
// Send of it lasts stuckSend or more; p.mu is held.
func (w *worker) waitForRoom(b batch) bool {
	for {
		select {
		case w.in <- b:
			return true
		default:
		}
		if since := w.sendSince.Load(); since != 0 && time.Since(time.Unix(0, since)) >= stuckSend {
			return false
		}
		if w.wait == nil {
			w.wait = time.NewTimer(stuckSend / 5)
		} else {
			w.wait.Reset(stuckSend / 5)
		}
		select {
		case w.in <- b:
			w.wait.Stop()
			return true
		case <-w.wait.C:
		}
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
	p.writeJournals()
	p.end = p.off
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
	if w.t.Spool != nil {
		w.recover()
	}
	if w.t.Spool != nil && !w.p.opts.SkipSpoolFlush {
		w.flushSpool()
	}
	for b := range w.in {
		if w.leave() {
			b.release() // it stays in the journal
			continue
		}
		if b.ends != nil && b.start > w.next && w.j != nil {
			w.catchUp(b.start) // chunks left in the journal while the queue was full
		}
		w.sendAll(b.recs, b.ends, b.at)
		b.release()
	}
	// The queue is closed: p.end, p.count and w.j are settled.
	if w.j != nil {
		if w.leave() {
			// Interrupted or out of time: what was not taken stays in the
			// journal, which the next run (or spool flush) moves into the
			// spool, rather than being read back and spooled now, which
			// could take long after a --timeout.
			if left := w.p.count - w.taken; left > 0 {
				w.res.Spooled += left
				w.res.SpoolPath = w.j.Path()
				if w.res.Err == nil {
					w.res.Err = w.p.ctx.Err()
				}
			}
			if err := w.j.Close(w.p.count == w.taken); err != nil && w.res.JournalErr == nil {
				w.res.JournalErr = err
			}
		} else {
			if w.next < w.p.end {
				w.catchUp(w.p.end)
			}
			// Every record is resolved by now, unless reading back failed.
			if err := w.j.Close(!w.unread); err != nil && w.res.JournalErr == nil {
				w.res.JournalErr = err
			}
		}
	}
	if c, ok := w.t.Sink.(io.Closer); ok {
		_ = c.Close()
	}
}

// leave reports whether the run's remaining records are left in the journal
// (the run is interrupted and the journal holds them all).
func (w *worker) leave() bool {
	return w.p.ctx.Err() != nil && w.j != nil && !w.jdead.Load() && !w.unread
}

// sendAll sends a chunk in the sink's batches.
func (w *worker) sendAll(recs []metric.Record, ends []int64, at time.Time) {
	max := w.t.Sink.MaxBatch()
	for len(recs) > 0 {
		n := min(max, len(recs))
		var e []int64
		if ends != nil {
			e, ends = ends[:n], ends[n:]
		}
		w.send(recs[:n], e, at)
		recs = recs[n:]
	}
}

// catchUp sends the journaled records from w.next up to the offset to.
func (w *worker) catchUp(to int64) {
	err := w.j.Read(w.next, to, w.t.Sink.MaxBatch(), func(recs []metric.Record, ends []int64) error {
		w.send(recs, ends, time.Time{})
		return nil
	})
	if err != nil {
		// Cannot happen short of a disk error: what could not be read back is
		// left in the journal for the next run, and this run says so.
		if w.res.SpoolErr == nil {
			w.res.SpoolErr = fmt.Errorf("reading back the journal: %w (the records stay in %s for the next run)", err, w.j.Path())
		}
		w.unread = true
	}
	w.next = to
}

// recover moves what killed runs left in their journals into the spool,
// so that the spool flush sends it first. Records a killed run was sending
// are ambiguous, like an ambiguous failure: counts are not re-sent (unless
// AtLeastOnce) and are reported as possibly lost.
func (w *worker) recover() {
	res, err := w.t.Spool.Recover(w.keepInFlight)
	w.res.Recovered += res.Records
	w.res.Lost += res.Dropped
	w.res.Damaged += res.Damaged
	if res.Records > 0 {
		w.p.opts.Warn("%s: %s left in the journal of an earlier run (interrupted or killed) recovered", w.res.Name, plural(res.Records, "record"))
	}
	if res.Dropped > 0 {
		w.p.opts.Warn("%s: %s a killed run was sending not re-sent; they may or may not have arrived%s", w.res.Name, plural(res.Dropped, "count"), resendHint(w.p.opts.AtLeastOnceName))
	}
	if err != nil && w.res.SpoolErr == nil {
		w.res.SpoolErr = fmt.Errorf("recovering journals: %w", err)
	}
}

// keepInFlight says whether a record a killed run was sending (it may have
// arrived) is sent again: the rule of an ambiguous failure.
func (w *worker) keepInFlight(r metric.Record) bool {
	return w.p.opts.AtLeastOnce || w.t.Sink.Idempotent(r.Kind)
}

// resendHint says how to have counts re-sent, in the caller's name for
// AtLeastOnce: " (NAME re-sends them)", or "" without one.
func resendHint(name string) string {
	if name == "" {
		return ""
	}
	return parenthesized(name + " re-sends them")
}

// parenthesized is " (s)", or "" for an empty s.
func parenthesized(s string) string {
	if s == "" {
		return ""
	}
	return " (" + s + ")"
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// flushSpool sends what earlier runs spooled, before anything new.
func (w *worker) flushSpool() {
	var sendErr error
	res, err := w.t.Spool.FlushKeep(w.p.ctx, w.t.Sink.MaxBatch(), func(ctx context.Context, recs []metric.Record) ([]metric.Record, error) {
		if err := ctx.Err(); err != nil {
			sendErr = err
			return recs, err
		}
		err := w.sinkSend(ctx, recs)
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
	}, w.keepInFlight)
	w.res.FromSpool += res.Sent
	if res.InFlightDropped > 0 {
		w.res.Lost += res.InFlightDropped
		w.p.opts.Warn("%s: %s a killed run was sending from the spool not re-sent; they may or may not have arrived%s", w.res.Name, plural(res.InFlightDropped, "count"), resendHint(w.p.opts.AtLeastOnceName))
	}
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

// send delivers one batch or spools it. ends, when the batch is journaled,
// are the journal offsets after each record: the journal is told what is
// being sent and what is resolved.
func (w *worker) send(recs []metric.Record, ends []int64, at time.Time) {
	if ends != nil {
		end := ends[len(ends)-1]
		w.next = end
		w.taken += len(recs)
		defer func() {
			w.acked = end
			w.mark(end, end)
		}()
	}
	ctx := w.p.ctx
	if w.down || ctx.Err() != nil {
		reason := ctx.Err()
		if reason == nil {
			reason = w.res.Err
		}
		w.spool(recs, at, reason)
		return
	}
	if ends != nil {
		w.mark(w.acked, ends[len(ends)-1])
	}
	err := w.sinkSend(ctx, recs)
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

// sinkSend is Sink.Send, timed for waitForRoom.
func (w *worker) sinkSend(ctx context.Context, recs []metric.Record) error {
	w.sendSince.Store(time.Now().UnixNano())
	defer w.sendSince.Store(0)
	return w.t.Sink.Send(ctx, recs)
}

// mark records the journal's progress. A failure only means a crash would
// re-send more than it needs to; the run goes on.
func (w *worker) mark(acked, sending int64) {
	if w.j != nil && !w.unread {
		_ = w.j.Mark(acked, sending)
	}
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
