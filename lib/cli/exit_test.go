package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/cronkit/cronkit/lib/httpx"
	"github.com/jackc/pgx/v5/pgconn"
)

type badInput struct{}

func (badInput) Error() string  { return "2 checks are named \"x\"" }
func (badInput) BadInput() bool { return true }

// Code is the one mapping of errors to the README's exit table: the same
// failure gives the same code in every tool, whichever library reported it.
func TestCode(t *testing.T) {
	status := func(n int) error {
		return fmt.Errorf("list checks: %w", &httpx.StatusError{Method: "GET", URL: "http://x/api/v3/checks/", Status: n})
	}
	pg := func(code string) error {
		return fmt.Errorf("connecting: %w", &pgconn.PgError{Severity: "FATAL", Code: code, Message: "password authentication failed"})
	}
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"nil", nil, 0},
		{"plain", errors.New("connection refused"), 1},
		{"chosen code wins", WithCode(3, status(401)), 3},
		{"silent", Exit(42), 42},
		{"usage", Usagef("bad"), 2},
		{"partial", Partialf("2 of 3"), 3},
		{"refused", Refusedf("read-only key"), 4},
		{"canceled", fmt.Errorf("x: %w", context.Canceled), 130},
		{"cobra usage", errors.New(`unknown command "x" for "demo"`), 2},
		{"http 400", status(400), 2},
		{"http 401", status(401), 4},
		{"http 403", status(403), 4},
		{"http 404", status(404), 1},
		{"http 409", status(409), 1},
		{"http 429", status(429), 1},
		{"http 500", status(500), 1},
		{"sqlstate 28P01 wrong password", pg("28P01"), 4},
		{"sqlstate 28000 no pg_hba entry", pg("28000"), 4},
		{"sqlstate 3D000 no such database", pg("3D000"), 1},
		{"sqlstate 57014 canceled statement", pg("57014"), 1},
		{"bad input", fmt.Errorf("resolve: %w", badInput{}), 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Code(tt.err); got != tt.want {
				t.Errorf("Code(%v) = %d, want %d", tt.err, got, tt.want)
			}
		})
	}
}

// An API's 400 exits 2 but is not a usage error: no "see --help" hint,
// and runwrap's UsageCode does not replace it.
func TestAPIBadRequestIsNotUsage(t *testing.T) {
	var out, errb bytes.Buffer
	r := NewRoot(&Env{Stdout: &out, Stderr: &errb}, Tool{Name: "demo", UsageCode: 125})
	err := &httpx.StatusError{Method: "POST", URL: "http://x/api/v3/checks/", Status: 400, Excerpt: `{"error": "json validation error"}`}
	if code := r.Report(err, nil); code != 2 {
		t.Errorf("exit %d, want 2", code)
	}
	if got := errb.String(); got != "demo: POST http://x/api/v3/checks/: 400 Bad Request: {\"error\": \"json validation error\"}\n" {
		t.Errorf("stderr %q", got)
	}
}
