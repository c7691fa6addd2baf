// Package fakestathat is the one faithful fake of StatHat's EZ API used by
// cronkit's tests, the e2e scripts and the demo. It follows
// /work/shared/reference/stathat-api.md: form or query posts to /ez with
// ezkey (or the old alias email), stat, count|value and t; JSON bulk posts to
// /ez with {"ezkey","data":[...]} and Content-Type application/json; the
// `prefix~a,b` multi-stat form; 204 No Content on success since May 2017;
// vb=1 for the old verbose 200 {"status":200,"msg":"ok"}; failures that are a
// 200 whose JSON body says "status":500; 5xx outages; slow answers; 429.
// It records every accepted point for assertions. It is not a public API.
package fakestathat

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Mode is how the fake answers a post.
type Mode string

const (
	// OK is today's StatHat: 204 No Content, or 200 with the verbose body when vb=1.
	OK Mode = "ok"
	// BodyStatus500 answers 200 with {"status":500,"msg":...} and records nothing
	// (patrickxb/stathat PR #8: "failures return a status: 500 in their body,
	// but still have a 200 success code").
	BodyStatus500 Mode = "body500"
	// BodyStatusString answers 200 with {"status":"error","msg":...}: the
	// string status of StatHat-compatible services (ezstat documents "ok").
	BodyStatusString Mode = "bodystring"
	// ServerError answers 500 Internal Server Error and records nothing.
	ServerError Mode = "500"
	// Unavailable answers 503 "Back-end server is at capacity" (shlibs issue #22).
	Unavailable Mode = "503"
	// TooMany answers 429 with Retry-After: 1 (no 429 is documented; compatible
	// services and proxies send it).
	TooMany Mode = "429"
	// Stall accepts the connection and never answers until the client gives up
	// (or StallFor passes), recording nothing.
	Stall Mode = "stall"
	// AcceptThen500 records the points, then answers 500: the ambiguous failure
	// where the data arrived but the client cannot know.
	AcceptThen500 Mode = "accept500"
	// VerboseAlways answers every success with the old 200 JSON body, as
	// StatHat did before May 2017 and as compatible services may.
	VerboseAlways Mode = "verbose"
)

// Modes lists every mode, for flags and errors.
var Modes = []Mode{OK, BodyStatus500, BodyStatusString, ServerError, Unavailable, TooMany, Stall, AcceptThen500, VerboseAlways}

// ParseMode accepts a Mode's name.
func ParseMode(s string) (Mode, error) {
	for _, m := range Modes {
		if string(m) == s {
			return m, nil
		}
	}
	return "", fmt.Errorf("unknown mode %q", s)
}

// Point is one stat update that StatHat accepted (after `~` expansion).
type Point struct {
	Stat  string   `json:"stat"`
	Count *float64 `json:"count,omitempty"`
	Value *float64 `json:"value,omitempty"`
	T     int64    `json:"t,omitempty"` // 0: not given (server receive time)
	EZKey string   `json:"ezkey"`
	Via   string   `json:"via"` // "form", "query" or "json"
}

// Request is one HTTP request as it arrived.
type Request struct {
	Method      string `json:"method"`
	Path        string `json:"path"`
	Query       string `json:"query"`
	ContentType string `json:"content_type"`
	Body        string `json:"body"`
	Status      int    `json:"status"` // what the fake answered
}

// Fake is the fake StatHat. The zero value is not usable: call New.
type Fake struct {
	mu       sync.Mutex
	mode     Mode
	script   []Mode // modes for the next requests, then mode
	points   []Point
	reqs     []Request
	nreq     int
	npoints  int
	record   bool
	stallFor time.Duration
	stop     chan struct{}
	stopOnce sync.Once
	keys     map[string]bool // accepted ezkeys; nil: any non-empty key
}

// Options configure a Fake.
type Options struct {
	// Light skips recording points and requests (counting only) and skips
	// per-item JSON validation, for benchmarks where the fake shares the CPU.
	Light bool
	// StallFor bounds how long Stall holds a request (default: until the
	// client goes away or Close).
	StallFor time.Duration
	// Keys, if set, are the only ezkeys accepted; others get the 200 with
	// "status":500 that StatHat sends for errors.
	Keys []string
}

