package oneproc

import (
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"testing"
)

// One P without GOMAXPROCS in the environment; the user's value otherwise
// (checked in a second run of this test binary).
func TestOneP(t *testing.T) {
	if v := os.Getenv("GOMAXPROCS"); v != "" {
		if got := strconv.Itoa(runtime.GOMAXPROCS(0)); got != v {
			t.Fatalf("GOMAXPROCS=%s in the environment, runtime has %s", v, got)
		}
		return
	}
	if n := runtime.GOMAXPROCS(0); n != 1 {
		t.Errorf("GOMAXPROCS is %d, want 1", n)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestOneP$", "-test.v")
	cmd.Env = append(os.Environ(), "GOMAXPROCS=3")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("with GOMAXPROCS=3: %v\n%s", err, out)
	}
}
