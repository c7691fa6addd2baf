// Package spool is statpost's durable spool: records that could not be
// delivered to a destination are appended to <dir>/<kind>-<hash>.spool and
// sent first on the next run that posts to the same destination, in order,
// with their original timestamps. It is not a public API.
//
// A spool belongs to one destination (a sink kind and everything that places
// a record there, see ForDestination); <kind>-<hash>.dest says which, for
// `statpost spool status`. Spools named <kind>.spool were written by statpost
// before spools were keyed by destination; their destination is unknown, so
// they are never sent on their own (see MoveTo).
//
// File format: one entry a line, "CCCCCCCC JSON\n", where CCCCCCCC is the
// CRC-32C of JSON in hex and JSON a metric record. Each append is one write(2)
// followed by fsync under an exclusive flock, so a kill -9 mid-write can only
// leave a torn last line: it fails its CRC (or lacks its newline), is skipped
// and reported, and the next append first terminates it with a newline so the
// new entry is not glued to it.
//
// Locks (flock on files that are never renamed, so a waiter never ends up
// holding a lock on a replaced file):
//   - <sink>.lock: held briefly to append, to snapshot the size, and to compact.
//   - <sink>.flush: held for a whole flush, so two processes never send the same
//     entries; it also holds the flush progress "dev ino done sending", fsynced
//     before and after every batch, so a flush killed half-way does not send
//     the delivered part again, and knows which batch was in flight.
package spool

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/cronkit/cronkit/lib/metric"
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// ErrNoDir is Dir's error when the environment names no absolute directory:
// the caller says how to give one.
var ErrNoDir = errors.New("no absolute XDG_STATE_HOME or HOME: no place for the spool")

// ErrBusy is returned by Flush when another process is flushing this spool.
var ErrBusy = errors.New("another statpost process is flushing this spool")

// Spool is one destination's spool file.
type Spool struct {
	dir, name string
	dest      string // the destination, when known from the configuration
}

// Dir returns the spool directory for an environment:
// $XDG_STATE_HOME/cronkit/statpost, else $HOME/.local/state/cronkit/statpost.
// A relative XDG_STATE_HOME is ignored, as the XDG spec says: a spool found
// through the working directory would be missed by the next run started
// elsewhere, and its records never sent.
func Dir(getenv func(string) string) (string, error) {
	base := getenv("XDG_STATE_HOME")
	if !filepath.IsAbs(base) {
		home := getenv("HOME")
		if !filepath.IsAbs(home) {
			return "", ErrNoDir
		}
		base = filepath.Join(home, ".local", "state")
	}
	return filepath.Join(base, "cronkit", "statpost"), nil
}

// Open returns the spool named name in dir (created 0700 on first append):
// "<kind>-<hash>" as ForDestination names it, or a legacy "<kind>".
func Open(dir, name string) *Spool { return &Spool{dir: dir, name: name} }

// ForDestination returns the spool in dir for records bound to dest (a
// description of everything that places a record, without secrets) by a
// sink of the given kind. Its name is the kind and a hash of both.
func ForDestination(dir, kind, dest string) *Spool {
	sum := sha256.Sum256([]byte(kind + "\n" + dest))
	return &Spool{dir: dir, name: kind + "-" + hex.EncodeToString(sum[:8]), dest: dest}
}

// Name is the spool's file name without ".spool".
func (s *Spool) Name() string { return s.name }

// Kind is the sink kind the spool's records are for.
func (s *Spool) Kind() string {
	k, _, _ := strings.Cut(s.name, "-")
	return k
}

// Legacy reports a spool written before spools were keyed by destination.
func (s *Spool) Legacy() bool { return !strings.Contains(s.name, "-") }

// Destination says where the spool's records go: as configured, else as
// recorded beside the spool; "" when unknown (a legacy spool).
func (s *Spool) Destination() string {
	if s.dest != "" || s.Legacy() {
		return s.dest
	}
	b, err := os.ReadFile(s.destPath())
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(string(b), "\n")
}

