package httpx

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// script answers each attempt with the next status in codes (the last repeats).
type script struct {
	codes   []int
	headers map[int]http.Header // by attempt index
	body    string
	hits    atomic.Int32
	lastUA  atomic.Value
	bodies  chan []byte
}

func (s *script) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := int(s.hits.Add(1)) - 1
	s.lastUA.Store(r.Header.Get("User-Agent"))
	if s.bodies != nil {
		b, _ := io.ReadAll(r.Body)
		s.bodies <- b
	}
	code := s.codes[min(n, len(s.codes)-1)]
	for k, vs := range s.headers[n] {
		w.Header()[k] = vs
	}
	w.WriteHeader(code)
	io.WriteString(w, s.body)
}

func fast(o Options) Options {
	if o.WaitMin == 0 {
		o.WaitMin = time.Millisecond
	}
	if o.WaitMax == 0 {
		o.WaitMax = 5 * time.Millisecond
	}
	o.Tool = "testtool"
	return o
}

func TestRetryPolicy(t *testing.T) {
	ra := func(v string) map[int]http.Header { return map[int]http.Header{0: {"Retry-After": {v}}} }
	tests := []struct {
		name       string
		method     string
		idempotent bool
		codes      []int
		headers    map[int]http.Header
		retryMax   int
		wantStatus int
		wantHits   int32
		wantErr    bool
	}{
		{"ok first time", "GET", false, []int{200}, nil, 3, 200, 1, false},
		{"5xx then ok", "GET", false, []int{500, 502, 200}, nil, 3, 200, 3, false},
		{"5xx forever bounded", "GET", false, []int{503}, nil, 2, 503, 3, true},
		{"404 not retried", "GET", false, []int{404}, nil, 3, 404, 1, true},
		{"400 not retried", "POST", true, []int{400}, nil, 3, 400, 1, true},
		{"408 retried", "GET", false, []int{408, 204}, nil, 3, 204, 2, false},
		{"429 retried even for POST", "POST", false, []int{429, 200}, ra("0"), 3, 200, 2, false},
		{"non-idempotent POST not retried on 500", "POST", false, []int{500, 200}, nil, 3, 500, 1, true},
		{"idempotent POST retried on 500", "POST", true, []int{500, 200}, nil, 3, 200, 2, false},
		{"503 with Retry-After retried for POST", "POST", false, []int{503, 200}, ra("0"), 3, 200, 2, false},
		{"501 not retried", "GET", false, []int{501}, nil, 3, 501, 1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &script{codes: tt.codes, headers: tt.headers, body: `{"error":"nope"}`}
			srv := httptest.NewServer(s)
			defer srv.Close()
			c := New(fast(Options{RetryMax: tt.retryMax}))
			resp, err := c.Do(context.Background(), Request{Method: tt.method, URL: srv.URL, Body: []byte("x"), Idempotent: tt.idempotent})
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v", err)
			}
			if resp == nil || resp.Status != tt.wantStatus {
				t.Fatalf("resp = %+v, want status %d", resp, tt.wantStatus)
			}
			if got := s.hits.Load(); got != tt.wantHits {
				t.Errorf("hits = %d, want %d", got, tt.wantHits)
			}
			if StatusOf(err) != 0 && StatusOf(err) != tt.wantStatus {
				t.Errorf("StatusOf = %d", StatusOf(err))
			}
		})
	}
}

func TestRetryAfterHonoured(t *testing.T) {
	s := &script{codes: []int{429, 200}, headers: map[int]http.Header{0: {"Retry-After": {"1"}}}}
	srv := httptest.NewServer(s)
	defer srv.Close()
	c := New(Options{Tool: "t", WaitMin: time.Millisecond, WaitMax: 5 * time.Second})
	start := time.Now()
	if _, err := c.Do(context.Background(), Request{URL: srv.URL}); err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el < 900*time.Millisecond {
		t.Errorf("retried after %v, want about 1s (Retry-After: 1)", el)
	}
}

func TestRetryAfterBeyondDeadlineAnswersAtOnce(t *testing.T) {
	s := &script{codes: []int{429}, headers: map[int]http.Header{0: {"Retry-After": {"3600"}}}, body: "slow down"}
	srv := httptest.NewServer(s)
	defer srv.Close()
	c := New(Options{Tool: "t", Deadline: 2 * time.Second, WaitMax: time.Hour})
	start := time.Now()
	_, err := c.Do(context.Background(), Request{URL: srv.URL})
	if StatusOf(err) != 429 || !strings.Contains(err.Error(), "slow down") {
		t.Fatalf("err = %v", err)
	}
	if time.Since(start) > time.Second {
		t.Errorf("waited %v for a Retry-After past the deadline", time.Since(start))
	}
}

