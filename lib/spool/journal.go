package spool

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"

	"github.com/cronkit/cronkit/lib/metric"
)

// Journal is one run's write-ahead log for one destination, as Vector's and
// Fluent Bit's filesystem buffers keep one: every record the run reads is
// appended to <dir>/<spool>.<run>.journal (the spool's entry format) before it
// is sent, and acknowledged once it is resolved (delivered, moved to the
// spool, or given up and reported). A run that ends normally resolves every
// record and removes its journal; a run killed with kill -9 leaves it behind,
// and the next run to the same destination (or `spool flush`) moves what was
// not acknowledged into the spool (Recover).
//
// Appends are plain write(2)s, which the page cache keeps through a kill -9;
// with fsync set every append and acknowledgement is also fsynced, for power
// loss. The run holds an exclusive flock on its journal while it lives, which
// is how Recover tells a killed run's journal from a live one.
//
// Acknowledgements are kept in <dir>/<spool>.<run>.ack as two offsets,
// "ACKED SENDING": every entry before ACKED is resolved, and the entries
// between ACKED and SENDING were being sent when the run stopped, so they may
// or may not have arrived.
//
// Write is called by one goroutine, Read and Mark by one other; Size may be
// called by either.
type Journal struct {
	s      *Spool
	path   string
	w      *os.File // appends; its flock marks the run alive
	r      *os.File // reads back what the sender fell behind on
	ack    *os.File
	fsync  bool
	size   atomic.Int64
	broken atomic.Bool
	ackBuf [34]byte
}

// ackLen is the size of an acknowledgement: two 16-digit hex offsets.
const ackLen = 34

