// Package e2e runs testscript pipelines (testdata/*.txtar) across the built
// cronkit binaries, as a user's shell would.
package e2e

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cronkit/cronkit/lib/metric"
	"github.com/cronkit/cronkit/lib/testutil"
	"github.com/cronkit/cronkit/lib/testutil/fakepgdash"
	"github.com/cronkit/cronkit/lib/testutil/pgsandbox"
	"github.com/rogpeppe/go-internal/testscript"
)

// testVersion is injected into every binary so the scripts can check that all
// five carry one version string, as scripts/build does.
const testVersion = "v0.0.0-e2e"

var binDir string

// programs built for the scripts: the five tools, and the test stand-ins
// (fake Healthchecks and StatHat servers) where their packages exist.
var programs = []string{
	"./cmd/statpost", "./cmd/runwrap", "./cmd/pgreport", "./cmd/chartd", "./cmd/hcctl",
	"./lib/testutil/fakehc/cmd/fakehc", "./lib/testutil/fakestathat/cmd/fakestathat",
}

func TestMain(m *testing.M) {
	os.Exit(buildAndRun(m))
}

func buildAndRun(m *testing.M) int {
	dir, err := os.MkdirTemp("", "cronkit-e2e-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	var pkgs []string
	for _, p := range programs {
		if _, err := os.Stat(filepath.Join("..", p)); err == nil {
			pkgs = append(pkgs, p)
		}
	}
	args := append([]string{"build", "-o", dir + "/", "-ldflags", "-X github.com/cronkit/cronkit/lib/version.Version=" + testVersion}, pkgs...)
	cmd := exec.Command("go", args...)
	cmd.Dir = ".."
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0") // as scripts/build
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: building binaries:", err)
		return 1
	}
	binDir = dir

	// One throwaway PostgreSQL for every script that needs it ([pg] condition).
	pg, err := pgsandbox.Start(context.Background(), pgsandbox.Options{})
	switch {
	case err == nil:
		pgEnv = pg.Env("postgres")
		defer pg.Stop()
	case errors.Is(err, pgsandbox.ErrNoPostgres) && os.Getenv("CI") == "":
		fmt.Fprintln(os.Stderr, "e2e: no PostgreSQL installed; [pg] scripts will skip (CI would fail)")
	default:
		fmt.Fprintln(os.Stderr, "e2e: starting PostgreSQL:", err)
		return 1
	}
	return m.Run()
}

// pgEnv is the libpq environment of the shared cluster, empty without one.
var pgEnv []string

func TestScripts(t *testing.T) {
	testscript.Run(t, Params())
}

// Params is the shared testscript setup: binaries on PATH, a private HOME and
// XDG dirs so no user config leaks in, and a few helper commands.
func Params() testscript.Params {
	return testscript.Params{
		Dir: "testdata",
		Setup: func(env *testscript.Env) error {
			env.Setenv("PATH", binDir+string(os.PathListSeparator)+env.Getenv("PATH"))
			env.Setenv("VERSION", testVersion)
			home := env.Getenv("WORK")
			env.Setenv("HOME", home)
			env.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
			env.Setenv("XDG_STATE_HOME", filepath.Join(home, ".state"))
			// A pgDash stand-in per script for `pgreport push`.
			pd := fakepgdash.New()
			srv := httptest.NewServer(pd)
			env.Defer(srv.Close)
			env.Values[pgdashKey{}] = pd
			env.Setenv("PGREPORT_API_URL", srv.URL+"/api/v1/report")
			env.Values[ownPGKey{}] = &scriptState{}
			for _, kv := range pgEnv {
				k, v, _ := strings.Cut(kv, "=")
				env.Setenv(k, v)
			}
			return nil
		},
		Condition: func(cond string) (bool, error) {
			switch cond {
			case "pg":
				return len(pgEnv) > 0, nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"metric-roundtrip": metricRoundTrip,
			"serve":            serve,
			"pgdash-last":      pgdashLast,
			"pg-own":           pgOwn,
			"hc-inproc":        hcInproc,
			"hc-fail":          hcFail,
		},
	}
}

// metricRoundTrip IN OUT: reads IN with lib/metric's reader (any accepted
// shape) and writes canonical metric records to OUT; bad lines go to stderr.
func metricRoundTrip(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: metric-roundtrip IN OUT")
	}
	in, err := os.Open(ts.MkAbs(args[0]))
	ts.Check(err)
	defer in.Close()
	out, err := os.Create(ts.MkAbs(args[1]))
	ts.Check(err)
	defer out.Close()
	r := metric.NewReader(in, metric.ReaderOptions{Source: args[0]})
	w := metric.NewWriter(out)
	var bad []string
	for {
		rec, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			bad = append(bad, err.Error())
			continue
		}
		ts.Check(w.Write(rec))
	}
	ts.Check(w.Flush())
	if len(bad) > 0 {
		fmt.Fprintln(ts.Stderr(), strings.Join(bad, "\n"))
		if !neg {
			ts.Fatalf("%d bad lines", len(bad))
		}
	} else if neg {
		ts.Fatalf("no bad lines")
	}
}

// serve VAR PROG ARGS...: start a server in the background that prints its
// base URL as the first line of stdout (fakehc, fakestathat, chartd serve
// with --print-url), put that URL in $VAR, and stop the server when the
// script ends. Its stderr goes to $WORK/VAR.log.
func serve(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: serve VAR PROG [ARGS...]")
	}
	prog, err := exec.LookPath(args[1])
	if err != nil {
		prog = filepath.Join(binDir, args[1])
	}
	cmd := exec.Command(prog, args[2:]...)
	cmd.Dir = ts.Getenv("WORK")
	for _, k := range []string{"PATH", "HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "TMPDIR"} {
		cmd.Env = append(cmd.Env, k+"="+ts.Getenv(k))
	}
	logf, err := os.Create(filepath.Join(ts.Getenv("WORK"), args[0]+".log"))
	ts.Check(err)
	cmd.Stderr = logf
	out, err := cmd.StdoutPipe()
	ts.Check(err)
	ts.Check(cmd.Start())
	ts.Defer(func() {
		testutil.Stop(cmd, 5*time.Second)
		logf.Close()
	})
	line := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		if sc.Scan() {
			line <- strings.TrimSpace(sc.Text())
		}
		close(line)
		// Keep draining so the server never blocks on a full pipe.
		for sc.Scan() {
		}
	}()
	select {
	case u, ok := <-line:
		if !ok || u == "" {
			ts.Fatalf("%s printed no URL (see %s.log)", args[1], args[0])
		}
		ts.Setenv(args[0], u)
	case <-time.After(30 * time.Second):
		ts.Fatalf("%s printed no URL within 30s", args[1])
	}
}

type pgdashKey struct{}

// pgdash-last: print a summary of the last report the pgDash stand-in
// accepted ("apikey=K server=S version=V tables=N"); fails if none.
func pgdashLast(ts *testscript.TestScript, neg bool, args []string) {
	s, ok := ts.Value(pgdashKey{}).(*fakepgdash.Fake).LastSummary()
	if ok == neg {
		ts.Fatalf("accepted report: %v", ok)
	}
	fmt.Fprintln(ts.Stdout(), s)
}
