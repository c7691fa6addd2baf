package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cronkit/cronkit/lib/testutil/fakestathat"
)

// buildStatpost builds the real statpost binary for the test.
func buildStatpost(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "statpost")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestChaosKill9 (issue 13 item 5): statpost, the real binary, is killed
// with SIGKILL at 20 random moments of a sequence-numbered stream posted to a
// slow StatHat (the shared fake, answering each bulk post after 20 ms), each
// kill followed by a new run on the rest of the stream; then `statpost spool
// flush`. Every record written into a statpost's stdin must have arrived at
// least once.
//
// The moments: the stream is cut into rounds of random length; a round's
// run is killed once the fake has seen a random number of new points (so
// mid-send, between posts, mid-acknowledgement, mid-recovery of the previous
// journals, ...) and once its journal holds all that was written to it; in
// every third round stdin is closed first, so the kill can also land in the
// final drain or after a normal exit. No sleep orders anything: the test
// waits on the fake's point count and on the journal's contents.
//
// Two streams: counts and values alternating, with --at-least-once, so that
// the counts a killed run was sending are re-sent too; and values only with
// the default flags, which re-send values (a StatHat value is safe to send
// twice) but not counts (without --at-least-once the counts in flight at a
// kill are reported as possibly lost instead: TestJournalRecover and
// TestFlushInFlight in lib/spool).
func TestChaosKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the real binary 20 times a stream")
	}
	bin := buildStatpost(t)
	t.Run("counts and values, at least once", func(t *testing.T) { chaos(t, bin, true) })
	t.Run("values, default flags", func(t *testing.T) { chaos(t, bin, false) })
}

func chaos(t *testing.T, bin string, atLeastOnce bool) {
	fake := fakestathat.New(fakestathat.Options{})
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/ez" {
			time.Sleep(20 * time.Millisecond) // the slow receiver
		}
		fake.Handler().ServeHTTP(w, r)
	})
	srv := httptest.NewServer(slow)
	defer srv.Close()
	defer fake.Close()

	state := t.TempDir()
	dir := filepath.Join(state, "cronkit", "statpost")
	env := append(os.Environ(), "XDG_STATE_HOME="+state, "STATHAT_EZKEY=chaos-key", "HOME="+state)
	args := []string{"--api-url", srv.URL, "--batch", "100", "--flush-interval", "50ms",
		"--attempt-timeout", "2s", "--post-deadline", "5s"}
	if atLeastOnce {
		args = append(args, "--at-least-once")
	}
	rng := rand.New(rand.NewPCG(13, uint64(time.Now().UnixNano())))

	points := func() int { _, n := fake.Counts(); return n }
	seq := 0
	const rounds = 20
	for round := 0; round < rounds; round++ {
		k := 200 + rng.IntN(1800)
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(bin, args...)
		cmd.Env = env
		cmd.Stdin = r
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		r.Close()
		exited := make(chan struct{})
		go func() { _ = cmd.Wait(); close(exited) }()

		before := points()
		var b strings.Builder
		for i := 0; i < k; i++ {
			// a count or a value; the sequence number is the value
			kind := "count"
			if seq%2 == 1 || !atLeastOnce {
				kind = "value"
			}
			fmt.Fprintf(&b, "{\"name\":\"chaos.%s\",\"kind\":%q,\"value\":%d,\"time\":%d}\n", kind, kind, seq, 1700000000+seq%1000)
			seq++
		}
		if _, err := w.WriteString(quoteTimes(b.String())); err != nil {
			t.Fatalf("round %d: writing stdin: %v (stderr %s)", round, err, stderr.String())
		}
		eof := round%3 == 2
		if eof {
			w.Close()
		}
		// Everything written has been read: the run's journal holds it (or
		// the run has already sent it all and ended).
		waitFor(t, exited, func() bool { return journaled(dir, cmd.Process.Pid) >= k }, "round %d: journal of %d records", round, k)
		target := before + rng.IntN(k)
		waitFor(t, exited, func() bool { return points() >= target }, "round %d: %d points", round, target)
		_ = cmd.Process.Kill()
		<-exited
		if !eof {
			w.Close()
		}
		if ws, ok := cmd.ProcessState.Sys().(interface{ Signaled() bool }); ok && !ws.Signaled() && !cmd.ProcessState.Success() {
			t.Fatalf("round %d: statpost failed on its own: %v\n%s", round, cmd.ProcessState, stderr.String())
		}
		t.Logf("round %d: %d records, killed at %d points (target %d), signaled=%v", round, k, points(), target, !cmd.ProcessState.Exited())
	}

	flush := exec.Command(bin, append([]string{"spool", "flush"}, args...)...)
	flush.Env = env
	out, err := flush.CombinedOutput()
	if err != nil {
		t.Fatalf("spool flush: %v\n%s", err, out)
	}
	t.Logf("spool flush: %s", strings.TrimSpace(string(out)))

	seen := make([]int, seq)
	for _, p := range fake.Points() {
		v := p.Value
		if p.Count != nil {
			v = p.Count
		}
		if v == nil || *v < 0 || int(*v) >= seq {
			t.Fatalf("unexpected point %+v", p)
		}
		seen[int(*v)]++
	}
	missing, dup := 0, 0
	for i, n := range seen {
		if n == 0 {
			if missing < 10 {
				t.Errorf("record %d never arrived", i)
			}
			missing++
		}
		if n > 1 {
			dup += n - 1
		}
	}
	if missing > 0 {
		t.Fatalf("%d of %d records never arrived", missing, seq)
	}
	t.Logf("%d records written over %d killed runs, all arrived; %d duplicates (records in flight at a kill, re-sent)", seq, rounds, dup)
	if m, _ := filepath.Glob(filepath.Join(dir, "*.journal")); len(m) != 0 {
		t.Errorf("journals left: %v", m)
	}
}

// quoteTimes writes the time of two lines in three as a string, "time":"N"
// (a canonical line: the run journals it as read), and leaves the third as a
// JSON number, which the general parser reads (the record is encoded into
// the journal): a kill finds both kinds of entry in the journal.
func quoteTimes(lines string) string {
	ls := strings.SplitAfter(lines, "\n")
	for i, l := range ls {
		if i%3 != 2 {
			ls[i] = numericTime.ReplaceAllString(l, `"time":"$1"`)
		}
	}
	return strings.Join(ls, "")
}

var numericTime = regexp.MustCompile(`"time":([0-9]+)`)

// journaled counts the entries in the journals of run pid.
func journaled(dir string, pid int) int {
	m, _ := filepath.Glob(filepath.Join(dir, fmt.Sprintf("*.%d-*.journal", pid)))
	n := 0
	for _, p := range m {
		b, _ := os.ReadFile(p)
		n += bytes.Count(b, []byte{'\n'})
	}
	return n
}

// waitFor polls cond until it holds or the run has exited; it fails after a
// minute.
func waitFor(t *testing.T, exited chan struct{}, cond func() bool, format string, args ...any) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		select {
		case <-exited:
			return
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for "+format, args...)
		}
		time.Sleep(2 * time.Millisecond)
	}
}
