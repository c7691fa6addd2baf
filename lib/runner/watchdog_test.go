package runner

import (
	"errors"
	"os/exec"
	"syscall"
	"testing"
	"time"
)

// The watchdog is what runwrap uses on macOS and the BSDs instead of
// Pdeathsig; its code is portable, so it is tested here on Linux too.

func startSleep(t *testing.T) (*exec.Cmd, <-chan error) {
	t.Helper()
	c := exec.Command("sleep", "60")
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- c.Wait() }()
	t.Cleanup(func() { _ = c.Process.Kill() })
	return c, done
}

func waitSignal(t *testing.T, done <-chan error) syscall.Signal {
	t.Helper()
	select {
	case err := <-done:
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			t.Fatalf("sleep ended with %v, want a signal", err)
		}
		ws := ee.Sys().(syscall.WaitStatus)
		if !ws.Signaled() {
			t.Fatalf("sleep exited %v, want a signal", ws)
		}
		return ws.Signal()
	case <-time.After(20 * time.Second):
		t.Fatal("sleep still running after 20s")
		return 0
	}
}

func TestWatchdogKillsWhenParentDies(t *testing.T) {
	c, done := startSleep(t)
	w, err := startWatchdog(c.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	// runwrap's death closes its end of the pipe without the goodbye.
	w.w.Close()
	if got := waitSignal(t, done); got != syscall.SIGKILL {
		t.Errorf("signal = %v, want SIGKILL", got)
	}
	_ = w.cmd.Wait()
}

func TestWatchdogReleased(t *testing.T) {
	c, done := startSleep(t)
	w, err := startWatchdog(c.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	w.release() // returns once the watchdog has exited
	w.release() // idempotent
	if w.cmd.ProcessState == nil || !w.cmd.ProcessState.Success() {
		t.Fatalf("watchdog state %v, want exit 0", w.cmd.ProcessState)
	}
	// Had it killed sleep, the status would say SIGKILL, not our SIGTERM.
	_ = c.Process.Signal(syscall.SIGTERM)
	if got := waitSignal(t, done); got != syscall.SIGTERM {
		t.Errorf("signal = %v, want SIGTERM (the watchdog must not kill after release)", got)
	}
}
