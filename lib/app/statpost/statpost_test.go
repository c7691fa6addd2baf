package statpost

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cronkit/cronkit/lib/httpx"
	"github.com/cronkit/cronkit/lib/outcome"
	"github.com/cronkit/cronkit/lib/testutil/fakestathat"
)

// testOptions posts to url (the fake StatHat, reference/stathat-api.md) with
// a spool in a temporary directory, one attempt per request, and the streams
// in buffers.
func testOptions(t *testing.T, url, stdin string) (Options, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	return Options{
		Stdin: strings.NewReader(stdin), Stdout: &stdout, Stderr: &stderr,
		HTTP:   httpx.Options{Tool: "statpost", RetryMax: -1, AttemptTimeout: 5 * time.Second, Deadline: 5 * time.Second},
		APIURL: url, EZKey: "test-ezkey-1234", Kind: "value", Batch: 1000, FlushInterval: time.Second,
		SpoolDir: t.TempDir(), Journal: true, Job: "statpost", InfluxDB: "statpost",
	}, &stdout, &stderr
}

// What a run read and what arrived decide its outcome, in the README's
// order: bad input, refused, failed, partial.
func TestRunPostOutcomes(t *testing.T) {
	for _, tt := range []struct {
		name    string
		mode    fakestathat.Mode
		stdin   string
		allow   bool
		want    outcome.Kind
		points  int
		stderr  string
		refused bool // a server answering 401 instead of the fake
	}{
		{name: "delivered", stdin: "a 1\nb 2\n", points: 2},
		{name: "empty stdin", stdin: "", want: outcome.Failed, stderr: "no records on stdin"},
		{name: "empty stdin allowed", stdin: "", allow: true},
		{name: "error record", stdin: "a 1\n" + `{"error":"pgreport: connection refused"}` + "\n", want: outcome.Failed, points: 1, stderr: "connection refused"},
		{name: "bad line", stdin: "a 1\nnot a number here\n", want: outcome.BadInput, points: 1, stderr: "stdin:2: "},
		{name: "server error spools", mode: fakestathat.ServerError, stdin: "a 1\n", want: outcome.Partial, stderr: "stathat: 1 record spooled to "},
		{name: "refused", refused: true, stdin: "a 1\n", want: outcome.Refused, stderr: "stathat: 1 record spooled to "},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f, url := fakestathat.Start(t, fakestathat.Options{})
			if tt.mode != "" {
				f.SetMode(tt.mode)
			}
			if tt.refused {
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					http.Error(w, "no", http.StatusUnauthorized)
				}))
				t.Cleanup(srv.Close)
				url = srv.URL
			}
			o, _, stderr := testOptions(t, url, tt.stdin)
			o.AllowEmpty = tt.allow
			err := RunPost(context.Background(), o)
			if got := outcome.Of(err); got != tt.want || (err != nil && got == 0) {
				t.Errorf("outcome %d (%v), want %d; stderr %s", got, err, tt.want, stderr)
			}
			if _, n := f.Counts(); n != tt.points {
				t.Errorf("%d points arrived, want %d", n, tt.points)
			}
			if !strings.Contains(stderr.String(), tt.stderr) {
				t.Errorf("stderr %q, want %q in it", stderr, tt.stderr)
			}
			if strings.Contains(stderr.String(), o.EZKey) {
				t.Errorf("stderr shows the key: %s", stderr)
			}
		})
	}
}

// --dry-run prints what would be sent and sends nothing; with --tee the
// records go to stdout and the dry run to stderr.
func TestRunPostDryRunAndTee(t *testing.T) {
	f, url := fakestathat.Start(t, fakestathat.Options{})
	o, stdout, stderr := testOptions(t, url, "queue depth 17\n")
	o.DryRun, o.EZKey = true, ""
	if err := RunPost(context.Background(), o); err != nil {
		t.Fatalf("dry run: %v (stderr %s)", err, stderr)
	}
	if !strings.Contains(stdout.String(), "stat=queue+depth&value=17") || stderr.Len() != 0 {
		t.Errorf("dry run: stdout %q, stderr %q", stdout, stderr)
	}

	o, stdout, stderr = testOptions(t, url, "queue depth 17\n")
	o.Tee = true
	if err := RunPost(context.Background(), o); err != nil {
		t.Fatalf("tee: %v (stderr %s)", err, stderr)
	}
	if got := stdout.String(); !strings.Contains(got, `"name":"queue depth"`) || !strings.Contains(got, `"value":17`) {
		t.Errorf("tee: stdout %q, want the metric record", got)
	}
	if _, n := f.Counts(); n != 1 {
		t.Errorf("%d points arrived, want the teed one only", n)
	}
}

