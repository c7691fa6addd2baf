package hc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cronkit/cronkit/lib/httpx"
)

// DefaultAPIURL is the hosted site root; the API lives under /api/v3/.
const DefaultAPIURL = "https://healthchecks.io"

// DefaultAPIRate is the hosted Management API's stated limit: "avoid more
// than 100 API requests per minute" (healthchecks-api.md §3.1).
const DefaultAPIRate = 100

// API is a Management API v3 client for one project (one API key).
type API struct {
	base string
	key  string
	http *httpx.Client
	lim  *limiter
}

// APIOptions configure an API client.
type APIOptions struct {
	URL  string // site root, DefaultAPIURL when empty
	Key  string // X-Api-Key
	HTTP *httpx.Client
	// RatePerMinute bounds the requests this client sends: at most that
	// many in any minute; 0: DefaultAPIRate; <0: unlimited.
	RatePerMinute int
}

// NewAPI checks the options and returns a client.
func NewAPI(o APIOptions) (*API, error) {
	// The site root, the API root or the ping endpoint (HC_API_URL is
	// shared with runwrap): ResolveURL finds the site root from any.
	ep, err := ResolveURL(o.URL)
	if err != nil {
		return nil, err
	}
	base := ep.Site
	if o.Key == "" {
		return nil, ErrNoKey
	}
	if o.HTTP == nil {
		return nil, errors.New("hc: APIOptions.HTTP is nil")
	}
	rate := o.RatePerMinute
	if rate == 0 {
		rate = DefaultAPIRate
	}
	a := &API{base: base, key: o.Key, http: o.HTTP}
	if rate > 0 {
		a.lim = newLimiter(rate, time.Minute)
	}
	return a, nil
}

// ReadOnlyKey reports whether the key is known to be read-only by its
// prefix (hcr_, v3.11+). Legacy keys are found out by a refused write.
func (a *API) ReadOnlyKey() bool { return strings.HasPrefix(a.key, "hcr_") }

// Check is a check as the API returns it. Fields newer servers add (uuid,
// badge_url, filter_http_body, ...) are decoded when present.
type Check struct {
	Name          string     `json:"name"`
	Slug          string     `json:"slug"`
	Tags          string     `json:"tags"`
	Desc          string     `json:"desc"`
	Grace         int64      `json:"grace"`
	NPings        int        `json:"n_pings"`
	Status        string     `json:"status"`
	Started       bool       `json:"started"`
	LastPing      *time.Time `json:"last_ping"`
	NextPing      *time.Time `json:"next_ping"`
	ManualResume  bool       `json:"manual_resume"`
	Methods       string     `json:"methods"`
	Subject       string     `json:"subject"`
	SubjectFail   string     `json:"subject_fail"`
	StartKW       string     `json:"start_kw"`
	SuccessKW     string     `json:"success_kw"`
	FailureKW     string     `json:"failure_kw"`
	FilterSubject bool       `json:"filter_subject"`
	FilterBody    bool       `json:"filter_body"`
	LastDuration  *int64     `json:"last_duration,omitempty"`
	UUID          string     `json:"uuid,omitempty"`
	UniqueKey     string     `json:"unique_key,omitempty"`
	PingURL       string     `json:"ping_url,omitempty"`
	UpdateURL     string     `json:"update_url,omitempty"`
	PauseURL      string     `json:"pause_url,omitempty"`
	ResumeURL     string     `json:"resume_url,omitempty"`
	BadgeURL      string     `json:"badge_url,omitempty"`
	Channels      *string    `json:"channels,omitempty"`
	Timeout       int64      `json:"timeout,omitempty"`
	Schedule      string     `json:"schedule,omitempty"`
	TZ            string     `json:"tz,omitempty"`
}

// ID is the check's UUID: the uuid field (v3.5+) or the last segment of its
// ping URL (v2.10 has no uuid field). Read-only keys see neither: ID is the
// unique_key then, which the API accepts for get and flips.
func (c *Check) ID() string {
	if c.UUID != "" {
		return c.UUID
	}
	if c.PingURL != "" {
		return c.PingURL[strings.LastIndexByte(c.PingURL, '/')+1:]
	}
	return c.UniqueKey
}

// TagList splits the space-separated tags.
func (c *Check) TagList() []string { return strings.Fields(c.Tags) }

