package hc

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/cronkit/cronkit/lib/httpx"
	"github.com/cronkit/cronkit/lib/testutil/fakehc"
)

// HC_API_URL means the site root to hcctl and the ping base to runitor's
// users; both spellings must give both endpoints
// (reference/healthchecks-api.md §2.1: PING_ENDPOINT is SITE_ROOT/ping/
// self-hosted, https://hc-ping.com/ hosted).
func TestResolveURL(t *testing.T) {
	hosted := Endpoints{Site: "https://healthchecks.io", Ping: "https://hc-ping.com"}
	self := Endpoints{Site: "https://hc.example.org", Ping: "https://hc.example.org/ping"}
	sub := Endpoints{Site: "https://example.org/hc", Ping: "https://example.org/hc/ping"}
	tests := []struct {
		in   string
		want Endpoints
	}{
		{"", hosted},
		{"https://hc-ping.com", hosted},
		{"https://hc-ping.com/", hosted},
		{"https://HC-PING.com", hosted},
		{"https://healthchecks.io", hosted},
		{"https://healthchecks.io/", hosted},
		{"https://healthchecks.io/ping/", hosted},
		{"https://healthchecks.io/api/v3/", hosted},
		{"https://hc.example.org", self},
		{"https://hc.example.org/", self},
		{"https://hc.example.org//", self},
		{"https://hc.example.org/ping", self},
		{"https://hc.example.org/ping/", self},
		{"https://hc.example.org/api/v3", self},
		{"https://hc.example.org/api/v3/", self},
		{"https://hc.example.org/api/v1/", self},
		{"https://example.org/hc", sub},
		{"https://example.org/hc/", sub},
		{"https://example.org/hc/ping", sub},
		{"https://example.org/hc/ping/", sub},
		{"https://example.org/hc/api/v3/", sub},
		{" https://hc.example.org/ping \n", self},
		{"http://127.0.0.1:8000", Endpoints{Site: "http://127.0.0.1:8000", Ping: "http://127.0.0.1:8000/ping"}},
		// Basic auth in front of a self-hosted server: the password is kept.
		{"https://u:pw@hc.example.org/ping/", Endpoints{Site: "https://u:pw@hc.example.org", Ping: "https://u:pw@hc.example.org/ping"}},
		// "ping" inside a name is not the /ping segment.
		{"https://example.org/myping", Endpoints{Site: "https://example.org/myping", Ping: "https://example.org/myping/ping"}},
	}
	for _, tt := range tests {
		got, err := ResolveURL(tt.in)
		if err != nil {
			t.Errorf("ResolveURL(%q): %v", tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("ResolveURL(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
		// Resolving either result again gives the same pair.
		for _, again := range []string{got.Site, got.Ping} {
			if g2, err := ResolveURL(again); err != nil || g2 != got {
				t.Errorf("ResolveURL(%q) = %+v, %v; want %+v (from %q)", again, g2, err, got, tt.in)
			}
		}
	}
}

func TestResolveURLErrors(t *testing.T) {
	for _, in := range []string{"notaurl", "ftp://x", "https://", "hc.example.org/ping", "mailto:a@b",
		"https://hc.example.org/ping?x=1", "https://hc.example.org/#x", "http://u:s3cret@[::1"} {
		_, err := ResolveURL(in)
		var ue *URLError
		if !errors.As(err, &ue) {
			t.Errorf("ResolveURL(%q): %v, want a *URLError", in, err)
			continue
		}
		if strings.Contains(err.Error(), "s3cret") {
			t.Errorf("ResolveURL(%q): %v shows the password", in, err)
		}
	}
	_, err := ResolveURL("ftp://u:s3cret@x/")
	if err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("a password in a bad URL: %v", err)
	}
}

// One HC_API_URL, both tools: every spelling of a server (site root, ping
// endpoint, API root, with or without a trailing slash, at the host's root
// or on a sub-path) reaches the Management API (hcctl) and the ping
// endpoint (runwrap) of the fake, which answers Django's HTML 404 anywhere
// else (healthchecks-captures.md).
func TestOneURLBothTools(t *testing.T) {
	ctx := context.Background()
	for _, sitePath := range []string{"", "/hc"} {
		f := fakehc.Start(t, fakehc.Options{SitePath: sitePath})
		id := f.AddCheck(fakehc.Spec{Name: "db", Slug: "db"})
		for _, in := range []string{f.URL, f.URL + "/", f.URL + "/ping", f.URL + "/ping/", f.URL + "/api/v3/"} {
			api, err := NewAPI(APIOptions{URL: in, Key: fakehc.DefaultAPIKey, HTTP: httpx.New(httpx.Options{Tool: "hcctl"})})
			if err != nil {
				t.Fatalf("NewAPI(%q): %v", in, err)
			}
			cs, err := api.Checks(ctx, ListOptions{})
			if err != nil || len(cs) != 1 {
				t.Errorf("hcctl with %q: %v, %d checks", in, err, len(cs))
			}
			for _, c := range []PingClient{{UUID: id}, {PingKey: fakehc.DefaultPingKey, Slug: "db"}} {
				c.BaseURL = in
				c.HTTP = httpx.New(httpx.Options{Tool: "runwrap", RetryMax: -1})
				if _, err := c.Send(ctx, Ping{Kind: PingLog}); err != nil {
					t.Errorf("runwrap with %q: %v", in, err)
				}
			}
		}
		if n := len(f.Pings(id)); n != 10 {
			t.Errorf("site path %q: %d pings arrived, want 10", sitePath, n)
		}
	}
}

// FuzzResolveURL: never a panic; a resolved pair resolves to itself from
// either end; the ping endpoint is SITE_ROOT/ping or the hosted one; an
// error never shows a password.
func FuzzResolveURL(f *testing.F) {
	for _, s := range []string{"", "https://hc-ping.com/", "https://healthchecks.io/ping", "https://hc.example.org",
		"https://example.org/hc/ping/", "http://u:pw@127.0.0.1:8000/api/v3/", "ftp://u:pw@x", "https://h/%zz", "https://h/a%2Fb/ping"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ep, err := ResolveURL(s)
		if err != nil {
			if strings.Contains(s, ":pw@") && strings.Contains(err.Error(), ":pw@") {
				t.Fatalf("ResolveURL(%q): %v shows the password", s, err)
			}
			return
		}
		if ep.Ping != hostedPing && ep.Ping != ep.Site+"/ping" {
			t.Fatalf("ResolveURL(%q) = %+v: ping endpoint is not SITE_ROOT/ping", s, ep)
		}
		for _, again := range []string{ep.Site, ep.Ping} {
			if g, err := ResolveURL(again); err != nil || g != ep {
				t.Fatalf("ResolveURL(%q) = %+v; ResolveURL(%q) = %+v, %v", s, ep, again, g, err)
			}
		}
	})
}
