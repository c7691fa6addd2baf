package runner

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// waitFile polls for a file the child writes when it is ready: no sleeps as
// synchronisation.
func waitFile(t *testing.T, path string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := os.Stat(path); err == nil {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("%s did not appear within 10s", path)
}

func TestRunExitCodes(t *testing.T) {
	dir := t.TempDir()
	notExec := filepath.Join(dir, "notexec")
	if err := os.WriteFile(notExec, []byte("#!/bin/sh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		args    []string
		code    int
		signal  syscall.Signal
		execErr string
		status  string
	}{
		{"success", []string{"true"}, 0, 0, "", "exit status 0"},
		{"failure", []string{"false"}, 1, 0, "", "exit status 1"},
		{"code passes through", []string{"sh", "-c", "exit 33"}, 33, 0, "", "exit status 33"},
		{"255", []string{"sh", "-c", "exit 255"}, 255, 0, "", "exit status 255"},
		{"killed by signal", []string{"sh", "-c", "kill -TERM $$"}, 143, syscall.SIGTERM, "", "killed by signal 15 (SIGTERM)"},
		{"killed by SIGKILL", []string{"sh", "-c", "kill -KILL $$"}, 137, syscall.SIGKILL, "", "killed by signal 9 (SIGKILL)"},
		{"not found in PATH", []string{"no-such-command-runwrap"}, 127, 0, "no-such-command-runwrap: command not found", ""},
		{"not found by path", []string{filepath.Join(dir, "missing")}, 127, 0, "no such file or directory", ""},
		{"not executable", []string{notExec}, 126, 0, "permission denied", ""},
		{"directory", []string{dir}, 126, 0, "permission denied", ""},
		{"no command", nil, 125, 0, "no command given", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := Run(context.Background(), Spec{Args: tt.args})
			if res.ExitCode != tt.code {
				t.Errorf("ExitCode = %d, want %d (%+v)", res.ExitCode, tt.code, res)
			}
			if res.Signal != tt.signal {
				t.Errorf("Signal = %v, want %v", res.Signal, tt.signal)
			}
			if tt.execErr != "" {
				if res.ExecErr == nil || !strings.Contains(res.ExecErr.Error(), tt.execErr) {
					t.Errorf("ExecErr = %v, want it to contain %q", res.ExecErr, tt.execErr)
				}
			} else if res.ExecErr != nil {
				t.Errorf("ExecErr = %v", res.ExecErr)
			}
			if tt.status != "" && res.Status(0) != tt.status {
				t.Errorf("Status = %q, want %q", res.Status(0), tt.status)
			}
			if res.OK() != (tt.code == 0) {
				t.Errorf("OK() = %v", res.OK())
			}
		})
	}
}

func TestRunStreamsAndCapture(t *testing.T) {
	var out, errb bytes.Buffer
	tail := NewTail(1000)
	res := Run(context.Background(), Spec{
		Args:   []string{"sh", "-c", `printf out1; printf err1 >&2; printf out2`},
		Stdout: &out, Stderr: &errb, Capture: tail, CaptureStdout: true,
	})
	if res.ExitCode != 0 {
		t.Fatalf("exit %d", res.ExitCode)
	}
	if out.String() != "out1out2" || errb.String() != "err1" {
		t.Errorf("stdout %q stderr %q: streams must pass through separately and unchanged", out.String(), errb.String())
	}
	got := tail.Bytes()
	for _, w := range []string{"out1", "out2", "err1"} {
		if !bytes.Contains(got, []byte(w)) {
			t.Errorf("capture %q lacks %q", got, w)
		}
	}
	if len(got) != 12 {
		t.Errorf("capture %q has %d bytes, want 12", got, len(got))
	}

	// runitor's -quiet: stdout neither captured (it is still passed on here:
	// the caller decides whether to discard it).
	tail = NewTail(1000)
	out.Reset()
	errb.Reset()
	Run(context.Background(), Spec{
		Args:   []string{"sh", "-c", `echo out; echo err >&2`},
		Stdout: &out, Stderr: &errb, Capture: tail, CaptureStdout: false,
	})
	if string(tail.Bytes()) != "err\n" || out.String() != "out\n" {
		t.Errorf("capture %q stdout %q", tail.Bytes(), out.String())
	}
}

func TestRunCaptureBounded(t *testing.T) {
	tail := NewTail(100)
	var out bytes.Buffer
	Run(context.Background(), Spec{
		Args:   []string{"sh", "-c", `i=0; while [ $i -lt 1000 ]; do echo "line $i"; i=$((i+1)); done`},
		Stdout: &out, Capture: tail, CaptureStdout: true,
	})
	if tail.Total() != int64(out.Len()) {
		t.Errorf("Total %d != passed through %d", tail.Total(), out.Len())
	}
	got := tail.Bytes()
	if len(got) != 100 || !bytes.HasSuffix(got, []byte("line 999\n")) {
		t.Errorf("tail = %q", got)
	}
	if !bytes.HasSuffix(out.Bytes(), got) {
		t.Error("tail is not the end of the output")
	}
}

func TestRunTimeout(t *testing.T) {
	dir := t.TempDir()
	ready := filepath.Join(dir, "ready")
	tests := []struct {
		name   string
		script string
		signal syscall.Signal
	}{
		{"terminates on SIGTERM", `touch ` + ready + `; exec sleep 30`, syscall.SIGTERM},
		{"ignores SIGTERM, killed after", `trap "" TERM; touch ` + ready + `; while :; do sleep 0.05; done`, syscall.SIGKILL},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_ = os.Remove(ready)
			start := time.Now()
			res := Run(context.Background(), Spec{
				Args:    []string{"sh", "-c", tt.script},
				Timeout: 300 * time.Millisecond, KillAfter: 300 * time.Millisecond,
			})
			if !res.TimedOut || res.ExitCode != ExitTimedOut {
				t.Fatalf("TimedOut %v ExitCode %d, want true 124", res.TimedOut, res.ExitCode)
			}
			if res.Signal != tt.signal {
				t.Errorf("Signal = %v, want %v", res.Signal, tt.signal)
			}
			if el := time.Since(start); el > 5*time.Second {
				t.Errorf("took %v", el)
			}
			if !strings.HasPrefix(res.Status(300*time.Millisecond), "timed out after 300ms") {
				t.Errorf("Status = %q", res.Status(300*time.Millisecond))
			}
		})
	}
}

