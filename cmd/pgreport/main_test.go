package main

import (
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/cronkit/cronkit/lib/testutil/fakepgdash"
	"github.com/cronkit/cronkit/lib/testutil/pgsandbox"
	"github.com/rogpeppe/go-internal/testscript"
)

// sandboxM stops the shared PostgreSQL cluster after the tests.
type sandboxM struct{ m *testing.M }

func (s sandboxM) Run() int { return pgsandbox.Main(s.m) }

func TestMain(m *testing.M) {
	testscript.Main(sandboxM{m}, map[string]func(){"pgreport": func() { os.Exit(run()) }})
}

type pgdashKey struct{}

// TestScript runs testdata/script/*.txtar against the real root command,
// with the libpq environment pointing at a throwaway cluster and a fake
// pgDash endpoint in $PGREPORT_API_URL steered by the `pgdash` command.
func TestScript(t *testing.T) {
	c := pgsandbox.Get(t)
	fixtures, err := filepath.Abs("../../lib/pgstat/testdata")
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			for _, kv := range c.Env("postgres") {
				k, v, _ := strings.Cut(kv, "=")
				env.Setenv(k, v)
			}
			env.Setenv("FIXTURES", fixtures)
			env.Setenv("HOME", env.WorkDir)
			env.Setenv("XDG_CONFIG_HOME", filepath.Join(env.WorkDir, ".config"))
			// A database per script: scripts share the cluster.
			env.Setenv("DB", "s_"+strings.NewReplacer("-", "_", ".", "_").Replace(filepath.Base(env.WorkDir)))
			f := fakepgdash.New()
			srv := httptest.NewServer(f)
			env.Defer(srv.Close)
			env.Values[pgdashKey{}] = f
			env.Setenv("PGREPORT_API_URL", srv.URL+"/api/v1/report")
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){"pgdash": cmdPgDash},
	})
}

// cmdPgDash: pgdash script MODE... | pgdash requests N | pgdash last
// (prints apikey, server, data.meta.version of the last accepted report).
func cmdPgDash(ts *testscript.TestScript, neg bool, args []string) {
	f := ts.Value(pgdashKey{}).(*fakepgdash.Fake)
	if len(args) == 0 {
		ts.Fatalf("usage: pgdash script|requests|last")
	}
	switch args[0] {
	case "script":
		f.Script(args[1:]...)
	case "requests":
		want, err := strconv.Atoi(args[1])
		ts.Check(err)
		if n := f.Requests(); (n == want) == neg {
			ts.Fatalf("requests = %d, want %d", n, want)
		}
	case "last":
		s, ok := f.LastSummary()
		if !ok {
			ts.Fatalf("no report accepted")
		}
		fmt.Fprintln(ts.Stdout(), s)
	default:
		ts.Fatalf("pgdash: unknown %q", args[0])
	}
}
