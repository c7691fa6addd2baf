package wrap

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// What a run says names its settings in the command's spellings (Names), a
// neutral wording when the command gives none (issue 18: lib/wrap knows no
// command's flags).
func TestNamesWordTheMessages(t *testing.T) {
	for _, tt := range []struct {
		name  string
		names Names
		want  [5]string
	}{
		{"zero", Names{}, [5]string{
			"[runwrap] not started: runwrap received SIGTERM during jitter\n",
			"[runwrap] not started: runwrap received SIGINT while waiting for lock LOCK\n",
			"[runwrap] failure 1 of 1 tolerated (failure tolerance): reported as success\n",
			"run record: open /nonexistent/runs.jsonl: no such file or directory",
			"failure tolerance: neither XDG_STATE_HOME nor HOME is set: no place for the state file",
		}},
		{"runwrap", runwrapNames, [5]string{
			"[runwrap] not started: runwrap received SIGTERM during --jitter\n",
			"[runwrap] not started: runwrap received SIGINT while waiting for --lock LOCK\n",
			"[runwrap] failure 1 of 1 tolerated (--tolerate): reported as success\n",
			"--record: open /nonexistent/runs.jsonl: no such file or directory",
			"--tolerate: neither XDG_STATE_HOME nor HOME is set: no place for the state file",
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			lock := holdLock(t)
			got := saidWith(t, tt.names, lock)
			for i, want := range tt.want {
				if want = strings.ReplaceAll(want, "LOCK", lock); got[i] != want {
					t.Errorf("message %d: %q, want %q", i, got[i], want)
				}
			}
		})
	}
}

// saidWith runs the five cases whose words name a setting, with names, and
// returns what each said: the fail ping of a stop during the jitter and
// while waiting for lock, the tolerated failure's body line, the warning
// about the run record and the one about the tolerate state.
func saidWith(t *testing.T, names Names, lock string) (said [5]string) {
	config := func(p *fakePinger, clock *fakeClock, script string) Config {
		c := testConfig(t, p, clock, script)
		c.Names = names
		return c
	}

	p, clock := &fakePinger{}, newClock()
	clock.block, clock.waits = true, make(chan time.Duration, 1)
	c := config(p, clock, "true")
	c.Jitter = time.Hour
	sigs := make(chan os.Signal, 1)
	c.Signals = sigs
	done := runBackground(c)
	recv(t, clock.waits) // in the jitter sleep
	sigs <- syscall.SIGTERM
	recv(t, done)
	said[0] = string(p.last().Body)

	p = &fakePinger{}
	c = config(p, newClock(), "true")
	c.Lock, c.LockWait = lock, time.Hour
	sigs = make(chan os.Signal, 1)
	sigs <- syscall.SIGINT
	c.Signals = sigs
	recv(t, runBackground(c))
	said[1] = string(p.last().Body)

	p = &fakePinger{}
	c = config(p, newClock(), "exit 1")
	c.Tolerate = 1
	Run(context.Background(), c)
	said[2] = strings.SplitAfter(string(p.last().Body), "\n")[0]

	var warned []string
	c = config(&fakePinger{}, newClock(), "true")
	c.Record = filepath.Join("/nonexistent", "runs.jsonl")
	c.Getenv = func(string) string { return "" }
	c.Tolerate = 1
	c.Warnf = func(f string, a ...any) { warned = append(warned, fmt.Sprintf(f, a...)) }
	Run(context.Background(), c)
	if len(warned) != 2 {
		t.Fatalf("warnings %q, want the tolerate state's and the record's", warned)
	}
	said[3], said[4] = warned[1], warned[0]
	return said
}