// HasTags reports whether the check carries every tag in want.
func (c *Check) HasTags(want []string) bool {
	have := map[string]bool{}
	for _, t := range c.TagList() {
		have[t] = true
	}
	for _, w := range want {
		if !have[w] {
			return false
		}
	}
	return true
}

// CheckSpec is the body of a create or update: only non-nil fields are
// sent, and the server changes only those.
type CheckSpec struct {
	Name          *string  `json:"name,omitempty"`
	Slug          *string  `json:"slug,omitempty"`
	Tags          *string  `json:"tags,omitempty"`
	Desc          *string  `json:"desc,omitempty"`
	Timeout       *int64   `json:"timeout,omitempty"`
	Grace         *int64   `json:"grace,omitempty"`
	Schedule      *string  `json:"schedule,omitempty"`
	TZ            *string  `json:"tz,omitempty"`
	ManualResume  *bool    `json:"manual_resume,omitempty"`
	Methods       *string  `json:"methods,omitempty"`
	Channels      *string  `json:"channels,omitempty"`
	Subject       *string  `json:"subject,omitempty"`
	SubjectFail   *string  `json:"subject_fail,omitempty"`
	StartKW       *string  `json:"start_kw,omitempty"`
	SuccessKW     *string  `json:"success_kw,omitempty"`
	FailureKW     *string  `json:"failure_kw,omitempty"`
	FilterSubject *bool    `json:"filter_subject,omitempty"`
	FilterBody    *bool    `json:"filter_body,omitempty"`
	Unique        []string `json:"unique,omitempty"`
}

// IsEmpty reports whether the spec sets no field.
func (s CheckSpec) IsEmpty() bool {
	b, _ := json.Marshal(s)
	return string(b) == "{}"
}

// APIPing is one entry of a check's ping log.
type APIPing struct {
	Type       string    `json:"type"` // success, start, fail, log, ign
	Date       time.Time `json:"date"`
	N          int       `json:"n"`
	Scheme     string    `json:"scheme"`
	RemoteAddr string    `json:"remote_addr"`
	Method     string    `json:"method"`
	UA         string    `json:"ua"`
	RID        *string   `json:"rid"`
	BodyURL    *string   `json:"body_url"`
	Duration   *float64  `json:"duration,omitempty"`
	// No exit status: the API does not return one (a ping to /N is stored
	// as type fail, or success for 0; healthchecks-captures.md "List pings").
}

// Flip is one status change of a check.
type Flip struct {
	Timestamp time.Time `json:"timestamp"`
	Up        int       `json:"up"` // 1: became up; 0: anything else
}

// Channel is one integration.
type Channel struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Kind string `json:"kind"`
}

// Badge holds the badge URLs of one tag ("*" for all checks).
type Badge struct {
	SVG      string `json:"svg"`
	SVG3     string `json:"svg3"`
	JSON     string `json:"json"`
	JSON3    string `json:"json3"`
	Shields  string `json:"shields"`
	Shields3 string `json:"shields3"`
}

// Errors the API answers, for callers to map to exit codes. They name no
// flag or variable: the command that set the option words the hint.
var (
	// ErrNoKey: APIOptions.Key is empty.
	ErrNoKey = errors.New("no API key")
	// ErrNotFound: the check (or ping body) does not exist (404).
	ErrNotFound = errors.New("not found")
	// ErrConflict: resume of a check that is not paused (409).
	ErrConflict = errors.New("conflict")
)

// APIError is a non-2xx answer with its message extracted: the JSON
// "error" field when the body is JSON, else a short excerpt (bodies are
// not always JSON: healthchecks-api.md §3.3 "Error formats").
type APIError struct {
	Op     string // "create check", "pause check backups", ...
	Status int
	Msg    string
	// ReadOnly: a write was refused and the key is a read-only one.
	ReadOnly bool
	// NoAPI: a list endpoint is not found, so there is no API at that URL;
	// Base is the site root the API was looked for under (password hidden).
	NoAPI    bool
	Base     string
	Attempts int
	err      error
}

func (e *APIError) Error() string {
	s := e.message()
	if e.Attempts > 1 {
		s += fmt.Sprintf(" (after %d attempts)", e.Attempts)
	}
	return s
}

