package stats

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cronkit/cronkit/lib/httpx"
	"github.com/cronkit/cronkit/lib/metric"
	"github.com/cronkit/cronkit/lib/spool"
	"github.com/cronkit/cronkit/lib/testutil/fakestathat"
)

// stathat-api.md §1.4 rule 4.
func TestBodyStatus(t *testing.T) {
	tests := []struct {
		body string
		ok   bool
	}{
		{"", true},
		{`{"status":200,"msg":"ok"}`, true},
		{`{"status":204}`, true},
		{`{"status":"ok","msg":"ok"}`, true},
		{`{"status":"OK"}`, true},
		{`{"status":"200"}`, true},
		{`{"msg":"ok"}`, true},
		{`not json`, true},
		{`{"status":500,"msg":"internal error"}`, false},
		{`{"status":"500"}`, false},
		{`{"status":"error","msg":"bad"}`, false},
		{`{"status":404}`, false},
		{`{"status":true}`, false},
	}
	for _, tc := range tests {
		err := bodyStatus([]byte(tc.body))
		if (err == nil) != tc.ok {
			t.Errorf("%s: err %v, want ok=%v", tc.body, err, tc.ok)
		}
	}
}

func TestCheckStatHatName(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
	}{
		{"installs", true},
		{"messages sent~total,female,europe", true},
		{strings.Repeat("é", 255), true},
		{strings.Repeat("a", 256), false},
		{"a~", false},
		{"~a", false},
		{"a~b~c", false},
		{"a~b,,c", false},
		{"line\nbreak", false},
		{strings.Repeat("a", 250) + "~bbbbbbb", false},
		{"   ", false},
		{"\t", false},
		{" ~a,b", false},
		{"a~ ,b", false},
		{"load avg", true},
	}
	for _, tc := range tests {
		if err := CheckStatHatName(tc.name); (err == nil) != tc.ok {
			t.Errorf("%.30q: %v, want ok=%v", tc.name, err, tc.ok)
		}
	}
}

// newStatHat has generous timeouts: on a loaded 2-core CI machine a loopback
// answer can take over a second, and a timed-out attempt would change the
// request counts and classifications the tests assert. Tests of stalls end
// them by cancelling once the fake has the request (stallSend).
func newStatHat(url string) *StatHat {
	return &StatHat{URL: url, EZKey: "k", Client: httpx.New(httpx.Options{Tool: "statpost", AttemptTimeout: 30 * time.Second, Deadline: 60 * time.Second, WaitMin: time.Millisecond, WaitMax: 10 * time.Millisecond})}
}

// stallSend sends recs to a fake in mode Stall and gives up once the fake
// holds the request, so the failure is always one after sending.
func stallSend(t *testing.T, f *fakestathat.Fake, s *StatHat, recs []metric.Record) error {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		for ctx.Err() == nil {
			if n, _ := f.Counts(); n > 0 {
				cancel()
				return
			}
			time.Sleep(5 * time.Millisecond) // polling the fake, not synchronising on time
		}
	}()
	return s.Send(ctx, recs)
}

// Each fake mode ends in the classification the policy in docs/statpost.md names.
func TestStatHatClassify(t *testing.T) {
	tests := []struct {
		mode                     fakestathat.Mode
		ok, ambiguous, permanent bool
	}{
		{fakestathat.OK, true, false, false},
		{fakestathat.VerboseAlways, true, false, false},
		{fakestathat.BodyStatus500, false, true, false},
		{fakestathat.BodyStatusString, false, true, false},
		{fakestathat.ServerError, false, true, false},
		{fakestathat.AcceptThen500, false, true, false},
		{fakestathat.Unavailable, false, false, false},
		{fakestathat.TooMany, false, false, false},
		{fakestathat.Stall, false, true, false},
	}
	for _, tc := range tests {
		t.Run(string(tc.mode), func(t *testing.T) {
			f, u := fakestathat.Start(t, fakestathat.Options{})
			f.SetMode(tc.mode)
			s := newStatHat(u)
			recs := []metric.Record{count("a", 1), value("b", 2)}
			var err error
			if tc.mode == fakestathat.Stall {
				err = stallSend(t, f, s, recs)
			} else {
				err = s.Send(context.Background(), recs)
			}
			if (err == nil) != tc.ok {
				t.Fatalf("err %v", err)
			}
			if err != nil {
				se := AsSendError(err)
				if se.Ambiguous != tc.ambiguous || se.Permanent != tc.permanent {
					t.Errorf("%v: ambiguous=%v permanent=%v", err, se.Ambiguous, se.Permanent)
				}
			}
		})
	}
	// Nobody listening: the request was never sent.
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := l.Addr().String()
	l.Close()
	err := newStatHat("http://"+addr).Send(context.Background(), []metric.Record{count("a", 1)})
	if se := AsSendError(err); err == nil || se.Ambiguous {
		t.Errorf("refused: %v ambiguous=%v", err, se.Ambiguous)
	}
}

