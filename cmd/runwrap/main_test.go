package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cronkit/cronkit/lib/testutil/fakehc"
	"github.com/rogpeppe/go-internal/testscript"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"runwrap": func() { os.Exit(run()) },
	})
}

// Fixed check UUIDs the scripts use: $UUID_OK is a check named "ok" with slug "ok".
var scriptChecks = []struct{ env, name, slug, uuid string }{
	{"UUID_OK", "ok", "ok", "11111111-1111-4111-8111-111111111111"},
	{"UUID_DUP1", "dup1", "dup", "22222222-2222-4222-8222-222222222222"},
	{"UUID_DUP2", "dup2", "dup", "33333333-3333-4333-8333-333333333333"},
}

func TestScript(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(e *testscript.Env) error {
			e.Values = map[any]any{}
			holder := &fakeHolder{}
			e.Values["holder"] = holder
			holder.start(e.Setenv, e.Defer, fakehc.Options{})
			// A loopback port nobody listens on: connection refused.
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				return err
			}
			e.Setenv("CLOSED_URL", "http://"+l.Addr().String())
			l.Close()
			e.Setenv("XDG_STATE_HOME", e.WorkDir+"/state")
			e.Setenv("XDG_CONFIG_HOME", e.WorkDir+"/config")
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exitcode":  cmdExitCode,
			"hcpings":   cmdPings,
			"hcwait":    cmdWaitPings,
			"hcfault":   cmdFault,
			"hcrelease": func(ts *testscript.TestScript, neg bool, args []string) { fake(ts).Release() },
			"hclimit":   cmdLimit,
			"hcsite":    cmdSite,
			"waitfile":  cmdWaitFile,
		},
	})
}

// fakeHolder lets hclimit swap the script's fake for one with another limit.
type fakeHolder struct{ f *fakehc.Fake }

func (h *fakeHolder) start(setenv func(string, string), deferFn func(func()), opts fakehc.Options) {
	f := fakehc.New(opts)
	srv := httptest.NewServer(f)
	f.URL = srv.URL + f.Options().SitePath
	for _, c := range scriptChecks {
		f.AddCheck(fakehc.Spec{Name: c.name, Slug: c.slug, UUID: c.uuid})
	}
	deferFn(func() { f.Release(); srv.Close() })
	h.f = f
	setenv("HC_URL", f.URL)
	setenv("HC_HOST_URL", srv.URL)
	setenv("HC_API_URL", f.URL+"/ping")
	setenv("FAKE_PING_KEY", f.Options().PingKey)
	for _, c := range scriptChecks {
		setenv(c.env, c.uuid)
	}
}

func fake(ts *testscript.TestScript) *fakehc.Fake {
	return ts.Value("holder").(*fakeHolder).f
}

// exitcode N prog args...: run prog and require exit code N; its stdout and
// stderr are then checked with stdout/stderr as for exec.
func cmdExitCode(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exitcode N program [args...]")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	err = ts.Exec(args[1], args[2:]...)
	got := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		got = ee.ExitCode()
	} else if err != nil {
		ts.Fatalf("%v", err)
	}
	if got != want {
		ts.Fatalf("exit code %d, want %d", got, want)
	}
}

// hcpings UUID|slug FILE: write the check's recorded pings to FILE, one line
// each ("#n kind exit=N rid=new|same|none method") then the body as "| " lines.
func cmdPings(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: hcpings UUID|slug FILE")
	}
	f := fake(ts)
	id := args[0]
	if u, ok := f.UUIDBySlug(id); ok {
		id = u
	}
	var b bytes.Buffer
	prev := ""
	for _, p := range f.Pings(id) {
		rid := "none"
		if p.RID != nil {
			rid = "new"
			if *p.RID == prev {
				rid = "same"
			}
			prev = *p.RID
		}
		exit := ""
		if p.ExitStatus != nil {
			exit = fmt.Sprintf(" exit=%d", *p.ExitStatus)
		}
		fmt.Fprintf(&b, "#%d %s%s rid=%s %s\n", p.N, p.Kind, exit, rid, p.Method)
		if len(p.Body) > 0 {
			for _, l := range strings.SplitAfter(string(p.Body), "\n") {
				if l != "" {
					fmt.Fprintf(&b, "| %s", strings.TrimSuffix(l, "\n")+"\n")
				}
			}
		}
	}
	ts.Check(os.WriteFile(ts.MkAbs(args[1]), b.Bytes(), 0o644))
}

// hcwait UUID|slug N: wait (10s at most) until the check has N pings.
func cmdWaitPings(ts *testscript.TestScript, neg bool, args []string) {
	f := fake(ts)
	n, err := strconv.Atoi(args[1])
	ts.Check(err)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err = f.WaitFor(ctx, func() bool {
		id := args[0]
		if u, ok := f.UUIDBySlug(id); ok {
			id = u
		}
		return len(f.Pings(id)) >= n
	})
	if err != nil {
		ts.Fatalf("check %s: fewer than %d pings after 10s", args[0], n)
	}
}

// hcfault N STATUS|stall [RETRY-AFTER]: the next N ping requests fail so.
func cmdFault(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 {
		ts.Fatalf("usage: hcfault N STATUS|stall [RETRY-AFTER]")
	}
	n, err := strconv.Atoi(args[0])
	ts.Check(err)
	ft := fakehc.Fault{Only: []fakehc.Kind{fakehc.KindPing}}
	if args[1] == "stall" {
		ft.Stall = true
	} else {
		ft.Status, err = strconv.Atoi(args[1])
		ts.Check(err)
	}
	if len(args) > 2 {
		ft.RetryAfter = args[2]
	}
	fake(ts).Inject(n, ft)
}

// hclimit N: replace the fake with one announcing Ping-Body-Limit: N.
func cmdLimit(ts *testscript.TestScript, neg bool, args []string) {
	n, err := strconv.Atoi(args[0])
	ts.Check(err)
	ts.Value("holder").(*fakeHolder).start(ts.Setenv, ts.Defer, fakehc.Options{PingBodyLimit: n})
}

// hcsite PATH: replace the fake with one installed on a sub-path
// (SITE_ROOT=http://host/PATH); $HC_URL is then the site root.
func cmdSite(ts *testscript.TestScript, neg bool, args []string) {
	ts.Value("holder").(*fakeHolder).start(ts.Setenv, ts.Defer, fakehc.Options{SitePath: args[0]})
}

// waitfile PATH: poll (10s at most) until PATH exists.
func cmdWaitFile(ts *testscript.TestScript, neg bool, args []string) {
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := os.Stat(ts.MkAbs(args[0])); err == nil {
			return
		}
		if time.Now().After(deadline) {
			ts.Fatalf("%s did not appear within 10s", args[0])
		}
		time.Sleep(5 * time.Millisecond)
	}
}