func (s *Spool) destPath() string { return filepath.Join(s.dir, s.name+".dest") }

// writeDest records the destination beside a new spool or journal.
func (s *Spool) writeDest() {
	if s.dest == "" {
		return
	}
	if _, err := os.Stat(s.destPath()); err == nil {
		return
	}
	tmp := s.destPath() + ".tmp"
	if os.WriteFile(tmp, []byte(s.dest+"\n"), 0o600) == nil {
		_ = os.Rename(tmp, s.destPath())
	}
}

// Path is the spool file's path.
func (s *Spool) Path() string { return filepath.Join(s.dir, s.name+".spool") }

func (s *Spool) lockPath() string  { return filepath.Join(s.dir, s.name+".lock") }
func (s *Spool) flushPath() string { return filepath.Join(s.dir, s.name+".flush") }

// lockFile opens path and flocks it; nonblock returns ErrBusy instead of waiting.
func lockFile(path string, nonblock bool) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	how := syscall.LOCK_EX
	if nonblock {
		how |= syscall.LOCK_NB
	}
	for {
		err = syscall.Flock(int(f.Fd()), how)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, ErrBusy
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return f, nil
}

func unlock(f *os.File) {
	_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	f.Close()
}

// AppendEntry appends the framed line for rec to b.
func AppendEntry(b []byte, rec metric.Record) []byte {
	start := len(b)
	b = append(b, "00000000 "...)
	b = metric.AppendJSON(b, rec)
	sum := crc32.Checksum(b[start+9:], castagnoli)
	hex.Encode(b[start:start+8], []byte{byte(sum >> 24), byte(sum >> 16), byte(sum >> 8), byte(sum)})
	return append(b, '\n')
}

// AppendLine appends the framed entry for line, a canonical metric-record
// line as read (metric.ParseCanonical accepts it), without its newline: the
// journal keeps what statpost read rather than encoding it again.
func AppendLine(b, line []byte) []byte {
	start := len(b)
	b = append(b, "00000000 "...)
	b = append(b, line...)
	sum := crc32.Checksum(b[start+9:], castagnoli)
	hex.Encode(b[start:start+8], []byte{byte(sum >> 24), byte(sum >> 16), byte(sum >> 8), byte(sum)})
	return append(b, '\n')
}

// Append adds recs at the end of the spool, durably, in one write.
func (s *Spool) Append(recs []metric.Record) error {
	if len(recs) == 0 {
		return nil
	}
	var buf []byte
	for _, r := range recs {
		buf = AppendEntry(buf, r)
	}
	return s.appendRaw(buf)
}

