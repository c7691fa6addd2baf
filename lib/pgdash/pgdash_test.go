package pgdash

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cronkit/cronkit/lib/httpx"
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
			out, err := CheckReport("in.json", []byte(tc.in), DefaultMaxAge, now)
			if tc.err == "" {
				if err != nil {
					t.Fatal(err)
				}
				if !json.Valid(out) || bytes.Contains(out, []byte("\n")) {
					t.Fatalf("out = %q, want compact JSON", out)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.err) || !strings.HasPrefix(err.Error(), "in.json: ") {
				t.Fatalf("err = %v, want in.json: ...%q", err, tc.err)
			}
			// Bad input, for lib/cli: exit 2.
			var ie *InputError
			if !errors.As(err, &ie) || !ie.BadInput() {
				t.Fatalf("err %T is not an *InputError", err)
			}
		})
	}
}

func TestPayload(t *testing.T) {
	b, err := Payload("k", "db7", []byte(`{"meta":{"version":"1.20"}}`))
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

func TestValidServer(t *testing.T) {
	for name, want := range map[string]bool{"db7": true, "db-7.prod_a": true, "": false, "bad name": false,
		strings.Repeat("a", 64): true, strings.Repeat("a", 65): false, "db/7": false} {
		if got := ValidServer(name); got != want {
			t.Errorf("ValidServer(%q) = %v, want %v", name, got, want)
		}
	}
}

// Submit against the pgDash fake (shared/reference/pgmetrics.md §3): what is
// retried, what is refused, and that a 200 that is not pgDash's JSON is no success.
func TestSubmit(t *testing.T) {
	const key = "abcdefghijklmnopqrstuv"
	data := []byte(fmt.Sprintf(`{"meta":{"version":"1.20","at":%d},"tables":[]}`, time.Now().Unix()))
	for _, tc := range []struct {
		name     string
		script   []string
		key      string
		retries  int
		requests int
		status   int    // httpx.StatusOf the error
		err      string // "" success
	}{
		{"ok", nil, key, 4, 1, 0, ""},
		{"5xx retried", []string{"500", "500"}, key, 4, 3, 0, ""},
		{"retries bounded", []string{"500", "500", "500"}, key, 1, 2, 500, "500"},
		{"no retries", []string{"500"}, key, 0, 1, 500, "500"},
		{"drop is no success", []string{"drop", "drop"}, key, 1, 2, 0, "EOF"},
		{"bad key", nil, "bad-key-1234", 4, 1, 400, "refused the report"},
		{"still storing", []string{"409"}, key, 4, 1, 409, `still storing the previous report for "db7"`},
		{"html", []string{"html"}, key, 4, 1, 0, "report: 200 but the answer is not pgDash's JSON"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := fakepgdash.New()
			srv := httptest.NewServer(f)
			defer srv.Close()
			f.Script(tc.script...)
			res, err := Submit(context.Background(), Options{URL: srv.URL + "/api/v1/report?token=x", APIKey: tc.key, Server: "db7",
				Retries: tc.retries, AttemptTimeout: 5 * time.Second, Deadline: 10 * time.Second}, data)
			if n := f.Requests(); n != tc.requests {
				t.Errorf("requests = %d, want %d", n, tc.requests)
			}
			if tc.err == "" {
				if err != nil {
					t.Fatal(err)
				}
				if s, ok := f.LastSummary(); !ok || !strings.Contains(s, "apikey="+key+" server=db7") || res.Attempts != tc.requests || res.Bytes == 0 {
					t.Errorf("accepted %q, result %+v", s, res)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("err = %v, want %q", err, tc.err)
			}
			if st := httpx.StatusOf(err); st != tc.status {
				t.Errorf("status of the error = %d, want %d (lib/cli's exit code depends on it)", st, tc.status)
			}
			if strings.Contains(err.Error(), tc.key) {
				t.Errorf("the key is in the error: %v", err)
			}
		})
	}
}

// FuzzCheckReport: push's input validation never panics and accepts only
// JSON objects with a 1.x meta.version.
func FuzzCheckReport(f *testing.F) {
	f.Add([]byte(`{"meta":{"version":"1.20","at":1795385522}}`))
	f.Add([]byte(`{"meta":{"version":"1.","at":-1}}`))
	f.Add([]byte(`{"meta":null}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		out, err := CheckReport("fuzz", data, 1<<62, time.Unix(1795385522, 0))
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
