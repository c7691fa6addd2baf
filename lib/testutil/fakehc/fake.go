package fakehc

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// The keys of the captures (healthchecks-captures.md, "Placeholders"); the
// fake uses them unless Options say otherwise.
const (
	DefaultAPIKey      = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" // read-write, 32 chars
	DefaultReadOnlyKey = "rrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr" // read-only, 32 chars
	DefaultPingKey     = "pppppppppppppppppppppp"           // project ping key, 22 chars
	DefaultBadgeKey    = "dddddddd-dddd-4ddd-8ddd-dddddd"   // 30 chars
	DefaultChannelID   = "cccccccc-cccc-4ccc-8ccc-cccccccccccc"
)

// Channel is one integration of the project.
type Channel struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Kind string `json:"kind"`
}

// Options configure a Fake. Zero values take the defaults shown.
type Options struct {
	APIKey        string // read-write key; DefaultAPIKey
	ReadOnlyKey   string // read-only key; DefaultReadOnlyKey; "-" for none
	PingKey       string // DefaultPingKey
	BadgeKey      string // DefaultBadgeKey
	Channels      []Channel
	PingBodyLimit int // bytes stored of a ping body; 10000 (self-hosted default); <0: no limit and no header
	PingLogLimit  int // pings listed by the API; 100 (self-hosted default)
	CheckLimit    int // checks the project may hold; 10000 (self-hosted without payments)

	// RateLimit, when > 0, answers 429 with Retry-After to a key's
	// Management API requests past RateLimit per RateWindow (hosted:
	// "avoid more than 100 API requests per minute"). Off by default, like
	// the open-source server. The window follows Now.
	RateLimit  int
	RateWindow time.Duration // default 1 minute

	// SitePath is the path of SITE_ROOT for a sub-path install
	// (SITE_ROOT=https://example.org/hc: "/hc"); "" serves at the host's
	// root. Outside it the fake answers an HTML 404, as the web server in
	// front of such an install would.
	SitePath string

	// Now is the clock for timestamps and status; time.Now by default.
	Now func() time.Time
	// NewUUID makes check UUIDs; by default a counter:
	// 00000001-0000-4000-8000-000000000001, ...
	NewUUID func() string
}

// Fake is a Healthchecks server's state and handler.
type Fake struct {
	URL string // site root once started, SitePath included (Start, or set by whoever serves it)

	opts Options

	mu       sync.Mutex
	checks   []*check // creation order, which is the list order
	byUUID   map[string]*check
	nextUUID int
	counts   map[Kind]int
	faults   []fault
	rate     map[string]*window
	stallCh  chan struct{} // closed by Release
	stalled  int
	changed  chan struct{} // closed and replaced on every recorded event
	requests int
}

