package hc

import (
	"bytes"
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
	BaseURL string // site root or ping endpoint (ResolveURL); "": the hosted service
	UUID    string
	PingKey string
	Slug    string
	URL     string // full ping URL: overrides BaseURL and the handle
	Create  bool   // create=1: auto-provision a slug check (201 Created)
	Header  http.Header
	HTTP    *httpx.Client
}

// Errors of Validate: the client does not name one check as runitor
// requires. The command words the hint (its flags, its variables).
var (
	ErrNoCheck         = errors.New("no check named: a UUID, a ping key with a slug, or a ping URL is needed")
	ErrSlugNeedsKey    = errors.New("a slug needs the project's ping key")
	ErrKeyNeedsSlug    = errors.New("a ping key needs a slug")
	ErrCreateNeedsSlug = errors.New("create=1 works with a ping key and slug only, not a UUID")
)

// SlugError is a slug Healthchecks would refuse: slugs are
// ^[a-z0-9-_]+$, at most 100 characters (reference/healthchecks-api.md §3,
// the slug field; since v4.1 a ping with an upper-case slug is refused with
// 400 invalid url format, §2.2).
type SlugError struct{ Slug string }

func (e *SlugError) Error() string {
	return fmt.Sprintf("slug %q is not a Healthchecks slug (a-z, 0-9, - and _ only, at most %d)", e.Slug, maxSlugLen)
}

const maxSlugLen = 100

