package chart

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html"
	"image/png"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

func get(t *testing.T, h http.Handler, method, target, body string, hdr map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, target, rd)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestHandlerSVG(t *testing.T) {
	h := NewHandler(HandlerOptions{})
	rec := get(t, h, "GET", "/a.svg?"+temperature, "", nil)
	if rec.Code != 200 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	want := RenderSVG(mustParse(t, temperature))
	if !bytes.Equal(rec.Body.Bytes(), want) {
		t.Error("body differs from RenderSVG")
	}
	hd := rec.Header()
	for k, v := range map[string]string{
		"Content-Type":            "image/svg+xml",
		"X-Content-Type-Options":  "nosniff",
		"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
		"Cache-Control":           "public, max-age=86400",
	} {
		if hd.Get(k) != v {
			t.Errorf("%s = %q, want %q", k, hd.Get(k), v)
		}
	}
	etag := hd.Get("ETag")
	if !regexp.MustCompile(`^"[0-9a-f]{24}"$`).MatchString(etag) {
		t.Fatalf("ETag %q is not strong", etag)
	}
	// Same query, another handler (no shared cache): same ETag.
	if e2 := get(t, NewHandler(HandlerOptions{CacheBytes: -1}), "GET", "/other-name.svg?"+temperature, "", nil).Header().Get("ETag"); e2 != etag {
		t.Errorf("ETag not deterministic: %s vs %s", etag, e2)
	}
	for _, inm := range []string{etag, "W/" + etag, `"x", ` + etag, "*"} {
		r := get(t, h, "GET", "/a.svg?"+temperature, "", map[string]string{"If-None-Match": inm})
		if r.Code != 304 || r.Body.Len() != 0 || r.Header().Get("ETag") != etag {
			t.Errorf("If-None-Match %s: %d, %d bytes", inm, r.Code, r.Body.Len())
		}
	}
	if r := get(t, h, "GET", "/a.svg?"+temperature, "", map[string]string{"If-None-Match": `"other"`}); r.Code != 200 {
		t.Errorf("non-matching If-None-Match: %d", r.Code)
	}
	if r := get(t, h, "HEAD", "/a.svg?"+temperature, "", nil); r.Code != 200 || r.Header().Get("ETag") != etag {
		t.Errorf("HEAD: %d", r.Code)
	}
}