func TestRunForwardsSignals(t *testing.T) {
	dir := t.TempDir()
	ready := filepath.Join(dir, "ready")
	got := filepath.Join(dir, "got")
	// The grandchild (a subshell) proves the signal reaches the whole group.
	script := `trap 'echo USR1 >> ` + got + `' USR1
trap 'echo TERM >> ` + got + `; exit 7' TERM
touch ` + ready + `
while :; do sleep 0.02; done`
	sigs := make(chan os.Signal, 4)
	done := make(chan Result, 1)
	go func() {
		done <- Run(context.Background(), Spec{Args: []string{"sh", "-c", script}, Signals: sigs, KillAfter: 5 * time.Second})
	}()
	waitFile(t, ready)
	sigs <- syscall.SIGUSR1
	deadline := time.Now().Add(10 * time.Second)
	for {
		b, _ := os.ReadFile(got)
		if strings.Contains(string(b), "USR1") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("USR1 not forwarded")
		}
		time.Sleep(5 * time.Millisecond)
	}
	sigs <- syscall.SIGTERM
	res := <-done
	if res.ExitCode != 7 || res.Received != syscall.SIGTERM {
		t.Errorf("ExitCode %d Received %v, want 7 SIGTERM", res.ExitCode, res.Received)
	}
	if !strings.Contains(res.Status(0), "runwrap received SIGTERM") {
		t.Errorf("Status = %q", res.Status(0))
	}
}

