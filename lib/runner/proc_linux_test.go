package runner

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestAwaitExitWaitsInThePoller: while the command runs, awaitExit's
// goroutine is parked in the network poller ("IO wait") and no thread of
// this process sits in a blocking waitid/wait4, which would hold runwrap's
// one P; it returns when the command exits, which is left to Wait to reap.
func TestAwaitExitWaitsInThePoller(t *testing.T) {
	cmd := exec.Command("/bin/sh", "-c", "read x; exit 3")
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	got := make(chan bool, 1)
	go func() { got <- awaitExit(cmd.Process.Pid) }()

	deadline := time.Now().Add(10 * time.Second)
	for !parkedInPoller("runner.awaitExit") {
		if time.Now().After(deadline) {
			t.Fatal("awaitExit's goroutine never parked in IO wait")
		}
		runtime.Gosched()
	}
	if n := threadsIn(t, unix.SYS_WAITID, unix.SYS_WAIT4); n > 0 {
		t.Errorf("%d thread(s) blocked in waitid/wait4 while the command runs", n)
	}
	select {
	case <-got:
		t.Fatal("awaitExit returned before the command exited")
	default:
	}
	in.Close() // the command reads EOF and exits 3
	if !<-got {
		t.Fatal("awaitExit: no pidfd on this kernel (Linux 5.3+ has it)")
	}
	// A zombie's pidfd is readable at once, and the exit is still Wait's.
	if !awaitExit(cmd.Process.Pid) {
		t.Fatal("awaitExit on an exited command: false")
	}
	err = cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != 3 {
		t.Fatalf("exit code %d (%v), want 3", code, err)
	}
}

// parkedInPoller reports a goroutine in "IO wait" with fn on its stack.
func parkedInPoller(fn string) bool {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	for _, g := range bytes.Split(buf, []byte("\n\n")) {
		if bytes.Contains(g, []byte("[IO wait")) && bytes.Contains(g, []byte(fn)) {
			return true
		}
	}
	return false
}

// threadsIn counts this process's threads blocked in one of the syscalls
// (/proc/self/task/*/syscall starts with the number).
func threadsIn(t *testing.T, nrs ...uintptr) int {
	t.Helper()
	tasks, err := filepath.Glob("/proc/self/task/*/syscall")
	if err != nil || len(tasks) == 0 {
		t.Fatalf("no /proc/self/task: %v", err)
	}
	n := 0
	for _, p := range tasks {
		b, err := os.ReadFile(p)
		if err != nil {
			continue // the thread exited
		}
		f := strings.Fields(string(b))
		if len(f) == 0 {
			continue
		}
		nr, err := strconv.ParseUint(f[0], 10, 64)
		if err != nil {
			continue // "running"
		}
		for _, w := range nrs {
			if uintptr(nr) == w {
				n++
			}
		}
	}
	return n
}
