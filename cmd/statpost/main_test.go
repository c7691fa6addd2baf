package main

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cronkit/cronkit/lib/testutil/fakestathat"
	"github.com/rogpeppe/go-internal/testscript"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){"statpost": func() { os.Exit(run()) }})
}

type fakeKey struct{}

// TestScript runs cmd/statpost/testdata/script/*.txtar against the real root
// command. Each script gets its own fake StatHat ($FAKE_URL, already in
// $STATPOST_API_URL) and the `fake` command to steer and read it:
//
//	fake mode MODE          answer every post in MODE (fakestathat.Modes)
//	fake script MODE...     answer the next posts in these modes, then the mode
//	fake points             print accepted points as JSON lines (for cmp)
//	fake requests N         assert N requests arrived
func TestScript(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			f := fakestathat.New(fakestathat.Options{})
			srv := httptest.NewServer(f.Handler())
			env.Defer(func() { f.Close(); srv.Close() })
			env.Values[fakeKey{}] = f
			env.Setenv("FAKE_URL", srv.URL)
			env.Setenv("STATPOST_API_URL", srv.URL)
			env.Setenv("STATHAT_EZKEY", "test-ezkey-1234")
			env.Setenv("XDG_STATE_HOME", filepath.Join(env.WorkDir, "state"))
			env.Setenv("HOME", env.WorkDir)
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"fake": cmdFake,
			"gen":  cmdGen,
		},
	})
}

// cmdGen: gen N NAME FILE writes N count records NAME with values 0..N-1
// and times 1700000000+i.
func cmdGen(ts *testscript.TestScript, neg bool, args []string) {
	n, err := strconv.Atoi(args[0])
	ts.Check(err)
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "{\"name\":%q,\"kind\":\"count\",\"value\":%d,\"time\":%d}\n", args[1], i, 1700000000+i)
	}
	ts.Check(os.WriteFile(ts.MkAbs(args[2]), []byte(b.String()), 0o644))
}

func cmdFake(ts *testscript.TestScript, neg bool, args []string) {
	f := ts.Value(fakeKey{}).(*fakestathat.Fake)
	if len(args) == 0 {
		ts.Fatalf("usage: fake mode|script|points|requests ...")
	}
	switch args[0] {
	case "mode":
		m, err := fakestathat.ParseMode(args[1])
		ts.Check(err)
		f.SetMode(m)
	case "script":
		var ms []fakestathat.Mode
		for _, a := range args[1:] {
			m, err := fakestathat.ParseMode(a)
			ts.Check(err)
			ms = append(ms, m)
		}
		f.Script(ms...)
	case "points":
		var b strings.Builder
		for _, p := range f.Points() {
			j, _ := json.Marshal(p)
			b.Write(j)
			b.WriteByte('\n')
		}
		_, _ = ts.Stdout().Write([]byte(b.String()))
	case "inorder":
		// fake inorder NAME N: points for NAME are the counts 0..N-1, each once, in order,
		// with t = 1700000000+i (their original timestamps).
		n, err := strconv.Atoi(args[2])
		ts.Check(err)
		next := 0
		for _, p := range f.Points() {
			if p.Stat != args[1] {
				continue
			}
			if p.Count == nil || *p.Count != float64(next) || p.T != int64(1700000000+next) {
				ts.Fatalf("%s: point %d is %+v", args[1], next, p)
			}
			next++
		}
		if next != n {
			ts.Fatalf("%s: %d points, want %d", args[1], next, n)
		}
	case "waitreq":
		// fake waitreq N: wait (up to 10s) until N requests have arrived.
		want, err := strconv.Atoi(args[1])
		ts.Check(err)
		deadline := time.Now().Add(10 * time.Second)
		for {
			if n, _ := f.Counts(); n >= want {
				break
			}
			if time.Now().After(deadline) {
				ts.Fatalf("fewer than %d requests after 10s", want)
			}
			time.Sleep(20 * time.Millisecond)
		}
	case "requests":
		n, _ := f.Counts()
		got := fmt.Sprint(n)
		if (got == args[1]) == neg {
			ts.Fatalf("fake got %s requests, want %s%s", got, map[bool]string{true: "not ", false: ""}[neg], args[1])
		}
	default:
		ts.Fatalf("unknown fake command %q", args[0])
	}
}