// NewJournal starts a journal for this run. fsync makes every append and
// acknowledgement durable against power loss, not only against kill -9.
func (s *Spool) NewJournal(fsync bool) (*Journal, error) {
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	s.writeDest()
	var id [6]byte
	_, _ = rand.Read(id[:])
	base := filepath.Join(s.dir, fmt.Sprintf("%s.%d-%s", s.name, os.Getpid(), hex.EncodeToString(id[:])))
	j := &Journal{s: s, path: base + ".journal", fsync: fsync}
	// Made under another name and locked before it is renamed into place:
	// Recover must never see it unlocked.
	tmp := base + ".new"
	var err error
	if j.w, err = os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL|os.O_APPEND, 0o600); err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	if err = syscall.Flock(int(j.w.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err == nil {
		j.r, err = os.Open(tmp)
	}
	if err == nil {
		j.ack, err = os.OpenFile(base+".ack", os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
	}
	if err == nil {
		err = j.Mark(0, 0)
	}
	if err == nil {
		err = os.Rename(tmp, j.path)
	}
	if err != nil {
		os.Remove(tmp)
	}
	if err == nil && fsync {
		err = j.w.Sync()
		syncDir(s.dir)
	}
	if err != nil {
		j.remove()
		return nil, fmt.Errorf("journal %s: %w", j.path, err)
	}
	return j, nil
}

// Path is the journal file's path.
func (j *Journal) Path() string { return j.path }

// Size is how many bytes have been appended.
func (j *Journal) Size() int64 { return j.size.Load() }

// Write appends framed entries (AppendEntry) in one write(2).
func (j *Journal) Write(b []byte) error {
	if j.broken.Load() {
		return errors.New("journal unusable after an earlier error")
	}
	n, err := j.w.Write(b)
	j.size.Add(int64(n))
	if err == nil && j.fsync {
		err = j.w.Sync()
	}
	if err != nil {
		j.broken.Store(true)
		return fmt.Errorf("journal %s: %w", j.path, err)
	}
	return nil
}

// Mark records that every entry before acked is resolved and those up to
// sending are being sent.
func (j *Journal) Mark(acked, sending int64) error {
	b := j.ackBuf[:0]
	b = appendHex16(b, uint64(acked))
	b = append(b, ' ')
	b = appendHex16(b, uint64(sending))
	b = append(b, '\n')
	_, err := j.ack.WriteAt(b, 0)
	if err == nil && j.fsync {
		err = j.ack.Sync()
	}
	return err
}

func appendHex16(b []byte, v uint64) []byte {
	s := strconv.FormatUint(v, 16)
	for i := len(s); i < 16; i++ {
		b = append(b, '0')
	}
	return append(b, s...)
}

// Read decodes the entries between the offsets from and to (entry
// boundaries), calling fn with at most max records at a time and the offset
// after each of them. Entries are checked (CRC) here and parsed by
// metric.Reader's fast path for canonical lines, which is what AppendEntry
// writes: a sender that fell behind reads back at the speed it reads stdin.
func (j *Journal) Read(from, to int64, max int, fn func(recs []metric.Record, ends []int64) error) error {
	if _, err := j.r.Seek(from, io.SeekStart); err != nil {
		return err
	}
	es := &entryStream{br: bufio.NewReaderSize(io.LimitReader(j.r, to-from), 64<<10), pos: from}
	mr := metric.NewReader(es, metric.ReaderOptions{Source: j.path})
	recs := make([]metric.Record, 0, max)
	ends := make([]int64, 0, max)
	for {
		rec, err := mr.Next()
		var le *metric.LineError
		switch {
		case err == io.EOF:
		case errors.As(err, &le):
			es.ends = es.ends[1:] // a valid CRC over an invalid record: skipped
			continue
		case err != nil:
			return err
		default:
			recs = append(recs, rec)
			ends = append(ends, es.ends[0])
			es.ends = es.ends[1:]
		}
		if len(recs) > 0 && (len(recs) == max || err == io.EOF) {
			if err := fn(recs, ends); err != nil {
				return err
			}
			recs, ends = recs[:0], ends[:0]
		}
		if err == io.EOF {
			return nil
		}
	}
}

// entryStream turns journal entries into the JSON lines they frame, dropping
// those that fail their CRC, and queues the offset after each line it passes.
type entryStream struct {
	br   *bufio.Reader
	pos  int64
	cur  []byte
	long []byte
	ends []int64
}

func (e *entryStream) Read(p []byte) (int, error) {
	for len(e.cur) == 0 {
		line, err := e.br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			e.long = append(e.long[:0], line...)
			for err == bufio.ErrBufferFull {
				line, err = e.br.ReadSlice('\n')
				e.long = append(e.long, line...)
			}
			line = e.long
		}
		e.pos += int64(len(line))
		if len(line) == 0 || line[len(line)-1] != '\n' {
			if err == nil {
				err = io.EOF
			}
			return 0, err // a torn tail is left out
		}
		if _, ok := checkEntry(line[:len(line)-1]); ok {
			e.cur = line[9:] // the JSON and its newline
			e.ends = append(e.ends, e.pos)
		}
	}
	n := copy(p, e.cur)
	e.cur = e.cur[n:]
	return n, nil
}

// Close ends the run's journal. When every entry is resolved it is removed;
// otherwise it stays for Recover (as after a kill -9).
func (j *Journal) Close(resolved bool) error {
	if !resolved {
		j.r.Close()
		j.ack.Close()
		return j.w.Close() // releases the flock: the journal is now an orphan
	}
	return j.remove()
}

func (j *Journal) remove() error {
	err := os.Remove(j.path)
	if os.IsNotExist(err) {
		err = nil
	}
	if e := os.Remove(strings.TrimSuffix(j.path, ".journal") + ".ack"); err == nil && e != nil && !os.IsNotExist(e) {
		err = e
	}
	for _, f := range []*os.File{j.r, j.ack, j.w} {
		if f != nil {
			f.Close()
		}
	}
	return err
}

// journals returns the paths of this spool's journals.
func (s *Spool) journals() []string {
	m, _ := filepath.Glob(filepath.Join(s.dir, s.name+".*.journal"))
	return m
}

// orphan opens a journal whose run is gone and locks it; nil if its run is
// alive or it was just recovered by another process.
func orphan(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, nil
		}
		return nil, err
	}
	// Another process may have recovered and removed it between our open and
	// our lock: only the file still at path counts.
	fi, err1 := f.Stat()
	pi, err2 := os.Stat(path)
	if err1 != nil || err2 != nil || !os.SameFile(fi, pi) {
		f.Close()
		return nil, nil
	}
	return f, nil
}

