// Package httpx is the one way cronkit makes HTTP calls: net/http with the
// policy of DESIGN.md §7 in a retry loop of its own (go-retryablehttp's, minus
// its start-up cost). Every request has a per-attempt timeout and an
// overall deadline; retries happen on network errors, 408, 429 and 5xx with
// jittered exponential backoff that honours Retry-After, bounded in count and
// time; logging is slog at debug level only. It is not a public API.
package httpx

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cronkit/cronkit/lib/redact"
	"github.com/cronkit/cronkit/lib/version"
)

// Options configure a Client. Zero values take the defaults shown.
type Options struct {
	Tool           string        // for User-Agent: "<tool>/<version>"
	AttemptTimeout time.Duration // per attempt, default 10s
	Deadline       time.Duration // overall, across retries, default 60s
	RetryMax       int           // retries after the first attempt, default 4; <0 means none
	WaitMin        time.Duration // first backoff, default 250ms
	WaitMax        time.Duration // cap for one backoff (and for Retry-After), default 30s
	MaxBody        int64         // bytes of response body kept, default 16 MiB
	Logger         *slog.Logger  // debug-level attempt logs; nil: silent
	Secrets        []string      // redacted from errors and logs
	Transport      http.RoundTripper
}

// Client makes requests with the policy.
type Client struct {
	opts Options
	hc   *http.Client // one attempt, bounded by AttemptTimeout
}

// Request is one call. Body is bytes so that every retry sends it again.
type Request struct {
	Method string
	URL    string
	Header http.Header
	Body   []byte
	// Idempotent marks a request that is safe to send twice (GET, PUT, DELETE
	// are by default). A non-idempotent request is retried only when the
	// server cannot have acted on it: connection refused, 408, 429, 503 with
	// Retry-After.
	Idempotent bool
}

// Response is a completed call with its body read (up to Options.MaxBody).
type Response struct {
	Status   int
	Header   http.Header
	Body     []byte
	Attempts int
}

// StatusError is a non-2xx answer after retries. Its message carries the
// status and a short, redacted excerpt of the body.
type StatusError struct {
	Method   string
	URL      string // redacted
	Status   int
	Excerpt  string // redacted, at most ~200 bytes, one line
	Header   http.Header
	Attempts int
}

func (e *StatusError) Error() string {
	s := fmt.Sprintf("%s %s: %d %s", e.Method, e.URL, e.Status, http.StatusText(e.Status))
	if e.Excerpt != "" {
		s += ": " + e.Excerpt
	}
	if e.Attempts > 1 {
		s += fmt.Sprintf(" (after %d attempts)", e.Attempts)
	}
	return s
}

// HTTPStatus is the answer's status: lib/cli maps it to the exit code
// (401/403 refused, 400 bad input, the rest a failure).
func (e *StatusError) HTTPStatus() int { return e.Status }

// StatusOf returns the HTTP status in err, or 0.
func StatusOf(err error) int {
	var se *StatusError
	if errors.As(err, &se) {
		return se.Status
	}
	return 0
}

type ctxKey struct{}

type attemptInfo struct {
	idempotent bool
	attempts   int
	last       string // what the last failed attempt got, for a deadline error

	// Whether any attempt may have reached the server's handler: an attempt
	// is in flight once its headers are written and until an answer begins.
	// A deadline hit in a backoff pause otherwise cannot tell "every attempt
	// was refused" from "the last one stalled after sending".
	mu       sync.Mutex
	inflight bool
	maybe    bool
}

func (ai *attemptInfo) trace() *httptrace.ClientTrace {
	set := func(f func()) { ai.mu.Lock(); f(); ai.mu.Unlock() }
	return &httptrace.ClientTrace{
		GetConn:              func(string) { set(func() { ai.maybe, ai.inflight = ai.maybe || ai.inflight, false }) },
		WroteHeaders:         func() { set(func() { ai.inflight = true }) },
		GotFirstResponseByte: func() { set(func() { ai.inflight = false }) },
	}
}

func (ai *attemptInfo) mayHaveSent() bool {
	ai.mu.Lock()
	defer ai.mu.Unlock()
	return ai.maybe || ai.inflight
}

// New returns a Client with the policy applied.
func New(o Options) *Client {
	if o.AttemptTimeout <= 0 {
		o.AttemptTimeout = 10 * time.Second
	}
	if o.Deadline <= 0 {
		o.Deadline = 60 * time.Second
	}
	if o.RetryMax == 0 {
		o.RetryMax = 4
	} else if o.RetryMax < 0 {
		o.RetryMax = 0
	}
	if o.WaitMin <= 0 {
		o.WaitMin = 250 * time.Millisecond
	}
	if o.WaitMax <= 0 {
		o.WaitMax = 30 * time.Second
	}
	if o.MaxBody <= 0 {
		o.MaxBody = 16 << 20
	}
	if o.Tool == "" {
		o.Tool = "cronkit"
	}
	tr := o.Transport
	if tr == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.ResponseHeaderTimeout = o.AttemptTimeout
		t.MaxIdleConnsPerHost = 16
		tr = t
	}
	return &Client{opts: o, hc: &http.Client{Transport: tr, Timeout: o.AttemptTimeout}}
}

