package stats

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/cronkit/cronkit/lib/atomicfile"
	"github.com/cronkit/cronkit/lib/metric"
)

// Increases puts a sink that only understands counts (StatHat, StatsD) in
// front of cumulative counters: a record of kind counter is sent as a count
// of its increase since the value last delivered to this destination.
//
//   - The first sighting of a series posts nothing: it only records where
//     the counter stands.
//   - A value below the last one means the source restarted (a PostgreSQL
//     restart, pg_stat_reset): the new value is the increase since then.
//     A count is never negative.
//   - A record timed before the last delivered one (or the same record
//     again) is an old record sent again (from the journal of a killed run,
//     or the spool): it posts nothing and moves nothing. Were it taken for a
//     reset, its whole value would be posted.
//   - Other kinds pass through untouched.
//
// The last delivered value and time of each series is kept in a state file
// per destination (beside its spool, see statpost's buildTargets). Records
// are journaled and spooled raw, as counters, and turned into increases only
// when they are sent: the state moves only when a send is acknowledged, so
// a record sent twice (recovered from a killed run's journal, re-sent from
// the spool) posts nothing the second time. Counters are therefore
// idempotent for the poster.
//
// Against a kill -9 between sending and saving, the state is written ahead:
// before a send the log records the values being sent ("S"); after the
// acknowledgement they become the delivered values ("D"). A later run that
// finds an "S" left over follows the ambiguous-failure rule: the increases
// may have arrived, so by default they count as delivered (at most once: an
// increase may be lost, never counted twice, and the run says so), and with
// AtLeastOnce they are sent again. The same rule applies to an ambiguous
// failure of a live send.
type Increases struct {
	Sink Sink
	// Path is the state file; "" keeps the state in memory (dry runs).
	Path string
	// AtLeastOnce re-sends increases whose send was ambiguous.
	AtLeastOnce bool
	// AtLeastOnceName is the caller's name for AtLeastOnce (a command's
	// flag), named in the warnings; "": not named.
	AtLeastOnceName string
	// Warn reports increases that may or may not have arrived.
	Warn func(format string, args ...any)
	// Now is the clock (tests); default time.Now.
	Now func() time.Time

	mem  *counterState // the state as last read or written
	seen diskID        // the files as they were then
}

// counterState is the state file: last delivered point per series and what
// a send in progress (or killed) was delivering.
type counterState struct {
	Version   int              `json:"version"`
	Delivered map[string]point `json:"delivered"`
	Sending   map[string]point `json:"sending,omitempty"`
}

// point is a counter's value and the record's time (the send time for an
// untimed record).
type point struct {
	V float64   `json:"v"`
	T time.Time `json:"t,omitzero"`
}

const counterStateVersion = 1

func (c *Increases) Name() string                  { return c.Sink.Name() }
func (c *Increases) MaxBatch() int                 { return c.Sink.MaxBatch() }
func (c *Increases) Check(rec metric.Record) error { return c.Sink.Check(rec) }

// Idempotent: a counter sent twice gives an increase of 0 the second time.
func (c *Increases) Idempotent(k metric.Kind) bool {
	return k == metric.Counter || c.Sink.Idempotent(k)
}

// Close closes the wrapped sink.
func (c *Increases) Close() error {
	if cl, ok := c.Sink.(io.Closer); ok {
		return cl.Close()
	}
	return nil
}

// SeriesKey names a counter series: its name and sorted tags.
func SeriesKey(r metric.Record) string {
	if len(r.Tags) == 0 {
		return r.Name
	}
	keys := make([]string, 0, len(r.Tags))
	for k := range r.Tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(r.Name)
	for _, k := range keys {
		b.WriteString("\x00" + k + "=" + r.Tags[k])
	}
	return b.String()
}

func hasCounter(recs []metric.Record) bool {
	for _, r := range recs {
		if r.Kind == metric.Counter {
			return true
		}
	}
	return false
}

// step is what converting one record does to the state.
type step struct {
	key string
	pt  point
}

// convert turns recs into what the sink is sent: out, with idx[i] the
// index in recs of out[i], and steps[i] the state change of recs[i] (key ""
// for records that are not counters or change nothing). now times untimed
// records.
func convert(delivered map[string]point, recs []metric.Record, now time.Time) (out []metric.Record, idx []int, steps []step) {
	cur := map[string]point{}
	steps = make([]step, len(recs))
	for i, r := range recs {
		if r.Kind != metric.Counter {
			out = append(out, r)
			idx = append(idx, i)
			continue
		}
		key := SeriesKey(r)
		prev, ok := cur[key]
		if !ok {
			prev, ok = delivered[key]
		}
		if ok && !r.Time.IsZero() && !prev.T.IsZero() &&
			(r.Time.Before(prev.T) || r.Time.Equal(prev.T) && r.Value == prev.V) {
			// An old record again (journal, spool): its increase is counted.
			// A new value at the same time is not old: pgreport's times are
			// whole seconds, and two reports may share one.
			continue
		}
		pt := point{V: r.Value, T: r.Time}
		if pt.T.IsZero() {
			pt.T = now
		}
		steps[i] = step{key: key, pt: pt}
		cur[key] = pt
		if !ok {
			continue // first sighting: nothing to post
		}
		inc := r.Value - prev.V
		if inc < 0 {
			inc = r.Value // a reset: counted from zero again
		}
		r.Kind, r.Value = metric.Count, inc
		out = append(out, r)
		idx = append(idx, i)
	}
	return out, idx, steps
}