func (s *Spool) appendRaw(buf []byte) error {
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	lk, err := lockFile(s.lockPath(), false)
	if err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	defer unlock(lk)
	_, statErr := os.Stat(s.Path())
	f, err := os.OpenFile(s.Path(), os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	if st.Size() > 0 {
		last := make([]byte, 1)
		if _, err := f.ReadAt(last, st.Size()-1); err != nil {
			return fmt.Errorf("spool: %w", err)
		}
		if last[0] != '\n' {
			// A torn entry from a killed writer: end it so it stays one bad line.
			buf = append([]byte{'\n'}, buf...)
		}
	}
	if _, err := f.Write(buf); err != nil {
		return fmt.Errorf("spool %s: %w", s.Path(), err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("spool %s: %w", s.Path(), err)
	}
	if os.IsNotExist(statErr) {
		s.writeDest()
		syncDir(s.dir)
	}
	return nil
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}

// checkEntry checks one line's CRC (the line without its newline) and
// returns the JSON it frames.
func checkEntry(line []byte) ([]byte, bool) {
	if len(line) < 10 || line[8] != ' ' {
		return nil, false
	}
	var want [4]byte
	if _, err := hex.Decode(want[:], line[:8]); err != nil {
		return nil, false
	}
	sum := crc32.Checksum(line[9:], castagnoli)
	if sum != uint32(want[0])<<24|uint32(want[1])<<16|uint32(want[2])<<8|uint32(want[3]) {
		return nil, false
	}
	return line[9:], true
}

// decodeEntry checks one line (without its newline) and decodes it. A
// canonical line (what AppendEntry writes, or a line AppendLine journaled as
// read) is parsed as metric.Reader parsed it when it was read; anything else
// by encoding/json.
func decodeEntry(line []byte) (metric.Record, bool) {
	body, ok := checkEntry(line)
	if !ok {
		return metric.Record{}, false
	}
	if rec, ok := metric.ParseCanonical(body); ok {
		return rec, true
	}
	var rec metric.Record
	if err := json.Unmarshal(body, &rec); err != nil || rec.Validate() != nil {
		return metric.Record{}, false
	}
	return rec, true
}

// entry is one decoded line and where it ends in the file.
type entry struct {
	rec metric.Record
	end int64
}

// scanner reads entries from f between two offsets.
type scanner struct {
	br      *bufio.Reader
	pos     int64
	limit   int64
	damaged int
}

func newScanner(f *os.File, from, limit int64) (*scanner, error) {
	if _, err := f.Seek(from, io.SeekStart); err != nil {
		return nil, err
	}
	return &scanner{br: bufio.NewReaderSize(io.LimitReader(f, limit-from), 64<<10), pos: from, limit: limit}, nil
}

// next returns the next good entry, skipping (and counting) damaged lines.
func (sc *scanner) next() (entry, error) {
	for {
		line, err := sc.br.ReadBytes('\n')
		if len(line) == 0 && err != nil {
			if err == io.EOF {
				return entry{}, io.EOF
			}
			return entry{}, err
		}
		sc.pos += int64(len(line))
		if line[len(line)-1] != '\n' {
			sc.damaged++ // torn tail
			continue
		}
		line = bytes.TrimSuffix(line, []byte{'\n'})
		if len(line) == 0 {
			continue // the newline that closed a torn entry
		}
		rec, ok := decodeEntry(line)
		if !ok {
			sc.damaged++
			continue
		}
		return entry{rec: rec, end: sc.pos}, nil
	}
}

// Status describes a spool.
type Status struct {
	Name    string
	Kind    string
	Dest    string // "" when unknown (a legacy spool)
	Path    string
	Records int
	Damaged int // lines skipped: torn or failing their CRC
	Bytes   int64
	Oldest  time.Time
	Newest  time.Time
	// Journaled records are in the journals of killed runs, not yet moved
	// into the spool (the next run or spool flush does that).
	Journaled int
}

// Status reads the spool (from the flush progress on) without changing it.
func (s *Spool) Status() (Status, error) {
	st := Status{Name: s.name, Kind: s.Kind(), Dest: s.Destination(), Path: s.Path()}
	st.Journaled, _ = s.journalStatus()
	f, size, from, err := s.snapshot()
	if err != nil || f == nil {
		return st, err
	}
	defer f.Close()
	st.Bytes = size - from
	sc, err := newScanner(f, from, size)
	if err != nil {
		return st, err
	}
	for {
		e, err := sc.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return st, err
		}
		st.Records++
		if t := e.rec.Time; !t.IsZero() {
			if st.Oldest.IsZero() || t.Before(st.Oldest) {
				st.Oldest = t
			}
			if t.After(st.Newest) {
				st.Newest = t
			}
		}
	}
	st.Damaged = sc.damaged
	return st, nil
}

// snapshot opens the spool and returns its size under the append lock (so
// no entry is half-written within it) and the flush progress offset.
// f is nil when there is no spool.
func (s *Spool) snapshot() (f *os.File, size, from int64, err error) {
	if _, err := os.Stat(s.Path()); os.IsNotExist(err) {
		return nil, 0, 0, nil // and no lock file made for a spool that is not there
	}
	lk, err := lockFile(s.lockPath(), false)
	if err != nil {
		return nil, 0, 0, err
	}
	defer unlock(lk)
	f, err = os.Open(s.Path())
	if os.IsNotExist(err) {
		return nil, 0, 0, nil
	}
	if err != nil {
		return nil, 0, 0, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, 0, err
	}
	from = s.progress(fi)
	if from > fi.Size() {
		from = 0
	}
	return f, fi.Size(), from, nil
}

// progress is where the next flush starts: see readProgress.
func (s *Spool) progress(fi os.FileInfo) int64 {
	done, _ := s.readProgress(fi)
	return done
}

// readProgress reads "dev ino done [sending]" from the flush file: entries
// before done are delivered, those up to sending were being sent when the
// flush stopped. It applies only to the same file (a compaction renames a new
// file into place); otherwise both are 0.
func (s *Spool) readProgress(fi os.FileInfo) (done, sending int64) {
	b, err := os.ReadFile(s.flushPath())
	if err != nil {
		return 0, 0
	}
	fs := strings.Fields(string(b))
	if len(fs) != 3 && len(fs) != 4 {
		return 0, 0
	}
	dev, ino := fileID(fi)
	d, err1 := strconv.ParseUint(fs[0], 10, 64)
	i, err2 := strconv.ParseUint(fs[1], 10, 64)
	done, err3 := strconv.ParseInt(fs[2], 10, 64)
	if err1 != nil || err2 != nil || err3 != nil || d != dev || i != ino || done < 0 || done > fi.Size() {
		return 0, 0
	}
	sending = done
	if len(fs) == 4 { // older statposts wrote no sending field
		if v, err := strconv.ParseInt(fs[3], 10, 64); err == nil && v >= done {
			sending = v
		}
	}
	return done, sending
}

func fileID(fi os.FileInfo) (dev, ino uint64) {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Dev), st.Ino
	}
	return 0, 0
}

