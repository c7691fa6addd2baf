package hc

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/cronkit/cronkit/lib/httpx"
)

// PingKind is the kind of ping (reference/healthchecks-api.md §2.1).
// Its names are runitor's ping types (exit-code|success|fail|log) plus start.
type PingKind int

const (
	PingSuccess  PingKind = iota // <handle>
	PingExitCode                 // <handle>/<0-255>
	PingFail                     // <handle>/fail
	PingLog                      // <handle>/log
	PingStart                    // <handle>/start
)

var pingKindNames = [...]string{"success", "exit-code", "fail", "log", "start"}

func (k PingKind) String() string {
	if k < 0 || int(k) >= len(pingKindNames) {
		return "PingKind(" + strconv.Itoa(int(k)) + ")"
	}
	return pingKindNames[k]
}

// ParsePingKind accepts runitor's --on-* values: exit-code, success, fail, log.
func ParsePingKind(s string) (PingKind, error) {
	for i, n := range pingKindNames[:4] {
		if s == n {
			return PingKind(i), nil
		}
	}
	return 0, fmt.Errorf("ping type %q is not one of exit-code, success, fail, log", s)
}

// Set, Type: a PingKind is a pflag.Value.
func (k *PingKind) Set(s string) error {
	v, err := ParsePingKind(s)
	if err == nil {
		*k = v
	}
	return err
}

func (k *PingKind) Type() string { return "ping-type" }

// DefaultPingURL is the hosted ping endpoint.
const DefaultPingURL = "https://hc-ping.com"

// PingClient sends pings for one check. The check is named by exactly one of
// UUID, PingKey+Slug, or URL (a full ping URL, for other paths).
type PingClient struct {
	BaseURL string // default DefaultPingURL; a trailing slash is optional
	UUID    string
	PingKey string
	Slug    string
	URL     string // full ping URL: overrides BaseURL and the handle
	Create  bool   // create=1: auto-provision a slug check (201 Created)
	Header  http.Header
	HTTP    *httpx.Client
}

// Validate checks that the client names one check, as runitor requires.
func (c *PingClient) Validate() error {
	switch {
	case c.URL != "":
		u, err := url.Parse(c.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("ping URL %q is not an http(s) URL", redactURL(c.URL))
		}
	case c.UUID != "":
		if c.Create {
			return errors.New("--create works with --ping-key and --slug, not --uuid")
		}
	case c.Slug != "" && c.PingKey == "":
		return errors.New("--slug needs a project ping key (--ping-key or $PING_KEY)")
	case c.PingKey != "" && c.Slug == "":
		return errors.New("--ping-key needs a --slug (or give --uuid)")
	case c.Slug == "":
		return errors.New("no check: give --uuid, --ping-key with --slug, or --ping-url")
	}
	if c.URL == "" {
		u, err := url.Parse(c.base())
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("API URL %q is not an http(s) URL", c.base())
		}
	}
	return nil
}

func (c *PingClient) base() string {
	if c.BaseURL == "" {
		return DefaultPingURL
	}
	return c.BaseURL
}

// Handle names the check for logs and state files: the UUID, "key/slug" or the URL.
func (c *PingClient) Handle() string {
	switch {
	case c.URL != "":
		return c.URL
	case c.UUID != "":
		return c.UUID
	}
	return c.PingKey + "/" + c.Slug
}

// Ping is one ping to send.
type Ping struct {
	Kind     PingKind
	ExitCode int    // for PingExitCode: 0-255
	RunID    string // rid, "" for none
	Body     []byte
}

// PingResult is what the server answered.
type PingResult struct {
	Status    int
	BodyLimit int  // from the Ping-Body-Limit header; 0 when absent
	Created   bool // 201: create=1 made the check
	Attempts  int
}