// The Prometheus text format: buckets are skipped, not counted as empty
// input.
func TestRunPostPrometheus(t *testing.T) {
	f, url := fakestathat.Start(t, fakestathat.Options{})
	o, _, stderr := testOptions(t, url, "# TYPE up gauge\nup 1\n# TYPE h histogram\nh_bucket{le=\"1\"} 3\n")
	o.From = "prometheus"
	if err := RunPost(context.Background(), o); err != nil {
		t.Fatalf("%v (stderr %s)", err, stderr)
	}
	if p := f.Points(); len(p) != 1 || p[0].Stat != "up" {
		t.Errorf("points %+v, want up alone", p)
	}
	o, _, _ = testOptions(t, url, "# TYPE h histogram\nh_bucket{le=\"1\"} 3\n")
	o.From = "prometheus"
	if err := RunPost(context.Background(), o); err != nil {
		t.Errorf("only buckets: %v, want success (the input was not empty)", err)
	}
}

// Bad options are usage errors naming the flag; a missing key is a
// KeyError that the command words.
func TestOptionErrors(t *testing.T) {
	for _, tt := range []struct {
		name string
		set  func(*Options)
		msg  string // "": a KeyError
	}{
		{"no ezkey", func(o *Options) { o.EZKey = "" }, ""},
		{"statuspage without key", func(o *Options) {
			o.Sinks, o.StatuspagePage, o.StatuspageMetrics = []string{"statuspage"}, "p", []string{"a=b"}
		}, ""},
		{"unknown sink", func(o *Options) { o.Sinks = []string{"carbon"} }, "--sink"},
		{"sink twice", func(o *Options) { o.Sinks = []string{"stathat", "stathat"} }, "--sink stathat given twice"},
		{"kind", func(o *Options) { o.Kind = "gauge" }, "--kind"},
		{"from", func(o *Options) { o.From = "csv" }, `--from "csv"`},
		{"influx v2 half", func(o *Options) { o.Sinks, o.InfluxOrg = []string{"influx"}, "org" }, "--influx-org and --influx-bucket"},
		{"job", func(o *Options) { o.Sinks, o.Job = []string{"pushgateway"}, "a/b" }, "--job"},
		{"label", func(o *Options) { o.Sinks, o.Labels = []string{"pushgateway"}, []string{"novalue"} }, "--label"},
		{"statuspage page", func(o *Options) { o.Sinks = []string{"statuspage"} }, "--statuspage-page"},
		{"statuspage metric", func(o *Options) {
			o.Sinks, o.StatuspagePage, o.StatuspageKey, o.StatuspageMetrics = []string{"statuspage"}, "p", "k", []string{"a="}
		}, "--statuspage-metric"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			o, _, _ := testOptions(t, "http://127.0.0.1:1", "a 1\n")
			tt.set(&o)
			err := RunPost(context.Background(), o)
			var ke *KeyError
			switch {
			case tt.msg == "" && !errors.As(err, &ke):
				t.Errorf("%v, want a KeyError", err)
			case tt.msg != "" && (outcome.Of(err) != outcome.Usage || !strings.Contains(err.Error(), tt.msg)):
				t.Errorf("%v, want a usage error naming %s", err, tt.msg)
			}
		})
	}
}

// The command's range check of its HTTP flags stops every use of the
// sinks.
func TestHTTPErr(t *testing.T) {
	o, _, _ := testOptions(t, "http://127.0.0.1:1", "a 1\n")
	o.HTTPErr = errors.New("--api-timeout -1s: want more than 0")
	if err := RunPost(context.Background(), o); err != o.HTTPErr {
		t.Errorf("post: %v, want the HTTP policy's error", err)
	}
	if err := SpoolFlush(context.Background(), FlushOptions{Options: o}); err != o.HTTPErr {
		t.Errorf("flush: %v, want the HTTP policy's error", err)
	}
}