// send is the retry loop: attempts until checkRetry says stop or RetryMax
// retries are spent, with backoff's pauses cut short by ctx. What it returns
// is what go-retryablehttp's loop returned with the PassthroughErrorHandler
// (the last answer or error; ctx's error when it ends in a pause), written
// here because that package compiles four regular expressions at start-up,
// which every runwrap run paid for (docs/benchmarks.md).
func (c *Client) send(ctx context.Context, method, u string, header http.Header, body []byte, ai *attemptInfo) (*http.Response, error) {
	for i := 0; ; i++ {
		var rd io.Reader
		if body != nil {
			rd = bytes.NewReader(body) // each attempt sends it again
		}
		req, err := http.NewRequestWithContext(ctx, method, u, rd)
		if err != nil {
			return nil, err
		}
		req.Header = header.Clone()
		ai.attempts = i + 1
		if c.debug(ctx) {
			c.opts.Logger.Debug("http attempt", "method", method, "url", c.redact(u), "attempt", i+1)
		}
		resp, doErr := c.hc.Do(req)
		retry, checkErr := c.checkRetry(ctx, resp, doErr)
		if !retry || i >= c.opts.RetryMax {
			if doErr == nil && checkErr == nil {
				return resp, nil // the last answer, retryable or not: the caller words it
			}
			c.hc.CloseIdleConnections()
			if checkErr != nil {
				return resp, checkErr
			}
			return resp, doErr
		}
		if doErr == nil { // read what is left, so that the connection is reused
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
			resp.Body.Close()
		}
		t := time.NewTimer(c.backoff(c.opts.WaitMin, c.opts.WaitMax, i, resp))
		select {
		case <-ctx.Done():
			t.Stop()
			c.hc.CloseIdleConnections()
			return nil, ctx.Err()
		case <-t.C:
		}
	}
}

// debug reports whether -vv's debug logs are on: only then are URLs redacted for them.
func (c *Client) debug(ctx context.Context) bool {
	return c.opts.Logger != nil && c.opts.Logger.Enabled(ctx, slog.LevelDebug)
}

// Timeouts returns the per-attempt timeout and overall deadline in force.
func (c *Client) Timeouts() (attempt, deadline time.Duration) {
	return c.opts.AttemptTimeout, c.opts.Deadline
}

func (c *Client) redact(s string) string { return Redact(s, c.opts.Secrets...) }

// Redact hides URL passwords and every secret of 4 bytes or more in s, in the
// forms a server may echo it back: raw, form-encoded, or JSON-escaped
// (lib/redact's rule).
func Redact(s string, secrets ...string) string { return redact.String(s, secrets...) }

// Do sends r within the overall deadline and returns the response. A non-2xx
// final answer returns both the Response and a *StatusError.
func (c *Client) Do(ctx context.Context, r Request) (*Response, error) {
	ctx, cancel := context.WithTimeout(ctx, c.opts.Deadline)
	defer cancel()
	method := r.Method
	if method == "" {
		method = http.MethodGet
	}
	ai := &attemptInfo{idempotent: r.Idempotent || method == http.MethodGet || method == http.MethodHead ||
		method == http.MethodPut || method == http.MethodDelete || method == http.MethodOptions}
	ctx = httptrace.WithClientTrace(context.WithValue(ctx, ctxKey{}, ai), ai.trace())
	if _, err := url.Parse(r.URL); err != nil {
		return nil, fmt.Errorf("%s %s: %s", method, c.redact(r.URL), c.redact(err.Error()))
	}
	header := http.Header{}
	for k, vs := range r.Header {
		for _, v := range vs {
			header.Add(k, v)
		}
	}
	header.Set("User-Agent", version.UserAgent(c.opts.Tool))
	resp, err := c.send(ctx, method, r.URL, header, r.Body, ai)
	if err != nil {
		if ctx.Err() != nil && ai.last != "" && !strings.Contains(err.Error(), ai.last) {
			err = fmt.Errorf("%w (last attempt: %s)", err, ai.last)
		}
		w := c.wrapErr(method, r.URL, err, ai.attempts, ctx)
		w.traced, w.mayHaveSent = true, ai.mayHaveSent()
		return nil, w
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, c.opts.MaxBody))
	if err != nil {
		w := c.wrapErr(method, r.URL, fmt.Errorf("reading response: %w", err), ai.attempts, ctx)
		w.traced, w.mayHaveSent = true, true // the server answered: it may have acted
		return nil, w
	}
	out := &Response{Status: resp.StatusCode, Header: resp.Header, Body: b, Attempts: ai.attempts}
	if c.debug(ctx) { // redacting costs (JSON-escaping each secret): only when -vv prints it
		c.opts.Logger.Debug("http response", "method", method, "url", c.redact(r.URL), "status", resp.StatusCode, "attempts", ai.attempts)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return out, &StatusError{Method: method, URL: c.redact(r.URL), Status: resp.StatusCode,
			Excerpt: c.redact(Excerpt(b, 200)), Header: resp.Header, Attempts: ai.attempts}
	}
	return out, nil
}

