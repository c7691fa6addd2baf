package pgreport

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cronkit/cronkit/lib/testutil/fakepgdash"
)

const pushKey = "abcdefghijklmnopqrstuv" // the shape pgDash's keys have (the fake checks it)

// pushReport is a report collected at `at` (reference pgmetrics.md §3: pgDash
// takes meta.version 1.x within its 180-day window).
func pushReport(at time.Time) string {
	return fmt.Sprintf(`{"meta":{"version":"1.20","at":%d},"tables":[]}`, at.Unix())
}

func pushOpts(env Env, url string) PushOptions {
	return PushOptions{Env: env, Server: "db7", APIURL: url, APIKey: pushKey, Input: "-",
		AttemptTimeout: 5 * time.Second, Deadline: 20 * time.Second, MaxAge: 180 * 24 * time.Hour}
}

// A report is submitted once, as the pgdash CLI does, and the submission is
// logged at info (-v). Its age is judged by the injected clock (a report of
// 2020 is fresh in 2020).
func TestPush(t *testing.T) {
	f := fakepgdash.New()
	srv := httptest.NewServer(f)
	defer srv.Close()
	now := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	env, out := testEnv(t, pushReport(now.Add(-time.Hour)))
	var logs bytes.Buffer
	env.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	env.Now = func() time.Time { return now }
	if err := RunPush(context.Background(), pushOpts(env, srv.URL+"/api/v1/report")); err != nil {
		t.Fatal(err)
	}
	if s, ok := f.LastSummary(); !ok || !strings.Contains(s, "apikey="+pushKey+" server=db7 version=1.20") || f.Requests() != 1 {
		t.Errorf("accepted %q after %d requests", s, f.Requests())
	}
	if !strings.Contains(logs.String(), `msg="report submitted" server=db7 bytes=`) || out.Len() != 0 {
		t.Errorf("logs %q, stdout %q", logs.String(), out.String())
	}
}

// pgDash's answers keep their HTTP status for lib/cli (400: bad input, a
// wrong key; 409: still storing), and are never retried into a success.
func TestPushRefused(t *testing.T) {
	now := time.Now()
	for _, tt := range []struct {
		script []string
		key    string
		status int
		want   string
	}{
		{nil, "short", 400, "invalid API key or account limit reached"},
		{[]string{"409", "409", "409"}, pushKey, 409, `still storing the previous report for "db7"`},
	} {
		f := fakepgdash.New()
		srv := httptest.NewServer(f)
		f.Script(tt.script...)
		env, _ := testEnv(t, pushReport(now))
		o := pushOpts(env, srv.URL+"/api/v1/report")
		o.APIKey = tt.key
		err := RunPush(context.Background(), o)
		srv.Close()
		var hs interface{ HTTPStatus() int }
		if !errors.As(err, &hs) || hs.HTTPStatus() != tt.status || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: err = %v, want HTTP %d", tt.script, err, tt.status)
		}
		if _, ok := f.LastSummary(); ok {
			t.Errorf("%v: a report was accepted", tt.script)
		}
	}
}

// What pgDash would refuse is refused here first (a *UsageError, exit 2),
// without a request; the report's age is judged by the injected clock.
func TestPushUsageErrors(t *testing.T) {
	now := time.Date(2026, 12, 7, 18, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		name, stdin string
		edit        func(o *PushOptions)
		want        string
	}{
		{"no server", pushReport(now), func(o *PushOptions) { o.Server = "" }, "--server is required"},
		{"bad server", pushReport(now), func(o *PushOptions) { o.Server = "db 7" }, `--server "db 7": use 1-64 letters`},
		{"no key", pushReport(now), func(o *PushOptions) { o.APIKey = "" }, "no API key"},
		{"negative retries", pushReport(now), func(o *PushOptions) { o.Retries = -1 }, "--api-retries must not be negative"},
		{"missing file", "", func(o *PushOptions) { o.Input = "/nonexistent/report.json" }, "--input: open /nonexistent/report.json"},
		{"not JSON", "{\n x", func(o *PushOptions) {}, "stdin: not a JSON report: line 2"},
		{"not 1.x", `{"meta":{"version":"2.0","at":1}}`, func(o *PushOptions) {}, "meta.version must be 1.x"},
		{"too old", pushReport(now.Add(-181 * 24 * time.Hour)), func(o *PushOptions) {}, "outside pgDash's window of 4320h0m0s"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := fakepgdash.New()
			srv := httptest.NewServer(f)
			defer srv.Close()
			env, _ := testEnv(t, tt.stdin)
			env.Now = func() time.Time { return now }
			o := pushOpts(env, srv.URL+"/api/v1/report")
			tt.edit(&o)
			err := RunPush(context.Background(), o)
			asUsage(t, err, tt.want)
			if errors.Is(err, ErrNoAPIKey) != (tt.name == "no key") {
				t.Errorf("errors.Is(%v, ErrNoAPIKey) wrong", err)
			}
			if f.Requests() != 0 {
				t.Errorf("%d requests", f.Requests())
			}
		})
	}
}
