package hc

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cronkit/cronkit/lib/httpx"
	"github.com/cronkit/cronkit/lib/testutil/fakehc"
)

const testUUID = "5bf66975-d4c7-4bf5-bcc8-b8d8a82ea278"

func TestPingURL(t *testing.T) {
	tests := []struct {
		name string
		c    PingClient
		p    Ping
		want string
	}{
		{"uuid success", PingClient{UUID: testUUID}, Ping{Kind: PingSuccess},
			"https://hc-ping.com/" + testUUID},
		{"uuid start with rid", PingClient{UUID: testUUID}, Ping{Kind: PingStart, RunID: "r1"},
			"https://hc-ping.com/" + testUUID + "/start?rid=r1"},
		{"exit code", PingClient{UUID: testUUID}, Ping{Kind: PingExitCode, ExitCode: 33},
			"https://hc-ping.com/" + testUUID + "/33"},
		{"fail", PingClient{UUID: testUUID}, Ping{Kind: PingFail}, "https://hc-ping.com/" + testUUID + "/fail"},
		{"log", PingClient{UUID: testUUID}, Ping{Kind: PingLog}, "https://hc-ping.com/" + testUUID + "/log"},
		// runitor #75: the base joins with or without a trailing slash.
		{"base no slash", PingClient{BaseURL: "http://h/ping", UUID: "u"}, Ping{}, "http://h/ping/u"},
		{"base slash", PingClient{BaseURL: "http://h/ping/", UUID: "u"}, Ping{}, "http://h/ping/u"},
		{"slug create", PingClient{BaseURL: "http://h/ping", PingKey: "k", Slug: "db-backup", Create: true},
			Ping{Kind: PingStart, RunID: "r"}, "http://h/ping/k/db-backup/start?create=1&rid=r"},
		// HC_API_URL set to the site root (hcctl's meaning) pings SITE_ROOT/ping
		// (reference/healthchecks-api.md §2.1), not /<key>/<slug> on the site.
		{"site root", PingClient{BaseURL: "https://hc.example.org", UUID: "u"}, Ping{Kind: PingFail},
			"https://hc.example.org/ping/u/fail"},
		{"site root slash", PingClient{BaseURL: "https://hc.example.org/", PingKey: "k", Slug: "s"}, Ping{},
			"https://hc.example.org/ping/k/s"},
		{"sub-path site root", PingClient{BaseURL: "https://example.org/hc/", UUID: "u"}, Ping{},
			"https://example.org/hc/ping/u"},
		{"hosted site root", PingClient{BaseURL: "https://healthchecks.io", UUID: "u"}, Ping{},
			"https://hc-ping.com/u"},
		{"full URL", PingClient{URL: "https://hc.example.org/ping/" + testUUID}, Ping{Kind: PingFail},
			"https://hc.example.org/ping/" + testUUID + "/fail"},
		{"full URL keeps its query", PingClient{URL: "http://h/p/u?x=1"}, Ping{Kind: PingLog, RunID: "r"},
			"http://h/p/u/log?rid=r&x=1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.c.PingURL(tt.p)
			if err != nil || got != tt.want {
				t.Errorf("PingURL = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
	for _, code := range []int{-1, 256} {
		if _, err := (&PingClient{UUID: "u"}).PingURL(Ping{Kind: PingExitCode, ExitCode: code}); err == nil {
			t.Errorf("exit code %d: no error", code)
		}
	}
}

func TestPingValidate(t *testing.T) {
	tests := []struct {
		name string
		c    PingClient
		err  string
	}{
		{"uuid", PingClient{UUID: "u"}, ""},
		{"slug+key", PingClient{PingKey: "k", Slug: "s", Create: true}, ""},
		{"url", PingClient{URL: "https://h/ping/u"}, ""},
		{"nothing", PingClient{}, "no check"},
		{"slug without key", PingClient{Slug: "s"}, ErrSlugNeedsKey.Error()},
		{"key without slug", PingClient{PingKey: "k"}, ErrKeyNeedsSlug.Error()},
		{"create with uuid", PingClient{UUID: "u", Create: true}, ErrCreateNeedsSlug.Error()},
		{"nothing is ErrNoCheck", PingClient{}, ErrNoCheck.Error()},
		// Healthchecks' slug rule ^[a-z0-9-_]+$ (reference/healthchecks-api.md §3).
		{"upper-case slug", PingClient{PingKey: "k", Slug: "Bad_Slug"}, `slug "Bad_Slug" is not a Healthchecks slug`},
		{"slug with a slash", PingClient{PingKey: "k", Slug: "a/b"}, "is not a Healthchecks slug"},
		{"slug with a dot", PingClient{PingKey: "k", Slug: "a.b"}, "is not a Healthchecks slug"},
		{"slug of 101", PingClient{PingKey: "k", Slug: strings.Repeat("a", 101)}, "is not a Healthchecks slug"},
		{"slug of 100", PingClient{PingKey: "k", Slug: strings.Repeat("a", 100)}, ""},
		{"slug of every class", PingClient{PingKey: "k", Slug: "db7_pg-report-2"}, ""},
		{"base with a query", PingClient{UUID: "u", BaseURL: "https://h/ping?x"}, "has a query"},
		{"bad url", PingClient{URL: "ftp://h/x"}, "not an http(s) URL"},
		{"bad base", PingClient{UUID: "u", BaseURL: "hc-ping.com"}, "not an http(s) URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.c.Validate()
			if (err == nil) != (tt.err == "") || (err != nil && !strings.Contains(err.Error(), tt.err)) {
				t.Errorf("Validate() = %v, want %q", err, tt.err)
			}
		})
	}
}

func TestParsePingKind(t *testing.T) {
	for _, s := range []string{"exit-code", "success", "fail", "log"} {
		k, err := ParsePingKind(s)
		if err != nil || k.String() != s {
			t.Errorf("ParsePingKind(%q) = %v, %v", s, k, err)
		}
	}
	for _, s := range []string{"start", "", "Success", "exit_code"} {
		if _, err := ParsePingKind(s); err == nil {
			t.Errorf("ParsePingKind(%q): no error", s)
		}
	}
}

func TestParsePingHeader(t *testing.T) {
	tests := []struct{ in, k, v string }{
		{"X-Auth: abc", "X-Auth", "abc"},
		{"x-auth:abc:def", "X-Auth", "abc:def"},
		{"Authorization:   Bearer t ", "Authorization", "Bearer t"},
		{"nocolon", "", ""},
		{": v", "", ""},
		{"a b: v", "", ""},
	}
	for _, tt := range tests {
		k, v, err := ParsePingHeader(tt.in)
		if tt.k == "" {
			if err == nil {
				t.Errorf("%q: no error", tt.in)
			}
			continue
		}
		if err != nil || k != tt.k || v != tt.v {
			t.Errorf("%q = %q %q %v", tt.in, k, v, err)
		}
	}
}

func client(f *fakehc.Fake, c PingClient, opts httpx.Options) *PingClient {
	c.BaseURL = f.URL + "/ping"
	if opts.AttemptTimeout == 0 {
		opts.AttemptTimeout = 2 * time.Second
	}
	if opts.Deadline == 0 {
		opts.Deadline = 10 * time.Second
	}
	if opts.WaitMin == 0 {
		opts.WaitMin = time.Millisecond
		opts.WaitMax = 10 * time.Millisecond
	}
	opts.Tool = "runwrap"
	c.HTTP = httpx.New(opts)
	return &c
}

// Against the shared fake, which answers like Healthchecks v2.10
// (reference/healthchecks-api.md §2.3).
func TestPingSendFake(t *testing.T) {
	ctx := context.Background()
	f := fakehc.Start(t, fakehc.Options{})
	id := f.AddCheck(fakehc.Spec{Name: "db", Slug: "db"})
	f.AddCheck(fakehc.Spec{Name: "dup1", Slug: "dup"})
	f.AddCheck(fakehc.Spec{Name: "dup2", Slug: "dup"})
	key := f.Options().PingKey
	rid := "0f8fad5b-d9cb-469f-a165-70867728950e"

	t.Run("200 with Ping-Body-Limit", func(t *testing.T) {
		c := client(f, PingClient{UUID: id}, httpx.Options{})
		res, err := c.Send(ctx, Ping{Kind: PingStart, RunID: rid})
		if err != nil || res.Status != 200 || res.BodyLimit != 10000 || res.Created {
			t.Fatalf("Send = %+v, %v", res, err)
		}
		if _, err := c.Send(ctx, Ping{Kind: PingExitCode, ExitCode: 3, RunID: rid, Body: []byte("out\n")}); err != nil {
			t.Fatal(err)
		}
		ps := f.Pings(id)
		if len(ps) != 2 || ps[0].Kind != "start" || ps[1].Kind != "fail" || *ps[1].ExitStatus != 3 ||
			*ps[1].RID != rid || string(ps[1].Body) != "out\n" || ps[1].Method != "POST" ||
			!strings.HasPrefix(ps[1].UserAgent, "runwrap/") {
			t.Errorf("recorded %+v", ps)
		}
	})
	t.Run("201 on create=1", func(t *testing.T) {
		c := client(f, PingClient{PingKey: key, Slug: "new-job", Create: true}, httpx.Options{})
		res, err := c.Send(ctx, Ping{Kind: PingStart})
		if err != nil || res.Status != 201 || !res.Created {
			t.Fatalf("Send = %+v, %v", res, err)
		}
		res, err = c.Send(ctx, Ping{Kind: PingSuccess})
		if err != nil || res.Status != 200 {
			t.Fatalf("second Send = %+v, %v", res, err)
		}
	})
	errTests := []struct {
		name   string
		c      PingClient
		p      Ping
		status int
		msg    string
	}{
		{"404 unknown uuid", PingClient{UUID: testUUID}, Ping{}, 404, "not found"},
		{"404 unknown slug", PingClient{PingKey: key, Slug: "nope"}, Ping{}, 404, "not found"},
		{"404 wrong key with create", PingClient{PingKey: "wrongkey", Slug: "x", Create: true}, Ping{}, 404, "not found"},
		{"409 ambiguous slug", PingClient{PingKey: key, Slug: "dup"}, Ping{}, 409, "ambiguous slug"},
		{"400 bad rid", PingClient{UUID: id}, Ping{RunID: "not-a-uuid"}, 400, "invalid uuid format"},
		{"400 exit over 255 (full URL)", PingClient{URL: f.URL + "/ping/" + id + "/256"}, Ping{}, 400, "invalid url format"},
	}
	for _, tt := range errTests {
		t.Run(tt.name, func(t *testing.T) {
			c := client(f, tt.c, httpx.Options{})
			before := f.Count(fakehc.KindPing)
			res, err := c.Send(ctx, tt.p)
			if httpx.StatusOf(err) != tt.status || res.Status != tt.status || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("Send = %+v, %v; want %d %q", res, err, tt.status, tt.msg)
			}
			if n := f.Count(fakehc.KindPing) - before; n != 1 {
				t.Errorf("%d requests; a 4xx must not be retried", n)
			}
			if strings.Contains(err.Error(), key) {
				t.Errorf("error shows the ping key: %v", err)
			}
		})
	}
}

func TestPingRetries(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name  string
		fault fakehc.Fault
		n     int
	}{
		{"500", fakehc.Fault{Status: 500}, 2},
		{"502", fakehc.Fault{Status: 502}, 1},
		{"503 Retry-After", fakehc.Fault{Status: 503, RetryAfter: "0"}, 2},
		{"429 Retry-After", fakehc.Fault{Status: 429, RetryAfter: "0"}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := fakehc.Start(t, fakehc.Options{})
			id := f.AddCheck(fakehc.Spec{Name: "x"})
			f.Inject(tt.n, tt.fault)
			c := client(f, PingClient{UUID: id}, httpx.Options{RetryMax: 2})
			res, err := c.Send(ctx, Ping{Kind: PingSuccess, Body: []byte("body")})
			if err != nil || res.Status != 200 || res.Attempts != tt.n+1 {
				t.Fatalf("Send = %+v, %v", res, err)
			}
			if ps := f.Pings(id); len(ps) != 1 || string(ps[0].Body) != "body" {
				t.Errorf("pings %+v: the body must be sent again on retry", ps)
			}
		})
	}
	t.Run("gives up after retries", func(t *testing.T) {
		f := fakehc.Start(t, fakehc.Options{})
		id := f.AddCheck(fakehc.Spec{Name: "x"})
		f.Inject(10, fakehc.Fault{Status: 500})
		c := client(f, PingClient{UUID: id}, httpx.Options{RetryMax: 2})
		_, err := c.Send(ctx, Ping{})
		if httpx.StatusOf(err) != 500 || f.Count(fakehc.KindPing) != 3 {
			t.Errorf("err %v after %d requests, want 500 after 3", err, f.Count(fakehc.KindPing))
		}
	})
	t.Run("connection refused is retried then fails", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		url := srv.URL
		srv.Close()
		c := &PingClient{BaseURL: url, UUID: "u", HTTP: httpx.New(httpx.Options{RetryMax: 1, WaitMin: time.Millisecond, WaitMax: time.Millisecond})}
		if _, err := c.Send(ctx, Ping{}); err == nil {
			t.Error("no error")
		}
	})
}

