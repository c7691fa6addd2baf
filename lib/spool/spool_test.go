package spool

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/cronkit/cronkit/lib/metric"
)

func recs(prefix string, n int, t0 time.Time) []metric.Record {
	out := make([]metric.Record, n)
	for i := range out {
		out[i] = metric.Record{Name: prefix, Kind: metric.Count, Value: float64(i), Time: t0.Add(time.Duration(i) * time.Second)}
	}
	return out
}

func collect(t *testing.T, s *Spool) []metric.Record {
	t.Helper()
	var got []metric.Record
	_, err := s.Flush(context.Background(), 7, func(_ context.Context, rs []metric.Record) ([]metric.Record, error) {
		got = append(got, rs...)
		return nil, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestAppendFlushOrder(t *testing.T) {
	s := Open(t.TempDir(), "stathat")
	t0 := time.Date(2026, 11, 22, 21, 0, 0, 0, time.UTC)
	in := recs("a", 20, t0)
	if err := s.Append(in[:5]); err != nil {
		t.Fatal(err)
	}
	if err := s.Append(in[5:]); err != nil {
		t.Fatal(err)
	}
	st, err := s.Status()
	if err != nil || st.Records != 20 || st.Damaged != 0 || !st.Oldest.Equal(t0) {
		t.Fatalf("status %+v %v", st, err)
	}
	fi, _ := os.Stat(s.Path())
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", fi.Mode())
	}
	got := collect(t, s)
	if len(got) != 20 {
		t.Fatalf("%d records", len(got))
	}
	for i, r := range got {
		if r.Value != float64(i) || !r.Time.Equal(in[i].Time) {
			t.Fatalf("record %d = %+v", i, r)
		}
	}
	if got := collect(t, s); len(got) != 0 {
		t.Fatalf("sent again: %d", len(got))
	}
}

func TestFlushFailureKeepsRest(t *testing.T) {
	s := Open(t.TempDir(), "x")
	t0 := time.Unix(1700000000, 0).UTC()
	_ = s.Append(recs("a", 10, t0))
	calls := 0
	res, err := s.Flush(context.Background(), 3, func(_ context.Context, rs []metric.Record) ([]metric.Record, error) {
		calls++
		if calls == 2 {
			// keep the last one of this batch, give up on the others
			return rs[2:], errors.New("down")
		}
		return nil, nil
	})
	if err == nil || res.Sent != 3 || res.Dropped != 2 || res.Remaining != 5 {
		t.Fatalf("res %+v err %v", res, err)
	}
	got := collect(t, s)
	if len(got) != 5 || got[0].Value != 5 || got[4].Value != 9 {
		t.Fatalf("left %+v", got)
	}
}

func TestTornTail(t *testing.T) {
	s := Open(t.TempDir(), "x")
	t0 := time.Unix(1700000000, 0).UTC()
	_ = s.Append(recs("a", 2, t0))
	// A writer killed mid-write leaves part of an entry without its newline.
	e := AppendEntry(nil, metric.Record{Name: "torn", Kind: metric.Value, Value: 1})
	f, _ := os.OpenFile(s.Path(), os.O_APPEND|os.O_WRONLY, 0)
	f.Write(e[:len(e)/2])
	f.Close()
	st, _ := s.Status()
	if st.Records != 2 || st.Damaged != 1 {
		t.Fatalf("status %+v", st)
	}
	_ = s.Append(recs("b", 1, t0))
	st, _ = s.Status()
	if st.Records != 3 || st.Damaged != 1 {
		t.Fatalf("after append: %+v", st)
	}
	got := collect(t, s)
	if len(got) != 3 || got[2].Name != "b" {
		t.Fatalf("got %+v", got)
	}
	st, _ = s.Status()
	if st.Records != 0 || st.Damaged != 0 {
		t.Fatalf("after flush: %+v", st)
	}
}

func TestCorruptLineSkipped(t *testing.T) {
	s := Open(t.TempDir(), "x")
	_ = s.Append(recs("a", 1, time.Unix(1700000000, 0)))
	f, _ := os.OpenFile(s.Path(), os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString("deadbeef {\"name\":\"flipped\",\"kind\":\"count\",\"value\":1}\n")
	f.Close()
	_ = s.Append(recs("b", 1, time.Unix(1700000000, 0)))
	got := collect(t, s)
	if len(got) != 2 || got[0].Name != "a" || got[1].Name != "b" {
		t.Fatalf("got %+v", got)
	}
}

func TestFlushBusy(t *testing.T) {
	s := Open(t.TempDir(), "x")
	_ = s.Append(recs("a", 3, time.Unix(1700000000, 0)))
	in, release := make(chan struct{}), make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		_, _ = s.Flush(context.Background(), 10, func(_ context.Context, rs []metric.Record) ([]metric.Record, error) {
			close(in)
			<-release
			return nil, nil
		})
	}()
	<-in
	// Appends go on while a flush is sending.
	if err := s.Append(recs("late", 1, time.Unix(1700000100, 0))); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(s.dir, "x").Flush(context.Background(), 10, nil); !errors.Is(err, ErrBusy) {
		t.Fatalf("second flush: %v", err)
	}
	close(release)
	wg.Wait()
	got := collect(t, s)
	if len(got) != 1 || got[0].Name != "late" {
		t.Fatalf("after flush: %+v", got)
	}
}

func TestDrop(t *testing.T) {
	s := Open(t.TempDir(), "x")
	_ = s.Append(recs("a", 4, time.Unix(1700000000, 0)))
	n, err := s.Drop()
	if err != nil || n != 4 {
		t.Fatalf("drop %d %v", n, err)
	}
	if st, _ := s.Status(); st.Records != 0 {
		t.Fatalf("%+v", st)
	}
}

// helperProcess appends records in a loop when run as a child (see TestMain).
func helperProcess() {
	dir, name, tag := os.Getenv("SPOOL_DIR"), os.Getenv("SPOOL_NAME"), os.Getenv("SPOOL_TAG")
	n, _ := strconv.Atoi(os.Getenv("SPOOL_N"))
	s := Open(dir, name)
	for i := 0; n == 0 || i < n; i++ {
		r := metric.Record{Name: tag, Kind: metric.Count, Value: float64(i), Time: time.Unix(1700000000, 0)}
		if err := s.Append([]metric.Record{r}); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		if i == 0 {
			fmt.Println("started")
		}
	}
	os.Exit(0)
}

func TestMain(m *testing.M) {
	if os.Getenv("SPOOL_HELPER") == "1" {
		helperProcess()
	}
	os.Exit(m.Run())
}

func child(t *testing.T, dir, tag string, n int) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "SPOOL_HELPER=1", "SPOOL_DIR="+dir, "SPOOL_NAME=x", "SPOOL_TAG="+tag, "SPOOL_N="+strconv.Itoa(n))
	return cmd
}

