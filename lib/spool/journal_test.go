package spool

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/cronkit/cronkit/lib/metric"
)

// A killed run's journal (its lock released, its acknowledgement saying what
// was resolved and what was being sent) is moved into the spool: records
// after the acknowledged ones are kept, those in flight only if keep says so;
// a live run's journal is left alone.
func TestJournalRecover(t *testing.T) {
	dir := t.TempDir()
	s := ForDestination(dir, "stathat", "http://x ezkey sha256:0")
	t0 := time.Unix(1700000000, 0).UTC()
	all := append(recs("c", 6, t0), metric.Record{Name: "v", Kind: metric.Value, Value: 1, Time: t0})
	var buf []byte
	var ends []int64
	for _, r := range all {
		buf = AppendEntry(buf, r)
		ends = append(ends, int64(len(buf)))
	}
	dead, err := s.NewJournal(false)
	if err != nil {
		t.Fatal(err)
	}
	if err := dead.Write(buf); err != nil {
		t.Fatal(err)
	}
	// c0, c1 delivered; c2, c3 being sent; c4, c5, v never sent
	if err := dead.Mark(ends[1], ends[3]); err != nil {
		t.Fatal(err)
	}
	live, err := s.NewJournal(false)
	if err != nil {
		t.Fatal(err)
	}
	if err := live.Write(buf); err != nil {
		t.Fatal(err)
	}
	defer live.Close(true)
	if err := dead.Close(false); err != nil { // as a kill leaves it
		t.Fatal(err)
	}
	if st, err := s.Status(); err != nil || st.Journaled != 5 || st.Records != 0 {
		t.Fatalf("status %+v %v", st, err)
	}
	res, err := s.Recover(func(r metric.Record) bool { return r.Kind == metric.Value })
	if err != nil {
		t.Fatal(err)
	}
	if res.Journals != 1 || res.Remaining != 1 || res.InFlight != 2 || res.Dropped != 2 || res.Records != 3 {
		t.Fatalf("%+v", res)
	}
	got := collect(t, s)
	if len(got) != 3 || got[0].Value != 4 || got[1].Value != 5 || got[2].Name != "v" {
		t.Fatalf("spool holds %v", got)
	}
	if len(s.journals()) != 1 {
		t.Fatalf("journals left: %v", s.journals())
	}
	// recovered once only
	if res, _ := s.Recover(func(metric.Record) bool { return true }); res.Journals != 0 {
		t.Fatalf("second recovery %+v", res)
	}
}

// A journal whose acknowledgement is unreadable (a power loss without
// --fsync) counts as entirely in flight: nothing is sent twice that keep
// refuses.
func TestJournalRecoverNoAck(t *testing.T) {
	dir := t.TempDir()
	s := ForDestination(dir, "stathat", "d")
	j, err := s.NewJournal(true)
	if err != nil {
		t.Fatal(err)
	}
	var buf []byte
	for _, r := range recs("c", 3, time.Unix(1700000000, 0)) {
		buf = AppendEntry(buf, r)
	}
	if err := j.Write(buf); err != nil {
		t.Fatal(err)
	}
	if err := j.ack.Truncate(0); err != nil {
		t.Fatal(err)
	}
	j.Close(false)
	res, err := s.Recover(func(metric.Record) bool { return false })
	if err != nil || res.Dropped != 3 || res.Records != 0 {
		t.Fatalf("%+v %v", res, err)
	}
}

// Read returns the journaled records between two offsets, in batches, with
// the offset after each.
func TestJournalRead(t *testing.T) {
	s := ForDestination(t.TempDir(), "statsd", "udp://x")
	j, err := s.NewJournal(false)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close(true)
	var buf []byte
	var ends []int64
	for _, r := range recs("r", 10, time.Unix(1700000000, 0)) {
		buf = AppendEntry(buf, r)
		ends = append(ends, int64(len(buf)))
	}
	if err := j.Write(buf); err != nil || j.Size() != int64(len(buf)) {
		t.Fatal(err, j.Size())
	}
	var vals []float64
	var batches int
	err = j.Read(ends[1], ends[8], 3, func(rs []metric.Record, es []int64) error {
		batches++
		for i, r := range rs {
			vals = append(vals, r.Value)
			if es[i] != ends[len(vals)+1] {
				t.Errorf("%v ends at %d, want %d", r.Value, es[i], ends[len(vals)+1])
			}
		}
		return nil
	})
	if err != nil || batches != 3 || len(vals) != 7 || vals[0] != 2 || vals[6] != 8 {
		t.Fatalf("%v %d %v", err, batches, vals)
	}
}