func TestStallHitsAttemptTimeoutAndDeadline(t *testing.T) {
	release := make(chan struct{})
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	c := New(fast(Options{AttemptTimeout: 100 * time.Millisecond, Deadline: 350 * time.Millisecond, RetryMax: 10}))
	start := time.Now()
	_, err := c.Do(context.Background(), Request{URL: srv.URL})
	el := time.Since(start)
	if err == nil {
		t.Fatal("want error from stalled server")
	}
	if el > time.Second {
		t.Errorf("took %v, deadline was 350ms", el)
	}
	if h := hits.Load(); h < 2 || h > 4 {
		t.Errorf("attempts = %d, want 2..4 (100ms each within 350ms)", h)
	}
}

func TestConnectionRefusedRetriedForPost(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // now nothing listens: dial fails, the request was never sent
	c := New(fast(Options{RetryMax: 2}))
	var logs bytes.Buffer
	c.opts.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	_, err = c.Do(context.Background(), Request{Method: "POST", URL: "http://" + addr + "/x", Body: []byte("a")})
	if err == nil || !strings.Contains(err.Error(), "after 3 attempts") {
		t.Fatalf("err = %v", err)
	}
	if n := strings.Count(logs.String(), "http attempt"); n != 3 {
		t.Errorf("logged %d attempts, want 3:\n%s", n, logs.String())
	}
}

func TestBodyResentAndUserAgent(t *testing.T) {
	s := &script{codes: []int{500, 200}, bodies: make(chan []byte, 2)}
	srv := httptest.NewServer(s)
	defer srv.Close()
	c := New(fast(Options{}))
	if _, err := c.Do(context.Background(), Request{Method: "PUT", URL: srv.URL, Body: []byte("payload")}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if b := <-s.bodies; string(b) != "payload" {
			t.Errorf("attempt %d body %q", i+1, b)
		}
	}
	if ua := s.lastUA.Load().(string); !strings.HasPrefix(ua, "testtool/") {
		t.Errorf("User-Agent %q", ua)
	}
}

func TestSecretsRedacted(t *testing.T) {
	s := &script{codes: []int{401}, body: `{"error": "wrong api key sekrit-123"}`}
	srv := httptest.NewServer(s)
	defer srv.Close()
	c := New(fast(Options{Secrets: []string{"sekrit-123"}}))
	_, err := c.Do(context.Background(), Request{URL: srv.URL + "/ping/sekrit-123/job"})
	if err == nil || strings.Contains(err.Error(), "sekrit-123") || !strings.Contains(err.Error(), "[REDACTED]") {
		t.Fatalf("err = %v", err)
	}
	if StatusOf(err) != 401 || !strings.Contains(err.Error(), "401 Unauthorized") {
		t.Errorf("err = %v", err)
	}
	// Network errors too.
	_, err = c.Do(context.Background(), Request{URL: "http://127.0.0.1:1/sekrit-123"})
	if err == nil || strings.Contains(err.Error(), "sekrit-123") {
		t.Errorf("err = %v", err)
	}
}

func TestCanceledContext(t *testing.T) {
	srv := httptest.NewServer(&script{codes: []int{500}})
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := New(fast(Options{})).Do(ctx, Request{URL: srv.URL})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestRetryAfterParse(t *testing.T) {
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"5", 5 * time.Second, true},
		{"0", 0, true},
		{"-1", 0, false},
		{"Sun, 22 Nov 2026 12:00:30 GMT", 30 * time.Second, true},
		{"Sun, 22 Nov 2026 11:00:00 GMT", 0, true},
		{"soon", 0, false},
		{"", 0, false},
	}
	for _, tt := range tests {
		got, ok := RetryAfter(tt.in, now)
		if got != tt.want || ok != tt.ok {
			t.Errorf("RetryAfter(%q) = %v, %v", tt.in, got, ok)
		}
	}
}

func TestExcerpt(t *testing.T) {
	if got := Excerpt([]byte("  a\n\n b  "), 10); got != "a b" {
		t.Errorf("got %q", got)
	}
	if got := Excerpt([]byte(strings.Repeat("x", 300)), 5); got != "xxxxx…" {
		t.Errorf("got %q", got)
	}
}