// New returns a Fake in mode OK.
func New(o Options) *Fake {
	f := &Fake{mode: OK, record: !o.Light, stallFor: o.StallFor, stop: make(chan struct{})}
	if len(o.Keys) > 0 {
		f.keys = map[string]bool{}
		for _, k := range o.Keys {
			f.keys[k] = true
		}
	}
	return f
}

// SetMode sets how every following request is answered.
func (f *Fake) SetMode(m Mode) {
	f.mu.Lock()
	f.mode = m
	f.script = nil
	f.mu.Unlock()
}

// Script makes the next len(ms) requests answer in the given modes, in order;
// later requests use the current mode.
func (f *Fake) Script(ms ...Mode) {
	f.mu.Lock()
	f.script = append(f.script, ms...)
	f.mu.Unlock()
}

// Points returns a copy of the accepted points, in arrival order.
func (f *Fake) Points() []Point {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Point(nil), f.points...)
}

// Requests returns a copy of the requests received, in order.
func (f *Fake) Requests() []Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Request(nil), f.reqs...)
}

// Counts returns how many requests arrived and how many points were accepted
// (the only figures kept in Light mode).
func (f *Fake) Counts() (requests, points int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.nreq, f.npoints
}

// Reset forgets what arrived and goes back to mode OK.
func (f *Fake) Reset() {
	f.mu.Lock()
	f.points, f.reqs, f.nreq, f.npoints, f.mode, f.script = nil, nil, 0, 0, OK, nil
	f.mu.Unlock()
}

// Close releases stalled requests.
func (f *Fake) Close() { f.stopOnce.Do(func() { close(f.stop) }) }

// Handler serves /ez like StatHat, plus /_fake/ control endpoints for
// processes that cannot call the Go API (the standalone runner):
// GET /_fake/points (JSON lines), GET /_fake/requests (JSON lines),
// GET /_fake/counts, POST /_fake/mode?mode=M[&then=M2,...], POST /_fake/reset.
func (f *Fake) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/ez", f.serveEZ)
	mux.HandleFunc("/_fake/points", func(w http.ResponseWriter, r *http.Request) {
		enc := json.NewEncoder(w)
		for _, p := range f.Points() {
			_ = enc.Encode(p)
		}
	})
	mux.HandleFunc("/_fake/requests", func(w http.ResponseWriter, r *http.Request) {
		enc := json.NewEncoder(w)
		for _, q := range f.Requests() {
			_ = enc.Encode(q)
		}
	})
	mux.HandleFunc("/_fake/counts", func(w http.ResponseWriter, r *http.Request) {
		n, p := f.Counts()
		fmt.Fprintf(w, "{\"requests\":%d,\"points\":%d}\n", n, p)
	})
	mux.HandleFunc("/_fake/reset", func(w http.ResponseWriter, r *http.Request) { f.Reset() })
	mux.HandleFunc("/_fake/mode", func(w http.ResponseWriter, r *http.Request) {
		m, err := ParseMode(r.FormValue("mode"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		var then []Mode
		if s := r.FormValue("then"); s != "" {
			for _, p := range strings.Split(s, ",") {
				tm, err := ParseMode(p)
				if err != nil {
					http.Error(w, err.Error(), http.StatusBadRequest)
					return
				}
				then = append(then, tm)
			}
		}
		// "mode=M" sets the standing mode; "then" scripts the next answers first.
		f.SetMode(m)
		f.Script(then...)
	})
	return mux
}

func (f *Fake) nextMode() Mode {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.nreq++
	if len(f.script) > 0 {
		m := f.script[0]
		f.script = f.script[1:]
		return m
	}
	return f.mode
}

func (f *Fake) serveEZ(w http.ResponseWriter, r *http.Request) {
	mode := f.nextMode()
	body, _ := io.ReadAll(io.LimitReader(r.Body, 64<<20))
	rec := Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, ContentType: r.Header.Get("Content-Type"), Body: string(body)}
	status := f.answer(w, r, mode, body)
	rec.Status = status
	if f.record {
		f.mu.Lock()
		f.reqs = append(f.reqs, rec)
		f.mu.Unlock()
	}
}