func TestHandlerPNG(t *testing.T) {
	h := NewHandler(HandlerOptions{})
	rec := get(t, h, "GET", "/chart.png?w=300&h=100&d0=AZ9", "", nil)
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "image/png" || rec.Header().Get("Content-Security-Policy") != "" {
		t.Fatalf("status %d, headers %v", rec.Code, rec.Header())
	}
	img, err := png.Decode(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 600 || b.Dy() != 200 {
		t.Errorf("PNG is %v, want 600x200 (2x)", b)
	}
	rec = get(t, NewHandler(HandlerOptions{Scale: 1}), "GET", "/chart.png?w=300&h=100&d0=AZ9", "", nil)
	if img, err := png.Decode(rec.Body); err != nil || img.Bounds().Dx() != 300 {
		t.Errorf("scale 1: %v", err)
	}
}

func TestHandlerPOST(t *testing.T) {
	h := NewHandler(HandlerOptions{})
	long := "w=580&h=180&d0=" + series(4096, 0) + "&d1=" + series(3000, 1)
	rec := get(t, h, "POST", "/a.svg?t=Long", long, map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
	if rec.Code != 200 {
		t.Fatalf("status %d: %s", rec.Code, rec.Header().Get("X-Chartd-Error"))
	}
	if want := RenderSVG(mustParse(t, "t=Long&"+long)); !bytes.Equal(rec.Body.Bytes(), want) {
		t.Error("POST body differs")
	}
	// A day of 15-second samples (5,760 points) is more than a dataset
	// holds: downsampled (LTTB), with its extremes, and logged.
	var logBuf bytes.Buffer
	h = NewHandler(HandlerOptions{Logger: slog.New(slog.NewTextHandler(&logBuf, nil))})
	day := "w=580&h=180&d0=" + strings.Repeat("A", 2000) + "9" + strings.Repeat("e", 3759)
	rec = get(t, h, "POST", "/a.svg", day, nil)
	if rec.Code != 200 {
		t.Fatalf("5760 points: status %d: %s", rec.Code, rec.Header().Get("X-Chartd-Error"))
	}
	q, err := ParseBody(day)
	if err != nil || q.Datasets[0].Given != 5760 || len(q.Datasets[0].Points) > MaxPoints || !bytes.Contains([]byte(string(indexString(q.Datasets[0].Points))), []byte("A9e")) {
		t.Fatalf("5760 points parsed: %v %+v", err, q.Datasets[0].Given)
	}
	if !strings.Contains(logBuf.String(), "msg=downsampled dataset=0 points=5760 drawn=") {
		t.Errorf("log: %s", logBuf.String())
	}
	rec = get(t, h, "POST", "/a.png", "w=10&h=10&d0="+strings.Repeat("A", MaxBody), nil)
	if rec.Code != 400 || !strings.Contains(rec.Header().Get("X-Chartd-Error"), "query is") || rec.Header().Get("Content-Type") != "image/png" {
		t.Errorf("too long POST: %d %v", rec.Code, rec.Header())
	}
	if _, err := png.Decode(rec.Body); err != nil {
		t.Errorf("error PNG: %v", err)
	}
}

func TestHandlerErrors(t *testing.T) {
	h := NewHandler(HandlerOptions{})
	rec := get(t, h, "GET", "/a.svg?w=580&h=180&d0=bad!", "", nil)
	if rec.Code != 400 || rec.Header().Get("Content-Type") != "image/svg+xml" || rec.Header().Get("Cache-Control") != "no-store" || rec.Header().Get("ETag") != "" {
		t.Fatalf("bad query: %d %v", rec.Code, rec.Header())
	}
	if got := rec.Header().Get("X-Chartd-Error"); got != "d0: invalid character '!' at 4 (want A-Z a-z 0-9 or _)" {
		t.Errorf("X-Chartd-Error = %q", got)
	}
	checkSVG(t, rec.Body.Bytes())
	if !bytes.Contains(rec.Body.Bytes(), []byte("invalid character")) {
		t.Error("error image lacks the message")
	}
	// A title cannot inject markup into the error image either.
	rec = get(t, h, "GET", "/a.svg?w=1&h=1&d0=A&tz=%3Cscript%3E", "", nil)
	checkSVG(t, rec.Body.Bytes())
	if bytes.Contains(rec.Body.Bytes(), []byte("<script")) {
		t.Error("markup reached the error image")
	}
	for _, tt := range []struct {
		method, target string
		code           int
	}{
		{"GET", "/nothing", 404},
		{"GET", "/a.gif?w=1", 404},
		{"DELETE", "/a.svg?w=1", 405},
		{"POST", "/healthz", 405},
		{"PUT", "/", 405},
	} {
		if r := get(t, h, tt.method, tt.target, "", nil); r.Code != tt.code {
			t.Errorf("%s %s: %d, want %d", tt.method, tt.target, r.Code, tt.code)
		}
	}
}

func TestHandlerHealthAndDocs(t *testing.T) {
	h := NewHandler(HandlerOptions{})
	if r := get(t, h, "GET", "/healthz", "", nil); r.Code != 200 || r.Body.String() != "ok\n" {
		t.Errorf("healthz: %d %q", r.Code, r.Body)
	}
	r := get(t, h, "GET", "/", "", nil)
	if r.Code != 200 || !strings.HasPrefix(r.Header().Get("Content-Type"), "text/html") || !strings.Contains(r.Header().Get("Content-Security-Policy"), "img-src 'self'") {
		t.Fatalf("docs: %d %v", r.Code, r.Header())
	}
	page := r.Body.String()
	// Every documented parameter is on the page with a live example, and
	// every example renders (the one meant to fail, with a 400 image).
	for _, p := range []string{"w, h, d0", "d1 … d4", "ymin, ymax", "ol=1", "or=1", "<code>t</code>", "step=1", "hl=1", "xmin, xmax, tz", "s0 … s4", "f0 … f4", "POST", "16 KiB", "2000"} {
		if !strings.Contains(page, p) {
			t.Errorf("docs page lacks %q", p)
		}
	}
	for _, e := range Examples {
		if !strings.Contains(page, `src="`+strings.ReplaceAll(e.Query, "&", "&amp;")+`"`) {
			t.Errorf("docs page lacks the image for %s", e.Param)
		}
		rec := get(t, h, "GET", "/"+e.Query, "", nil)
		if want := 200; e.Param == "errors" {
			if rec.Code != 400 {
				t.Errorf("example %s: %d", e.Param, rec.Code)
			}
		} else if rec.Code != want {
			t.Errorf("example %s: %d %s", e.Param, rec.Code, rec.Header().Get("X-Chartd-Error"))
		}
	}
}

func TestHandlerCacheBounded(t *testing.T) {
	h := NewHandler(HandlerOptions{CacheBytes: 64 << 10})
	for i := 0; i < 200; i++ {
		q := "w=580&h=180&d0=" + series(50+i, 0)
		if r := get(t, h, "GET", "/a.svg?"+q, "", nil); r.Code != 200 {
			t.Fatal(r.Code)
		}
	}
	n, size := h.CacheStats()
	if size > 64<<10 || n == 0 || n == 200 {
		t.Errorf("cache holds %d entries, %d bytes; bound 64 KiB", n, size)
	}
	// A hit is served from the cache with the same bytes.
	q := "/a.svg?w=580&h=180&d0=" + series(249, 0)
	a, b := get(t, h, "GET", q, "", nil), get(t, h, "GET", q, "", nil)
	if !bytes.Equal(a.Body.Bytes(), b.Body.Bytes()) || a.Header().Get("ETag") != b.Header().Get("ETag") {
		t.Error("cached response differs")
	}
}

func TestAccessLog(t *testing.T) {
	var buf bytes.Buffer
	now := func() time.Time { return time.Date(2026, 11, 22, 21, 5, 0, 0, time.UTC) }
	h := AccessLog(NewHandler(HandlerOptions{}), &buf, now)
	req := httptest.NewRequest("GET", `/a.svg?w=5&h=5&d0=AB`, nil)
	req.RemoteAddr = "127.0.0.1:5555"
	h.ServeHTTP(httptest.NewRecorder(), req)
	req = httptest.NewRequest("GET", "/nope", nil)
	req.RequestURI = "/nope\"\n"
	req.RemoteAddr = "127.0.0.1:5555"
	h.ServeHTTP(httptest.NewRecorder(), req)
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("log: %q", buf.String())
	}
	size := len(RenderSVG(mustParse(t, "w=5&h=5&d0=AB")))
	if want := `127.0.0.1 - - [22/Nov/2026:21:05:00 +0000] "GET /a.svg?w=5&h=5&d0=AB HTTP/1.1" 200 ` + strconv.Itoa(size); lines[0] != want {
		t.Errorf("log line\n got %s\nwant %s", lines[0], want)
	}
	if want := `127.0.0.1 - - [22/Nov/2026:21:05:00 +0000] "GET /nope\"\x0a HTTP/1.1" 404 `; !strings.HasPrefix(lines[1], want) {
		t.Errorf("escaped log line %s", lines[1])
	}
}

// Serve answers until ctx ends, then lets an in-flight request finish.
func TestServeGracefulShutdown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	started := make(chan struct{})
	mux := http.NewServeMux()
	mux.Handle("/", NewHandler(HandlerOptions{}))
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-release
		_, _ = io.WriteString(w, "done")
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, ln, mux, ServerOptions{ShutdownGrace: 5 * time.Second}) }()
	base := "http://" + ln.Addr().String()
	resp, err := http.Get(base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	slow := make(chan string, 1)
	go func() {
		resp, err := http.Get(base + "/slow")
		if err != nil {
			slow <- err.Error()
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		slow <- string(b)
	}()
	<-started
	cancel()
	// New connections are refused once shutdown began (poll with a deadline).
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", ln.Addr().String(), time.Second)
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("still accepting after shutdown")
		}
		time.Sleep(10 * time.Millisecond)
	}
	close(release)
	if got := <-slow; got != "done" {
		t.Errorf("in-flight request: %q", got)
	}
	if err := <-done; err != nil {
		t.Errorf("Serve: %v", err)
	}
}