// Two processes appending at once: every entry intact, each process's in order.
func TestTwoProcesses(t *testing.T) {
	dir := t.TempDir()
	const n = 300
	a, b := child(t, dir, "a", n), child(t, dir, "b", n)
	if err := a.Start(); err != nil {
		t.Fatal(err)
	}
	if err := b.Start(); err != nil {
		t.Fatal(err)
	}
	if err := a.Wait(); err != nil {
		t.Fatal(err)
	}
	if err := b.Wait(); err != nil {
		t.Fatal(err)
	}
	s := Open(dir, "x")
	st, _ := s.Status()
	if st.Records != 2*n || st.Damaged != 0 {
		t.Fatalf("status %+v", st)
	}
	next := map[string]float64{}
	for _, r := range collect(t, s) {
		if r.Value != next[r.Name] {
			t.Fatalf("%s: got %v want %v", r.Name, r.Value, next[r.Name])
		}
		next[r.Name]++
	}
}

// kill -9 while appending: at most the entry being written is lost, the file
// stays readable and later appends are intact.
func TestKillMidWrite(t *testing.T) {
	dir := t.TempDir()
	s := Open(dir, "x")
	for round := 0; round < 5; round++ {
		c := child(t, dir, "k", 0)
		out, _ := c.StdoutPipe()
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 8)
		_, _ = out.Read(buf) // "started": at least one append done
		_ = c.Process.Signal(syscall.SIGKILL)
		_ = c.Wait()
		if err := s.Append([]metric.Record{{Name: "after", Kind: metric.Value, Value: float64(round)}}); err != nil {
			t.Fatal(err)
		}
	}
	st, err := s.Status()
	if err != nil || st.Damaged > 5 {
		t.Fatalf("status %+v %v", st, err)
	}
	var after, k int
	for _, r := range collect(t, s) {
		switch r.Name {
		case "after":
			if r.Value != float64(after) {
				t.Fatalf("after %v", r.Value)
			}
			after++
		case "k":
			k++
		}
	}
	if after != 5 || k < 5 {
		t.Fatalf("after=%d k=%d", after, k)
	}
}

func TestDir(t *testing.T) {
	for _, tc := range []struct {
		xdg, home, want string
	}{
		{"/state", "/home/u", "/state/cronkit/statpost"},
		{"", "/home/u", "/home/u/.local/state/cronkit/statpost"},
		{"relative/state", "/home/u", "/home/u/.local/state/cronkit/statpost"}, // XDG: relative paths are invalid
		{"", "", ""},
		{"", "relative", ""},
	} {
		env := map[string]string{"XDG_STATE_HOME": tc.xdg, "HOME": tc.home}
		got, err := Dir(func(k string) string { return env[k] })
		if got != tc.want || (err != nil) != (tc.want == "") || err != nil && !errors.Is(err, ErrNoDir) {
			t.Errorf("XDG_STATE_HOME=%q HOME=%q: %q, %v; want %q", tc.xdg, tc.home, got, err, tc.want)
		}
	}
}

// A spool is named by its sink kind and a hash of its destination, and
// records the destination beside itself for `spool status`.
func TestForDestination(t *testing.T) {
	dir := t.TempDir()
	a := ForDestination(dir, "pushgateway", "http://127.0.0.1:9091 job=jobA")
	b := ForDestination(dir, "pushgateway", "http://127.0.0.1:9091 job=jobB")
	if a.Name() == b.Name() || a.Kind() != "pushgateway" || a.Legacy() || !Open(dir, "pushgateway").Legacy() {
		t.Fatalf("%s %s %s", a.Name(), b.Name(), a.Kind())
	}
	if err := a.Append(recs("a", 2, time.Unix(1700000000, 0))); err != nil {
		t.Fatal(err)
	}
	st, err := Open(dir, a.Name()).Status()
	if err != nil || st.Dest != "http://127.0.0.1:9091 job=jobA" || st.Kind != "pushgateway" || st.Records != 2 {
		t.Fatalf("%+v %v", st, err)
	}
	if st, _ := b.Status(); st.Records != 0 {
		t.Fatalf("jobB's spool holds %d", st.Records)
	}
	res, err := a.MoveTo(context.Background(), b)
	if err != nil || res.Sent != 2 {
		t.Fatalf("%+v %v", res, err)
	}
	if got := collect(t, b); len(got) != 2 {
		t.Fatalf("moved %d", len(got))
	}
	if _, err := os.Stat(a.Path()); !os.IsNotExist(err) {
		t.Errorf("emptied spool left behind: %v", err)
	}
}