func (c *Increases) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c *Increases) warn(format string, args ...any) {
	if c.Warn != nil {
		c.Warn(format, args...)
	}
}

// The state on disk is a snapshot (Path, JSON: counterState without
// Sending) and a log beside it (Path + ".log"), appended to under the lock:
// "S {points}" before a send (what it delivers if it arrives) and "D {points}"
// after it (what is now delivered: all of it, a part, or nothing), each
// fsynced. A send costs two small appends whatever the number of series;
// the log is folded into the snapshot once it outgrows it. An "S" with no
// "D" after it is a send a killed run left in flight. A torn last line (a
// kill during its write) is dropped: an "S" being written was not sent yet,
// and a torn "D" leaves its "S" in flight, resolved like any other.

func (c *Increases) logPath() string { return c.Path + ".log" }

// diskID identifies the files as this process last saw them: another
// process that wrote since changes it, and the state is read again.
type diskID struct {
	snapIno, snapSize, logSize int64
	snapMod                    time.Time
}

func (c *Increases) diskID() diskID {
	var id diskID
	if fi, err := os.Stat(c.Path); err == nil {
		id.snapSize, id.snapMod = fi.Size(), fi.ModTime()
		if st, ok := fi.Sys().(*syscall.Stat_t); ok {
			id.snapIno = int64(st.Ino)
		}
	}
	if fi, err := os.Stat(c.logPath()); err == nil {
		id.logSize = fi.Size()
	}
	return id
}

// load returns the state, read again only if another process changed the
// files, and resolves a send a killed run left in flight. The lock is held.
func (c *Increases) load() (*counterState, error) {
	if c.Path == "" {
		if c.mem == nil {
			c.mem = &counterState{Version: counterStateVersion, Delivered: map[string]point{}}
		}
		return c.mem, nil
	}
	id := c.diskID()
	if c.mem != nil && id == c.seen {
		return c.mem, nil
	}
	st := &counterState{Version: counterStateVersion, Delivered: map[string]point{}}
	b, err := os.ReadFile(c.Path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	if err == nil {
		if err := json.Unmarshal(b, st); err != nil || st.Version != counterStateVersion {
			if err == nil {
				err = fmt.Errorf("version %d, want %d", st.Version, counterStateVersion)
			}
			return nil, fmt.Errorf("counter state %s: %w (move it away to start the counters afresh)", c.Path, err)
		}
		if st.Delivered == nil {
			st.Delivered = map[string]point{}
		}
	}
	lb, err := os.ReadFile(c.logPath())
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	good := 0 // bytes of whole, readable lines
	for rest := lb; len(rest) > 0; {
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			break
		}
		line := rest[:i]
		rest = rest[i+1:]
		var m map[string]point
		if len(line) < 2 || line[1] != ' ' || (line[0] != 'S' && line[0] != 'D') || json.Unmarshal(line[2:], &m) != nil {
			break
		}
		if line[0] == 'S' {
			st.Sending = m
		} else {
			maps.Copy(st.Delivered, m)
			st.Sending = nil
		}
		good += i + 1
	}
	if good < len(lb) {
		if err := os.Truncate(c.logPath(), int64(good)); err != nil {
			return nil, err
		}
	}
	c.mem = st
	if len(st.Sending) > 0 {
		resolved := map[string]point{}
		if c.AtLeastOnce {
			c.warn("%s: a killed run was sending the increases of %d counters; they are sent again%s", c.Name(), len(st.Sending), parenthesized(c.AtLeastOnceName))
		} else {
			resolved = st.Sending
			c.warn("%s: a killed run was sending the increases of %d counters; they may or may not have arrived and are not sent again%s", c.Name(), len(st.Sending), resendHint(c.AtLeastOnceName))
		}
		st.Sending = nil
		if err := c.delivered(resolved); err != nil {
			c.mem = nil
			return nil, err
		}
	}
	c.seen = c.diskID()
	return st, nil
}