// A stalled server cannot hold a ping past the client's deadline.
func TestPingStallBounded(t *testing.T) {
	f := fakehc.Start(t, fakehc.Options{})
	id := f.AddCheck(fakehc.Spec{Name: "x"})
	f.Inject(100, fakehc.Fault{Stall: true})
	c := client(f, PingClient{UUID: id}, httpx.Options{AttemptTimeout: 100 * time.Millisecond, Deadline: 300 * time.Millisecond, RetryMax: 5})
	start := time.Now()
	_, err := c.Send(context.Background(), Ping{Kind: PingStart})
	if err == nil {
		t.Fatal("no error from a stalled server")
	}
	if el := time.Since(start); el > 2*time.Second {
		t.Errorf("Send took %v against a stall, deadline 300ms", el)
	}
}

func TestPingHeaders(t *testing.T) {
	f := fakehc.New(fakehc.Options{})
	id := f.AddCheck(fakehc.Spec{Name: "x"})
	var mu sync.Mutex
	var got http.Header
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = r.Header.Clone()
		mu.Unlock()
		f.ServeHTTP(w, r)
	}))
	defer srv.Close()
	c := &PingClient{BaseURL: srv.URL + "/ping", UUID: id, Header: http.Header{"X-Proxy-Auth": {"t0ken"}},
		HTTP: httpx.New(httpx.Options{Tool: "runwrap"})}
	if _, err := c.Send(context.Background(), Ping{Body: []byte("x")}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if got.Get("X-Proxy-Auth") != "t0ken" || !strings.HasPrefix(got.Get("Content-Type"), "text/plain") {
		t.Errorf("headers %v", got)
	}
}