// answer writes the response and returns its status.
func (f *Fake) answer(w http.ResponseWriter, r *http.Request, mode Mode, body []byte) int {
	switch mode {
	case ServerError:
		http.Error(w, "Internal Server Error", http.StatusInternalServerError)
		return 500
	case Unavailable:
		http.Error(w, "Back-end server is at capacity", http.StatusServiceUnavailable)
		return 503
	case TooMany:
		w.Header().Set("Retry-After", "1")
		http.Error(w, "Too Many Requests", http.StatusTooManyRequests)
		return 429
	case Stall:
		var limit <-chan time.Time
		if f.stallFor > 0 {
			t := time.NewTimer(f.stallFor)
			defer t.Stop()
			limit = t.C
		}
		select {
		case <-r.Context().Done():
		case <-f.stop:
		case <-limit:
		}
		http.Error(w, "stalled", http.StatusGatewayTimeout)
		return 504
	case BodyStatus500:
		return writeJSON(w, 200, `{"status":500,"msg":"internal error"}`)
	case BodyStatusString:
		return writeJSON(w, 200, `{"status":"error","msg":"internal error"}`)
	}
	if r.Method != http.MethodPost && r.Method != http.MethodGet {
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "Method Not Allowed", http.StatusMethodNotAllowed)
		return 405
	}
	var pts []Point
	var err error
	verbose := r.URL.Query().Get("vb") == "1"
	ct := r.Header.Get("Content-Type")
	if strings.HasPrefix(ct, "application/json") {
		pts, err = f.parseJSON(body)
	} else {
		var form url.Values
		form, err = url.ParseQuery(r.URL.RawQuery)
		via := "query"
		if err == nil && r.Method == http.MethodPost && len(body) > 0 {
			var bf url.Values
			if bf, err = url.ParseQuery(string(body)); err == nil {
				for k, v := range bf {
					form[k] = append(form[k], v...)
				}
				via = "form"
			}
		}
		if err == nil {
			verbose = verbose || form.Get("vb") == "1"
			pts, err = f.parseForm(form, via)
		}
	}
	if err != nil {
		// StatHat reports errors in a JSON body (with a 200, per PR #8).
		msg, _ := json.Marshal(err.Error())
		return writeJSON(w, 200, `{"status":500,"msg":`+string(msg)+`}`)
	}
	f.mu.Lock()
	f.npoints += len(pts)
	if f.record {
		f.points = append(f.points, pts...)
	}
	f.mu.Unlock()
	switch {
	case mode == AcceptThen500:
		http.Error(w, "Internal Server Error", http.StatusInternalServerError)
		return 500
	case verbose || mode == VerboseAlways:
		return writeJSON(w, 200, `{"status":200,"msg":"ok"}`)
	}
	// Since May 2017: 204, no body (blog.stathat.com/2017/05/05/bandwidth.html).
	w.WriteHeader(http.StatusNoContent)
	return 204
}

func writeJSON(w http.ResponseWriter, status int, body string) int {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
	return status
}

func (f *Fake) checkKey(k string) error {
	if k == "" {
		return fmt.Errorf("no ezkey")
	}
	if f.keys != nil && !f.keys[k] {
		return fmt.Errorf("invalid ezkey")
	}
	return nil
}