func (e *APIError) message() string {
	switch {
	case e.ReadOnly:
		return e.Op + ": refused: the API key is read-only; a read-write key is needed"
	case e.NoAPI:
		return fmt.Sprintf("%s: 404 Not Found: %s", e.Op, e.Msg)
	case e.Status == http.StatusNotFound:
		return e.Op + ": not found"
	case e.Msg != "":
		return fmt.Sprintf("%s: %d %s: %s", e.Op, e.Status, http.StatusText(e.Status), e.Msg)
	}
	return fmt.Sprintf("%s: %d %s", e.Op, e.Status, http.StatusText(e.Status))
}

func (e *APIError) Unwrap() error { return e.err }

// HTTPStatus is the server's status: lib/cli maps 401/403 (a wrong, missing
// or read-only key, a check of another project) to refused and 400 to bad
// input, whatever the error wraps.
func (e *APIError) HTTPStatus() int { return e.Status }

// request is one API call.
type request struct {
	op         string
	method     string
	path       string // under /api/v3/
	query      url.Values
	body       any
	idempotent bool
	rw         bool // needs a read-write key (writes, pings, bodies, channels)
}

func (a *API) do(ctx context.Context, r request, out any) (int, error) {
	if a.lim != nil {
		if err := a.lim.wait(ctx); err != nil {
			return 0, fmt.Errorf("%s: %w", r.op, err)
		}
	}
	u := a.base + "/api/v3/" + r.path
	if len(r.query) > 0 {
		u += "?" + r.query.Encode()
	}
	h := http.Header{}
	h.Set("X-Api-Key", a.key)
	h.Set("Accept", "application/json")
	var body []byte
	if r.body != nil {
		var err error
		if body, err = json.Marshal(r.body); err != nil {
			return 0, err
		}
		h.Set("Content-Type", "application/json")
	}
	resp, err := a.http.Do(ctx, httpx.Request{Method: r.method, URL: u, Header: h, Body: body, Idempotent: r.idempotent})
	if err != nil {
		var se *httpx.StatusError
		if !errors.As(err, &se) || resp == nil {
			return 0, fmt.Errorf("%s: %w", r.op, err)
		}
		return resp.Status, a.apiError(ctx, r, resp, err)
	}
	if out != nil {
		if raw, ok := out.(*[]byte); ok {
			*raw = resp.Body
			return resp.Status, nil
		}
		if err := json.Unmarshal(resp.Body, out); err != nil {
			return resp.Status, fmt.Errorf("%s: the server's answer is not the JSON expected: %v (%s)", r.op, err, httpx.Excerpt(resp.Body, 80))
		}
	}
	return resp.Status, nil
}

func (a *API) apiError(ctx context.Context, r request, resp *httpx.Response, err error) error {
	e := &APIError{Op: r.op, Status: resp.Status, Attempts: resp.Attempts, err: err}
	var j struct {
		Error string `json:"error"`
	}
	if json.Unmarshal(resp.Body, &j) == nil && j.Error != "" {
		e.Msg = j.Error
	} else if !bytes.Contains(resp.Body, []byte("<html")) {
		e.Msg = httpx.Excerpt(resp.Body, 120)
	}
	switch resp.Status {
	case http.StatusNotFound:
		e.err = ErrNotFound
		// The lists exist on every server: their 404 means a wrong --api-url
		// (a path under the site root, say), not a missing check.
		if r.path == "checks/" || r.path == "channels/" || r.path == "badges/" {
			e.NoAPI = true
			e.Base = a.base
			if u, err := url.Parse(a.base); err == nil {
				u.User = nil
				e.Base = u.String()
			}
			e.Msg = "no Healthchecks API v3 under " + e.Base
		}
	case http.StatusConflict:
		e.err = ErrConflict
	case http.StatusForbidden:
		// The server says nothing (empty body, healthchecks-api.md §3.1-3.3):
		// a create is refused at the project's check limit; anything else
		// names a check of another project.
		if e.Msg == "" {
			e.Msg = "the check belongs to another project than the API key's"
			if r.method == http.MethodPost && r.path == "checks/" {
				e.Msg = "the project has reached its check limit"
			}
		}
	case http.StatusTooManyRequests:
		// Retried while the deadline allowed; say when the server will take
		// requests again (hosted: 100 a minute per project).
		msg := "rate limited by the server"
		if d, ok := httpx.RetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
			msg += fmt.Sprintf("; it asks to wait %s", d.Round(time.Second))
		}
		if e.Msg != "" {
			msg += ": " + e.Msg
		}
		e.Msg = msg
	case http.StatusUnauthorized:
		// A read-only key's writes get the same 401 "wrong api key" as a
		// wrong key (captures §4): tell them apart by a read, which a
		// read-only key may do.
		if r.rw && e.Msg == "wrong api key" && (a.ReadOnlyKey() || a.readWorks(ctx)) {
			e.ReadOnly = true
		}
	}
	return e
}