// appendLog appends one fsynced line to the log.
func (c *Increases) appendLog(kind byte, m map[string]point) error {
	if c.Path == "" {
		return nil
	}
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	line := append([]byte{kind, ' '}, b...)
	line = append(line, '\n')
	if err := os.MkdirAll(filepath.Dir(c.Path), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(c.logPath(), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(line)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// sending writes ahead what a send delivers if it arrives.
func (c *Increases) sending(m map[string]point) error {
	if err := c.appendLog('S', m); err != nil {
		return err
	}
	c.seen = c.diskID()
	return nil
}

// delivered records m as delivered (in memory and on disk) and folds the
// log into the snapshot once it outgrows it.
func (c *Increases) delivered(m map[string]point) error {
	maps.Copy(c.mem.Delivered, m)
	if c.Path == "" {
		return nil
	}
	if err := c.appendLog('D', m); err != nil {
		return err
	}
	id := c.diskID()
	if id.logSize > max(64<<10, id.snapSize) {
		b, err := json.Marshal(c.mem)
		if err != nil {
			return err
		}
		if err := atomicfile.WriteFile(c.Path, append(b, '\n'), 0o600); err != nil {
			return err
		}
		// A kill before the truncation replays the log onto the new
		// snapshot: it sets the same values again.
		if err := os.Truncate(c.logPath(), 0); err != nil {
			return err
		}
		id = c.diskID()
	}
	c.seen = id
	return nil
}

func stepsMap(steps []step) map[string]point {
	m := map[string]point{}
	for _, s := range steps {
		if s.key != "" {
			m[s.key] = s.pt
		}
	}
	return m
}

// lock serialises statpost processes sending to the same destination:
// read, send and save happen under it.
func (c *Increases) lock() (func(), error) {
	if c.Path == "" {
		return func() {}, nil
	}
	if err := os.MkdirAll(filepath.Dir(c.Path), 0o700); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(c.Path+".lock", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	for {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", c.Path+".lock", err)
	}
	return func() { _ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN); f.Close() }, nil
}

func (c *Increases) Send(ctx context.Context, recs []metric.Record) error {
	if !hasCounter(recs) {
		return c.Sink.Send(ctx, recs)
	}
	if err := ctx.Err(); err != nil {
		return &SendError{Err: err}
	}
	unlock, err := c.lock()
	if err != nil {
		return &SendError{Err: err}
	}
	defer unlock()
	st, err := c.load()
	if err != nil {
		return &SendError{Err: err}
	}
	out, idx, steps := convert(st.Delivered, recs, c.now())
	if len(out) == 0 {
		// only first sightings (or old records): record where the counters stand
		if err := c.delivered(stepsMap(steps)); err != nil {
			c.mem = nil
			return &SendError{Err: fmt.Errorf("counter state: %w", err)}
		}
		return nil
	}
	// Write ahead what is being sent, so a kill -9 during the send is
	// resolved by the ambiguous-failure rule rather than re-sending.
	if err := c.sending(stepsMap(steps)); err != nil {
		c.mem = nil
		return &SendError{Err: fmt.Errorf("counter state: %w", err)}
	}
	sendErr := c.Sink.Send(ctx, out)
	if sendErr == nil {
		if err := c.delivered(stepsMap(steps)); err != nil {
			// Sent but not recorded: the next run resolves the write-ahead
			// entry as an ambiguous send (never counted twice by default).
			c.mem = nil
			c.warn("%s: counter state: %v (the increases were sent)", c.Name(), err)
		}
		return nil
	}
	se := AsSendError(sendErr)
	done := len(recs)
	if se.Done < len(out) {
		done = idx[se.Done]
	}
	upd := stepsMap(steps[:done])
	if se.Ambiguous && !c.AtLeastOnce {
		// May have arrived: count it as delivered (never twice), and say so.
		rest := stepsMap(steps[done:])
		if len(rest) > 0 {
			maps.Copy(upd, rest)
			c.warn("%s: the increases of %d counters may or may not have arrived (%v); they are not sent again%s", c.Name(), len(rest), sendErr, resendHint(c.AtLeastOnceName))
		}
	}
	if err := c.delivered(upd); err != nil {
		c.mem = nil
		c.warn("%s: counter state: %v", c.Name(), err)
	}
	return &SendError{Err: se.Err, Done: done, Ambiguous: se.Ambiguous, Permanent: se.Permanent, Auth: se.Auth}
}

// DryRun shows the increases the state on disk gives, and saves nothing.
func (c *Increases) DryRun(w io.Writer, recs []metric.Record) error {
	if !hasCounter(recs) {
		return c.Sink.DryRun(w, recs)
	}
	st, err := c.load()
	if err != nil {
		return err
	}
	out, _, steps := convert(st.Delivered, recs, c.now())
	if c.Path == "" {
		_ = c.delivered(stepsMap(steps)) // memory: later batches of this run see these values
	}
	if len(out) == 0 {
		return nil
	}
	return c.Sink.DryRun(w, out)
}
