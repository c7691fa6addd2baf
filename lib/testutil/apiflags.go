package testutil

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cronkit/cronkit/lib/cli"
)

// apiHold is how long the stalling server holds a request before it
// answers 503: shorter than every tool's default --api-timeout (runwrap's
// 5 s is the least, lib/cli), so a timeout that did not reach the HTTP
// client shows as an answered request.
const apiHold = 4 * time.Second

// APITool is a tool under TestAPIFlags.
type APITool struct {
	Name  string      // binding name: statpost, hcctl...
	Old   APIOldNames // its hidden old spellings
	Stdin string
	// Args is the command line before the flags under test; "{url}" in an
	// argument is replaced by the stalling server's URL. After follows them.
	Args, After []string
	Root        func(*cli.Env) *cli.Root // the tool's newRoot: it runs in-process
}

// APIOldNames are a tool's hidden old spellings of --api-retries,
// --api-timeout and --api-deadline ("" for none).
type APIOldNames struct{ Retries, Timeout, Deadline string }

// TestAPIFlags checks that a tool accepts --api-retries, --api-timeout and --api-deadline, the hidden old
// names and the environment variables of both, and that the values reach
// its HTTP client: against a server that stalls every request, the number
// of attempts the client gave up on is --api-retries + 1 when
// --api-timeout ends each, and 1 when --api-deadline ends the first.
func TestAPIFlags(t *testing.T, at APITool) {
	tool, old := at.Name, at.Old
	env := func(kv ...string) map[string]string {
		m := map[string]string{}
		for i := 0; i < len(kv); i += 2 {
			m[strings.ToUpper(strings.ReplaceAll(tool+"_"+kv[i], "-", "_"))] = kv[i+1]
		}
		return m
	}
	type tc struct {
		name     string
		args     []string
		env      map[string]string
		attempts int
	}
	cases := []tc{
		{"flags timeout", []string{"--api-retries", "1", "--api-timeout", "100ms", "--api-deadline", "1m"}, nil, 2},
		{"flags deadline", []string{"--api-retries", "3", "--api-timeout", "3s", "--api-deadline", "200ms"}, nil, 1},
		{"env timeout", nil, env("api-retries", "1", "api-timeout", "100ms"), 2},
		{"env deadline", []string{"--api-timeout", "3s"}, env("api-deadline", "200ms"), 1},
	}
	retries, timeout := []string{"--api-retries", "1"}, []string{"--api-timeout", "100ms"}
	if old.Retries != "" {
		cases = append(cases, tc{"old retries", append([]string{"--" + old.Retries, "1"}, timeout...), nil, 2},
			tc{"old retries env", timeout, env(old.Retries, "1"), 2})
	}
	if old.Timeout != "" {
		cases = append(cases, tc{"old timeout", append([]string{"--" + old.Timeout, "100ms"}, retries...), nil, 2},
			tc{"old timeout env", retries, env(old.Timeout, "100ms"), 2})
	}
	if old.Deadline != "" {
		cases = append(cases, tc{"old deadline", append([]string{"--" + old.Deadline, "200ms", "--api-timeout", "3s"}, retries...), nil, 1},
			tc{"old deadline env", []string{"--api-timeout", "3s"}, env(old.Deadline, "200ms"), 1})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var abandoned, answered atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				// net/http notices a closed connection only once the body is read.
				_, _ = io.Copy(io.Discard, r.Body)
				select {
				case <-r.Context().Done():
					abandoned.Add(1)
				case <-time.After(apiHold):
					answered.Add(1)
					w.WriteHeader(http.StatusServiceUnavailable)
				}
			}))
			var args []string
			for _, a := range at.Args {
				args = append(args, strings.ReplaceAll(a, "{url}", srv.URL))
			}
			args = append(append(args, c.args...), at.After...)
			// The exit code does not matter here: the attempts do.
			cli.Execute(at.Root(&cli.Env{Stdin: strings.NewReader(at.Stdin), Stdout: io.Discard, Stderr: io.Discard,
				LookupEnv: func(k string) (string, bool) { v, ok := c.env[k]; return v, ok }}), args)
			srv.Close() // waits for every handler: the counts are final
			if a, n := abandoned.Load(), answered.Load(); int(a) != c.attempts || n != 0 {
				t.Errorf("%s: %d attempts given up, %d answered; want %d given up, none answered", tool, a, n, c.attempts)
			}
		})
	}
}
