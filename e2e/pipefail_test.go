package e2e

import (
	"context"
	"net/http/httptest"
	"strconv"
	"time"

	"github.com/cronkit/cronkit/lib/testutil/fakehc"
	"github.com/cronkit/cronkit/lib/testutil/pgsandbox"
	"github.com/rogpeppe/go-internal/testscript"
)

// Commands for the scripts that take a producer down (issue 13 item 1): a
// PostgreSQL of the script's own, which it can stop, and the Healthchecks
// fake in process, where faults can be injected between two API calls.

type ownPGKey struct{}

// scriptState holds what these commands started, per script (Setup puts a
// fresh one in env.Values).
type scriptState struct {
	pg *pgsandbox.Cluster
	hc *fakehc.Fake
}

func state(ts *testscript.TestScript) *scriptState {
	return ts.Value(ownPGKey{}).(*scriptState)
}

// pgOwn start|stop: start a throwaway PostgreSQL for this script alone and
// point the libpq variables at it ($PGHOST, $PGPORT, $PGUSER, $PGDATABASE,
// and $PGSUPERUSER to restore $PGUSER), or stop it: the server is gone, its
// socket directory too, exactly what a client of a stopped server sees.
// The cluster shared by the other scripts is never stopped.
func pgOwn(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: pg-own start|stop")
	}
	st := state(ts)
	switch args[0] {
	case "start":
		if st.pg != nil {
			ts.Fatalf("pg-own: already started")
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		c, err := pgsandbox.Start(ctx, pgsandbox.Options{})
		if err != nil {
			ts.Fatalf("pg-own start: %v", err)
		}
		st.pg = c
		ts.Defer(func() { _ = c.Stop() })
		for k, v := range map[string]string{"PGHOST": c.Host, "PGPORT": strconv.Itoa(c.Port), "PGUSER": c.User,
			"PGSUPERUSER": c.User, "PGDATABASE": "postgres", "PGSSLMODE": "disable"} {
			ts.Setenv(k, v)
		}
	case "stop":
		if st.pg == nil {
			ts.Fatalf("pg-own: not started")
		}
		ts.Check(st.pg.Stop())
	default:
		ts.Fatalf("usage: pg-own start|stop")
	}
}

// hcInproc VAR [SLUG...]: the Healthchecks fake in this process (so that
// hc-fail can reach it), its base URL in $VAR, with checks SLUG seeded.
func hcInproc(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 {
		ts.Fatalf("usage: hc-inproc VAR [SLUG...]")
	}
	f := fakehc.New(fakehc.Options{})
	srv := httptest.NewServer(f)
	f.URL = srv.URL
	ts.Defer(func() { f.Release(); srv.Close() })
	for _, s := range args[1:] {
		f.AddCheck(fakehc.Spec{Name: s, Slug: s})
	}
	state(ts).hc = f
	ts.Setenv(args[0], srv.URL)
}

// hcFail N STATUS KIND: the next N requests of KIND (fakehc.Kind: pings,
// list, ...) to the in-process fake answer STATUS; hc-fail clear drops them.
func hcFail(ts *testscript.TestScript, neg bool, args []string) {
	f := state(ts).hc
	if f == nil || neg {
		ts.Fatalf("hc-fail needs hc-inproc first")
	}
	if len(args) == 1 && args[0] == "clear" {
		f.ClearFaults()
		return
	}
	if len(args) != 3 {
		ts.Fatalf("usage: hc-fail N STATUS KIND | hc-fail clear")
	}
	n, err1 := strconv.Atoi(args[0])
	code, err2 := strconv.Atoi(args[1])
	if err1 != nil || err2 != nil {
		ts.Fatalf("hc-fail %s %s: want numbers", args[0], args[1])
	}
	f.Inject(n, fakehc.Fault{Status: code, Only: []fakehc.Kind{fakehc.Kind(args[2])}})
}
