package runner

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestMain lets the test binary act as a second process holding a lock.
func TestMain(m *testing.M) {
	if path := os.Getenv("RUNNER_TEST_HOLD_LOCK"); path != "" {
		unlock, err := Lock(context.Background(), path, 0)
		if err != nil {
			os.Exit(3)
		}
		_ = os.WriteFile(path+".ready", nil, 0o644)
		// Hold until stdin closes: the test decides when we let go.
		_, _ = os.Stdin.Read(make([]byte, 1))
		unlock()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// holdLock starts another process holding path's lock; release ends it.
func holdLock(t *testing.T, path string) (release func()) {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "RUNNER_TEST_HOLD_LOCK="+path)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitFile(t, path+".ready")
	released := false
	release = func() {
		if !released {
			released = true
			stdin.Close()
			_ = cmd.Wait()
		}
	}
	t.Cleanup(release)
	return release
}

func TestLockContention(t *testing.T) {
	path := filepath.Join(t.TempDir(), "job.lock")
	release := holdLock(t, path)

	// Busy, no wait: skipped at once.
	start := time.Now()
	_, err := Lock(context.Background(), path, 0)
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("Lock on a held lock = %v, want ErrLocked", err)
	}
	if time.Since(start) > time.Second {
		t.Errorf("no-wait Lock took %v", time.Since(start))
	}

	// Busy with a short wait: gives up after about the wait.
	start = time.Now()
	_, err = Lock(context.Background(), path, 150*time.Millisecond)
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("Lock with wait on a held lock = %v, want ErrLocked", err)
	}
	if el := time.Since(start); el < 150*time.Millisecond {
		t.Errorf("gave up after %v, before the wait", el)
	}

	// Waiting: gets the lock once the other process lets go.
	got := make(chan error, 1)
	go func() {
		unlock, err := Lock(context.Background(), path, 30*time.Second)
		if err == nil {
			unlock()
		}
		got <- err
	}()
	release()
	select {
	case err := <-got:
		if err != nil {
			t.Fatalf("Lock after release = %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Lock did not get the released lock")
	}

	// Cancelled while waiting.
	holdLock(t, path+"2")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Lock(ctx, path+"2", time.Minute); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled Lock = %v", err)
	}
}

func TestLockBadPath(t *testing.T) {
	_, err := Lock(context.Background(), filepath.Join(t.TempDir(), "no", "dir", "x.lock"), 0)
	if err == nil || errors.Is(err, ErrLocked) {
		t.Errorf("Lock in a missing dir = %v", err)
	}
}

func TestFailures(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	path := FailuresPath(dir, "key/slug")
	if filepath.Dir(path) != dir || filepath.Base(path) == "key" {
		t.Fatalf("path %s", path)
	}
	now := time.Date(2026, 11, 22, 21, 0, 0, 0, time.UTC)
	for i, ok := range []bool{false, false, true, false} {
		f, err := LoadFailures(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Record(ok, now); err != nil {
			t.Fatal(err)
		}
		want := []int{1, 2, 0, 1}[i]
		g, _ := LoadFailures(path)
		if g.Consecutive != want {
			t.Errorf("after run %d: consecutive %d, want %d", i, g.Consecutive, want)
		}
	}
	if err := os.WriteFile(path, []byte("{garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := LoadFailures(path)
	if err == nil || f == nil || f.Consecutive != 0 {
		t.Errorf("corrupt state: %v %+v", err, f)
	}
	d, _ := StateDir(func(k string) string { return map[string]string{"XDG_STATE_HOME": "/s", "HOME": "/h"}[k] })
	if d != "/s/cronkit" {
		t.Errorf("StateDir = %s", d)
	}
	d, _ = StateDir(func(k string) string { return map[string]string{"HOME": "/h"}[k] })
	if d != "/h/.local/state/cronkit" {
		t.Errorf("StateDir = %s", d)
	}
	if _, err := StateDir(func(string) string { return "" }); err == nil {
		t.Error("StateDir without HOME: no error")
	}
}

func TestJitter(t *testing.T) {
	if Jitter(0) != 0 {
		t.Error("Jitter(0) != 0")
	}
	for range 100 {
		if d := Jitter(time.Second); d < 0 || d >= time.Second {
			t.Fatalf("Jitter(1s) = %v", d)
		}
	}
}
