package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cronkit/cronkit/lib/cli"
	"github.com/cronkit/cronkit/lib/testutil/fakepgdash"
)

func TestCheckReport(t *testing.T) {
	now := time.Unix(1795385522, 0)
	for _, tc := range []struct {
		name, in, err string
	}{
		{"ok", `{"meta":{"version":"1.20","at":1795385522},"tables":[]}`, ""},
		{"pgmetrics newer schema", `{"meta":{"version":"1.21","at":1795385000}}`, ""},
		{"no meta", `{"tables":[]}`, "meta.version must be 1.x"},
		{"version 2", `{"meta":{"version":"2.0","at":1795385522}}`, "meta.version must be 1.x"},
		{"too old", `{"meta":{"version":"1.20","at":1}}`, "outside pgDash's window"},
		{"future", `{"meta":{"version":"1.20","at":1995385522}}`, "outside pgDash's window"},
		{"not json", "{\n\"meta\": x}", "not a JSON report: line 2"},
		{"array", `[1]`, "not a JSON report"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := checkReport("in.json", []byte(tc.in), 180*24*time.Hour, now)
			if tc.err == "" {
				if err != nil {
					t.Fatal(err)
				}
				if !json.Valid(out) || bytes.Contains(out, []byte("\n")) {
					t.Fatalf("out = %q, want compact JSON", out)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("err = %v, want %q", err, tc.err)
			}
			if cli.Code(err) != cli.ExitUsage {
				t.Fatalf("exit code %d, want 2", cli.Code(err))
			}
		})
	}
}

func TestGzipPayload(t *testing.T) {
	b, err := gzipPayload("k", "db7", []byte(`{"meta":{"version":"1.20"}}`))
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(zr)
	// The key names are pgDash's: apikey (not api_key), server, data.
	if string(raw) != `{"apikey":"k","server":"db7","data":{"meta":{"version":"1.20"}}}` {
		t.Fatalf("payload = %s", raw)
	}
}

// FuzzCheckReport: push's input validation never panics and accepts only
// JSON objects with a 1.x meta.version.
func FuzzCheckReport(f *testing.F) {
	f.Add([]byte(`{"meta":{"version":"1.20","at":1795385522}}`))
	f.Add([]byte(`{"meta":{"version":"1.","at":-1}}`))
	f.Add([]byte(`{"meta":null}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		out, err := checkReport("fuzz", data, 1<<62, time.Unix(1795385522, 0))
		if err != nil {
			return
		}
		var head struct {
			Meta struct {
				Version string `json:"version"`
			} `json:"meta"`
		}
		if json.Unmarshal(out, &head) != nil || !strings.HasPrefix(head.Meta.Version, "1.") {
			t.Fatalf("accepted %q", data)
		}
	})
}

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
