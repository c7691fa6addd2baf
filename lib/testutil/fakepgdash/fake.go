// Package fakepgdash is the one fake of pgDash's report endpoint, as the
// pgdash CLI sees it (shared/reference/pgmetrics.md §3): POST gzipped JSON
// {"apikey","server","data"} to /api/v1/report, 200 with an empty JSON object
// on success, 400 for a bad key. Tests script failures per request. It is
// not a public API.
package fakepgdash

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"sync"
)

// Fake is an http.Handler playing pgDash.
type Fake struct {
	mu     sync.Mutex
	script []string // modes for the next requests; then "ok"
	bodies []map[string]any
	n      int
}

var keyRE = regexp.MustCompile(`^[A-Za-z0-9]{22}$`)

// New returns a Fake that accepts every well-formed report.
func New() *Fake { return &Fake{} }

// Script queues how the next requests are answered: "429" (Retry-After: 1),
// "500", "409" (a previous store in progress), "drop" (connection closed
// without an answer), "html" (a login page with 200), then "ok".
func (f *Fake) Script(modes ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.script = append(f.script, modes...)
}

// Requests is how many requests arrived.
func (f *Fake) Requests() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.n
}

// LastSummary describes the last accepted report:
// "apikey=K server=S version=V tables=N".
func (f *Fake) LastSummary() (string, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.bodies) == 0 {
		return "", false
	}
	b := f.bodies[len(f.bodies)-1]
	data, _ := b["data"].(map[string]any)
	meta, _ := data["meta"].(map[string]any)
	tables, _ := data["tables"].([]any)
	return fmt.Sprintf("apikey=%v server=%v version=%v tables=%d", b["apikey"], b["server"], meta["version"], len(tables)), true
}

func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.n++
	mode := "ok"
	if len(f.script) > 0 {
		mode, f.script = f.script[0], f.script[1:]
	}
	f.mu.Unlock()
	if r.Method != http.MethodPost || r.URL.Path != "/api/v1/report" {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	if r.Header.Get("Content-Encoding") != "gzip" || r.Header.Get("Content-Type") != "application/json" {
		http.Error(w, "want gzip JSON", http.StatusBadRequest)
		return
	}
	zr, err := gzip.NewReader(r.Body)
	if err != nil {
		http.Error(w, "bad gzip", http.StatusBadRequest)
		return
	}
	raw, err := io.ReadAll(zr)
	var body map[string]any
	if err != nil || json.Unmarshal(raw, &body) != nil {
		http.Error(w, "bad json", http.StatusBadRequest)
		return
	}
	switch mode {
	case "429":
		w.Header().Set("Retry-After", "1")
		http.Error(w, `{"error":"rate limited"}`, http.StatusTooManyRequests)
		return
	case "500":
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	case "409":
		http.Error(w, `{"error":"previous store in progress"}`, http.StatusConflict)
		return
	case "drop":
		// Close the connection without an answer: never a success.
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return
			}
		}
		panic(http.ErrAbortHandler)
	case "html":
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<html>login</html>")
		return
	}
	if key, _ := body["apikey"].(string); !keyRE.MatchString(key) {
		http.Error(w, `{"error":"invalid api key"}`, http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.bodies = append(f.bodies, body)
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprint(w, "{}")
}