// New returns a Fake with opts applied; it is an http.Handler.
func New(opts Options) *Fake {
	if opts.APIKey == "" {
		opts.APIKey = DefaultAPIKey
	}
	if opts.ReadOnlyKey == "" {
		opts.ReadOnlyKey = DefaultReadOnlyKey
	} else if opts.ReadOnlyKey == "-" {
		opts.ReadOnlyKey = ""
	}
	if opts.PingKey == "" {
		opts.PingKey = DefaultPingKey
	}
	if opts.BadgeKey == "" {
		opts.BadgeKey = DefaultBadgeKey
	}
	if opts.Channels == nil {
		opts.Channels = []Channel{{ID: DefaultChannelID, Name: "", Kind: "email"}}
	}
	if opts.PingBodyLimit == 0 {
		opts.PingBodyLimit = 10000
	}
	if opts.PingLogLimit <= 0 {
		opts.PingLogLimit = 100
	}
	if opts.CheckLimit <= 0 {
		opts.CheckLimit = 10000
	}
	if opts.RateWindow <= 0 {
		opts.RateWindow = time.Minute
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	opts.SitePath = strings.TrimRight(opts.SitePath, "/")
	if opts.SitePath != "" && !strings.HasPrefix(opts.SitePath, "/") {
		opts.SitePath = "/" + opts.SitePath
	}
	f := &Fake{
		opts:    opts,
		byUUID:  map[string]*check{},
		counts:  map[Kind]int{},
		rate:    map[string]*window{},
		stallCh: make(chan struct{}),
		changed: make(chan struct{}),
	}
	return f
}

// Start serves a new Fake on a loopback port for the test's lifetime.
func Start(t testing.TB, opts Options) *Fake {
	t.Helper()
	f := New(opts)
	srv := httptest.NewServer(f)
	f.URL = srv.URL + f.opts.SitePath
	t.Cleanup(func() {
		f.Release() // stalled handlers must return before Close can
		srv.Close()
	})
	return f
}

// Options returns the options in force (keys included), for tests.
func (f *Fake) Options() Options { return f.opts }

// PingURL is the ping endpoint of a check, as the server prints it.
func (f *Fake) PingURL(uuid string) string { return f.URL + "/ping/" + uuid }

// Kind names a class of request, for the counters and for faults.
type Kind string

// Request kinds. Writes are KindCreate, KindUpdate, KindDelete, KindPause
// and KindResume.
const (
	KindPing     Kind = "ping"     // any /ping/ request
	KindList     Kind = "list"     // GET /api/v3/checks/
	KindGet      Kind = "get"      // GET /api/v3/checks/<uuid|unique_key>
	KindCreate   Kind = "create"   // POST /api/v3/checks/
	KindUpdate   Kind = "update"   // POST /api/v3/checks/<uuid>
	KindDelete   Kind = "delete"   // DELETE /api/v3/checks/<uuid>
	KindPause    Kind = "pause"    // POST .../pause
	KindResume   Kind = "resume"   // POST .../resume
	KindPings    Kind = "pings"    // GET .../pings/
	KindBody     Kind = "body"     // GET .../pings/<n>/body
	KindFlips    Kind = "flips"    // GET .../flips/
	KindChannels Kind = "channels" // GET /api/v3/channels/
	KindBadges   Kind = "badges"   // GET /api/v3/badges/
	KindStatus   Kind = "status"   // GET /api/v3/status/
	KindBadge    Kind = "badge"    // GET /badge/...
	KindOther    Kind = "other"    // OPTIONS, unknown paths, other methods
)

// IsWrite reports whether requests of kind k change checks.
func (k Kind) IsWrite() bool {
	switch k {
	case KindCreate, KindUpdate, KindDelete, KindPause, KindResume:
		return true
	}
	return false
}

// Count returns how many requests of kind k arrived (including refused and
// faulted ones).
func (f *Fake) Count(k Kind) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.counts[k]
}

// Counts returns a copy of all counters.
func (f *Fake) Counts() map[Kind]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make(map[Kind]int, len(f.counts))
	for k, v := range f.counts {
		out[k] = v
	}
	return out
}

// Writes returns how many write requests arrived.
func (f *Fake) Writes() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for k, v := range f.counts {
		if k.IsWrite() {
			n += v
		}
	}
	return n
}

// ResetCounts zeroes the counters (for "the second run makes zero writes").
func (f *Fake) ResetCounts() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.counts = map[Kind]int{}
}

// Fault is what an injected failure answers instead of the real handler.
type Fault struct {
	Status     int    // e.g. 500, 502, 503, 429; 0 with Stall: the real answer after release
	RetryAfter string // Retry-After header value, if any
	Body       string // body; default empty
	// Stall holds the request until Release is called or the client gives
	// up (its context is done), then answers Status (or the real answer).
	Stall bool
	// Only limits the fault to these kinds of request; empty: any.
	Only []Kind
}

type fault struct {
	Fault
	left int
}

// Inject makes the next n matching requests fail with ft. Faults queue in
// the order injected; a request takes the first one that matches it.
func (f *Fake) Inject(n int, ft Fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if ft.Stall {
		select {
		case <-f.stallCh:
			f.stallCh = make(chan struct{}) // re-arm after an earlier Release
		default:
		}
	}
	f.faults = append(f.faults, fault{Fault: ft, left: n})
}

// ClearFaults drops the faults not used up yet.
func (f *Fake) ClearFaults() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults = nil
}

// Release lets every stalled request go on.
func (f *Fake) Release() {
	f.mu.Lock()
	defer f.mu.Unlock()
	select {
	case <-f.stallCh:
	default:
		close(f.stallCh)
	}
}

// Stalled returns how many requests are stalled now.
func (f *Fake) Stalled() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.stalled
}

// WaitFor blocks until cond (called with the fake unlocked) is true or ctx is
// done: tests wait on the fake's events instead of sleeping.
func (f *Fake) WaitFor(ctx context.Context, cond func() bool) error {
	for {
		f.mu.Lock()
		ch := f.changed
		f.mu.Unlock()
		if cond() {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("fakehc: waiting: %w", ctx.Err())
		}
	}
}

// notify wakes WaitFor; f.mu must be held.
func (f *Fake) notify() {
	close(f.changed)
	f.changed = make(chan struct{})
}

// takeFault pops the first fault matching k; f.mu must be held.
func (f *Fake) takeFault(k Kind) (Fault, bool) {
	for i := range f.faults {
		ft := &f.faults[i]
		if len(ft.Only) > 0 && !containsKind(ft.Only, k) {
			continue
		}
		out := ft.Fault
		ft.left--
		if ft.left <= 0 {
			f.faults = append(f.faults[:i], f.faults[i+1:]...)
		}
		return out, true
	}
	return Fault{}, false
}