// readWorks probes with the cheapest read: a list filtered by a slug that
// cannot exist (slugs never contain a dot).
func (a *API) readWorks(ctx context.Context) bool {
	var out struct{}
	_, err := a.do(ctx, request{op: "probe key", method: http.MethodGet, path: "checks/", query: url.Values{"slug": {"key.probe"}}}, &out)
	return err == nil
}

// ListOptions filter a list: tags are ANDed.
type ListOptions struct {
	Tags []string
	Slug string
}

// Checks lists the project's checks. The v3 API has no pagination.
func (a *API) Checks(ctx context.Context, o ListOptions) ([]Check, error) {
	q := url.Values{}
	for _, t := range o.Tags {
		q.Add("tag", t)
	}
	if o.Slug != "" {
		q.Set("slug", o.Slug)
	}
	var out struct {
		Checks []Check `json:"checks"`
	}
	_, err := a.do(ctx, request{op: "list checks", method: http.MethodGet, path: "checks/", query: q}, &out)
	return out.Checks, err
}

// Check gets one check by UUID or unique_key.
func (a *API) Check(ctx context.Context, id string) (Check, error) {
	var c Check
	_, err := a.do(ctx, request{op: "get check " + id, method: http.MethodGet, path: "checks/" + url.PathEscape(id)}, &c)
	return c, err
}

// CreateCheck creates a check, or with spec.Unique updates the existing
// one it matches: created reports 201 versus 200.
func (a *API) CreateCheck(ctx context.Context, spec CheckSpec) (c Check, created bool, err error) {
	op := "create check"
	if spec.Name != nil {
		op += " " + strconv.Quote(*spec.Name)
	}
	st, err := a.do(ctx, request{op: op, method: http.MethodPost, path: "checks/", body: spec,
		idempotent: len(spec.Unique) > 0, rw: true}, &c)
	return c, st == http.StatusCreated, err
}

// UpdateCheck changes the given fields of check uuid.
func (a *API) UpdateCheck(ctx context.Context, uuid string, spec CheckSpec) (Check, error) {
	var c Check
	_, err := a.do(ctx, request{op: "update check " + uuid, method: http.MethodPost, path: "checks/" + url.PathEscape(uuid),
		body: spec, idempotent: true, rw: true}, &c)
	return c, err
}

// DeleteCheck deletes check uuid and returns what it was.
func (a *API) DeleteCheck(ctx context.Context, uuid string) (Check, error) {
	var c Check
	_, err := a.do(ctx, request{op: "delete check " + uuid, method: http.MethodDelete, path: "checks/" + url.PathEscape(uuid), rw: true}, &c)
	return c, err
}

// PauseCheck pauses check uuid (pausing a paused check changes nothing).
func (a *API) PauseCheck(ctx context.Context, uuid string) (Check, error) {
	var c Check
	_, err := a.do(ctx, request{op: "pause check " + uuid, method: http.MethodPost, path: "checks/" + url.PathEscape(uuid) + "/pause",
		idempotent: true, rw: true}, &c)
	return c, err
}

// ResumeCheck resumes a paused check; one that is not paused is ErrConflict.
func (a *API) ResumeCheck(ctx context.Context, uuid string) (Check, error) {
	var c Check
	_, err := a.do(ctx, request{op: "resume check " + uuid, method: http.MethodPost, path: "checks/" + url.PathEscape(uuid) + "/resume", rw: true}, &c)
	return c, err
}

// CheckPings lists a check's recent pings, newest first.
func (a *API) CheckPings(ctx context.Context, uuid string) ([]APIPing, error) {
	var out struct {
		Pings []APIPing `json:"pings"`
	}
	_, err := a.do(ctx, request{op: "list pings of " + uuid, method: http.MethodGet, path: "checks/" + url.PathEscape(uuid) + "/pings/", rw: true}, &out)
	return out.Pings, err
}

// PingBody returns the stored body of ping n of check uuid.
func (a *API) PingBody(ctx context.Context, uuid string, n int) ([]byte, error) {
	var b []byte
	_, err := a.do(ctx, request{op: fmt.Sprintf("get body of ping %d of %s", n, uuid), method: http.MethodGet,
		path: "checks/" + url.PathEscape(uuid) + "/pings/" + strconv.Itoa(n) + "/body", rw: true}, &b)
	return b, err
}

