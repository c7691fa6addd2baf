package runwrap

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cronkit/cronkit/lib/hc"
	"github.com/cronkit/cronkit/lib/testutil/fakehc"
	"github.com/cronkit/cronkit/lib/wrap"
)

const checkUUID = "5bf66975-d4c7-4bf5-bcc8-b8d8a82ea278"

// valid is a set of options that passes Validate: runwrap's flag defaults.
func valid() Options {
	return Options{Config: wrap.Config{KillAfter: 10 * time.Second, RetryDelay: 10 * time.Second},
		UUID: checkUUID, APITimeout: 10 * time.Second, APIDeadline: 60 * time.Second}
}

// Each flag's range and the flags that need or exclude others: one usage
// error naming the flag (README, runwrap: exit 125).
func TestValidate(t *testing.T) {
	for _, tt := range []struct {
		name string
		set  func(*Options)
		want string
	}{
		{"defaults", func(*Options) {}, ""},
		{"negative timeout", func(o *Options) { o.Timeout = -1 }, "--timeout must not be negative"},
		{"negative retries", func(o *Options) { o.APIRetries = -1 }, "--api-retries must not be negative"},
		{"zero api timeout", func(o *Options) { o.APITimeout = 0 }, "--api-timeout must be positive"},
		{"short log ping", func(o *Options) { o.LogPing = time.Millisecond }, "--log-ping must be at least 1s"},
		{"every and schedule", func(o *Options) { o.Every, o.Cron = time.Minute, "* * * * *" }, "--every and --schedule exclude each other"},
		{"tz alone", func(o *Options) { o.TZ = "UTC" }, "--tz needs --schedule"},
		{"lock wait alone", func(o *Options) { o.LockWait = time.Second }, "--lock-wait needs --lock"},
		{"run id twice", func(o *Options) { o.RunID, o.NoRunID = checkUUID, true }, "--run-id and --no-run-id exclude each other"},
		{"run id not uuid", func(o *Options) { o.RunID = "x" }, `--run-id "x" is not a UUID`},
		{"uuid not uuid", func(o *Options) { o.UUID = "x" }, `--uuid "x" is not a UUID`},
		{"bad schedule", func(o *Options) { o.Cron = "61 * * * *" }, "--schedule: "},
		{"bad tz", func(o *Options) { o.Cron, o.TZ = "* * * * *", "Mars/Olympus" }, `--tz: unknown time zone "Mars/Olympus"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			o := valid()
			tt.set(&o)
			err := o.Validate()
			if (err == nil) != (tt.want == "") || err != nil && !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("Validate() = %v, want %q", err, tt.want)
			}
		})
	}
	o := valid()
	o.Cron, o.TZ = "*/15 * * * *", "Europe/Helsinki"
	if err := o.Validate(); err != nil || o.Config.Schedule == nil || o.Loc.String() != "Europe/Helsinki" || !o.Periodic() {
		t.Errorf("--schedule --tz: %v, schedule %v, loc %v", err, o.Config.Schedule, o.Loc)
	}
}

// The handle named on the command line wins over the environment's; among
// equals runitor's order, UUID over slug (reference/runitor.md §1.1).
func TestResolveHandle(t *testing.T) {
	for _, tt := range []struct {
		given                 string
		uuid, slug, pingURL   string
		wantUUID, wantSlug, u string
	}{
		{"", checkUUID, "s", "", checkUUID, "", ""},
		{"slug", checkUUID, "s", "", "", "s", ""},
		{"uuid", checkUUID, "s", "https://x/ping/y", checkUUID, "", ""},
		{"ping-url", checkUUID, "s", "https://x/ping/y", "", "", "https://x/ping/y"},
		{"", checkUUID, "s", "https://x/ping/y", "", "", "https://x/ping/y"},
	} {
		o := valid()
		o.UUID, o.Slug, o.PingURL, o.OnCommandLine = tt.uuid, tt.slug, tt.pingURL, map[string]bool{tt.given: tt.given != ""}
		o.resolveHandle()
		if o.UUID != tt.wantUUID || o.Slug != tt.wantSlug || o.PingURL != tt.u {
			t.Errorf("given %q: uuid %q slug %q ping-url %q", tt.given, o.UUID, o.Slug, o.PingURL)
		}
	}
}

// A ping key on the command line is said once, as a warning, and the run goes on.
func TestKeyOnCommandLineWarns(t *testing.T) {
	var warned []string
	o := valid()
	o.KeyOnCommandLine = true
	o.Warnf = func(f string, a ...any) { warned = append(warned, fmt.Sprintf(f, a...)) }
	if err := o.Validate(); err != nil || len(warned) != 1 || !strings.Contains(warned[0], "visible in ps") {
		t.Errorf("Validate() = %v, warned %q", err, warned)
	}
}

// lib/hc's setup errors reach the command's Hint to be worded in its
// flags, and Run returns them as a *SetupError: the command did not run.
func TestPingClientHint(t *testing.T) {
	for _, o := range []Options{{}, {UUID: checkUUID, APIURL: "ftp://h"}, {UUID: checkUUID, ReqHeaders: []string{"nocolon"}}} {
		_, plain := o.PingClient()
		o.Hint = func(err error) error { return fmt.Errorf("worded: %w", err) }
		_, worded := o.PingClient()
		var se *SetupError
		_, run := Run(context.Background(), o)
		if plain == nil || worded == nil || !errors.As(run, &se) {
			t.Fatalf("%+v: PingClient() = %v, with Hint %v; Run() = %v", o, plain, worded, run)
		}
		hinted := worded.Error() == "worded: "+plain.Error()
		if len(o.ReqHeaders) > 0 { // a bad --req-header is ours, not lib/hc's: already worded
			hinted = worded.Error() == plain.Error() && strings.HasPrefix(plain.Error(), "--req-header: ")
		}
		if !hinted || run.Error() != worded.Error() {
			t.Errorf("%+v: PingClient() = %v, with Hint %v; Run() = %v", o, plain, worded, run)
		}
	}
}

// The run record's check tag names the check without its ping key.
func TestCheckName(t *testing.T) {
	const key = "pppppppppppppppppppppp"
	for _, tt := range []struct {
		pc   hc.PingClient
		want string
	}{
		{hc.PingClient{PingKey: key, Slug: "nightly"}, "nightly"},
		{hc.PingClient{UUID: checkUUID}, checkUUID},
		{hc.PingClient{URL: "https://hc.example.org/ping/" + key + "/db-backup"}, "db-backup"},
	} {
		if got := checkName(&tt.pc); got != tt.want {
			t.Errorf("checkName(%+v) = %q, want %q", tt.pc, got, tt.want)
		}
	}
}

// A whole run by a function call, against the shared fake Healthchecks:
// start ping, the command's output passed through and attached (stdout and
// stderr are two pipes: their order in the body is the order of arrival), the
// runitor ping kinds (a non-zero exit is an exit-code ping), the child's
// exit code as the outcome.
func TestRunPingsTheFake(t *testing.T) {
	f, url := startFake(t)
	var stdout, stderr bytes.Buffer
	o := valid()
	o.APIURL = url + "/ping"
	o.Command = []string{"sh", "-c", "echo out; echo err >&2; exit 3"}
	o.Stdout, o.Stderr = &stdout, &stderr
	o.OnSuccess, o.OnNonzero, o.OnExecFail = hc.PingSuccess, hc.PingExitCode, hc.PingFail
	if err := o.Validate(); err != nil {
		t.Fatal(err)
	}
	out, err := Run(context.Background(), o)
	if err != nil || out.Code != 3 || out.Err != nil {
		t.Fatalf("Run() = %+v, %v", out, err)
	}
	if stdout.String() != "out\n" || stderr.String() != "err\n" {
		t.Errorf("stdout %q, stderr %q", stdout.String(), stderr.String())
	}
	pings := f.Pings(checkUUID)
	if len(pings) != 2 || pings[0].Kind != "start" || pings[1].ExitStatus == nil || *pings[1].ExitStatus != 3 ||
		!strings.Contains(string(pings[1].Body), "out\n") || !strings.Contains(string(pings[1].Body), "err\n") ||
		!strings.HasSuffix(string(pings[1].Body), "[runwrap] exit status 3\n") || !strings.HasPrefix(pings[1].UserAgent, "runwrap/") {
		t.Errorf("pings %+v", pings)
	}
}

// lib/wrap's words name runwrap's flags: the tolerated failure's body line
// and the warning about --record (docs/runwrap.md, Failure tolerance).
func TestRunWordsInFlags(t *testing.T) {
	f, url := startFake(t)
	state := t.TempDir()
	var warned []string
	o := valid()
	o.APIURL = url + "/ping"
	o.Command = []string{"false"}
	o.Tolerate = 1
	o.Record = filepath.Join(t.TempDir(), "nodir", "runs.jsonl")
	o.Getenv = func(k string) string { return map[string]string{"XDG_STATE_HOME": state}[k] }
	o.Warnf = func(f string, a ...any) { warned = append(warned, fmt.Sprintf(f, a...)) }
	o.OnSuccess, o.OnNonzero, o.OnExecFail = hc.PingSuccess, hc.PingExitCode, hc.PingFail
	if err := o.Validate(); err != nil {
		t.Fatal(err)
	}
	if out, err := Run(context.Background(), o); err != nil || out.Code != 1 {
		t.Fatalf("Run() = %+v, %v", out, err)
	}
	pings := f.Pings(checkUUID)
	if len(pings) != 2 || !strings.HasPrefix(string(pings[1].Body), "[runwrap] failure 1 of 1 tolerated (--tolerate): reported as success\n") {
		t.Errorf("%d pings, last body %q", len(pings), pings[len(pings)-1].Body)
	}
	if len(warned) != 1 || !strings.HasPrefix(warned[0], "--record: open "+o.Record+": ") {
		t.Errorf("warnings %q, want one naming --record", warned)
	}
}

// startFake serves the shared fake Healthchecks with one check ("job",
// checkUUID) until the test ends; url is its site root.
func startFake(t *testing.T) (f *fakehc.Fake, url string) {
	t.Helper()
	f = fakehc.New(fakehc.Options{})
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	f.URL = srv.URL
	f.AddCheck(fakehc.Spec{Name: "job", Slug: "job", UUID: checkUUID})
	return f, srv.URL
}