// A count batch is not retried on an ambiguous 500 (it could count twice);
// a value batch is; --at-least-once retries counts too.
func TestStatHatRetries(t *testing.T) {
	for _, tc := range []struct {
		name        string
		rec         metric.Record
		atLeastOnce bool
		want        int
	}{
		{"count", count("a", 1), false, 1},
		{"value", value("a", 1), false, 2},
		{"count at least once", count("a", 1), true, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, u := fakestathat.Start(t, fakestathat.Options{})
			f.Script(fakestathat.ServerError)
			s := newStatHat(u)
			s.AtLeastOnce = tc.atLeastOnce
			_ = s.Send(context.Background(), []metric.Record{tc.rec, tc.rec})
			if n, _ := f.Counts(); n != tc.want {
				t.Errorf("%d requests, want %d", n, tc.want)
			}
		})
	}
}

func TestStatsDPackets(t *testing.T) {
	s, err := NewStatsD("udp://127.0.0.1:8125")
	if err != nil {
		t.Fatal(err)
	}
	var recs []metric.Record
	for i := 0; i < 500; i++ {
		recs = append(recs, count("some:name|x@y", float64(i)))
	}
	recs = append(recs, value("neg", -2.5))
	ps := s.packets(recs)
	total := 0
	for i, p := range ps {
		if len(p.b) > StatsDMTU {
			t.Errorf("packet %d is %d bytes", i, len(p.b))
		}
		total += bytes.Count(p.b, []byte("\n"))
	}
	if total != 502 || ps[len(ps)-1].upto != 501 {
		t.Errorf("%d lines, last upto %d", total, ps[len(ps)-1].upto)
	}
	if !bytes.HasPrefix(ps[0].b, []byte("some_name_x_y:0|c\n")) || !bytes.HasSuffix(ps[len(ps)-1].b, []byte("neg:0|g\nneg:-2.5|g\n")) {
		t.Errorf("first %q last %q", ps[0].b[:20], ps[len(ps)-1].b)
	}
}

func TestInfluxBody(t *testing.T) {
	s := &Influx{Now: func() time.Time { return time.Unix(1700000000, 0) }}
	got := string(s.body([]metric.Record{
		{Name: "load avg,x", Kind: metric.Value, Value: 0.5, Tags: map[string]string{"host name": "a=b", "empty": ""}},
		{Name: "n", Kind: metric.Count, Value: 1e21, Time: time.Unix(1, 5)},
	}))
	want := `load\ avg\,x,host\ name=a\=b value=0.5 1700000000000000000` + "\n" +
		"n count=1000000000000000000000 1000000005\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	s.Bucket, s.Org = "b", "o"
	if e := s.endpoint(); !strings.Contains(e, "/api/v2/write?") || !strings.Contains(e, "bucket=b") {
		t.Errorf("v2 endpoint %s", e)
	}
}

func TestPushgatewayRender(t *testing.T) {
	p := &Pushgateway{URL: "http://x", Job: "j", Labels: [][2]string{{"a", "1/2"}, {"b", "c d"}}}
	state := map[string]*pgSeries{}
	touched := p.apply(state, []metric.Record{count("9 lives", 2), count("9 lives", 3), value("v", 1), value("v", 4),
		{Name: "v", Kind: metric.Value, Value: 7, Tags: map[string]string{"q-x": `a"b`}}})
	got := string(render(state, touched))
	want := "# TYPE _9_lives_total counter\n_9_lives_total 5\n# TYPE v gauge\nv 4\nv{q_x=\"a\\\"b\"} 7\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if e := p.endpoint(); e != "http://x/metrics/job/j/a@base64/MS8y/b/c%20d" {
		t.Errorf("endpoint %s", e)
	}
}

func TestStatuspageRequest(t *testing.T) {
	s := &Statuspage{URL: "https://api.statuspage.io", Page: "p1", Metrics: map[string]string{"up": "m1"}, Key: "k",
		Now: func() time.Time { return time.Unix(1700000000, 0) }}
	req, ok := s.request([]metric.Record{value("up", 99.5), value("other", 1), {Name: "up", Kind: metric.Value, Value: 1, Time: time.Unix(1600000000, 0)}})
	if !ok || req.URL != "https://api.statuspage.io/v1/pages/p1/metrics/data" ||
		string(req.Body) != `{"data":{"m1":[{"timestamp":1700000000,"value":99.5},{"timestamp":1600000000,"value":1}]}}` ||
		req.Header.Get("Authorization") != "OAuth k" || s.Unmapped.Load() != 1 {
		t.Errorf("%s %s %v", req.URL, req.Body, s.Unmapped.Load())
	}
}

