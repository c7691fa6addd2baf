package main

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cronkit/cronkit/lib/cli"
	"github.com/cronkit/cronkit/lib/testutil"
)

// runStatpost runs the real root command with stdin and env, returning the
// exit code and stderr.
func runStatpost(t *testing.T, env map[string]string, stdin string, args ...string) (int, string) {
	t.Helper()
	var stderr bytes.Buffer
	e := &cli.Env{Stdin: strings.NewReader(stdin), Stdout: io.Discard, Stderr: &stderr,
		LookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok }}
	return cli.Execute(newRoot(e), args), stderr.String()
}

// The Pushgateway is down for a run, up for the next (receivers.md recipe 1):
// the spooled counts are delivered first and summed into the counter once.
func TestPushgatewayDownThenUp(t *testing.T) {
	bin := testutil.NeedProgram(t, "prometheus-pushgateway")
	addr := freeAddr(t)
	env := map[string]string{"XDG_STATE_HOME": t.TempDir()}
	sink := "pushgateway=http://" + addr
	args := []string{"--sink", sink, "--label", "instance=db7"}

	// down: refused at once; the short deadline only ends the retries sooner
	code, stderr := runStatpost(t, env, "installs 2\nqueue depth 5\n", append(args, "--kind", "count", "--post-deadline", "1s")...)
	if code != 3 || !strings.Contains(stderr, "pushgateway: 2 records spooled") {
		t.Fatalf("down: exit %d, stderr %s", code, stderr)
	}

	startPushgateway(t, bin, addr)

	code, stderr = runStatpost(t, env, "installs 3\n", append(args, "--kind", "count")...)
	if code != 0 {
		t.Fatalf("up: exit %d, stderr %s", code, stderr)
	}
	code, stderr = runStatpost(t, env, "", "spool", "status", "--sink", sink)
	if code != 0 {
		t.Fatalf("status: %d %s", code, stderr)
	}
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{
		`installs_total{instance="db7",job="statpost"} 5`,
		`queue_depth_total{instance="db7",job="statpost"} 5`,
	} {
		if !strings.Contains(string(b), want) {
			t.Errorf("missing %s", want)
		}
	}
	if st, _ := os.ReadFile(filepath.Join(env["XDG_STATE_HOME"], "cronkit", "statpost", "pushgateway-statpost.state")); !strings.Contains(string(st), `"value": 5`) {
		t.Errorf("state %s", st)
	}
}