func (f *Fake) parseForm(form url.Values, via string) ([]Point, error) {
	key := form.Get("ezkey")
	if key == "" {
		key = form.Get("email") // old alias, still accepted
	}
	if err := f.checkKey(key); err != nil {
		return nil, err
	}
	p := Point{Stat: form.Get("stat"), EZKey: key, Via: via}
	if c, v := form.Get("count"), form.Get("value"); c != "" || v != "" {
		if c != "" && v != "" {
			return nil, fmt.Errorf("both count and value")
		}
		s := c + v
		x, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("invalid number %q", s)
		}
		if c != "" {
			p.Count = &x
		} else {
			p.Value = &x
		}
	} else {
		return nil, fmt.Errorf("must include a count or value parameter")
	}
	if t := form.Get("t"); t != "" {
		n, err := strconv.ParseInt(t, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("invalid t %q", t)
		}
		p.T = n
	}
	return expand(p)
}

type bulkItem struct {
	Stat  *string          `json:"stat"`
	Count *json.RawMessage `json:"count"`
	Value *json.RawMessage `json:"value"`
	T     *int64           `json:"t"`
}

func (f *Fake) parseJSON(body []byte) ([]Point, error) {
	if !f.record {
		// Light: count items without decoding them, to leave the CPU to the client.
		i := bytes.Index(body, []byte(`"data":`))
		k := bytes.Index(body, []byte(`"ezkey":"`))
		if i < 0 {
			return nil, fmt.Errorf("no data")
		}
		key := ""
		if k >= 0 {
			rest := body[k+len(`"ezkey":"`):]
			if e := bytes.IndexByte(rest, '"'); e >= 0 {
				key = string(rest[:e])
			}
		}
		if err := f.checkKey(key); err != nil {
			return nil, err
		}
		return make([]Point, bytes.Count(body[i:], []byte(`"stat":`))), nil
	}
	var req struct {
		EZKey string     `json:"ezkey"`
		Email string     `json:"email"`
		Data  []bulkItem `json:"data"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&req); err != nil {
		return nil, fmt.Errorf("invalid JSON: %v", err)
	}
	key := req.EZKey
	if key == "" {
		key = req.Email
	}
	if err := f.checkKey(key); err != nil {
		return nil, err
	}
	if len(req.Data) == 0 {
		return nil, fmt.Errorf("no data")
	}
	var out []Point
	for i, it := range req.Data {
		if it.Stat == nil {
			return nil, fmt.Errorf("data[%d]: no stat", i)
		}
		p := Point{Stat: *it.Stat, EZKey: key, Via: "json"}
		num := func(raw *json.RawMessage) (*float64, error) {
			var x float64
			if err := json.Unmarshal(*raw, &x); err != nil {
				return nil, fmt.Errorf("data[%d]: invalid number %s", i, *raw)
			}
			return &x, nil
		}
		var err error
		switch {
		case it.Count != nil && it.Value != nil:
			return nil, fmt.Errorf("data[%d]: both count and value", i)
		case it.Count != nil:
			p.Count, err = num(it.Count)
		case it.Value != nil:
			p.Value, err = num(it.Value)
		default:
			return nil, fmt.Errorf("data[%d]: must include a count or value", i)
		}
		if err != nil {
			return nil, err
		}
		if it.T != nil {
			p.T = *it.T
		}
		ps, err := expand(p)
		if err != nil {
			return nil, fmt.Errorf("data[%d]: %v", i, err)
		}
		out = append(out, ps...)
	}
	return out, nil
}

// expand checks the name and applies the `prefix~a,b` multi-stat form:
// the same update goes to "prefix a" and "prefix b".
func expand(p Point) ([]Point, error) {
	if err := checkName(p.Stat); err != nil {
		return nil, err
	}
	prefix, list, ok := strings.Cut(p.Stat, "~")
	if !ok {
		return []Point{p}, nil
	}
	var out []Point
	for _, part := range strings.Split(list, ",") {
		q := p
		q.Stat = prefix + " " + part
		if err := checkName(q.Stat); err != nil {
			return nil, err
		}
		out = append(out, q)
	}
	return out, nil
}

func checkName(s string) error {
	if s == "" {
		return fmt.Errorf("no stat name")
	}
	if utf8.RuneCountInString(s) > 255 {
		return fmt.Errorf("stat name longer than 255 characters")
	}
	if strings.Count(s, "~") > 1 {
		return fmt.Errorf("stat name has more than one ~")
	}
	return nil
}