func TestPingKindValue(t *testing.T) {
	var k PingKind
	if err := k.Set("log"); err != nil || k != PingLog || k.Type() != "ping-type" {
		t.Errorf("Set(log) = %v, %v", k, err)
	}
	if err := k.Set("bogus"); err == nil || k != PingLog {
		t.Errorf("Set(bogus) = %v, %v", k, err)
	}
	if PingKind(99).String() != "PingKind(99)" {
		t.Error(PingKind(99).String())
	}
}

// FuzzParsePingHeader: a header that parses must be one a request can carry.
func FuzzParsePingHeader(f *testing.F) {
	f.Add("X-Auth: abc")
	f.Add("a:b:c")
	f.Add(":")
	f.Fuzz(func(t *testing.T, s string) {
		k, v, err := ParsePingHeader(s)
		if err != nil {
			return
		}
		if k == "" || strings.ContainsAny(k, " \t\r\n:") || strings.ContainsAny(v, "\r\n") {
			t.Fatalf("ParsePingHeader(%q) = %q, %q", s, k, v)
		}
	})
}

// A full ping URL of the /<ping-key>/<slug> form carries the project ping
// key (reference/healthchecks-api.md §2.1): it is found and redacted.
func TestURLPingKey(t *testing.T) {
	const key = "pppppppppppppppppppppp" // 22 URL-safe base64 characters
	tests := []struct{ url, want string }{
		{"https://hc-ping.com/" + key + "/db-backup", key},
		{"http://h/ping/" + key + "/db-backup/", key},
		{"https://hc-ping.com/" + testUUID, ""},
		{"http://h/ping/" + testUUID + "/256", ""},
		{"http://h/ping/a-slug-of-22-character", ""}, // a lone last segment is the slug
		{"http://h/ping/not+base64+url+chars+22/x", ""},
	}
	for _, tt := range tests {
		c := &PingClient{URL: tt.url}
		if got := c.URLPingKey(); got != tt.want {
			t.Errorf("URLPingKey(%q) = %q, want %q", tt.url, got, tt.want)
		}
	}
	// The key never reaches an error message: redacted in a URL, left
	// out of the endpoint a 404 names.
	for _, tt := range []struct {
		status     int
		body, want string
	}{
		{http.StatusConflict, "ambiguous slug", "[REDACTED]/db-backup/start"},
		{http.StatusNotFound, "not found", "/ping has no such check"},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, tt.body, tt.status)
		}))
		c := &PingClient{URL: srv.URL + "/ping/" + key + "/db-backup",
			HTTP: httpx.New(httpx.Options{Tool: "test", RetryMax: -1, Deadline: 5 * time.Second})}
		_, err := c.Send(context.Background(), Ping{Kind: PingStart})
		srv.Close()
		if err == nil || strings.Contains(err.Error(), key) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%d: Send error %v: want the key left out (%q)", tt.status, err, tt.want)
		}
	}
}