// PingURL returns the URL a ping goes to (secrets included: do not log it).
func (c *PingClient) PingURL(p Ping) (string, error) {
	var suffix string
	switch p.Kind {
	case PingSuccess:
	case PingStart:
		suffix = "start"
	case PingFail:
		suffix = "fail"
	case PingLog:
		suffix = "log"
	case PingExitCode:
		// Over 255 the server answers 400 invalid url format (§2.1).
		if p.ExitCode < 0 || p.ExitCode > 255 {
			return "", fmt.Errorf("exit code %d is outside 0-255", p.ExitCode)
		}
		suffix = strconv.Itoa(p.ExitCode)
	default:
		return "", fmt.Errorf("unknown ping kind %v", p.Kind)
	}
	var u *url.URL
	var err error
	if c.URL != "" {
		u, err = url.Parse(c.URL)
	} else {
		u, err = url.Parse(c.base())
		if err == nil {
			if c.UUID != "" {
				u = u.JoinPath(c.UUID)
			} else {
				u = u.JoinPath(c.PingKey, c.Slug)
			}
		}
	}
	if err != nil {
		return "", fmt.Errorf("ping URL: %w", err)
	}
	if suffix != "" {
		u = u.JoinPath(suffix)
	}
	q := u.Query()
	if p.RunID != "" {
		q.Set("rid", p.RunID)
	}
	if c.Create {
		q.Set("create", "1")
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// Send sends one ping. A 2xx is delivered: 200 "OK", 201 "Created", and the
// hosted service's 200 "OK (rate-limited)" (§2.3). Other answers are errors
// (*httpx.StatusError: 400 invalid url format, 404 not found, 409 ambiguous
// slug). Retries follow the httpx policy; a ping is safe to repeat (a
// duplicate start or success changes nothing that matters), so 5xx are
// retried too.
func (c *PingClient) Send(ctx context.Context, p Ping) (PingResult, error) {
	u, err := c.PingURL(p)
	if err != nil {
		return PingResult{}, err
	}
	h := http.Header{}
	for k, vs := range c.Header {
		h[k] = vs
	}
	h.Set("Content-Type", "text/plain; charset=utf-8")
	resp, err := c.HTTP.Do(ctx, httpx.Request{Method: http.MethodPost, URL: u, Header: h, Body: p.Body, Idempotent: true})
	var res PingResult
	if resp != nil {
		res.Status = resp.Status
		res.Attempts = resp.Attempts
		res.Created = resp.Status == http.StatusCreated
		if n, perr := strconv.Atoi(strings.TrimSpace(resp.Header.Get("Ping-Body-Limit"))); perr == nil && n > 0 {
			res.BodyLimit = n
		}
	}
	if err != nil {
		return res, &pingError{msg: c.redact(fmt.Sprintf("ping %s: %v", p.Kind, err)), err: err}
	}
	return res, nil
}

// redact hides the ping key, which is part of slug URLs, from messages,
// whether or not the httpx client was told about it: httpx's one rule.
func (c *PingClient) redact(s string) string {
	return httpx.Redact(s, c.PingKey, c.URLPingKey())
}

// URLPingKey returns the project ping key inside URL, a full ping URL of the
// /<ping-key>/<slug> form, or "". Healthchecks makes ping keys 22 URL-safe
// base64 characters (secrets.token_urlsafe(16)); a segment of that shape
// followed by another (the slug) is taken for one.
func (c *PingClient) URLPingKey() string {
	if c.URL == "" {
		return ""
	}
	u, err := url.Parse(c.URL)
	if err != nil {
		return ""
	}
	segs := strings.Split(strings.Trim(u.Path, "/"), "/")
	for _, seg := range segs[:len(segs)-1] {
		if len(seg) == 22 && strings.IndexFunc(seg, notBase64URL) < 0 {
			return seg
		}
	}
	return ""
}

func notBase64URL(r rune) bool {
	return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_')
}

// pingError keeps errors.As working (httpx.StatusOf) under a redacted message.
type pingError struct {
	msg string
	err error
}

func (e *pingError) Error() string { return e.msg }
func (e *pingError) Unwrap() error { return e.err }

// ParsePingHeader parses runitor's --req-header value "Key: value".
func ParsePingHeader(s string) (key, value string, err error) {
	k, v, ok := strings.Cut(s, ":")
	k = strings.TrimSpace(k)
	if !ok || k == "" || strings.IndexFunc(k, notTokenChar) >= 0 {
		return "", "", fmt.Errorf("header %q is not \"Key: value\"", s)
	}
	v = strings.TrimSpace(v)
	if strings.ContainsAny(v, "\r\n") {
		return "", "", fmt.Errorf("header %q has a line break in its value", k)
	}
	return http.CanonicalHeaderKey(k), v, nil
}

// notTokenChar: header names are RFC 9110 tokens.
func notTokenChar(r rune) bool {
	switch {
	case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		return false
	case strings.ContainsRune("!#$%&'*+-.^_`|~", r):
		return false
	}
	return true
}

func redactURL(s string) string {
	if u, err := url.Parse(s); err == nil && u.Host != "" {
		return u.Scheme + "://" + u.Host + "/…"
	}
	return "…"
}