func containsKind(ks []Kind, k Kind) bool {
	for _, x := range ks {
		if x == k {
			return true
		}
	}
	return false
}

// ServeHTTP routes a request to the Ping API, the Management API or a badge.
func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if f.opts.SitePath != "" {
		rest, ok := strings.CutPrefix(r.URL.Path, f.opts.SitePath)
		if !ok || !strings.HasPrefix(rest, "/") {
			f.mu.Lock()
			f.counts[KindOther]++
			f.requests++
			f.notify()
			f.mu.Unlock()
			notFoundPage(w)
			return
		}
		r2 := *r
		u := *r.URL
		u.Path, u.RawPath = rest, ""
		r2.URL = &u
		r = &r2
	}
	k := classify(r)
	// Headers every captured response carried unchanged (the captures
	// leave them out of each listing).
	h := w.Header()
	h.Set("X-Frame-Options", "DENY")
	h.Set("Vary", "Cookie")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	f.mu.Lock()
	f.counts[k]++
	f.requests++
	ft, faulted := f.takeFault(k)
	var stallCh chan struct{}
	if faulted && ft.Stall {
		stallCh = f.stallCh
		f.stalled++
	}
	f.notify()
	f.mu.Unlock()

	if faulted {
		if stallCh != nil {
			select {
			case <-stallCh:
			case <-r.Context().Done():
			}
			f.mu.Lock()
			f.stalled--
			f.notify()
			f.mu.Unlock()
			if r.Context().Err() != nil {
				return
			}
		}
		if ft.Status != 0 {
			if ft.RetryAfter != "" {
				w.Header().Set("Retry-After", ft.RetryAfter)
			}
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(ft.Status)
			_, _ = w.Write([]byte(ft.Body))
			return
		}
	}

	p := r.URL.Path
	switch {
	case strings.HasPrefix(p, "/ping/"):
		f.servePing(w, r)
	case strings.HasPrefix(p, "/api/v3/"):
		f.serveAPI(w, r, k)
	case strings.HasPrefix(p, "/badge/"):
		f.serveBadge(w, r)
	default:
		notFoundPage(w)
	}
}

// classify names the kind of r from its method and path alone.
func classify(r *http.Request) Kind {
	p := r.URL.Path
	if strings.HasPrefix(p, "/ping/") {
		return KindPing
	}
	if strings.HasPrefix(p, "/badge/") {
		return KindBadge
	}
	rest, ok := strings.CutPrefix(p, "/api/v3/")
	if !ok || r.Method == http.MethodOptions {
		return KindOther
	}
	get := r.Method == http.MethodGet || r.Method == http.MethodHead
	switch rest {
	case "status/":
		return KindStatus
	case "channels/":
		return KindChannels
	case "badges/":
		return KindBadges
	case "checks/":
		if get {
			return KindList
		}
		if r.Method == http.MethodPost {
			return KindCreate
		}
		return KindOther
	}
	parts := strings.Split(strings.TrimPrefix(rest, "checks/"), "/")
	if !strings.HasPrefix(rest, "checks/") {
		return KindOther
	}
	switch {
	case len(parts) == 1:
		switch {
		case get:
			return KindGet
		case r.Method == http.MethodPost:
			return KindUpdate
		case r.Method == http.MethodDelete:
			return KindDelete
		}
	case len(parts) == 2 && parts[1] == "pause" && r.Method == http.MethodPost:
		return KindPause
	case len(parts) == 2 && parts[1] == "resume" && r.Method == http.MethodPost:
		return KindResume
	case len(parts) == 3 && parts[1] == "pings" && parts[2] == "" && get:
		return KindPings
	case len(parts) == 3 && parts[1] == "flips" && parts[2] == "" && get:
		return KindFlips
	case len(parts) == 4 && parts[1] == "pings" && parts[3] == "body" && get:
		return KindBody
	}
	return KindOther
}

// notFoundPage is Django's generic 404 page (179 bytes, leading newline),
// which the captures show for unknown routes, unknown or malformed check
// UUIDs in the Management API, and ping bodies that do not exist.
func notFoundPage(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusNotFound)
	_, _ = w.Write([]byte(notFoundHTML))
}

const notFoundHTML = "\n<!doctype html>\n<html lang=\"en\">\n<head>\n  <title>Not Found</title>\n</head>\n<body>\n" +
	"  <h1>Not Found</h1><p>The requested resource was not found on this server.</p>\n</body>\n</html>\n"