// readAck returns a journal's acknowledgement. One that cannot be read (a
// power loss without fsync) treats the whole journal as possibly sent.
func readAck(journal string, size int64) (acked, sending int64) {
	b, err := os.ReadFile(strings.TrimSuffix(journal, ".journal") + ".ack")
	if err != nil || len(b) < ackLen-1 {
		return 0, size
	}
	a, err1 := strconv.ParseInt(string(b[:16]), 16, 64)
	s, err2 := strconv.ParseInt(string(b[17:33]), 16, 64)
	if err1 != nil || err2 != nil || a < 0 || s < a {
		return 0, size
	}
	return a, s
}

// RecoverResult says what Recover found in the journals of killed runs.
type RecoverResult struct {
	Journals  int // journals of killed runs recovered
	Records   int // unresolved records moved into the spool
	InFlight  int // records that were being sent when the run was killed
	Dropped   int // of those, the ones keep refused (counts: they may have arrived)
	Damaged   int // torn or corrupt entries skipped
	Remaining int // journals of live runs left alone
}

// Recover moves the unresolved records of this spool's orphaned journals
// (their run was killed) into the spool, oldest journal first, and removes
// the journals. Records that were being sent at the kill are kept only if
// keep says so (a count may have arrived: re-sending it could count it
// twice); the others are counted as Dropped for the caller to report. A crash
// during Recover can leave records both in the spool and in the journal: they
// are then sent twice (at least once).
func (s *Spool) Recover(keep func(metric.Record) bool) (RecoverResult, error) {
	var res RecoverResult
	defer s.cleanStale()
	for _, path := range s.journals() {
		f, err := orphan(path)
		if err != nil {
			return res, err
		}
		if f == nil {
			res.Remaining++
			continue
		}
		err = s.recoverOne(f, path, keep, &res)
		f.Close()
		if err != nil {
			return res, err
		}
	}
	return res, nil
}

func (s *Spool) recoverOne(f *os.File, path string, keep func(metric.Record) bool, res *RecoverResult) error {
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	acked, sending := readAck(path, fi.Size())
	if acked > fi.Size() {
		acked = fi.Size()
	}
	sc, err := newScanner(f, acked, fi.Size())
	if err != nil {
		return err
	}
	var buf []byte
	var enc Encoder
	n := 0
	flush := func() error {
		if len(buf) == 0 {
			return nil
		}
		err := s.appendRaw(buf)
		buf = buf[:0]
		return err
	}
	for {
		e, err := sc.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if e.end <= sending {
			res.InFlight++
			if !keep(e.rec) {
				res.Dropped++
				continue
			}
		}
		buf = enc.AppendEntry(buf, e.rec)
		n++
		if len(buf) >= 1<<20 {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	res.Journals++
	res.Records += n
	res.Damaged += sc.damaged
	// The journal first: once it is gone it cannot be recovered twice; an
	// .ack left by a crash here is removed by the next Recover.
	if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
		return err
	}
	if err := os.Remove(strings.TrimSuffix(path, ".journal") + ".ack"); err != nil && !os.IsNotExist(err) {
		return err
	}
	syncDir(s.dir)
	return nil
}

// cleanStale removes what a run killed at the wrong instant can leave that
// holds no record: an acknowledgement whose journal is gone, and a journal
// killed before it was renamed into place (it is locked until then, and
// written only after).
func (s *Spool) cleanStale() {
	acks, _ := filepath.Glob(filepath.Join(s.dir, s.name+".*.ack"))
	for _, a := range acks {
		base := strings.TrimSuffix(a, ".ack")
		if _, err := os.Stat(base + ".journal"); !os.IsNotExist(err) {
			continue
		}
		if f, err := orphan(base + ".new"); err == nil && f != nil {
			os.Remove(base + ".new")
			f.Close()
		} else if _, err := os.Stat(base + ".new"); !os.IsNotExist(err) {
			continue // a run starting its journal
		}
		os.Remove(a)
	}
}

// journalStatus counts the unresolved entries in this spool's orphaned
// journals (live runs' journals are theirs).
func (s *Spool) journalStatus() (records, journals int) {
	for _, path := range s.journals() {
		f, err := orphan(path)
		if err != nil || f == nil {
			continue
		}
		if fi, err := f.Stat(); err == nil {
			acked, _ := readAck(path, fi.Size())
			if sc, err := newScanner(f, min(acked, fi.Size()), fi.Size()); err == nil {
				for {
					if _, err := sc.next(); err != nil {
						break
					}
					records++
				}
			}
			journals++
		}
		f.Close()
	}
	return records, journals
}