// SendFunc delivers a batch from the spool. On failure it returns the records
// of the batch to keep in the spool (the others were delivered or given up
// and reported by the caller) and the error; the flush then stops.
type SendFunc func(ctx context.Context, recs []metric.Record) (keep []metric.Record, err error)

// FlushResult says what a flush did.
type FlushResult struct {
	// InFlightDropped records were being sent when an earlier flush was
	// killed and were not sent again (see FlushKeep).
	InFlightDropped int
	Sent            int // records delivered
	Dropped         int // records the sender gave up on (reported by it)
	Remaining       int // records still spooled afterwards (from the snapshot)
	Damaged         int // damaged lines skipped (and removed)
}

// Flush sends the spooled records, oldest first, in batches of at most
// batch, through send; delivered entries leave the spool. It returns ErrBusy
// if another process is flushing, and send's error if a batch failed.
func (s *Spool) Flush(ctx context.Context, batch int, send SendFunc) (FlushResult, error) {
	return s.FlushKeep(ctx, batch, send, nil)
}

// FlushKeep is Flush for a sender that cares what happened to the batch a
// killed flush was sending (recorded in the progress before every send): it
// may or may not have arrived, so its records are sent again only if
// inFlight says so (nil: all of them, at least once); the others are counted
// in InFlightDropped for the caller to report.
func (s *Spool) FlushKeep(ctx context.Context, batch int, send SendFunc, inFlight func(metric.Record) bool) (FlushResult, error) {
	var res FlushResult
	if _, err := os.Stat(s.Path()); os.IsNotExist(err) {
		return res, nil
	}
	fl, err := lockFile(s.flushPath(), true)
	if err != nil {
		return res, err
	}
	defer unlock(fl)
	f, size, from, err := s.snapshot()
	if err != nil || f == nil {
		return res, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return res, err
	}
	dev, ino := fileID(fi)
	_, sending := s.readProgress(fi)
	sc, err := newScanner(f, from, size)
	if err != nil {
		return res, err
	}
	if batch <= 0 {
		batch = 1000
	}
	done := from // everything before done is delivered (or given up)
	var keep []metric.Record
	var sendErr error
	recs := make([]metric.Record, 0, batch)
	var lastEnd int64
	for sendErr == nil {
		recs = recs[:0]
		for len(recs) < batch {
			e, err := sc.next()
			if err == io.EOF {
				break
			}
			if err != nil {
				return res, err
			}
			lastEnd = e.end
			if e.end <= sending && inFlight != nil && !inFlight(e.rec) {
				res.InFlightDropped++
				continue
			}
			recs = append(recs, e.rec)
		}
		if len(recs) == 0 {
			done = size // trailing damaged lines (and given-up ones) go too
			break
		}
		// what is being sent, should this process die before it is answered
		if err := writeProgress(fl, dev, ino, done, lastEnd); err != nil {
			return res, err
		}
		k, err := send(ctx, recs)
		if err != nil {
			sendErr = err
			keep = k
			res.Dropped += len(recs) - len(k)
			for {
				if _, err := sc.next(); err != nil {
					break
				}
				res.Remaining++
			}
			res.Remaining += len(k)
		} else {
			res.Sent += len(recs)
		}
		done = lastEnd
		if sendErr == nil {
			if err := writeProgress(fl, dev, ino, done, done); err != nil {
				return res, err
			}
		}
	}
	res.Damaged = sc.damaged
	if err := s.compact(fl, done, keep); err != nil {
		return res, err
	}
	return res, sendErr
}