// FlipsOptions filter flips; zero values are not sent.
type FlipsOptions struct {
	Seconds    int64
	Start, End time.Time
}

// Flips lists a check's status changes, newest first. The server wraps
// them as {"flips":[...]} (the docs show a bare list; both are accepted).
func (a *API) Flips(ctx context.Context, id string, o FlipsOptions) ([]Flip, error) {
	q := url.Values{}
	if o.Seconds > 0 {
		q.Set("seconds", strconv.FormatInt(o.Seconds, 10))
	}
	if !o.Start.IsZero() {
		q.Set("start", strconv.FormatInt(o.Start.Unix(), 10))
	}
	if !o.End.IsZero() {
		q.Set("end", strconv.FormatInt(o.End.Unix(), 10))
	}
	var raw []byte
	if _, err := a.do(ctx, request{op: "list flips of " + id, method: http.MethodGet, path: "checks/" + url.PathEscape(id) + "/flips/", query: q}, &raw); err != nil {
		return nil, err
	}
	return decodeFlips(raw)
}

func decodeFlips(raw []byte) ([]Flip, error) {
	var wrapped struct {
		Flips []Flip `json:"flips"`
	}
	if err := json.Unmarshal(raw, &wrapped); err == nil {
		return wrapped.Flips, nil
	}
	var bare []Flip
	if err := json.Unmarshal(raw, &bare); err != nil {
		return nil, fmt.Errorf("list flips: the server's answer is not the JSON expected: %v", err)
	}
	return bare, nil
}

// Channels lists the project's integrations (read-write key only).
func (a *API) Channels(ctx context.Context) ([]Channel, error) {
	var out struct {
		Channels []Channel `json:"channels"`
	}
	_, err := a.do(ctx, request{op: "list channels", method: http.MethodGet, path: "channels/", rw: true}, &out)
	return out.Channels, err
}

// Badges lists badge URLs by tag.
func (a *API) Badges(ctx context.Context) (map[string]Badge, error) {
	var out struct {
		Badges map[string]Badge `json:"badges"`
	}
	_, err := a.do(ctx, request{op: "list badges", method: http.MethodGet, path: "badges/"}, &out)
	return out.Badges, err
}

// SortedBadgeTags returns the tags of a badge map, "*" last.
func SortedBadgeTags(b map[string]Badge) []string {
	var tags []string
	for t := range b {
		if t != "*" {
			tags = append(tags, t)
		}
	}
	sort.Strings(tags)
	if _, ok := b["*"]; ok {
		tags = append(tags, "*")
	}
	return tags
}

// limiter holds the client to at most n requests in any window of one
// period, the way the hosted API states its limit ("avoid more than 100 API
// requests per minute"). A token bucket of n refilled at n a period does
// not: it lets a full bucket through and then the refill, 100 + 21 in the
// first 12.6 s. So the limiter keeps the times of the last n requests and
// lets a request go once the n-th latest is a period old.
type limiter struct {
	mu     sync.Mutex
	period time.Duration
	times  []time.Time // the last n grants, a ring; next is the oldest once full
	next   int
	full   bool
	last   time.Time
	now    func() time.Time
	until  func(ctx context.Context, t time.Time) error // sleeps until t
}

func newLimiter(n int, period time.Duration) *limiter {
	return &limiter{period: period, times: make([]time.Time, n), now: time.Now, until: sleepUntil}
}

func sleepUntil(ctx context.Context, at time.Time) error {
	t := time.NewTimer(time.Until(at))
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// wait returns when the request may be sent. Concurrent callers reserve
// their slots in turn; a caller whose context ends gives its slot up
// unused, which only ever makes the rate lower.
func (l *limiter) wait(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	now, at := l.reserve()
	if at.After(now) {
		return l.until(ctx, at)
	}
	return nil
}

// reserve takes the next slot: now, or a period after the n-th latest grant.
func (l *limiter) reserve() (now, at time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now = l.now()
	at = now
	if l.full {
		at = later(at, l.times[l.next].Add(l.period))
	}
	at = later(at, l.last) // grants stay in order, so the ring stays sorted
	l.times[l.next] = at
	l.next = (l.next + 1) % len(l.times)
	l.full = l.full || l.next == 0
	l.last = at
	return now, at
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
