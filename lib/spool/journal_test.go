package spool

import (
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
