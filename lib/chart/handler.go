package chart

import (
	"io"
	"log/slog"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// HandlerOptions configures NewHandler.
type HandlerOptions struct {
	// MaxAge is the Cache-Control max-age of charts (default 24h).
	MaxAge time.Duration
	// CacheBytes bounds the cache of rendered charts (default 64 MiB;
	// negative turns the cache off).
	CacheBytes int
	// Scale is the PNG scale (default 2, for retina screens).
	Scale float64
	// Logger, when set, hears of datasets downsampled (at Info: -v).
	Logger *slog.Logger
}

// Handler serves charts, the documentation page and a health check.
type Handler struct {
	opts   HandlerOptions
	cache  *lru
	ccHdr  []string // Cache-Control of charts
	docs   *rendered
	docsCC []string
	// renders bounds concurrent PNG renders (cache hits skip it) so that
	// a burst of large distinct PNGs queues instead of exhausting memory
	// (a 4000x4000 bitmap is 16 MB). An SVG render needs a few hundred KB
	// at most and takes microseconds: queueing it would cost more.
	renders chan struct{}
}

// DefaultCacheBytes bounds the server's cache of rendered charts.
const DefaultCacheBytes = 64 << 20

// Security headers (ref §2.5): the SVG carries user text, so it may load or
// run nothing; the docs page may only show our own images.
const (
	svgCSP  = "default-src 'none'; style-src 'unsafe-inline'"
	docsCSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'"
)

// NewHandler returns the chartd HTTP handler:
//
//	GET|HEAD|POST /<any name>.svg|.png   a chart (POST: the query in the body)
//	GET /healthz                         "ok"
//	GET /                                documentation with live examples
func NewHandler(o HandlerOptions) *Handler {
	if o.MaxAge == 0 {
		o.MaxAge = 24 * time.Hour
	}
	if o.CacheBytes == 0 {
		o.CacheBytes = DefaultCacheBytes
	}
	if o.Scale == 0 {
		o.Scale = DefaultScale
	}
	h := &Handler{opts: o, ccHdr: []string{"public, max-age=" + strconv.Itoa(int(o.MaxAge/time.Second))},
		renders: make(chan struct{}, runtime.GOMAXPROCS(0))}
	if o.CacheBytes > 0 {
		h.cache = newLRU(o.CacheBytes)
	}
	h.docs = newRendered(cacheKey{}, docsPage())
	h.docsCC = []string{"public, max-age=300"}
	return h
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd["X-Content-Type-Options"] = hdrNosniff // canonical keys, shared values: the hot path
	path := r.URL.Path
	f, isChart := FormatOf(path)
	switch {
	case path == "/healthz":
		if !allow(w, r, false) {
			return
		}
		hd.Set("Content-Type", "text/plain; charset=utf-8")
		hd.Set("Cache-Control", "no-store")
		_, _ = io.WriteString(w, "ok\n")
	case path == "/" || path == "/index.html":
		if !allow(w, r, false) {
			return
		}
		hd.Set("Content-Type", "text/html; charset=utf-8")
		hd.Set("Content-Security-Policy", docsCSP)
		h.send(w, r, h.docs, h.docsCC)
	case isChart:
		if !allow(w, r, true) {
			return
		}
		h.chart(w, r, f)
	default:
		hd.Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, "chartd: not found; charts are /<name>.svg or /<name>.png, docs at /\n")
	}
}

func allow(w http.ResponseWriter, r *http.Request, post bool) bool {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		return true
	case http.MethodPost:
		if post {
			return true
		}
	}
	methods := "GET, HEAD"
	if post {
		methods += ", POST"
	}
	w.Header().Set("Allow", methods)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusMethodNotAllowed)
	_, _ = io.WriteString(w, "chartd: method not allowed\n")
	return false
}

