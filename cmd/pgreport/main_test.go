package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

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
			f := newFakePgDash()
			srv := httptest.NewServer(f)
			env.Defer(srv.Close)
			env.Values[pgdashKey{}] = f
			env.Setenv("PGREPORT_API_URL", srv.URL+"/api/v1/report")
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){"pgdash": cmdPgDash},
	})
}

// fakePgDash plays pgDash's report endpoint as the pgdash CLI sees it
// (shared/reference/pgmetrics.md §3): POST gzip JSON {"apikey","server","data"},
// 200 with an empty JSON object on success, 400 for a bad key.
type fakePgDash struct {
	mu     sync.Mutex
	script []string // modes for the next requests; then "ok"
	bodies []map[string]any
	n      int
}

var keyRE = regexp.MustCompile(`^[A-Za-z0-9]{22}$`)

func newFakePgDash() *fakePgDash { return &fakePgDash{} }

func (f *fakePgDash) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.n++
	mode := "ok"
	if len(f.script) > 0 {
		mode, f.script = f.script[0], f.script[1:]
	}
	f.mu.Unlock()
	if r.Method != http.MethodPost || r.URL.Path != "/api/v1/report" {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	if r.Header.Get("Content-Encoding") != "gzip" || r.Header.Get("Content-Type") != "application/json" {
		http.Error(w, "want gzip JSON", http.StatusBadRequest)
		return
	}
	zr, err := gzip.NewReader(r.Body)
	if err != nil {
		http.Error(w, "bad gzip", http.StatusBadRequest)
		return
	}
	raw, err := io.ReadAll(zr)
	var body map[string]any
	if err != nil || json.Unmarshal(raw, &body) != nil {
		http.Error(w, "bad json", http.StatusBadRequest)
		return
	}
	switch mode {
	case "429":
		w.Header().Set("Retry-After", "1")
		http.Error(w, `{"error":"rate limited"}`, http.StatusTooManyRequests)
		return
	case "500":
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	case "409":
		http.Error(w, `{"error":"previous store in progress"}`, http.StatusConflict)
		return
	case "drop":
		// Close the connection without an answer: never a success.
		hj, ok := w.(http.Hijacker)
		if ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return
			}
		}
		panic(http.ErrAbortHandler)
	case "html":
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<html>login</html>")
		return
	}
	if key, _ := body["apikey"].(string); !keyRE.MatchString(key) {
		http.Error(w, `{"error":"invalid api key"}`, http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.bodies = append(f.bodies, body)
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprint(w, "{}")
}

// cmdPgDash: pgdash script MODE... | pgdash requests N | pgdash last
// (prints apikey, server, data.meta.version of the last accepted report).
func cmdPgDash(ts *testscript.TestScript, neg bool, args []string) {
	f := ts.Value(pgdashKey{}).(*fakePgDash)
	if len(args) == 0 {
		ts.Fatalf("usage: pgdash script|requests|last")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	switch args[0] {
	case "script":
		f.script = append(f.script, args[1:]...)
	case "requests":
		want, err := strconv.Atoi(args[1])
		ts.Check(err)
		if (f.n == want) == neg {
			ts.Fatalf("requests = %d, want %d", f.n, want)
		}
	case "last":
		if len(f.bodies) == 0 {
			ts.Fatalf("no report accepted")
		}
		b := f.bodies[len(f.bodies)-1]
		data, _ := b["data"].(map[string]any)
		meta, _ := data["meta"].(map[string]any)
		var buf bytes.Buffer
		fmt.Fprintf(&buf, "apikey=%v server=%v version=%v tables=%d\n", b["apikey"], b["server"], meta["version"], len(anySlice(data["tables"])))
		ts.Stdout().Write(buf.Bytes())
	default:
		ts.Fatalf("pgdash: unknown %q", args[0])
	}
}

func anySlice(v any) []any { s, _ := v.([]any); return s }