// fakeSink records batches and fails on demand.
type fakeSink struct {
	batches [][]metric.Record
	fail    error
}

func (f *fakeSink) Name() string                  { return "fake" }
func (f *fakeSink) MaxBatch() int                 { return 3 }
func (f *fakeSink) Check(metric.Record) error     { return nil }
func (f *fakeSink) Idempotent(k metric.Kind) bool { return k == metric.Value }
func (f *fakeSink) DryRun(w io.Writer, recs []metric.Record) error {
	return nil
}
func (f *fakeSink) Send(ctx context.Context, recs []metric.Record) error {
	if f.fail != nil {
		return f.fail
	}
	f.batches = append(f.batches, append([]metric.Record(nil), recs...))
	return nil
}

func TestPosterSalvage(t *testing.T) {
	now := time.Unix(1700000000, 0).UTC()
	for _, tc := range []struct {
		name                          string
		err                           error
		atLeastOnce                   bool
		spooled, lost, rejected, sent int
	}{
		{"ok", nil, false, 0, 0, 0, 7},
		{"down", &SendError{Err: errors.New("refused")}, false, 7, 0, 0, 0},
		// the first batch (3 counts) fails ambiguously; the sink is then down and the rest is spooled untried
		{"ambiguous", &SendError{Err: errors.New("500"), Ambiguous: true}, false, 4, 3, 0, 0},
		{"ambiguous at least once", &SendError{Err: errors.New("500"), Ambiguous: true}, true, 7, 0, 0, 0},
		{"rejected", &SendError{Err: errors.New("400"), Permanent: true}, false, 0, 0, 7, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sp := spool.Open(t.TempDir(), "fake")
			sink := &fakeSink{fail: tc.err}
			p := NewPoster(context.Background(), PostOptions{Targets: []Target{{Sink: sink, Spool: sp}}, AtLeastOnce: tc.atLeastOnce,
				FlushEvery: -1, Now: func() time.Time { return now }})
			for i := 0; i < 4; i++ {
				p.Add(count("c", float64(i)))
			}
			for i := 0; i < 3; i++ {
				p.Add(value("v", float64(i)))
			}
			res := p.Close().Targets[0]
			if res.Spooled != tc.spooled || res.Lost != tc.lost || res.Rejected != tc.rejected || res.Sent != tc.sent {
				t.Errorf("%+v", res)
			}
			st, _ := sp.Status()
			if st.Records != tc.spooled {
				t.Errorf("spool has %d", st.Records)
			}
			if st.Records > 0 && !st.Oldest.Equal(now) {
				t.Errorf("untimed records spooled with time %v, want %v", st.Oldest, now)
			}
		})
	}
}

// An interrupted run spools what it has not sent, and records added after
// Close are spooled too, with their read time.
func TestPosterInterrupted(t *testing.T) {
	now := time.Unix(1700000000, 0).UTC()
	sp := spool.Open(t.TempDir(), "fake")
	ctx, cancel := context.WithCancel(context.Background())
	sink := &fakeSink{}
	p := NewPoster(ctx, PostOptions{Targets: []Target{{Sink: sink, Spool: sp}}, FlushEvery: -1, Chunk: 2,
		Now: func() time.Time { return now }})
	p.Add(value("a", 1))
	p.Add(value("a", 2)) // a full chunk: may be sent before the cancel
	cancel()
	p.Add(value("a", 3))
	res := p.Close()
	p.Add(value("a", 4)) // after Close
	r := res.Targets[0]
	st, _ := sp.Status()
	sent := 0
	for _, b := range sink.batches {
		sent += len(b)
	}
	if sent != r.Sent || r.Sent+st.Records != 4 || st.Records < 2 {
		t.Fatalf("sent %d (result %+v), spooled %d", sent, r, st.Records)
	}
	if !st.Newest.Equal(now) {
		t.Errorf("late record time %v", st.Newest)
	}
}

