package main

import (
	"net"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cronkit/cronkit/lib/testutil"
	"github.com/cronkit/cronkit/lib/testutil/fakehc"
	"github.com/rogpeppe/go-internal/testscript"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"hcctl": func() { os.Exit(run()) },
	})
}

// scriptStart is the fake's clock at the start of every script.
var scriptStart = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

type scriptFake struct {
	f     *fakehc.Fake
	clock *fakehc.Clock
}

// TestScript runs testdata/script/*.txtar against a fresh fakehc per script:
// $HC_API_URL (host:port in $HC_HOST) and $HC_API_KEY point hcctl at it, $RO_KEY is its read-only
// key, and the fakehc command steers and inspects it (see cmdFake).
func TestScript(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:           "testdata/script",
		UpdateScripts: *testutil.Update,
		Setup: func(e *testscript.Env) error {
			if e.Values == nil {
				e.Values = map[any]any{}
			}
			clock := fakehc.NewClock(scriptStart)
			f := fakehc.New(fakehc.Options{Now: clock.Now})
			srv := httptest.NewServer(f)
			f.URL = srv.URL
			e.Defer(func() { f.Release(); srv.Close() })
			e.Values[scriptFakeKey{}] = &scriptFake{f: f, clock: clock}
			e.Setenv("HC_API_URL", srv.URL)
			e.Setenv("HC_HOST", strings.TrimPrefix(srv.URL, "http://"))
			e.Setenv("HC_API_KEY", fakehc.DefaultAPIKey)
			e.Setenv("RO_KEY", fakehc.DefaultReadOnlyKey)
			e.Setenv("PING_KEY", fakehc.DefaultPingKey)
			e.Setenv("XDG_CONFIG_HOME", e.WorkDir+"/config")
			// A loopback port nobody listens on: connection refused.
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				return err
			}
			e.Setenv("CLOSED_URL", "http://"+l.Addr().String())
			e.Setenv("CLOSED_HOST", l.Addr().String())
			l.Close()
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"fakehc": cmdFake,
		},
	})
}

type scriptFakeKey struct{}

// cmdFake steers the script's fake:
//
//	fakehc clock +2s | 2026-11-23T01:00:00Z   move the clock
//	fakehc check NAME SLUG [TAGS]             add a check (not counted)
//	fakehc foreign UUID                       add a check of another project (403)
//	fakehc channel NAME KIND UUID             add an integration to the project
//	fakehc writes N                           assert N write requests so far
//	fakehc count KIND N                       assert N requests of a kind
//	fakehc reset                              zero the counters
//	fakehc fail N STATUS [RETRY_AFTER [KIND]] next N requests answer STATUS
//	fakehc clear                              drop the faults not used up
//	fakehc stall N KIND                       next N requests of KIND hang (until the client gives up)
func cmdFake(ts *testscript.TestScript, neg bool, args []string) {
	sf := ts.Value(scriptFakeKey{}).(*scriptFake)
	if len(args) == 0 {
		ts.Fatalf("usage: fakehc clock|check|writes|count|reset|fail ...")
	}
	atoi := func(s string) int {
		n, err := strconv.Atoi(s)
		if err != nil {
			ts.Fatalf("%q is not a number", s)
		}
		return n
	}
	assert := func(what string, got, want int) {
		if (got == want) == neg {
			ts.Fatalf("%s: %d, want %s%d (all counts: %v)", what, got, map[bool]string{true: "not ", false: ""}[neg], want, sf.f.Counts())
		}
	}
	switch args[0] {
	case "clock":
		if d, err := time.ParseDuration(args[1]); err == nil {
			sf.clock.Add(d)
		} else if t, err := time.Parse(time.RFC3339, args[1]); err == nil {
			sf.clock.Set(t)
		} else {
			ts.Fatalf("clock %q: want +2s or an RFC 3339 time", args[1])
		}
	case "check":
		s := fakehc.Spec{Name: args[1], Slug: args[2]}
		if len(args) > 3 {
			s.Tags = args[3]
		}
		sf.f.AddCheck(s)
	case "channel":
		sf.f.AddChannel(fakehc.Channel{Name: args[1], Kind: args[2], ID: args[3]})
	case "foreign":
		sf.f.AddCheck(fakehc.Spec{UUID: args[1], Name: "elsewhere", Foreign: true})
	case "writes":
		assert("writes", sf.f.Writes(), atoi(args[1]))
	case "count":
		assert("requests of kind "+args[1], sf.f.Count(fakehc.Kind(args[1])), atoi(args[2]))
	case "reset":
		sf.f.ResetCounts()
	case "fail":
		ft := fakehc.Fault{Status: atoi(args[2])}
		if len(args) > 3 {
			ft.RetryAfter = args[3]
		}
		if len(args) > 4 {
			ft.Only = []fakehc.Kind{fakehc.Kind(args[4])}
		}
		sf.f.Inject(atoi(args[1]), ft)
	case "clear":
		sf.f.ClearFaults()
	case "stall":
		sf.f.Inject(atoi(args[1]), fakehc.Fault{Stall: true, Status: 504, Only: []fakehc.Kind{fakehc.Kind(args[2])}})
	default:
		ts.Fatalf("fakehc %s: unknown", args[0])
	}
}
