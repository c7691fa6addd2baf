package hcctl

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cronkit/cronkit/lib/testutil/fakehc"
)

func TestRunPing(t *testing.T) {
	f, _ := startFake(t)
	id := f.AddCheck(fakehc.Spec{Name: "backups", Slug: "backups"})
	bodyFile := filepath.Join(t.TempDir(), "log")
	if err := os.WriteFile(bodyFile, []byte("from a file"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name  string
		o     PingOptions
		stdin string
		kind  Kind
		sent  string // the ping's kind as the fake records it; "" for none
		body  string
	}{
		{name: "success", o: PingOptions{Kind: "success"}, sent: "success"},
		{name: "exit status 3 with a body", o: PingOptions{Kind: "3", Body: "pg_dump failed"}, sent: "fail", body: "pg_dump failed"},
		{name: "start with a run ID", o: PingOptions{Kind: "start", RunID: "6f1e4c1a-3d2b-4c5a-9e8f-7a6b5c4d3e2f"}, sent: "start"},
		{name: "the body from stdin", o: PingOptions{Kind: "log", BodyFile: "-"}, stdin: "tail of a log", sent: "log", body: "tail of a log"},
		{name: "the body from a file", o: PingOptions{Kind: "success", BodyFile: bodyFile}, sent: "success", body: "from a file"},
		{name: "a bad kind", o: PingOptions{Kind: "256"}, kind: Usage},
		{name: "a bad run ID", o: PingOptions{Kind: "start", RunID: "1"}, kind: Usage},
		{name: "two bodies", o: PingOptions{Kind: "log", Body: "a", BodyFile: "-"}, kind: Usage},
		{name: "a missing body file", o: PingOptions{Kind: "log", BodyFile: bodyFile + ".nope"}, kind: Usage},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := len(f.Pings(id))
			e := newEnv(t, f, fakehc.DefaultAPIKey)
			e.Stdin = strings.NewReader(tt.stdin)
			tt.o.Env, tt.o.Ref = e.Env, "backups"
			err := RunPing(context.Background(), tt.o)
			if kindOf(err) != tt.kind || (tt.kind == 0 && err != nil) {
				t.Fatalf("err = %v, want kind %d", err, tt.kind)
			}
			pings := f.Pings(id)
			if tt.sent == "" {
				if len(pings) != before {
					t.Errorf("a ping was sent: %+v", pings[before:])
				}
				return
			}
			if len(pings) != before+1 {
				t.Fatalf("%d pings sent", len(pings)-before)
			}
			if p := pings[len(pings)-1]; p.Kind != tt.sent || string(p.Body) != tt.body {
				t.Errorf("sent %+v, want %s with body %q", p, tt.sent, tt.body)
			}
			if !strings.HasPrefix(e.out.String(), "sent "+tt.o.Kind+" to backups (200)") {
				t.Errorf("stdout %q", e.out)
			}
		})
	}
	// A read-only key sees no ping URL.
	ro := newEnv(t, f, fakehc.DefaultReadOnlyKey)
	if err := RunPing(context.Background(), PingOptions{Env: ro.Env, Ref: "backups", Kind: "success"}); kindOf(err) != Refused {
		t.Errorf("read-only key: %v", err)
	}
}

func TestRunPings(t *testing.T) {
	f, clock := startFake(t)
	id := f.AddCheck(fakehc.Spec{Name: "backups", Slug: "backups"})
	ping(t, f, id) // no start before it: no duration
	clock.Add(time.Minute)
	for _, kind := range []string{"start", ""} {
		u := f.PingURL(id)
		if kind != "" {
			u += "/" + kind
		}
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		clock.Add(2500 * time.Millisecond)
	}
	ctx := context.Background()
	e := newEnv(t, f, fakehc.DefaultAPIKey)
	if err := RunPings(ctx, PingsOptions{Env: e.Env, Ref: "backups", Format: "metrics"}); err != nil {
		t.Fatal(err)
	}
	want := `{"name":"hc.backups.duration","kind":"value","value":2.5,"time":"2026-11-22T12:01:02.5Z","tags":{"check":"backups","type":"success"}}` + "\n"
	if e.out.String() != want {
		t.Errorf("-f metrics:\n%s\nwant\n%s", e.out, want)
	}
	e.out.Reset()
	if err := RunPings(ctx, PingsOptions{Env: e.Env, Ref: "backups", Format: "jsonl", Limit: 2}); err != nil || strings.Count(e.out.String(), "\n") != 2 {
		t.Errorf("-n 2: %v, %q", err, e.out)
	}
	e.out.Reset()
	if err := RunPings(ctx, PingsOptions{Env: e.Env, Ref: "backups", Format: "table"}); err != nil || !strings.HasPrefix(e.out.String(), "N ") || !strings.Contains(e.out.String(), "2.50s") {
		t.Errorf("table: %v, %q", err, e.out)
	}
	// The API fails (issue 13): -f metrics says so in the stream, with the
	// command's wording and without the key.
	f.Inject(10, fakehc.Fault{Status: 500, Only: []fakehc.Kind{"pings"}})
	defer f.ClearFaults()
	e.out.Reset()
	e.Secrets = []string{"backups"}
	err := RunPings(ctx, PingsOptions{Env: e.Env, Ref: "backups", Format: "metrics"})
	if err == nil || !strings.HasSuffix(err.Error(), "[hint]") {
		t.Fatalf("err = %v, want the hinted API error", err)
	}
	if got := e.out.String(); !strings.HasPrefix(got, `{"error":"list pings of \"[REDACTED]\": 500 Internal Server Error`) ||
		!strings.Contains(got, `[hint]","source":"hcctl","time":"2026-11-22T12:00:00Z"}`) || strings.Count(got, "\n") != 1 {
		t.Errorf("error record %q", got)
	}
}

func TestRunPingsBody(t *testing.T) {
	f, _ := startFake(t)
	id := f.AddCheck(fakehc.Spec{Name: "backups", Slug: "backups"})
	resp, err := http.Post(f.PingURL(id), "text/plain", strings.NewReader("the log"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	e := newEnv(t, f, fakehc.DefaultAPIKey)
	if err := RunPingsBody(context.Background(), PingsOptions{Env: e.Env, Ref: "backups", N: 1}); err != nil || e.out.String() != "the log" {
		t.Errorf("body 1: %v, %q", err, e.out)
	}
	err = RunPingsBody(context.Background(), PingsOptions{Env: e.Env, Ref: "backups", N: 9})
	if err == nil || err.Error() != `ping 9 of "backups" has no stored body (or is too old, or does not exist)` {
		t.Errorf("body 9: %v", err)
	}
}
