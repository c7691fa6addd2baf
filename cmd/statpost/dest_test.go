package main

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cronkit/cronkit/lib/cli"
	"github.com/cronkit/cronkit/lib/metric"
	"github.com/cronkit/cronkit/lib/spool"
	"github.com/cronkit/cronkit/lib/testutil"
	"github.com/cronkit/cronkit/lib/testutil/fakestathat"
)

// runStatpostOut is runStatpost that also returns stdout.
func runStatpostOut(t *testing.T, env map[string]string, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	e := &cli.Env{Stdin: strings.NewReader(stdin), Stdout: &stdout, Stderr: &stderr,
		LookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok }}
	return cli.Execute(newRoot(e), args), stdout.String(), stderr.String()
}

// freeAddr returns a loopback address no one listens on: the Pushgateway
// tests post to it while it is down, then start the receiver there.
func freeAddr(t *testing.T) string {
	return "127.0.0.1:" + strconv.Itoa(testutil.FreePort(t, "tcp"))
}

// startPushgateway runs the real Pushgateway (receivers.md recipe 1) on addr
// and waits, up to a bound, until it says it is ready.
func startPushgateway(t *testing.T, bin, addr string) {
	t.Helper()
	cmd := exec.Command(bin, "--web.listen-address="+addr)
	cmd.Dir = t.TempDir()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	deadline := time.Now().Add(90 * time.Second) // a loaded CI machine starts it slowly
	client := &http.Client{Timeout: 10 * time.Second}
	for {
		resp, err := client.Get("http://" + addr + "/-/ready")
		if err == nil {
			resp.Body.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatal(err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Issue 13 item 6: records spooled for `--job jobA` were delivered by the
// next run under `--job jobB`. A spool now belongs to its destination: the
// jobB run leaves jobA's records alone, `spool status` names both
// destinations, and a flush for jobA delivers them under jobA.
func TestPushgatewaySpoolPerJob(t *testing.T) {
	bin := testutil.NeedProgram(t, "prometheus-pushgateway")
	addr := freeAddr(t)
	env := map[string]string{"XDG_STATE_HOME": t.TempDir()}
	sink := "pushgateway=http://" + addr

	code, _, stderr := runStatpostOut(t, env, "only_a 2\n", "--sink", sink, "--job", "jobA", "--kind", "count", "--post-deadline", "1s")
	if code != 3 || !strings.Contains(stderr, "pushgateway: 1 record spooled") {
		t.Fatalf("down: exit %d, stderr %s", code, stderr)
	}
	startPushgateway(t, bin, addr)

	code, _, stderr = runStatpostOut(t, env, "only_b 1\n", "--sink", sink, "--job", "jobB", "--kind", "count")
	if code != 0 {
		t.Fatalf("jobB: exit %d, stderr %s", code, stderr)
	}
	code, out, stderr := runStatpostOut(t, env, "", "spool", "status", "--sink", sink, "--job", "jobB")
	if code != 0 {
		t.Fatalf("status: exit %d, stderr %s", code, stderr)
	}
	for _, want := range []string{
		"pushgateway: 0 records; to http://" + addr + " job=jobB (",
		"pushgateway: 1 record, ",
		"; to http://" + addr + " job=jobA (",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("status lacks %q:\n%s", want, out)
		}
	}
	metrics := func() string {
		resp, err := http.Get("http://" + addr + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	if m := metrics(); strings.Contains(m, "only_a") || !strings.Contains(m, `only_b_total{instance="",job="jobB"} 1`) {
		t.Fatalf("after the jobB run:\n%s", grepLines(m, "only_"))
	}

	code, out, stderr = runStatpostOut(t, env, "", "spool", "flush", "--sink", sink, "--job", "jobA")
	if code != 0 || !strings.Contains(out, "pushgateway: 1 record sent") {
		t.Fatalf("flush jobA: exit %d, stdout %s, stderr %s", code, out, stderr)
	}
	m := metrics()
	if !strings.Contains(m, `only_a_total{instance="",job="jobA"} 2`) || strings.Contains(m, `only_a_total{instance="",job="jobB"}`) {
		t.Fatalf("after the jobA flush:\n%s", grepLines(m, "only_"))
	}
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// Spools written before destinations keyed them (<dir>/<sink>.spool) are
// never sent on their own, since their destination is unknown: every run of
// that sink says so, and `spool flush --adopt stathat` moves them to the
// configured destination, then sends them.
func TestLegacySpoolAdopted(t *testing.T) {
	state := t.TempDir()
	dir := filepath.Join(state, "cronkit", "statpost")
	legacy := spool.Open(dir, "stathat")
	if err := legacy.Append(recsNamed("old", 3)); err != nil {
		t.Fatal(err)
	}
	f, u := fakestathat.Start(t, fakestathat.Options{})
	env := map[string]string{"XDG_STATE_HOME": state, "STATHAT_EZKEY": "k-123", "STATPOST_API_URL": u}

	code, _, stderr := runStatpostOut(t, env, "new 1\n", "--kind", "count")
	if code != 0 || !strings.Contains(stderr, "stathat: 3 records in "+legacy.Path()+": destination unknown") ||
		!strings.Contains(stderr, "statpost spool flush --adopt stathat") {
		t.Fatalf("run: exit %d, stderr %s", code, stderr)
	}
	if got := statNames(f); got != "new" {
		t.Fatalf("delivered %s, want only the new record", got)
	}
	code, out, _ := runStatpostOut(t, env, "", "spool", "status")
	if code != 0 || !strings.Contains(out, "stathat: 3 records, ") || !strings.Contains(out, "destination unknown") {
		t.Fatalf("status: %s", out)
	}

	code, out, stderr = runStatpostOut(t, env, "", "spool", "flush", "--adopt", "stathat")
	if code != 0 || !strings.Contains(out, "stathat: 3 records adopted from "+legacy.Path()) || !strings.Contains(out, "stathat: 3 records sent") {
		t.Fatalf("adopt: exit %d, stdout %s, stderr %s", code, out, stderr)
	}
	if got := statNames(f); got != "new,old,old,old" {
		t.Fatalf("delivered %s", got)
	}
	if _, err := os.Stat(legacy.Path()); !os.IsNotExist(err) {
		t.Errorf("the emptied legacy spool is still there: %v", err)
	}
}

func statNames(f *fakestathat.Fake) string {
	var got []string
	for _, p := range f.Points() {
		got = append(got, p.Stat)
	}
	return strings.Join(got, ",")
}

func recsNamed(name string, n int) []metric.Record {
	out := make([]metric.Record, n)
	for i := range out {
		out[i] = metric.Record{Name: name, Kind: metric.Count, Value: 1, Time: time.Unix(1700000000+int64(i), 0).UTC()}
	}
	return out
}