// A journal is locked before it appears under its name: a recovery running
// beside a run that starts its journal never takes it for a killed run's.
func TestJournalNewRacesRecover(t *testing.T) {
	s := ForDestination(t.TempDir(), "stathat", "d")
	stop := make(chan struct{})
	recovered := make(chan int)
	go func() {
		n := 0
		for {
			select {
			case <-stop:
				recovered <- n
				return
			default:
			}
			res, err := s.Recover(func(metric.Record) bool { return true })
			if err != nil {
				t.Error(err)
			}
			n += res.Journals
		}
	}()
	for i := 0; i < 200; i++ {
		j, err := s.NewJournal(false)
		if err != nil {
			t.Fatal(err)
		}
		if err := j.Write(AppendEntry(nil, recs("r", 1, time.Unix(1700000000, 0))[0])); err != nil {
			t.Fatal(err)
		}
		if err := j.Close(true); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	if n := <-recovered; n != 0 {
		t.Fatalf("%d live journals recovered", n)
	}
}

// The Encoder writes what AppendEntry writes, byte for byte, whatever came
// before (its time cache, its tag buffer).
func TestEncoderMatchesAppendEntry(t *testing.T) {
	t0 := time.Date(2026, 11, 22, 21, 5, 0, 0, time.UTC)
	local := time.FixedZone("x", 3600)
	rs := []metric.Record{
		{Name: "a", Kind: metric.Count, Value: 1, Time: t0},
		{Name: "a", Kind: metric.Count, Value: 1.5, Time: t0.In(local)},
		{Name: "b <&>", Kind: metric.Value, Value: -3e20, Time: t0.Add(123456789)},
		{Name: "c", Kind: metric.Value, Value: 2, Tags: map[string]string{"z": "1", "a": "2", "m": "\"q\"", "b": "é"}},
		{Name: "d", Kind: metric.Count, Value: 0, Time: t0, Tags: map[string]string{"server": "db7"}},
		{Name: "e", Kind: metric.Count, Value: 7},
	}
	var e Encoder
	for round := 0; round < 3; round++ {
		for _, r := range rs {
			if got, want := string(e.AppendEntry(nil, r)), string(AppendEntry(nil, r)); got != want {
				t.Fatalf("%+v:\n got %s\nwant %s", r, got, want)
			}
		}
	}
}

// spool drop also discards what killed runs left in their journals, and
// List finds a destination that has only such a journal.
func TestDropJournals(t *testing.T) {
	dir := t.TempDir()
	s := ForDestination(dir, "statsd", "udp://x")
	j, err := s.NewJournal(false)
	if err != nil {
		t.Fatal(err)
	}
	var buf []byte
	for _, r := range recs("r", 4, time.Unix(1700000000, 0)) {
		buf = AppendEntry(buf, r)
	}
	if err := j.Write(buf); err != nil {
		t.Fatal(err)
	}
	j.Close(false)
	l, err := List(dir)
	if err != nil || len(l) != 1 || l[0].Name() != s.Name() || l[0].Destination() != "udp://x" {
		t.Fatalf("List: %v %v", l, err)
	}
	n, err := s.Drop()
	if err != nil || n != 4 {
		t.Fatalf("dropped %d, %v", n, err)
	}
	if st, _ := s.Status(); st.Records != 0 || st.Journaled != 0 || len(s.journals()) != 0 {
		t.Fatalf("after drop: %+v %v", st, s.journals())
	}
}

// A flush killed while a batch was in flight left "done sending" in its
// progress: the next flush resumes after what was delivered and sends the
// in-flight batch again only as far as inFlight allows (counts may have
// arrived); the progress is written in place, never truncated first.
func TestFlushInFlight(t *testing.T) {
	for _, tc := range []struct {
		name      string
		keep      func(metric.Record) bool
		sent, cut int
		first     float64
	}{
		{"counts given up", func(metric.Record) bool { return false }, 5, 3, 5},
		{"at least once", nil, 8, 0, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := ForDestination(t.TempDir(), "stathat", "d")
			var ends []int64
			var size int64
			for _, r := range recs("c", 10, time.Unix(1700000000, 0)) {
				size += int64(len(AppendEntry(nil, r)))
				ends = append(ends, size)
			}
			if err := s.Append(recs("c", 10, time.Unix(1700000000, 0))); err != nil {
				t.Fatal(err)
			}
			fi, err := os.Stat(s.Path())
			if err != nil {
				t.Fatal(err)
			}
			fl, err := os.OpenFile(s.flushPath(), os.O_RDWR|os.O_CREATE, 0o600)
			if err != nil {
				t.Fatal(err)
			}
			dev, ino := fileID(fi)
			// c0, c1 delivered; c2..c4 being sent when the flush was killed
			if err := writeProgress(fl, dev, ino, ends[1], ends[4]); err != nil {
				t.Fatal(err)
			}
			fl.Close()
			var got []float64
			res, err := s.FlushKeep(context.Background(), 100, func(ctx context.Context, rs []metric.Record) ([]metric.Record, error) {
				for _, r := range rs {
					got = append(got, r.Value)
				}
				return nil, nil
			}, tc.keep)
			if err != nil || res.Sent != tc.sent || res.InFlightDropped != tc.cut || len(got) != tc.sent || got[0] != tc.first {
				t.Fatalf("%+v %v, sent %v", res, err, got)
			}
		})
	}
}