// writeProgress records "dev ino done sending" in fixed-width fields, with
// one write over the previous line and no truncation first: a kill -9 at any
// moment leaves the old line or the new one, never an empty file (which
// would make the next flush send the whole spool again).
func writeProgress(fl *os.File, dev, ino uint64, done, sending int64) error {
	line := fmt.Sprintf("%020d %020d %020d %020d\n", dev, ino, done, sending)
	if _, err := fl.WriteAt([]byte(line), 0); err != nil {
		return err
	}
	if err := fl.Truncate(int64(len(line))); err != nil {
		return err
	}
	return fl.Sync()
}

// compact replaces the spool with keep followed by everything after done
// (including entries appended since the snapshot), then clears the progress.
func (s *Spool) compact(fl *os.File, done int64, keep []metric.Record) error {
	lk, err := lockFile(s.lockPath(), false)
	if err != nil {
		return err
	}
	defer unlock(lk)
	old, err := os.Open(s.Path())
	if err != nil {
		return err
	}
	defer old.Close()
	tmp := s.Path() + ".tmp"
	nf, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	var buf []byte
	for _, r := range keep {
		buf = AppendEntry(buf, r)
	}
	_, err = nf.Write(buf)
	if err == nil {
		_, err = old.Seek(done, io.SeekStart)
	}
	if err == nil {
		_, err = io.Copy(nf, old)
	}
	if err == nil {
		err = nf.Sync()
	}
	if cerr := nf.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, s.Path())
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("spool compact: %w", err)
	}
	syncDir(s.dir)
	// The progress named the old file; the new one starts at 0.
	if err := fl.Truncate(0); err != nil {
		return err
	}
	return fl.Sync()
}

// Drop empties the spool and the journals of killed runs to its destination,
// and returns how many records they held.
func (s *Spool) Drop() (n int, err error) {
	st, err := s.Status()
	if err != nil {
		return 0, err
	}
	if st.Journaled > 0 {
		// into the spool first, under its locks, then the spool goes
		rr, err := s.Recover(func(metric.Record) bool { return false })
		if err != nil {
			return 0, err
		}
		if st, err = s.Status(); err != nil {
			return 0, err
		}
		defer func() { n += rr.Dropped }()
	}
	if st.Records == 0 && st.Damaged == 0 && st.Bytes == 0 {
		return st.Records, nil
	}
	fl, err := lockFile(s.flushPath(), true)
	if err != nil {
		return 0, err
	}
	defer unlock(fl)
	lk, err := lockFile(s.lockPath(), false)
	if err != nil {
		return 0, err
	}
	defer unlock(lk)
	if err := os.Remove(s.Path()); err != nil && !os.IsNotExist(err) {
		return 0, err
	}
	syncDir(s.dir)
	if err := fl.Truncate(0); err != nil {
		return 0, err
	}
	return st.Records, fl.Sync()
}

