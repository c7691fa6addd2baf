package main

import (
	"bytes"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cronkit/cronkit/lib/cli"
	"github.com/cronkit/cronkit/lib/testutil/fakepgdash"
)

// The key comes from the config file too (flag > env > config), and a 429's
// Retry-After (1 s from the fake, as pgDash's "retry after" answer) is waited
// out before the one retry.
func TestPushConfigKeyAndRetryAfter(t *testing.T) {
	f := fakepgdash.New()
	srv := httptest.NewServer(f)
	defer srv.Close()
	f.Script("429")
	cfg := filepath.Join(t.TempDir(), "pgreport.yaml")
	if err := os.WriteFile(cfg, []byte("api-key: abcdefghijklmnopqrstuv\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	report := fmt.Sprintf(`{"meta":{"version":"1.20","at":%d},"tables":[]}`, time.Now().Unix())
	var stdout, stderr bytes.Buffer
	env := &cli.Env{Stdin: strings.NewReader(report), Stdout: &stdout, Stderr: &stderr,
		LookupEnv: func(string) (string, bool) { return "", false }}
	start := time.Now()
	code := cli.Execute(newRoot(env), []string{"push", "--server", "db7", "--config", cfg,
		"--api-url", srv.URL + "/api/v1/report"})
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if el := time.Since(start); el < time.Second {
		t.Errorf("retried after %s, want Retry-After's 1s honoured", el)
	}
	if n := f.Requests(); n != 2 {
		t.Errorf("requests = %d, want 429 then success", n)
	}
	if s, ok := f.LastSummary(); !ok || !strings.Contains(s, "apikey=abcdefghijklmnopqrstuv server=db7") {
		t.Errorf("accepted report: %q", s)
	}
	if stdout.Len() != 0 || stderr.Len() != 0 {
		t.Errorf("stdout %q stderr %q, want nothing", stdout.String(), stderr.String())
	}
}
