package stats

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/cronkit/cronkit/lib/metric"
)

// FuzzBodyStatus: any response body is judged without a panic, and an
// empty body is always success.
func FuzzBodyStatus(f *testing.F) {
	for _, s := range []string{"", `{"status":200,"msg":"ok"}`, `{"status":500,"msg":"x"}`, `{"status":"ok"}`, `{"status":"error"}`, `{"status":[1]}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		err := bodyStatus([]byte(body))
		if strings.TrimSpace(body) == "" && err != nil {
			t.Fatalf("empty body failed: %v", err)
		}
	})
}

// FuzzCheckStatHatName: an accepted name obeys the rules.
func FuzzCheckStatHatName(f *testing.F) {
	for _, s := range []string{"installs", "a~b,c", "a~", "~", strings.Repeat("x", 256), "p~a,,b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		if CheckStatHatName(name) != nil {
			return
		}
		if utf8.RuneCountInString(name) > 255 || strings.Count(name, "~") > 1 || strings.ContainsAny(name, "\r\n") {
			t.Fatalf("accepted %q", name)
		}
	})
}

// FuzzCounterLog: any counter log (torn, damaged, hand-edited) is read
// without a panic; what is kept is whole lines, so the next append starts
// on a line of its own and a new process reads back what was delivered.
func FuzzCounterLog(f *testing.F) {
	for _, s := range []string{
		"",
		"D {\"a\":{\"v\":1}}\n",
		"D {\"a\":{\"v\":1,\"t\":\"2026-11-22T21:00:00Z\"}}\nS {\"a\":{\"v\":5}}\n",
		"S {\"a\":{\"v\":5}}\nS {\"a\"",
		"X junk\nD {}\n",
		"D {\"a\":{\"v\":\"x\"}}\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, log string) {
		state := filepath.Join(t.TempDir(), "c.counters")
		if err := os.WriteFile(state+".log", []byte(log), 0o600); err != nil {
			t.Fatal(err)
		}
		inc := &Increases{Sink: &nopSink{}, Path: state}
		if _, err := inc.load(); err != nil {
			return // an unreadable file is reported, not guessed at
		}
		if err := inc.Send(context.Background(), []metric.Record{{Name: "fuzz", Kind: metric.Counter, Value: 42}}); err != nil {
			t.Fatal(err)
		}
		st, err := (&Increases{Sink: &nopSink{}, Path: state}).load()
		if err != nil || st.Delivered["fuzz"].V != 42 {
			b, _ := os.ReadFile(state + ".log")
			t.Fatalf("after a send: %+v %v; log %q", st, err, b)
		}
	})
}