// MoveTo appends this spool's records to dst and removes them from this one,
// under this spool's flush lock (so no other process sends them meanwhile);
// an emptied spool is removed. It adopts a legacy spool for the destination
// the user names. A crash half-way may leave a batch in both: at least once.
func (s *Spool) MoveTo(ctx context.Context, dst *Spool) (FlushResult, error) {
	res, err := s.Flush(ctx, 1000, func(ctx context.Context, recs []metric.Record) ([]metric.Record, error) {
		if err := dst.Append(recs); err != nil {
			return recs, err
		}
		return nil, nil
	})
	if err != nil {
		return res, err
	}
	return res, s.removeIfEmpty()
}

func (s *Spool) removeIfEmpty() error {
	fl, err := lockFile(s.flushPath(), true)
	if err != nil {
		return err
	}
	defer unlock(fl)
	lk, err := lockFile(s.lockPath(), false)
	if err != nil {
		return err
	}
	defer unlock(lk)
	if fi, err := os.Stat(s.Path()); err != nil || fi.Size() > 0 {
		return nil
	}
	if err := os.Remove(s.Path()); err != nil && !os.IsNotExist(err) {
		return err
	}
	syncDir(s.dir)
	return nil
}

// List returns the spools present in dir (files named *.spool).
func List(dir string) ([]*Spool, error) {
	ents, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []*Spool
	seen := map[string]bool{}
	for _, e := range ents {
		n, ok := strings.CutSuffix(e.Name(), ".spool")
		if !ok {
			// a journal left by a killed run: <name>.<run>.journal
			if j, isJ := strings.CutSuffix(e.Name(), ".journal"); isJ {
				n, _, ok = strings.Cut(j, ".")
			}
		}
		if ok && !e.IsDir() && !seen[n] {
			seen[n] = true
			out = append(out, Open(dir, n))
		}
	}
	return out, nil
}

// Encoder appends journal and spool entries like AppendEntry, faster on a
// stream: it reuses the text of the last time it formatted (a stream's
// records mostly share a handful of times) and sorts a few tag names without
// allocating. Its output is AppendEntry's, byte for byte.
type Encoder struct {
	lastT  time.Time
	lastTB []byte
	keys   []string
}

// AppendEntry appends the framed line for rec to b.
func (e *Encoder) AppendEntry(b []byte, r metric.Record) []byte {
	start := len(b)
	b = append(b, "00000000 "...)
	b = append(b, `{"name":`...)
	b = metric.AppendString(b, r.Name)
	b = append(b, `,"kind":`...)
	b = metric.AppendString(b, string(r.Kind))
	b = append(b, `,"value":`...)
	b = metric.AppendNumber(b, r.Value)
	if !r.Time.IsZero() {
		if e.lastTB == nil || !r.Time.Equal(e.lastT) {
			e.lastT = r.Time
			e.lastTB = r.Time.UTC().AppendFormat(e.lastTB[:0], time.RFC3339Nano)
		}
		b = append(b, `,"time":"`...)
		b = append(b, e.lastTB...)
		b = append(b, '"')
	}
	if len(r.Tags) > 0 {
		keys := e.keys[:0]
		for k := range r.Tags {
			keys = append(keys, k)
		}
		// insertion sort: tags are few
		for i := 1; i < len(keys); i++ {
			for j := i; j > 0 && keys[j] < keys[j-1]; j-- {
				keys[j], keys[j-1] = keys[j-1], keys[j]
			}
		}
		b = append(b, `,"tags":{`...)
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = metric.AppendString(b, k)
			b = append(b, ':')
			b = metric.AppendString(b, r.Tags[k])
		}
		b = append(b, '}')
		clear(keys)
		e.keys = keys[:0]
	}
	b = append(b, '}')
	sum := crc32.Checksum(b[start+9:], castagnoli)
	hex.Encode(b[start:start+8], []byte{byte(sum >> 24), byte(sum >> 16), byte(sum >> 8), byte(sum)})
	return append(b, '\n')
}