// Recover removes what holds no record (an acknowledgement whose journal is
// gone: a crash after the journal was recovered) and never a live run's.
func TestRecoverCleansStale(t *testing.T) {
	dir := t.TempDir()
	s := ForDestination(dir, "statsd", "udp://x")
	live, err := s.NewJournal(false)
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close(true)
	stale := filepath.Join(dir, s.Name()+".1-abc.ack")
	if err := os.WriteFile(stale, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Recover(func(metric.Record) bool { return true }); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("stale ack left: %v", err)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "*.ack")); len(m) != 1 {
		t.Errorf("acks: %v (the live run's must stay)", m)
	}
}

// Lines journaled as read (AppendLine) come back as the records the reader
// made of them, through Read (a sender catching up) and through Recover (the
// next run after a kill -9), including canonical lines that encoding/json
// alone would not take (a time in unix seconds).
func TestJournalLinesAsRead(t *testing.T) {
	lines := []string{
		`{"name":"a","kind":"count","value":1,"time":"2026-11-22T21:05:00Z","tags":{"server":"db7"}}`,
		`{"name":"b","kind":"value","value":-0.5e-3,"time":"1700000000.25"}`,
		`{"name":"c é","kind":"value","value":3,"time":"2026-11-22T22:05:00+01:00"}`,
	}
	var want []metric.Record
	var buf []byte
	for _, l := range lines {
		rec, ok := metric.ParseCanonical([]byte(l))
		if !ok {
			t.Fatalf("not canonical: %s", l)
		}
		want = append(want, rec)
		buf = AppendLine(buf, []byte(l))
	}
	buf = AppendEntry(buf, metric.Record{Name: "d", Kind: metric.Count, Value: 4, Time: time.Unix(1700000000, 0)})
	want = append(want, metric.Record{Name: "d", Kind: metric.Count, Value: 4, Time: time.Unix(1700000000, 0)})
	same := func(got []metric.Record) {
		t.Helper()
		if len(got) != len(want) {
			t.Fatalf("got %d records, want %d: %+v", len(got), len(want), got)
		}
		for i := range want {
			g, w := got[i], want[i]
			if g.Name != w.Name || g.Kind != w.Kind || g.Value != w.Value || !g.Time.Equal(w.Time) || len(g.Tags) != len(w.Tags) {
				t.Fatalf("record %d: got %+v, want %+v", i, g, w)
			}
		}
	}
	s := ForDestination(t.TempDir(), "stathat", "d")
	j, err := s.NewJournal(false)
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Write(buf); err != nil {
		t.Fatal(err)
	}
	var read []metric.Record
	if err := j.Read(0, j.Size(), 10, func(rs []metric.Record, _ []int64) error {
		read = append(read, rs...)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	same(read)
	if err := j.Close(false); err != nil { // as a kill leaves it
		t.Fatal(err)
	}
	if st, err := s.Status(); err != nil || st.Journaled != len(want) {
		t.Fatalf("status %+v %v", st, err)
	}
	if res, err := s.Recover(func(metric.Record) bool { return true }); err != nil || res.Records != len(want) || res.Damaged != 0 {
		t.Fatalf("%+v %v", res, err)
	}
	same(collect(t, s))
}

// BenchmarkEntry: the cost of one journal entry for a record read from a
// canonical line, encoded again (Encoder) or framed as read (AppendLine).
func BenchmarkEntry(b *testing.B) {
	line := []byte(`{"name":"bench.latency.42","kind":"value","value":12.345,"time":"2026-11-22T21:05:00Z","tags":{"server":"db7"}}`)
	rec, ok := metric.ParseCanonical(line)
	if !ok {
		b.Fatal("not canonical")
	}
	buf := make([]byte, 0, 64<<10)
	b.Run("encode", func(b *testing.B) {
		var e Encoder
		for i := 0; i < b.N; i++ {
			if buf = e.AppendEntry(buf, rec); len(buf) > 60<<10 {
				buf = buf[:0]
			}
		}
	})
	b.Run("line", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if buf = AppendLine(buf, line); len(buf) > 60<<10 {
				buf = buf[:0]
			}
		}
	})
}