func TestRunTerminatingSignalEscalates(t *testing.T) {
	ready := filepath.Join(t.TempDir(), "ready")
	sigs := make(chan os.Signal, 1)
	done := make(chan Result, 1)
	go func() {
		done <- Run(context.Background(), Spec{
			Args:    []string{"sh", "-c", `trap "" INT; touch ` + ready + `; while :; do sleep 0.02; done`},
			Signals: sigs, KillAfter: 200 * time.Millisecond,
		})
	}()
	waitFile(t, ready)
	sigs <- syscall.SIGINT
	select {
	case res := <-done:
		if res.Signal != syscall.SIGKILL || res.ExitCode != 137 {
			t.Errorf("Signal %v ExitCode %d, want SIGKILL 137", res.Signal, res.ExitCode)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("command ignoring SIGINT was not killed after KillAfter")
	}
}

func TestRunContextCancel(t *testing.T) {
	ready := filepath.Join(t.TempDir(), "ready")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan Result, 1)
	go func() {
		done <- Run(ctx, Spec{Args: []string{"sh", "-c", "touch " + ready + "; exec sleep 30"}})
	}()
	waitFile(t, ready)
	cancel()
	res := <-done
	if res.Signal != syscall.SIGTERM {
		t.Errorf("Signal = %v, want SIGTERM", res.Signal)
	}
}

func TestRunEnvAndStdin(t *testing.T) {
	var out bytes.Buffer
	Run(context.Background(), Spec{
		Args:  []string{"sh", "-c", `read x; echo "$x $FOO"`},
		Env:   []string{"FOO=bar", "PATH=" + os.Getenv("PATH")},
		Stdin: strings.NewReader("in\n"), Stdout: &out,
	})
	if out.String() != "in bar\n" {
		t.Errorf("got %q", out.String())
	}
}

// A closed pipe downstream ends the command as it would without runwrap.
func TestRunStdoutClosed(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
	defer w.Close()
	res := Run(context.Background(), Spec{
		Args:   []string{"sh", "-c", `while :; do echo y || exit 3; done`},
		Stdout: w, Capture: NewTail(10), CaptureStdout: true,
	})
	if res.ExitCode == 0 {
		t.Errorf("ExitCode 0; the command should have seen the closed pipe")
	}
}

// BenchmarkRunThroughput: 64 MiB of command output through the pass-through
// and the 100 kB tail (the whole-process 1 GiB figure is scripts/bench-runwrap).
func BenchmarkRunThroughput(b *testing.B) {
	const n = 64 << 20
	b.SetBytes(n)
	for b.Loop() {
		res := Run(context.Background(), Spec{
			Args:   []string{"head", "-c", strconv.Itoa(n), "/dev/zero"},
			Stdout: io.Discard, Capture: NewTail(100_000), CaptureStdout: true,
		})
		if res.ExitCode != 0 {
			b.Fatal(res.Status(0))
		}
	}
}

// The shell's own fd 1 and 2 as the kernel names them ("pipe:[N]"), printed
// on stderr (which every case captures).
const showFds = `fds=$(readlink /proc/$$/fd/1 /proc/$$/fd/2); echo "$fds" >&2`

func fdLines(t *testing.T, b []byte) (fd1, fd2 string) {
	t.Helper()
	l := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(l) != 2 {
		t.Fatalf("readlink printed %q, want two lines", b)
	}
	return l[0], l[1]
}