func (c *Client) wrapErr(method, u string, err error, attempts int, ctx context.Context) *wrapped {
	msg := c.redact(err.Error())
	// retryablehttp's messages repeat the method and URL; keep ours only.
	msg = strings.TrimPrefix(msg, method+" "+c.redact(u)+" giving up after ")
	if ctx.Err() == context.DeadlineExceeded && !strings.Contains(msg, "deadline") {
		msg += " (deadline exceeded)"
	}
	e := fmt.Errorf("%s %s: %s", method, c.redact(u), msg)
	if attempts > 1 {
		e = fmt.Errorf("%w (after %d attempts)", e, attempts)
	}
	return &wrapped{msg: e.Error(), err: err}
}

// wrapped keeps errors.Is working (context.Canceled, net errors) under a redacted message.
type wrapped struct {
	msg string
	err error
	// traced: mayHaveSent says whether any attempt may have reached the server.
	traced, mayHaveSent bool
}

func (w *wrapped) Error() string { return w.msg }
func (w *wrapped) Unwrap() error { return w.err }

// Excerpt returns at most n bytes of b on one line, for error messages.
func Excerpt(b []byte, n int) string {
	s := strings.TrimSpace(string(b))
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		s = s[:n] + "…"
	}
	return s
}

func (c *Client) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	ai, _ := ctx.Value(ctxKey{}).(*attemptInfo)
	idempotent := ai == nil || ai.idempotent
	if ai != nil {
		switch {
		case err != nil:
			ai.last = lastErrText(err)
		case resp != nil:
			ai.last = resp.Status
		}
	}
	if err != nil {
		if isPermanent(err) {
			return false, err
		}
		if !idempotent && !NeverSent(err) {
			return false, err
		}
		return true, err
	}
	if d, ok := RetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
		// Waiting past the deadline helps nobody: answer with the 429/503 now.
		if dl, has := ctx.Deadline(); has && time.Now().Add(d).After(dl) {
			return false, nil
		}
	}
	switch s := resp.StatusCode; {
	case s == http.StatusTooManyRequests, s == http.StatusRequestTimeout:
		// The server says it did not process the request.
		return true, nil
	case s == http.StatusServiceUnavailable && resp.Header.Get("Retry-After") != "":
		return true, nil
	case s >= 500 && s != http.StatusNotImplemented:
		return idempotent, nil
	}
	return false, nil
}

// lastErrText is the innermost useful text of a transport error
// ("connection refused" rather than the whole url.Error chain).
func lastErrText(err error) string {
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		return op.Op + ": " + op.Err.Error()
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return err.Error()
}

// isPermanent: errors that no retry can fix.
func isPermanent(err error) bool {
	var ue *url.Error
	if errors.As(err, &ue) {
		var ua x509.UnknownAuthorityError
		var hn x509.HostnameError
		if errors.As(ue.Err, &ua) || errors.As(ue.Err, &hn) {
			return true
		}
		if strings.Contains(ue.Err.Error(), "unsupported protocol scheme") ||
			strings.Contains(ue.Err.Error(), "stopped after 10 redirects") {
			return true
		}
	}
	return false
}

// NeverSent reports whether a failed request cannot have reached the server
// (dial or DNS failed on every attempt, or every attempt was answered before a
// deadline ended the retries), so that even a non-idempotent post may be sent
// again.
func NeverSent(err error) bool {
	var w *wrapped
	if errors.As(err, &w) && w.traced {
		return !w.mayHaveSent
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	var dns *net.DNSError
	return errors.As(err, &dns)
}

// backoff is jittered exponential up to WaitMax. A Retry-After (seconds or
// date) is honoured as given: checkRetry has already refused to retry when
// it would end past the deadline, and retrying earlier only earns another 429.
func (c *Client) backoff(min, max time.Duration, attempt int, resp *http.Response) time.Duration {
	if resp != nil && (resp.StatusCode == 429 || resp.StatusCode == 503) {
		if d, ok := RetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
			return d
		}
	}
	ceil := float64(min) * math.Pow(2, float64(attempt))
	if ceil > float64(max) {
		ceil = float64(max)
	}
	// Half fixed, half random: spreads a fleet's retries but keeps growth.
	return time.Duration(ceil/2 + rand.Float64()*ceil/2)
}

// RetryAfter parses a Retry-After header value: delay-seconds or an HTTP date.
func RetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n < 0 {
			return 0, false
		}
		return time.Duration(n) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		d := t.Sub(now)
		if d < 0 {
			d = 0
		}
		return d, true
	}
	return 0, false
}