// A deadline that ends the retries still says what the attempts got.
func TestDeadlineKeepsLastAttemptError(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	c := New(Options{Tool: "t", Deadline: 300 * time.Millisecond, RetryMax: 100, WaitMin: 50 * time.Millisecond, WaitMax: 100 * time.Millisecond})
	_, err = c.Do(context.Background(), Request{URL: "http://" + addr})
	if err == nil || !strings.Contains(err.Error(), "connection refused") {
		t.Fatalf("err = %v, want the dial error named", err)
	}
}

func TestRetryAfterAboveWaitMaxHonoured(t *testing.T) {
	s := &script{codes: []int{429, 200}, headers: map[int]http.Header{0: {"Retry-After": {"1"}}}}
	srv := httptest.NewServer(s)
	defer srv.Close()
	// WaitMax caps our own backoff, not the server's explicit request.
	c := New(Options{Tool: "t", WaitMin: time.Millisecond, WaitMax: 10 * time.Millisecond, Deadline: 10 * time.Second})
	start := time.Now()
	if _, err := c.Do(context.Background(), Request{URL: srv.URL}); err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el < 900*time.Millisecond {
		t.Errorf("retried after %v, the server asked for 1s", el)
	}
}

func TestURLPasswordRedacted(t *testing.T) {
	c := New(fast(Options{RetryMax: -1}))
	_, err := c.Do(context.Background(), Request{URL: "http://bob:hunter2pw@127.0.0.1:1/x"})
	if err == nil || strings.Contains(err.Error(), "hunter2pw") || !strings.Contains(err.Error(), "bob:[REDACTED]@") {
		t.Fatalf("err = %v", err)
	}
}

func TestJSONEscapedSecretRedacted(t *testing.T) {
	s := &script{codes: []int{400}, body: `{"error":"bad key a<b&c\"d"}`}
	srv := httptest.NewServer(s)
	defer srv.Close()
	_, err := New(fast(Options{Secrets: []string{`a<b&c"d`}})).Do(context.Background(), Request{URL: srv.URL})
	if err == nil || strings.Contains(err.Error(), `a<b&c\"d`) || !strings.Contains(err.Error(), "[REDACTED]") {
		t.Fatalf("err = %v", err)
	}
}

// NeverSent after a deadline: refused attempts only -> nothing reached the
// server; an attempt that stalled after sending -> it may have.
func TestNeverSentAfterDeadline(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := "http://" + l.Addr().String()
	l.Close()
	c := New(Options{Tool: "t", Deadline: 300 * time.Millisecond, RetryMax: 100, WaitMin: 50 * time.Millisecond, WaitMax: 100 * time.Millisecond})
	_, err = c.Do(context.Background(), Request{Method: "POST", URL: refused, Body: []byte("x")})
	if err == nil || !NeverSent(err) {
		t.Errorf("refused until the deadline: NeverSent = false (%v)", err)
	}

	got := make(chan struct{}, 10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.ReadAll(r.Body)
		got <- struct{}{}
		<-r.Context().Done() // stall after the request arrived
	}))
	defer srv.Close()
	_, err = New(Options{Tool: "t", Deadline: 300 * time.Millisecond, AttemptTimeout: time.Second}).
		Do(context.Background(), Request{Method: "POST", URL: srv.URL, Body: []byte("x")})
	<-got
	if err == nil || NeverSent(err) {
		t.Errorf("stalled after sending: NeverSent = true (%v)", err)
	}
}

// The retry loop (go-retryablehttp's, now lib/httpx's own) reads what is
// left of a retried answer so that every attempt reuses one connection, sends
// the caller's headers on each, and returns the last answer's body whole.
func TestRetriesReuseConnectionAndHeaders(t *testing.T) {
	s := &script{codes: []int{503, 502, 200}, body: strings.Repeat("x", 1000)}
	s.headers = map[int]http.Header{0: {"Retry-After": {"0"}}}
	var conns atomic.Int32
	var tags []string
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tags = append(tags, r.Header.Get("X-Tag"))
		s.ServeHTTP(w, r)
	}))
	srv.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	c := New(fast(Options{}))
	resp, err := c.Do(context.Background(), Request{URL: srv.URL, Header: http.Header{"X-Tag": {"t"}}})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Attempts != 3 || len(resp.Body) != 1000 || conns.Load() != 1 || strings.Join(tags, ",") != "t,t,t" {
		t.Errorf("attempts %d, body %d bytes, %d connections, X-Tag %q", resp.Attempts, len(resp.Body), conns.Load(), tags)
	}
}
