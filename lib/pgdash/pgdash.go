// Package pgdash submits a pgmetrics-shaped JSON report to pgDash the way the
// pgdash CLI does (shared/reference/pgmetrics.md §3): POST
// {"apikey","server","data"} as gzip-compressed JSON, through lib/httpx's
// retry policy. It checks first what pgDash checks, so that a bad report
// fails with a clear error rather than an opaque 400. It is not a public API.
package pgdash

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/cronkit/cronkit/lib/httpx"
)

// DefaultURL is pgDash's hosted report endpoint.
const DefaultURL = "https://app.pgdash.io/api/v1/report"

// DefaultMaxAge is how old a report pgDash still accepts.
const DefaultMaxAge = 180 * 24 * time.Hour

// pgDash's own client accepts these names only (shared/reference/pgmetrics.md §3).
var serverNameRE = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)

// ValidServer reports whether pgDash accepts name as a server name.
func ValidServer(name string) bool { return serverNameRE.MatchString(name) }

// InputError is a report pgDash would refuse: not JSON, not a 1.x report, or
// collected outside pgDash's window. It is the caller's bad input.
type InputError struct {
	Name string // where the report came from: a file name or "stdin"
	msg  string
}

func (e *InputError) Error() string { return e.Name + ": " + e.msg }

// BadInput marks the error as bad input for lib/cli's exit-code mapping.
func (e *InputError) BadInput() bool { return true }

// CheckReport validates what pgDash validates: a JSON object whose
// meta.version is "1.x" and whose meta.at is within maxAge of now. It returns
// the compacted JSON. name names the input in errors.
func CheckReport(name string, raw []byte, maxAge time.Duration, now time.Time) ([]byte, error) {
	var head struct {
		Meta *struct {
			Version string `json:"version"`
			At      int64  `json:"at"`
		} `json:"meta"`
	}
	bad := func(format string, args ...any) error {
		return &InputError{Name: name, msg: fmt.Sprintf(format, args...)}
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return nil, bad("not a JSON report: %s", JSONErrorLine(raw, err))
	}
	if head.Meta == nil || !strings.HasPrefix(head.Meta.Version, "1.") {
		return nil, bad("not a pgreport/pgmetrics report (meta.version must be 1.x)")
	}
	at := time.Unix(head.Meta.At, 0)
	if d := now.Sub(at); d > maxAge || d < -maxAge {
		return nil, bad("report collected at %s, outside pgDash's window of %s", at.UTC().Format(time.RFC3339), maxAge)
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return nil, bad("%v", err)
	}
	return buf.Bytes(), nil
}

// Payload builds pgDash's {"apikey","server","data"} body, gzipped.
func Payload(key, server string, data []byte) ([]byte, error) {
	payload, err := json.Marshal(struct {
		APIKey string          `json:"apikey"`
		Server string          `json:"server"`
		Data   json.RawMessage `json:"data"`
	}{key, server, data})
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(payload); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Options say where and how to submit.
type Options struct {
	URL            string // report endpoint; "": DefaultURL
	APIKey         string
	Server         string
	Retries        int // retries after the first attempt; 0: none
	AttemptTimeout time.Duration
	Deadline       time.Duration
	Logger         *slog.Logger // httpx's debug logs; nil: silent
	Secrets        []string     // redacted from errors and logs (the key is added)
}

// Result is a submitted report.
type Result struct {
	Bytes    int // the gzipped body
	Attempts int
}

// Submit sends a report checked by CheckReport. Resending is harmless, since
// pgDash keys a report by server and collection time, so the POST is retried
// as idempotent. A 400, 401 or 403 (a wrong key, a full account) and a 409 (a
// previous report still being stored) say so; the error keeps the HTTP status
// for lib/cli's exit codes.
func Submit(ctx context.Context, o Options, data []byte) (Result, error) {
	if o.URL == "" {
		o.URL = DefaultURL
	}
	body, err := Payload(o.APIKey, o.Server, data)
	if err != nil {
		return Result{}, err
	}
	retries := o.Retries
	if retries == 0 {
		retries = -1 // httpx: 0 means its default
	}
	c := httpx.New(httpx.Options{Tool: "pgreport", AttemptTimeout: o.AttemptTimeout, Deadline: o.Deadline,
		RetryMax: retries, Logger: o.Logger, Secrets: append(o.Secrets[:len(o.Secrets):len(o.Secrets)], o.APIKey)})
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("Content-Encoding", "gzip")
	resp, err := c.Do(ctx, httpx.Request{Method: http.MethodPost, URL: o.URL, Header: h, Body: body, Idempotent: true})
	if err != nil {
		switch st := httpx.StatusOf(err); st {
		case http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden:
			return Result{}, fmt.Errorf("pgDash refused the report (invalid API key or account limit reached): %w", err)
		case http.StatusConflict:
			return Result{}, fmt.Errorf("pgDash is still storing the previous report for %q: %w", o.Server, err)
		}
		return Result{}, err
	}
	// pgDash answers a JSON object; anything else means a proxy or the wrong URL.
	var obj map[string]any
	if len(bytes.TrimSpace(resp.Body)) > 0 && json.Unmarshal(resp.Body, &obj) != nil {
		return Result{}, fmt.Errorf("POST %s: %d but the answer is not pgDash's JSON: %s", stripQuery(o.URL), resp.Status, httpx.Excerpt(resp.Body, 120))
	}
	return Result{Bytes: len(body), Attempts: resp.Attempts}, nil
}

// stripQuery drops a query or fragment, where a key might be.
func stripQuery(u string) string {
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		return u[:i]
	}
	return u
}

// JSONErrorLine words a JSON decoding error of b with the line it is on.
func JSONErrorLine(b []byte, err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	off := int64(-1)
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
	}
	if off < 0 || off > int64(len(b)) {
		return err.Error()
	}
	line := bytes.Count(b[:off], []byte("\n")) + 1
	return fmt.Sprintf("line %d: %v", line, err)
}