// ValidSlug reports whether s is a slug Healthchecks accepts.
func ValidSlug(s string) bool {
	if s == "" || len(s) > maxSlugLen {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// Validate checks that the client names one check, as runitor requires.
// Errors are the Err* values above, a *SlugError or a *URLError.
func (c *PingClient) Validate() error {
	switch {
	case c.URL != "":
		u, err := url.Parse(c.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return &URLError{URL: redactURL(c.URL), Reason: "is not an http(s) URL"}
		}
		return nil
	case c.UUID != "":
		if c.Create {
			return ErrCreateNeedsSlug
		}
	case c.Slug != "" && c.PingKey == "":
		return ErrSlugNeedsKey
	case c.PingKey != "" && c.Slug == "":
		return ErrKeyNeedsSlug
	case c.Slug == "":
		return ErrNoCheck
	}
	if c.UUID == "" && !ValidSlug(c.Slug) {
		return &SlugError{Slug: c.Slug}
	}
	_, err := ResolveURL(c.BaseURL)
	return err
}

// base is the ping endpoint BaseURL resolves to.
func (c *PingClient) base() (string, error) {
	ep, err := ResolveURL(c.BaseURL)
	return ep.Ping, err
}

// Endpoint is where the pings go, for messages and as a cache key: the
// ping endpoint without the check, the ping key, a password or a query.
// For a full ping URL it is the part before the check's UUID or the ping
// key, or only scheme://host when neither is found.
func (c *PingClient) Endpoint() string {
	if c.URL == "" {
		b, err := c.base()
		if err != nil {
			return "…"
		}
		return shownURL(b)
	}
	u, err := url.Parse(c.URL)
	if err != nil || u.Host == "" {
		return "…"
	}
	key := c.URLPingKey()
	segs := strings.Split(strings.Trim(u.Path, "/"), "/")
	for i, seg := range segs {
		if (key != "" && seg == key) || IsUUID(seg) {
			v := url.URL{Scheme: u.Scheme, Host: u.Host, Path: "/" + strings.Join(segs[:i], "/")}
			return strings.TrimRight(v.String(), "/")
		}
	}
	return (&url.URL{Scheme: u.Scheme, Host: u.Host}).String()
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
		var b string
		if b, err = c.base(); err == nil {
			u, err = url.Parse(b)
		}
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
// hosted service's 200 "OK (rate-limited)" (§2.3). Other answers are
// *PingError (wrapping *httpx.StatusError: 400 invalid url format, 404 not
// found, 409 ambiguous slug). Retries follow the httpx policy; a ping is safe
// to repeat (a duplicate start or success changes nothing that matters), so
// 5xx are retried too.
//
// An answer no Healthchecks ping view gives (an HTML page, a 404 other than
// "not found") means the URL is wrong: the error wraps ErrNotPingEndpoint.
// A 404 "not found" wraps ErrCheckNotFound: the server has no such check,
// which is also what a right check on the wrong server gets.
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
	if resp == nil {
		if err != nil {
			return res, c.pingError(p.Kind, 0, nil, c.redact(err.Error()), err)
		}
		return res, nil
	}
	b := bytes.TrimSpace(resp.Body)
	status := fmt.Sprintf("%d %s", resp.Status, http.StatusText(resp.Status))
	page := isHTML(b)
	switch {
	case page && (err == nil || resp.Status == http.StatusNotFound || resp.Status == http.StatusMethodNotAllowed),
		resp.Status == http.StatusNotFound && !page && string(b) != "not found":
		what := "an HTML page"
		if !page {
			what = fmt.Sprintf("%q", httpx.Excerpt(b, 60))
		}
		msg := fmt.Sprintf("%s is not a Healthchecks ping endpoint: it answered %s with %s", c.Endpoint(), status, what)
		return res, c.pingError(p.Kind, resp.Status, ErrNotPingEndpoint, c.redact(msg), err)
	case resp.Status == http.StatusNotFound:
		msg := fmt.Sprintf("%s: not found: %s has no such check", status, c.Endpoint())
		return res, c.pingError(p.Kind, resp.Status, ErrCheckNotFound, c.redact(msg), err)
	case err != nil:
		// One line: httpx's status and short excerpt; for a page its title only.
		msg := err.Error()
		var se *httpx.StatusError
		if page && errors.As(err, &se) {
			msg = fmt.Sprintf("%s %s: %s: an HTML page", se.Method, se.URL, status)
			if t := htmlTitle(b); t != "" {
				msg += fmt.Sprintf(" titled %q", t)
			}
			if se.Attempts > 1 {
				msg += fmt.Sprintf(" (after %d attempts)", se.Attempts)
			}
		}
		return res, c.pingError(p.Kind, resp.Status, nil, c.redact(msg), err)
	}
	return res, nil
}

// Errors a *PingError may wrap (errors.Is).
var (
	ErrNotPingEndpoint = errors.New("not a Healthchecks ping endpoint")
	ErrCheckNotFound   = errors.New("check not found")
)

// PingError is a ping that failed. Its message is one line, names the
// endpoint and never the ping key or a password.
type PingError struct {
	Kind     PingKind
	Endpoint string // Endpoint(): no check, key, password or query
	Status   int    // the final HTTP status; 0 when none came
	msg      string
	errs     []error // ErrNotPingEndpoint or ErrCheckNotFound, and the httpx error
}

func (e *PingError) Error() string   { return e.msg }
func (e *PingError) Unwrap() []error { return e.errs }

func (c *PingClient) pingError(k PingKind, status int, reason error, msg string, err error) *PingError {
	e := &PingError{Kind: k, Endpoint: c.Endpoint(), Status: status, msg: fmt.Sprintf("ping %s: %s", k, msg)}
	for _, x := range []error{reason, err} {
		if x != nil {
			e.errs = append(e.errs, x)
		}
	}
	return e
}

// isHTML: Healthchecks labels its plain-text answers text/html (the
// captures' "OK", "not found"), so the body, not the header, tells a page.
func isHTML(b []byte) bool {
	return len(b) > 0 && b[0] == '<'
}

// htmlTitle is a page's <title>, short, or "".
func htmlTitle(b []byte) string {
	lower := bytes.ToLower(b)
	i := bytes.Index(lower, []byte("<title>"))
	if i < 0 {
		return ""
	}
	rest := b[i+len("<title>"):]
	j := bytes.Index(bytes.ToLower(rest), []byte("</title>"))
	if j < 0 {
		return ""
	}
	return httpx.Excerpt(rest[:j], 60)
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
