package main

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"

	app "github.com/cronkit/cronkit/lib/app/runwrap"
	"github.com/cronkit/cronkit/lib/cli"
	"github.com/cronkit/cronkit/lib/hc"
	"github.com/cronkit/cronkit/lib/testutil/fakehc"
)

// runitor's -req-header (reference/runitor.md §1.1) exists for an
// authenticating proxy in front of Healthchecks: every ping must carry the
// headers, repeated flags add up, and runitor's single-dash spelling works.
func TestReqHeaderReachesServer(t *testing.T) {
	f := fakehc.New(fakehc.Options{})
	hc := httptest.NewServer(f)
	defer hc.Close()
	f.URL = hc.URL
	const id = "11111111-1111-4111-8111-111111111111"
	f.AddCheck(fakehc.Spec{Name: "ok", Slug: "ok", UUID: id})

	target, _ := url.Parse(hc.URL)
	rp := httputil.NewSingleHostReverseProxy(target)
	var mu sync.Mutex
	var seen []string
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.URL.Path+" "+r.Header.Get("X-Proxy-Auth")+" "+strings.Join(r.Header.Values("X-Tag"), ","))
		mu.Unlock()
		if r.Header.Get("X-Proxy-Auth") != "t0ken" {
			http.Error(w, "proxy authentication required", http.StatusProxyAuthRequired)
			return
		}
		rp.ServeHTTP(w, r)
	}))
	defer proxy.Close()

	var stdout, stderr bytes.Buffer
	r := newRoot(&cli.Env{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr,
		LookupEnv: func(string) (string, bool) { return "", false }})
	args := []string{"-uuid", id, "-api-url", proxy.URL + "/ping", "-req-header", "X-Proxy-Auth: t0ken",
		"-req-header", "X-Tag: a", "--req-header", "X-Tag: b", "--", "true"}
	if code := cli.Execute(r, rootArgs(r, args)); code != 0 || stderr.Len() > 0 {
		t.Fatalf("exit %d, stderr %q", code, stderr.String())
	}
	want := []string{"/ping/" + id + "/start t0ken a,b", "/ping/" + id + " t0ken a,b"}
	mu.Lock()
	defer mu.Unlock()
	if strings.Join(seen, "\n") != strings.Join(want, "\n") {
		t.Errorf("proxy saw\n%s\nwant\n%s", strings.Join(seen, "\n"), strings.Join(want, "\n"))
	}
	if n := len(f.Pings(id)); n != 2 {
		t.Errorf("the check has %d pings, want 2", n)
	}
}

// lib/hc says what is wrong without knowing runwrap (issue 18); runwrap
// words it with its own flags and variables, in one line.
func TestPingClientHint(t *testing.T) {
	const id = "5bf66975-d4c7-4bf5-bcc8-b8d8a82ea278"
	tests := []struct {
		name string
		o    app.Options
		want string
	}{
		{"nothing", app.Options{}, "no check: give --uuid, --ping-key with --slug, or --ping-url (or CHECK_UUID, CHECK_SLUG with PING_KEY)"},
		{"slug without key", app.Options{Slug: "db"}, "--slug needs a project ping key (--ping-key or $PING_KEY)"},
		{"key without slug", app.Options{PingKey: "k"}, "--ping-key needs a --slug (or give --uuid)"},
		{"create with uuid", app.Options{UUID: id, Create: true},
			"--create works with --ping-key and --slug, not --uuid"},
		{"bad slug", app.Options{PingKey: "k", Slug: "DB"},
			`--slug (or CHECK_SLUG): slug "DB" is not a Healthchecks slug (a-z, 0-9, - and _ only, at most 100)`},
		{"bad api url", app.Options{UUID: id, APIURL: "ftp://u:s3cret@h"},
			`--api-url (or HC_API_URL): Healthchecks URL "ftp://…@h" is not an http(s) URL: give the Healthchecks site root or its ping endpoint`},
		{"bad ping url", app.Options{PingURL: "ftp://h/x"}, `--ping-url: Healthchecks URL "ftp://h/…" is not an http(s) URL`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := &wrapOptions{app: tt.o}
			o.app.Hint = o.setupHint
			_, err := o.app.PingClient()
			if err == nil || err.Error() != tt.want {
				t.Errorf("PingClient() = %v\nwant %s", err, tt.want)
			}
		})
	}
}

// The ping errors lib/wrap says once a run are worded with runwrap's flags.
func TestPingHint(t *testing.T) {
	notFound := fmt.Errorf("ping start: 404: %w", hc.ErrCheckNotFound)
	wrongURL := fmt.Errorf("ping start: %w", hc.ErrNotPingEndpoint)
	for _, tt := range []struct {
		pingURL string
		err     error
		reason  error
		hint    string
	}{
		{"", notFound, hc.ErrCheckNotFound, "check --uuid (or --slug and the ping key), and that --api-url or HC_API_URL names the server that has it"},
		{"", wrongURL, hc.ErrNotPingEndpoint, "set --api-url or HC_API_URL to the Healthchecks site root or its /ping endpoint"},
		{"https://x/ping/u", wrongURL, hc.ErrNotPingEndpoint, "check --ping-url"},
		{"", errors.New("ping start: connection refused"), nil, ""},
	} {
		o := &wrapOptions{app: app.Options{PingURL: tt.pingURL}}
		hint, reason := o.pingHint(tt.err)
		if reason != tt.reason || hint != tt.hint {
			t.Errorf("pingHint(%v) = %q, %v; want %q, %v", tt.err, hint, reason, tt.hint, tt.reason)
		}
	}
}