// Stdout and stderr on one open file (the same *os.File, /dev/null opened
// twice, a dup of one descriptor as in >log 2>&1): one pipe for both, as
// without runwrap, so the output keeps the order it was written in; on
// different files, or a stream left out of the capture, two pipes.
func TestRunOnePipeWhenOneFile(t *testing.T) {
	if _, err := os.Stat("/proc/self/fd/1"); err != nil {
		t.Skip("no /proc")
	}
	dir := t.TempDir()
	open := func(name string) *os.File {
		f, err := os.OpenFile(filepath.Join(dir, name), os.O_RDWR|os.O_CREATE, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		return f
	}
	null := func() *os.File {
		f, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		return f
	}
	dup := func(f *os.File) *os.File {
		fd, err := syscall.Dup(int(f.Fd()))
		if err != nil {
			t.Fatal(err)
		}
		d := os.NewFile(uintptr(fd), f.Name())
		t.Cleanup(func() { d.Close() })
		return d
	}
	log := open("log")
	logAgain := open("log")
	tests := []struct {
		name           string
		stdout, stderr *os.File
		captureStdout  bool
		onePipe        bool
	}{
		{"one *os.File", log, log, true, true},
		{"a dup of it (>log 2>&1)", log, dup(log), true, true},
		{"/dev/null opened twice", null(), null(), true, true},
		{"two files", open("a"), open("b"), true, false},
		{"one log file opened twice (two offsets)", log, logAgain, true, false},
		{"stdout not captured (--discard-stdout keeps it apart)", log, log, false, false},
	}
	// Without a capture (--no-output-in-ping) the files themselves, no pipe.
	for i, sameFile := range []bool{true, false} {
		f := open("nocapture" + strconv.Itoa(i))
		stderr := f
		if !sameFile {
			stderr = dup(f)
		}
		res := Run(context.Background(), Spec{Args: []string{"sh", "-c", showFds + " 2>&1"}, Stdout: f, Stderr: stderr})
		if !res.OK() {
			t.Fatal(res.Status(0))
		}
		got, err := os.ReadFile(f.Name())
		if err != nil {
			t.Fatal(err)
		}
		if fd1, fd2 := fdLines(t, got); fd1 != f.Name() || fd2 != f.Name() {
			t.Errorf("without a capture: fd 1 %s, fd 2 %s, want %s for both", fd1, fd2, f.Name())
		}
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tail := NewTail(1000)
			res := Run(context.Background(), Spec{
				Args: []string{"sh", "-c", showFds}, Stdout: tt.stdout, Stderr: tt.stderr,
				Capture: tail, CaptureStdout: tt.captureStdout,
			})
			if !res.OK() {
				t.Fatal(res.Status(0))
			}
			fd1, fd2 := fdLines(t, tail.Bytes())
			if !strings.HasPrefix(fd1, "pipe:") || !strings.HasPrefix(fd2, "pipe:") {
				t.Fatalf("fd 1 %s, fd 2 %s: both must be runwrap's pipes", fd1, fd2)
			}
			if (fd1 == fd2) != tt.onePipe {
				t.Errorf("fd 1 %s, fd 2 %s: one pipe = %v, want %v", fd1, fd2, fd1 == fd2, tt.onePipe)
			}
		})
	}
}

// With one pipe, the output and the capture are in the order written, byte
// for byte; with two, only each stream's own order holds.
func TestRunOnePipeKeepsOrder(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "log"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var script, want strings.Builder
	for i := range 200 {
		fmt.Fprintf(&script, "echo out%d; echo err%d >&2; ", i, i)
		fmt.Fprintf(&want, "out%d\nerr%d\n", i, i)
	}
	tail := NewTail(100_000)
	res := Run(context.Background(), Spec{
		Args: []string{"sh", "-c", script.String()}, Stdout: f, Stderr: f, Capture: tail, CaptureStdout: true,
	})
	if !res.OK() {
		t.Fatal(res.Status(0))
	}
	got, err := os.ReadFile(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want.String() {
		t.Errorf("the file has the streams out of order:\n%.200s", got)
	}
	if string(tail.Bytes()) != want.String() {
		t.Errorf("the capture has the streams out of order:\n%.200s", tail.Bytes())
	}
}
