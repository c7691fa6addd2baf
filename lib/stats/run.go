package stats

import (
	"context"
	"errors"
	"io"
	"sync/atomic"

	"github.com/cronkit/cronkit/lib/metric"
)

// Source yields records (metric.Reader, the Prometheus reader); io.EOF ends it.
type Source interface {
	Next() (metric.Record, error)
}

// RunOptions are what Run needs besides the poster and the source. Every
// func may be nil.
type RunOptions struct {
	// Tee receives a copy of every record posted and of every error record
	// (--tee); nil: none. After a write error the copy stops, and TeeFailed
	// words the error: what it returns is RunResult.TeeErr.
	Tee       *metric.Writer
	TeeFailed func(error) error
	// Errorf says one problem of the input: a bad line, a producer's error record.
	Errorf func(format string, args ...any)
	// Position is where the source is ("stdin:3: "), to name a bad record.
	Position func() string
	// Finish runs once the source is read whole without a read error (the
	// Prometheus reader saves its counter state then).
	Finish func() error
	// Skipped is how many records the source took without yielding them
	// (a counter's first sample): the input was not empty.
	Skipped func() int
}

// RunResult is what a run read and what the poster made of it.
type RunResult struct {
	Result            // the poster's, once closed
	Records     int   // records taken (yielded and posted, or skipped)
	Upstream    int   // error records: producers that failed (DESIGN.md §4)
	Bad         int   // lines or records refused
	ReadErr     error // reading stopped on it
	TeeErr      error // TeeFailed's word on a failed --tee
	Interrupted bool  // ctx ended before the source did
}

// Run reads src into p until it ends or ctx does, then closes p. A reader
// blocked on its input when ctx ends is left behind: what it adds later is
// spooled by the closed poster, and Records, Upstream and ReadErr are then
// those of the part read before, or zero if the reader has not finished.
func Run(ctx context.Context, p *Poster, src Source, o RunOptions) RunResult {
	if o.Errorf == nil {
		o.Errorf = func(string, ...any) {}
	}
	var bad atomic.Int64 // read after an interrupt while the reader may still run
	done := make(chan RunResult, 1)
	go func() { done <- read(ctx, p, src, o, &bad) }()
	var rr RunResult
	select {
	case rr = <-done:
	case <-ctx.Done():
		rr.Interrupted = true
	}
	rr.Result = p.Close()
	if rr.Interrupted {
		select {
		case r := <-done:
			r.Result, r.Interrupted = rr.Result, true
			rr = r
		default:
		}
	}
	rr.Bad = int(bad.Load())
	return rr
}

// read is Run's reader: it checks each record and adds it to p.
func read(ctx context.Context, p *Poster, src Source, o RunOptions, bad *atomic.Int64) (rr RunResult) {
	tee := o.Tee
	teeFailed := func(err error) {
		tee = nil
		if o.TeeFailed != nil {
			rr.TeeErr = o.TeeFailed(err)
		}
	}
	var times metric.TimeChecker
	for {
		rec, err := src.Next()
		if err == io.EOF {
			break
		}
		var le *metric.LineError
		var er *metric.ErrorRecord
		switch {
		case errors.As(err, &le):
			bad.Add(1)
			o.Errorf("%v", le)
			continue
		case errors.As(err, &er):
			// The producer failed: say so, post what it did send, and pass
			// the failure on to a consumer of --tee.
			rr.Upstream++
			o.Errorf("%v", er)
			if tee != nil {
				if err := tee.WriteError(*er); err != nil {
					teeFailed(err)
				}
			}
			continue
		case err != nil:
			rr.ReadErr = err
		}
		if rr.ReadErr != nil {
			break
		}
		// The rule --time follows: a far-future time is a bad line here too.
		err = times.Check(rec.Time)
		if err == nil {
			err = p.Check(rec)
		}
		if err != nil {
			bad.Add(1)
			o.Errorf("%s%v", position(o), err)
			continue
		}
		if tee != nil {
			if err := tee.Write(rec); err != nil {
				teeFailed(err)
			}
		}
		var line []byte
		if mr, ok := src.(*metric.Reader); ok {
			line = mr.Raw() // journaled as read, not encoded again
		}
		p.AddLine(rec, line)
		rr.Records++
		if ctx.Err() != nil {
			break
		}
	}
	if o.Skipped != nil {
		rr.Records += o.Skipped()
	}
	if o.Finish != nil && rr.ReadErr == nil {
		rr.ReadErr = o.Finish()
	}
	if tee != nil {
		if err := tee.Flush(); err != nil {
			teeFailed(err)
		}
	}
	return rr
}

func position(o RunOptions) string {
	if o.Position == nil {
		return ""
	}
	return o.Position()
}