func (h *Handler) chart(w http.ResponseWriter, r *http.Request, f Format) {
	// Set first: an error image (even for a body that cannot be read) is
	// the same type, under the same CSP, as the chart it replaces.
	if f == FormatPNG {
		w.Header()["Content-Type"] = hdrPNG
	} else {
		w.Header()["Content-Type"] = hdrSVG
		w.Header()["Content-Security-Policy"] = hdrSVGCSP
	}
	raw := r.URL.RawQuery
	if r.Method == http.MethodPost {
		// Long data goes in the body (ref §2.5); the URL's own query, if
		// any, comes first so the body's values win.
		body, err := io.ReadAll(io.LimitReader(r.Body, MaxBody+1))
		if err != nil {
			h.fail(w, f, raw, errf("", "reading the body: %v", err))
			return
		}
		if b := strings.TrimSpace(string(body)); b != "" {
			if raw != "" {
				raw += "&"
			}
			raw += b
		}
	}
	key := cacheKey{f, raw}
	if c, ok := h.cache.get(key); ok {
		h.send(w, r, c, h.ccHdr)
		return
	}
	if f == FormatPNG {
		select {
		case h.renders <- struct{}{}:
		case <-r.Context().Done():
			return // the client left while queued
		}
	}
	body, err := h.render(raw, f, r.Method == http.MethodPost)
	if f == FormatPNG {
		<-h.renders
	}
	if err != nil {
		h.fail(w, f, raw, err)
		return
	}
	c := newRendered(key, body)
	h.cache.add(c)
	h.send(w, r, c, h.ccHdr)
}

// render renders a raw query (of a POST: up to MaxBody) in format f at the
// handler's PNG scale.
func (h *Handler) render(raw string, f Format, post bool) ([]byte, error) {
	var q *Query
	var err error
	if post {
		q, err = ParseBody(raw)
	} else {
		q, err = Parse(raw)
	}
	if err != nil {
		return nil, err
	}
	if h.opts.Logger != nil {
		for i, d := range q.Datasets {
			if d.Given > 0 {
				h.opts.Logger.Info("downsampled", "dataset", i, "points", d.Given, "drawn", len(d.Points))
			}
		}
	}
	if f == FormatPNG {
		return RenderPNG(q, h.opts.Scale)
	}
	return RenderSVG(q), nil
}

// send writes c's body with its strong ETag (the output is a pure function
// of the request), answering 304 when the client already has it. Header
// values are shared slices, assigned under canonical keys: nothing is
// built per request.
func (h *Handler) send(w http.ResponseWriter, r *http.Request, c *rendered, cc []string) {
	hd := w.Header()
	hd["Etag"] = c.etag
	hd["Cache-Control"] = cc
	if inm := r.Header["If-None-Match"]; len(inm) > 0 && matchETag(strings.Join(inm, ","), c.etag[0]) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	hd["Content-Length"] = c.length
	_, _ = w.Write(c.body)
}

var (
	hdrNosniff = []string{"nosniff"}
	hdrPNG     = []string{"image/png"}
	hdrSVG     = []string{"image/svg+xml"}
	hdrSVGCSP  = []string{svgCSP}
)

// fail answers 400 with an image of the message for image requests (an <img>
// cannot show anything else), as wide as the chart asked for in raw when
// its w is valid, and the message in X-Chartd-Error for curl.
func (h *Handler) fail(w http.ResponseWriter, f Format, raw string, err error) {
	status := http.StatusBadRequest
	if !IsQueryError(err) {
		status = http.StatusInternalServerError
	}
	msg := err.Error()
	hd := w.Header()
	hd.Set("Cache-Control", "no-store")
	hd.Set("X-Chartd-Error", headerSafe(msg))
	hd.Del("ETag")
	sc := ErrorSceneWidth(msg, requestedWidth(raw))
	var body []byte
	if f == FormatPNG {
		if b, perr := sc.PNG(DefaultScale); perr == nil {
			body = b
		}
	} else {
		body = sc.SVG()
	}
	if body == nil {
		hd.Set("Content-Type", "text/plain; charset=utf-8")
		hd.Del("Content-Security-Policy")
		body = []byte("chartd: " + msg + "\n")
	}
	hd.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// requestedWidth is the query's w if it is valid, else 0.
func requestedWidth(raw string) int {
	if p, err := scanQuery(raw); err == nil {
		if w, err := side(p.get, "w"); err == nil {
			return w
		}
	}
	return 0
}

// headerSafe keeps printable ASCII so a message cannot split headers.
func headerSafe(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= 0x20 && r < 0x7F {
			b.WriteRune(r)
		} else {
			b.WriteByte('?')
		}
		if b.Len() >= 200 {
			break
		}
	}
	return b.String()
}

// matchETag implements If-None-Match's weak comparison (RFC 9110 §13.1.2).
func matchETag(header, etag string) bool {
	if header == "" {
		return false
	}
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == etag {
			return true
		}
	}
	return false
}

// CacheStats reports the number of cached charts and their bytes.
func (h *Handler) CacheStats() (entries, bytes int) {
	if h.cache == nil {
		return 0, 0
	}
	return h.cache.stats()
}