// An answer no Healthchecks ping view gives means the URL is wrong; the
// error says so in one line naming the endpoint, never the key, and never
// quotes a page. The fake answers like the real server: Django's HTML 404
// for a path that is no route (healthchecks-captures.md, "Unknown check
// UUID (404)": plain "not found" for a check it lacks).
func TestPingWrongEndpoint(t *testing.T) {
	ctx := context.Background()
	f := fakehc.Start(t, fakehc.Options{})
	id := f.AddCheck(fakehc.Spec{Name: "db", Slug: "db"})
	key := f.Options().PingKey
	page := func(status int, body string) *httptest.Server {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(status)
			_, _ = io.WriteString(w, body)
		}))
		t.Cleanup(srv.Close)
		return srv
	}
	landing := page(200, "<!DOCTYPE html>\n<html><head><title>Welcome</title></head>\n<body>hello</body></html>\n")
	goNotFound := page(404, "404 page not found\n")
	badGateway := page(502, "<html>\n<head><title>502 Bad Gateway</title></head>\n<body>\n<center><h1>502 Bad Gateway</h1></center>\n</body>\n</html>\n")
	tests := []struct {
		name   string
		c      PingClient
		reason error  // nil: neither sentinel
		msg    string // in the message
	}{
		// A full URL without /ping on the site: Django's HTML 404.
		{"uuid on the site root", PingClient{URL: f.URL + "/" + id}, ErrNotPingEndpoint,
			"ping start: " + f.URL + " is not a Healthchecks ping endpoint: it answered 404 Not Found with an HTML page"},
		{"slug on the site root", PingClient{URL: f.URL + "/" + key + "/db"}, ErrNotPingEndpoint,
			f.URL + " is not a Healthchecks ping endpoint"},
		{"ping endpoint doubled", PingClient{BaseURL: f.URL + "/ping/ping/x", UUID: id}, ErrNotPingEndpoint,
			f.URL + "/ping/ping/x/ping is not a Healthchecks ping endpoint"},
		{"a site that answers 200 to anything", PingClient{BaseURL: landing.URL, UUID: id}, ErrNotPingEndpoint,
			landing.URL + "/ping is not a Healthchecks ping endpoint: it answered 200 OK with an HTML page"},
		{"another server's 404", PingClient{BaseURL: goNotFound.URL, PingKey: key, Slug: "db"}, ErrNotPingEndpoint,
			goNotFound.URL + `/ping is not a Healthchecks ping endpoint: it answered 404 Not Found with "404 page not found"`},
		{"the right server without the check", PingClient{BaseURL: f.URL, UUID: testUUID}, ErrCheckNotFound,
			"ping start: 404 Not Found: not found: " + f.URL + "/ping has no such check"},
		{"a proxy's error page is not a wrong URL", PingClient{BaseURL: badGateway.URL, UUID: id}, nil,
			`502 Bad Gateway: an HTML page titled "502 Bad Gateway"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.c
			c.HTTP = httpx.New(httpx.Options{Tool: "runwrap", RetryMax: -1, Deadline: 5 * time.Second})
			_, err := c.Send(ctx, Ping{Kind: PingStart})
			var pe *PingError
			if !errors.As(err, &pe) {
				t.Fatalf("Send: %v, want a *PingError", err)
			}
			for _, s := range []error{ErrNotPingEndpoint, ErrCheckNotFound} {
				if errors.Is(err, s) != (s == tt.reason) {
					t.Errorf("errors.Is(%v, %v) = %v", err, s, !(s == tt.reason))
				}
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.msg) {
				t.Errorf("message %q\nwant it to contain %q", msg, tt.msg)
			}
			if strings.ContainsAny(msg, "\n<>") || strings.Contains(msg, key) {
				t.Errorf("message %q: more than one line, markup or the key", msg)
			}
			if httpx.StatusOf(err) == 0 && pe.Status != 200 {
				t.Errorf("the status is lost: %v", err)
			}
		})
	}
	// The check is there: pinging it through the site root works.
	c := PingClient{BaseURL: f.URL + "/", UUID: id, HTTP: httpx.New(httpx.Options{Tool: "runwrap", RetryMax: -1})}
	if _, err := c.Send(ctx, Ping{}); err != nil {
		t.Fatalf("ping through the site root: %v", err)
	}
}