// The cache evicts the least recently used entry: a hit counts as a use.
func TestLRUOrder(t *testing.T) {
	body := bytes.Repeat([]byte("x"), 100)
	one := cost(newRendered(cacheKey{FormatSVG, "a"}, body))
	c := newLRU(5*one + one/2) // room for five
	for _, k := range []string{"a", "b", "c", "d", "e"} {
		c.add(newRendered(cacheKey{FormatSVG, k}, body))
	}
	if _, ok := c.get(cacheKey{FormatSVG, "a"}); !ok { // a is now the most recent
		t.Fatal("a missing")
	}
	c.add(newRendered(cacheKey{FormatSVG, "f"}, body)) // evicts b
	for k, want := range map[string]bool{"a": true, "b": false, "c": true, "d": true, "e": true, "f": true} {
		if _, ok := c.get(cacheKey{FormatSVG, k}); ok != want {
			t.Errorf("%s cached: %v, want %v", k, ok, want)
		}
	}
	if _, ok := c.get(cacheKey{FormatPNG, "a"}); ok {
		t.Error("the format is part of the key")
	}
	if n, size := c.stats(); n != 5 || size != 5*one {
		t.Errorf("stats %d entries %d bytes, want 5, %d", n, size, 5*one)
	}
}

// Serve applies its read and write timeouts: a client that never finishes
// its request headers (slowloris) is cut off after ReadTimeout, and a
// response to a client that stops reading fails after WriteTimeout instead
// of holding its goroutine for ever.
func TestServeTimeouts(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	writeErr := make(chan error, 1)
	mux := http.NewServeMux()
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) {
		chunk := bytes.Repeat([]byte("x"), 64<<10)
		for i := 0; i < 1<<14; i++ { // bounded: 1 GiB
			if _, err := w.Write(chunk); err != nil {
				writeErr <- err
				return
			}
		}
		writeErr <- nil
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- Serve(ctx, ln, mux, ServerOptions{ReadTimeout: 300 * time.Millisecond, WriteTimeout: 300 * time.Millisecond})
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	}()

	// Read timeout: half a request, then silence; the server hangs up.
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n"); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.ReadAll(c); err != nil {
		t.Fatalf("read timeout: the server did not hang up within 5s: %v", err)
	}
	if d := time.Since(start); d > 4*time.Second {
		t.Errorf("hung up after %v", d)
	}

	// Write timeout: ask for a big body and never read it.
	c2, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	if _, err := io.WriteString(c2, "GET /big HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-writeErr:
		if err == nil {
			t.Error("a 1 GiB response to a client that does not read succeeded")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("write timeout: the handler's write still blocks after 5s")
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("connection reset") }

// A POST body that cannot be read still gets an error image of the
// requested type, with the SVG's CSP: never a sniffed, unprotected body.
func TestHandlerPOSTBodyError(t *testing.T) {
	h := NewHandler(HandlerOptions{})
	for _, tt := range []struct{ path, ctype string }{{"/a.svg", "image/svg+xml"}, {"/a.png", "image/png"}} {
		req := httptest.NewRequest("POST", tt.path, failingReader{})
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 400 || rec.Header().Get("Content-Type") != tt.ctype {
			t.Errorf("%s: %d %q", tt.path, rec.Code, rec.Header().Get("Content-Type"))
		}
		if tt.ctype == "image/svg+xml" {
			if rec.Header().Get("Content-Security-Policy") != svgCSP {
				t.Errorf("%s: no CSP on the error SVG", tt.path)
			}
			checkSVG(t, rec.Body.Bytes())
		} else if _, err := png.Decode(rec.Body); err != nil {
			t.Errorf("%s: %v", tt.path, err)
		}
	}
}

// indexString writes indices back in the alphabet ('_' for a gap).
func indexString(p []int8) string {
	b := make([]byte, len(p))
	for i, x := range p {
		if x < 0 {
			b[i] = '_'
		} else {
			b[i] = Alphabet[x]
		}
	}
	return string(b)
}

// The error image replacing a small chart is no wider than the chart (a
// page keeps its layout), with the whole message wrapped onto more lines;
// without a valid w it is up to 600 px wide.
func TestHandlerErrorWidth(t *testing.T) {
	h := NewHandler(HandlerOptions{})
	for _, c := range []struct {
		query string
		maxW  int
	}{
		{"w=160&h=40&d0=bad!", 160},
		{"w=300&h=100&d0=bad!&t=x", 300},
		{"w=5000&h=40&d0=bad!", 600},
		{"d0=bad!", 600},
	} {
		rec := get(t, h, "GET", "/a.svg?"+c.query, "", nil)
		var w, hh int
		body := rec.Body.String()
		if _, err := fmt.Sscanf(body[strings.Index(body, `width="`):], `width="%d" height="%d"`, &w, &hh); err != nil {
			t.Fatalf("%s: %v", c.query, err)
		}
		if rec.Code != 400 || w > c.maxW {
			t.Errorf("%s: %d, %d px wide; want at most %d", c.query, rec.Code, w, c.maxW)
		}
		var text []string
		for _, m := range regexp.MustCompile(`>([^<]*)</text>`).FindAllStringSubmatch(body, -1) {
			text = append(text, m[1])
		}
		if got, want := html.UnescapeString(strings.Join(text, " ")), "chartd: "+rec.Header().Get("X-Chartd-Error"); got != want {
			t.Errorf("%s: image shows %q, want %q", c.query, got, want)
		}
	}
}