// Status codes the fake StatHat does not produce, from a plain server
// (InfluxDB answers 401 with auth on, 404 for a missing database).
func TestClassifyStatus(t *testing.T) {
	for _, tc := range []struct {
		status                     int
		auth, permanent, ambiguous bool
	}{
		{401, true, false, false},
		{403, true, false, false},
		{400, false, true, false},
		{404, false, true, false},
		{502, false, false, true},
		{503, false, false, false},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(tc.status)
		}))
		s := &Influx{URL: srv.URL, DB: "d", Now: time.Now, Client: httpx.New(httpx.Options{RetryMax: -1})}
		se := AsSendError(s.Send(context.Background(), []metric.Record{value("a", 1)}))
		srv.Close()
		if se.Auth != tc.auth || se.Permanent != tc.permanent || se.Ambiguous != tc.ambiguous {
			t.Errorf("%d: %+v", tc.status, se)
		}
	}
}

// StatsD over TCP: newline-terminated lines on one connection; a refused
// connection is a clear failure (nothing was sent).
func TestStatsDTCP(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan string, 1)
	go func() {
		c, err := l.Accept()
		if err != nil {
			got <- err.Error()
			return
		}
		b, _ := io.ReadAll(c)
		got <- string(b)
	}()
	s, err := NewStatsD("tcp://" + l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Send(context.Background(), []metric.Record{count("a b", 1), value("g", 2.5)}); err != nil {
		t.Fatal(err)
	}
	if err := s.Send(context.Background(), []metric.Record{count("c", 3)}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if b := <-got; b != "a_b:1|c\ng:2.5|g\nc:3|c\n" {
		t.Errorf("received %q", b)
	}
	l.Close()
	s2, _ := NewStatsD("tcp://" + l.Addr().String())
	err = s2.Send(context.Background(), []metric.Record{count("a", 1)})
	if se := AsSendError(err); err == nil || se.Ambiguous {
		t.Errorf("refused: %v", err)
	}
}

// Every attempt refused, then the post deadline ends during the pause before
// the next attempt: nothing reached a server, so the failure is clear and a
// count is kept for another try (spooled), not given up as "may have
// arrived". A stall after the request was written stays ambiguous.
func TestStatHatDeadlineAfterRefused(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	s := &StatHat{URL: "http://" + addr, EZKey: "k", Client: httpx.New(httpx.Options{Tool: "statpost",
		AttemptTimeout: time.Second, Deadline: 300 * time.Millisecond, WaitMin: 10 * time.Second, WaitMax: 10 * time.Second})}
	err = s.Send(context.Background(), []metric.Record{count("a", 1), count("b", 1)})
	if se := AsSendError(err); err == nil || se.Ambiguous || se.Permanent {
		t.Errorf("refused until the deadline: %v ambiguous=%v", err, se.Ambiguous)
	}

	f, u := fakestathat.Start(t, fakestathat.Options{})
	f.SetMode(fakestathat.Stall)
	err = stallSend(t, f, newStatHat(u), []metric.Record{count("a", 1), count("b", 1)})
	if se := AsSendError(err); err == nil || !se.Ambiguous {
		t.Errorf("stalled after sending: %v ambiguous=%v", err, se.Ambiguous)
	}
}

// A server that echoes the request (as some proxies and error pages do) must
// not make the key appear in errors or -v output, in any of the forms it was
// sent: form-encoded (one record), JSON-escaped (bulk), or raw.
func TestStatHatRedactsEchoedKey(t *testing.T) {
	const key = "s3cr3t key/+&=<x>"
	for _, status := range []int{401, 400, 200} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			w.WriteHeader(status)
			if status == 200 {
				fmt.Fprintf(w, `{"status":500,"msg":%q}`, "bad key "+key)
				return
			}
			fmt.Fprintf(w, "got %s (key %s)", b, key)
		}))
		for _, recs := range [][]metric.Record{{count("a", 1)}, {count("a", 1), value("b", 2)}} {
			var verbose bytes.Buffer
			s := &StatHat{URL: srv.URL, EZKey: key, Verbose: &verbose,
				Client: httpx.New(httpx.Options{Tool: "statpost", RetryMax: -1, Secrets: []string{key}})}
			err := s.Send(context.Background(), recs)
			if err == nil {
				t.Fatalf("%d: no error", status)
			}
			j, _ := json.Marshal(key)
			for _, form := range []string{key, url.QueryEscape(key), string(j[1 : len(j)-1])} {
				if strings.Contains(err.Error(), form) || strings.Contains(verbose.String(), form) {
					t.Errorf("%d, %d records: key form %q in\nerror: %v\nverbose: %s", status, len(recs), form, err, verbose.String())
				}
			}
			if status == 401 && !AsSendError(err).Auth {
				t.Errorf("401 lost its classification under the redaction: %+v", AsSendError(err))
			}
		}
		srv.Close()
	}
}
