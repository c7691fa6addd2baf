package hcctl

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cronkit/cronkit/lib/hc"
	"github.com/cronkit/cronkit/lib/httpx"
	"github.com/cronkit/cronkit/lib/testutil/fakehc"
)

// now is the clock of every test here (the fake's and the Env's).
var now = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

// testEnv is an Env on buffers whose API is the fake, with key, and whose
// hint marks what it words ("[hint]"), as cmd/hcctl's adds its flags.
type testEnv struct {
	Env
	out, errb *bytes.Buffer
	warnings  []string
}

func newEnv(t *testing.T, f *fakehc.Fake, key string) *testEnv {
	t.Helper()
	e := &testEnv{out: &bytes.Buffer{}, errb: &bytes.Buffer{}}
	client := func() *httpx.Client {
		return httpx.New(httpx.Options{Tool: "hcctl", WaitMin: time.Millisecond, WaitMax: 5 * time.Millisecond, RetryMax: 1, Deadline: 10 * time.Second})
	}
	e.Env = Env{Stdin: strings.NewReader(""), Stdout: e.out, Stderr: e.errb, HTTP: client,
		API: func() (*hc.API, error) {
			if f == nil {
				return nil, errors.New("no API in this test")
			}
			return hc.NewAPI(hc.APIOptions{URL: f.URL, Key: key, RatePerMinute: -1, HTTP: client()})
		},
		Hint:  func(err error) error { return fmt.Errorf("%w [hint]", err) },
		Warnf: func(format string, args ...any) { e.warnings = append(e.warnings, fmt.Sprintf(format, args...)) },
		Now:   func() time.Time { return now }}
	return e
}

// startFake starts a fake Healthchecks on a clock of its own, at now.
func startFake(t *testing.T) (*fakehc.Fake, *fakehc.Clock) {
	clock := fakehc.NewClock(now)
	return fakehc.Start(t, fakehc.Options{Now: clock.Now}), clock
}

// ping sends a success ping to the fake's check uuid, as a job would.
func ping(t *testing.T, f *fakehc.Fake, uuid string) {
	t.Helper()
	resp, err := http.Get(f.PingURL(uuid))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("ping: %s", resp.Status)
	}
}

// kindOf is the Kind of err's *Error, 0 for none.
func kindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return 0
}

func TestErrorKinds(t *testing.T) {
	for _, tt := range []struct {
		err      error
		kind     Kind
		badInput bool
		refused  bool
	}{
		{usagef("x"), Usage, true, false},
		{refusedf("x"), Refused, false, true},
		{partialf("x"), Partial, false, false},
		{fmt.Errorf("wrapped: %w", refusedf("x")), Refused, false, true},
		{&hc.APIError{Op: "list checks", Status: 401}, 0, false, true},
		{&hc.APIError{Op: "list checks", Status: 403}, 0, false, true},
		{&hc.APIError{Op: "list checks", Status: 500}, 0, false, false},
		{errors.New("plain"), 0, false, false},
	} {
		if got := kindOf(tt.err); got != tt.kind {
			t.Errorf("%v: kind %d, want %d", tt.err, got, tt.kind)
		}
		var bi interface{ BadInput() bool }
		if got := errors.As(tt.err, &bi) && bi.BadInput(); got != tt.badInput {
			t.Errorf("%v: BadInput %v, want %v", tt.err, got, tt.badInput)
		}
		if got := refused(tt.err); got != tt.refused {
			t.Errorf("%v: refused %v, want %v", tt.err, got, tt.refused)
		}
	}
}

func TestOutFormat(t *testing.T) {
	for _, tt := range []struct {
		flag     string
		terminal bool
		want     string
		kind     Kind
	}{
		{"", true, "table", 0},
		{"", false, "jsonl", 0},
		{"json", true, "json", 0},
		{"csv", false, "", Usage},
	} {
		e := Env{Terminal: tt.terminal}
		got, err := e.outFormat(tt.flag, "table", "json", "jsonl")
		if got != tt.want || kindOf(err) != tt.kind {
			t.Errorf("-f %q terminal=%v: %q, %v; want %q, kind %d", tt.flag, tt.terminal, got, err, tt.want, tt.kind)
		}
	}
}

func TestCheckTags(t *testing.T) {
	for _, tt := range []struct {
		tags []string
		ok   bool
	}{
		{nil, true}, {[]string{"prod", "db"}, true}, {[]string{""}, false}, {[]string{"prod db"}, false}, {[]string{" prod"}, false},
	} {
		if err := checkTags(tt.tags); (err == nil) != tt.ok || (err != nil && kindOf(err) != Usage) {
			t.Errorf("checkTags(%q) = %v, want ok=%v", tt.tags, err, tt.ok)
		}
	}
}
