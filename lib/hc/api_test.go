package hc

import (
	"context"
	"encoding/json"
	"errors"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cronkit/cronkit/lib/httpx"
	"github.com/cronkit/cronkit/lib/testutil/fakehc"
)

func apiPtr[T any](v T) *T { return &v }

func newTestAPI(t *testing.T, f *fakehc.Fake, key string) *API {
	t.Helper()
	a, err := NewAPI(APIOptions{URL: f.URL, Key: key, RatePerMinute: -1,
		HTTP: httpx.New(httpx.Options{Tool: "hcctl", WaitMin: 10 * time.Millisecond, Deadline: 20 * time.Second})})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestAPICheckLifecycle(t *testing.T) {
	f := fakehc.Start(t, fakehc.Options{})
	a := newTestAPI(t, f, fakehc.DefaultAPIKey)
	ctx := context.Background()

	spec := CheckSpec{Name: apiPtr("Backups"), Slug: apiPtr("backups"), Tags: apiPtr("prod db"), Timeout: apiPtr(int64(3600)),
		Grace: apiPtr(int64(300)), Channels: apiPtr("*"), Unique: []string{"name"}}
	c, created, err := a.CreateCheck(ctx, spec)
	if err != nil || !created {
		t.Fatalf("create: %v created=%v", err, created)
	}
	if c.ID() == "" || c.Timeout != 3600 || *c.Channels != fakehc.DefaultChannelID {
		t.Errorf("created %+v", c)
	}
	// The same unique name again: 200, same check, fields applied.
	spec.Grace = apiPtr(int64(600))
	c2, created, err := a.CreateCheck(ctx, spec)
	if err != nil || created || c2.ID() != c.ID() || c2.Grace != 600 {
		t.Fatalf("upsert: %v created=%v %+v", err, created, c2)
	}
	c3, err := a.UpdateCheck(ctx, c.ID(), CheckSpec{Schedule: apiPtr("0 3 * * *"), TZ: apiPtr("Europe/Riga")})
	if err != nil || c3.Schedule != "0 3 * * *" || c3.TZ != "Europe/Riga" || c3.Timeout != 0 {
		t.Fatalf("update: %v %+v", err, c3)
	}
	list, err := a.Checks(ctx, ListOptions{Tags: []string{"prod", "db"}})
	if err != nil || len(list) != 1 {
		t.Fatalf("list: %v %d", err, len(list))
	}
	if _, err := a.PauseCheck(ctx, c.ID()); err != nil {
		t.Fatal(err)
	}
	if got, _ := a.Check(ctx, c.ID()); got.Status != "paused" {
		t.Errorf("status %q", got.Status)
	}
	if _, err := a.ResumeCheck(ctx, c.ID()); err != nil {
		t.Fatal(err)
	}
	_, err = a.ResumeCheck(ctx, c.ID())
	var ae *APIError
	if !errors.As(err, &ae) || ae.Status != 409 || ae.Msg != "check is not paused" || !errors.Is(err, ErrConflict) {
		t.Errorf("resume again: %v", err)
	}
	flips, err := a.Flips(ctx, c.ID(), FlipsOptions{})
	if err != nil || len(flips) != 2 {
		t.Errorf("flips %v %v", flips, err)
	}
	chs, err := a.Channels(ctx)
	if err != nil || len(chs) != 1 || chs[0].Kind != "email" {
		t.Errorf("channels %v %v", chs, err)
	}
	badges, err := a.Badges(ctx)
	if err != nil || strings.Join(SortedBadgeTags(badges), " ") != "db prod *" {
		t.Errorf("badges %v %v", badges, err)
	}
	if _, err := a.DeleteCheck(ctx, c.ID()); err != nil {
		t.Fatal(err)
	}
	_, err = a.DeleteCheck(ctx, c.ID())
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "not found") {
		t.Errorf("delete again: %v", err)
	}
}

func TestAPIPingsAndBody(t *testing.T) {
	f := fakehc.Start(t, fakehc.Options{})
	id := f.AddCheck(fakehc.Spec{Name: "job", Slug: "job"})
	a := newTestAPI(t, f, fakehc.DefaultAPIKey)
	ctx := context.Background()
	pc := &PingClient{URL: f.URL + "/ping/" + id, HTTP: httpx.New(httpx.Options{Tool: "hcctl"})}
	if _, err := pc.Send(ctx, Ping{Kind: PingStart, RunID: "eeeeeeee-eeee-4eee-8eee-eeeeeeeeeeee"}); err != nil {
		t.Fatal(err)
	}
	if _, err := pc.Send(ctx, Ping{Kind: PingSuccess, RunID: "eeeeeeee-eeee-4eee-8eee-eeeeeeeeeeee", Body: []byte("done")}); err != nil {
		t.Fatal(err)
	}
	ps, err := a.CheckPings(ctx, id)
	if err != nil || len(ps) != 2 || ps[0].Type != "success" || ps[0].Duration == nil || ps[0].BodyURL == nil {
		t.Fatalf("pings %+v %v", ps, err)
	}
	b, err := a.PingBody(ctx, id, ps[0].N)
	if err != nil || string(b) != "done" {
		t.Errorf("body %q %v", b, err)
	}
	if _, err := a.PingBody(ctx, id, 1); !errors.Is(err, ErrNotFound) {
		t.Errorf("no body: %v", err)
	}
}

func TestAPIKeys(t *testing.T) {
	f := fakehc.Start(t, fakehc.Options{})
	id := f.AddCheck(fakehc.Spec{Name: "job", Slug: "job"})
	ctx := context.Background()

	ro := newTestAPI(t, f, fakehc.DefaultReadOnlyKey)
	list, err := ro.Checks(ctx, ListOptions{})
	if err != nil || len(list) != 1 || list[0].PingURL != "" || len(list[0].ID()) != 40 {
		t.Fatalf("read-only list: %v %+v", err, list)
	}
	_, _, err = ro.CreateCheck(ctx, CheckSpec{Name: apiPtr("x")})
	var ae *APIError
	if !errors.As(err, &ae) || !ae.ReadOnly || ae.HTTPStatus() != 401 || !strings.Contains(err.Error(), "a read-write key is needed") {
		t.Errorf("read-only write: %v", err)
	}
	if _, err := ro.PauseCheck(ctx, id); !errors.As(err, &ae) || !ae.ReadOnly {
		t.Errorf("read-only pause: %v", err)
	}

	wrong := newTestAPI(t, f, strings.Repeat("y", 32))
	_, err = wrong.PauseCheck(ctx, id)
	if !errors.As(err, &ae) || ae.ReadOnly || ae.Status != 401 || ae.Msg != "wrong api key" {
		t.Errorf("wrong key: %v", err)
	}
	if _, err := NewAPI(APIOptions{URL: f.URL, HTTP: httpx.New(httpx.Options{})}); err == nil {
		t.Error("no key accepted")
	}
}

// 429 is retried after Retry-After (httpx honours it).
func TestAPIRetries429(t *testing.T) {
	f := fakehc.Start(t, fakehc.Options{})
	a := newTestAPI(t, f, fakehc.DefaultAPIKey)
	f.Inject(1, fakehc.Fault{Status: 429, RetryAfter: "1", Only: []fakehc.Kind{fakehc.KindList}})
	start := time.Now()
	if _, err := a.Checks(context.Background(), ListOptions{}); err != nil {
		t.Fatal(err)
	}
	if f.Count(fakehc.KindList) != 2 {
		t.Errorf("list requests %d, want 2", f.Count(fakehc.KindList))
	}
	if el := time.Since(start); el < 900*time.Millisecond {
		t.Errorf("retried after %v, before Retry-After", el)
	}
}

func TestResolve(t *testing.T) {
	f := fakehc.Start(t, fakehc.Options{})
	a := newTestAPI(t, f, fakehc.DefaultAPIKey)
	ctx := context.Background()
	one := f.AddCheck(fakehc.Spec{Name: "Backups", Slug: "backups"})
	f.AddCheck(fakehc.Spec{Name: "dup", Slug: "d1"})
	f.AddCheck(fakehc.Spec{Name: "Dup 2", Slug: "dup"})
	tests := []struct {
		ref, want, err string
	}{
		{one, one, ""},
		{strings.ToUpper(one), one, ""},
		{"backups", one, ""},
		{"Backups", one, ""},
		{"dup", "", `check "dup" is ambiguous; it matches "dup" (slug "d1"`},
		{"nope", "", `check "nope" not found`},
		{"00000000-0000-4000-8000-000000000000", "", `not found`},
	}
	for _, tt := range tests {
		c, err := a.Resolve(ctx, tt.ref)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%s: err %v, want %q", tt.ref, err, tt.err)
			}
			continue
		}
		if err != nil || c.ID() != tt.want {
			t.Errorf("%s: %v %s", tt.ref, err, c.ID())
		}
	}
}

// fakeClock is the limiter's clock in tests: sleeping moves it forward at
// once, so a test of minutes of requests takes no real time.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *fakeClock) Until(ctx context.Context, t time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	if t.After(c.now) {
		c.now = t
	}
	c.mu.Unlock()
	return nil
}
func (c *fakeClock) Add(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

func testLimiter(n int, period time.Duration) (*limiter, *fakeClock) {
	c := &fakeClock{now: time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)}
	l := newLimiter(n, period)
	l.now, l.until = c.Now, c.Until
	return l, c
}

// The limiter holds the stated rate: never more than n requests in any
// window of one period (the hosted API's "100 API requests per minute",
// healthchecks-api.md §3.1). The token bucket it replaces let 122 through
// in 12.6 s. With requests as fast as the client can make them, every
// request starts exactly a period after the one n before it.
func TestLimiterHoldsRate(t *testing.T) {
	ctx := context.Background()
	l, c := testLimiter(100, time.Minute)
	start := c.Now()
	var at []time.Time
	for i := 0; i < 1000; i++ {
		if err := l.wait(ctx); err != nil {
			t.Fatal(err)
		}
		at = append(at, c.Now())
		c.Add(10 * time.Millisecond) // the request itself
	}
	for i := 100; i < len(at); i++ {
		if d := at[i].Sub(at[i-100]); d < time.Minute {
			t.Fatalf("requests %d and %d are %v apart: %d requests within a minute", i-100, i, d, 101)
		}
	}
	// The measurement: how many went out in the first 12.6 s.
	n := 0
	for _, a := range at {
		if a.Sub(start) < 12600*time.Millisecond {
			n++
		}
	}
	if n > 100 {
		t.Errorf("%d requests in the first 12.6 s, want at most 100", n)
	}
	// And it is not slower than it must be: 1000 requests in 9 minutes
	// and a second (the last window starts at 9 min; the burst took 1 s).
	if el := at[len(at)-1].Sub(start); el > 9*time.Minute+time.Second {
		t.Errorf("1000 requests took %v, want about 9m1s", el)
	}
}

// A pause longer than a period frees the whole window again; concurrent
// callers share it (each reserves its own slot); a cancelled context stops
// the wait.
func TestLimiterWindowAndCancel(t *testing.T) {
	ctx := context.Background()
	l, c := testLimiter(3, time.Second)
	for i := 0; i < 3; i++ {
		_ = l.wait(ctx)
	}
	c.Add(5 * time.Second)
	t0 := c.Now()
	for i := 0; i < 3; i++ {
		_ = l.wait(ctx)
	}
	if !c.Now().Equal(t0) {
		t.Errorf("after a pause, 3 requests waited %v", c.Now().Sub(t0))
	}
	if err := l.wait(ctx); err != nil || c.Now().Sub(t0) != time.Second {
		t.Errorf("4th request in the window: %v after %v, want 1s", err, c.Now().Sub(t0))
	}

	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := l.wait(cctx); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled wait: %v", err)
	}

	// Concurrent callers (apply's writes): still at most n a period.
	l, _ = testLimiter(10, time.Minute)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var at []time.Time
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 25; i++ {
				_, a := l.reserve()
				mu.Lock()
				at = append(at, a)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	sort.Slice(at, func(i, j int) bool { return at[i].Before(at[j]) })
	for i := 10; i < len(at); i++ {
		if at[i].Sub(at[i-10]) < time.Minute {
			t.Fatalf("grants %d and %d within %v", i-10, i, at[i].Sub(at[i-10]))
		}
	}
	if el := at[len(at)-1].Sub(at[0]); el != 9*time.Minute {
		t.Errorf("100 grants span %v, want 9m", el)
	}
}

// Newer servers add a uuid field; v2.10 has only the ping URL; read-only
// keys see only unique_key (healthchecks-api.md §3.3).
func TestCheckID(t *testing.T) {
	tests := []struct{ json, want string }{
		{`{"uuid":"5bf66975-d4c7-4bf5-bcc8-b8d8a82ea278","ping_url":"https://hc-ping.com/other"}`, "5bf66975-d4c7-4bf5-bcc8-b8d8a82ea278"},
		{`{"ping_url":"http://127.0.0.1:8000/ping/22222222-2222-4222-8222-222222222222"}`, "22222222-2222-4222-8222-222222222222"},
		{`{"unique_key":"d7f024c5a6dfb55a585e7bd370abbab723c5415d"}`, "d7f024c5a6dfb55a585e7bd370abbab723c5415d"},
	}
	for _, tt := range tests {
		var c Check
		if err := json.Unmarshal([]byte(tt.json), &c); err != nil {
			t.Fatal(err)
		}
		if got := c.ID(); got != tt.want {
			t.Errorf("%s: %q", tt.json, got)
		}
	}
}

// The server wraps flips as {"flips": [...]} (captured); the docs show a
// bare list. Both decode.
func TestDecodeFlips(t *testing.T) {
	for _, in := range []string{
		`{"flips": [{"timestamp": "2026-11-22T22:15:21+00:00", "up": 1}]}`,
		`[{"timestamp": "2026-11-22T22:15:21+00:00", "up": 1}]`,
	} {
		f, err := decodeFlips([]byte(in))
		if err != nil || len(f) != 1 || f[0].Up != 1 || f[0].Timestamp.Unix() != 1795385721 {
			t.Errorf("%s: %+v %v", in, f, err)
		}
	}
	if _, err := decodeFlips([]byte(`<html>`)); err == nil {
		t.Error("HTML accepted")
	}
}

// lib/hc does not know hcctl's flags or variables (issue 18): its errors
// are typed, and the command words the hint.
func TestAPIErrorsNameNoOptions(t *testing.T) {
	f := fakehc.Start(t, fakehc.Options{})
	h := httpx.New(httpx.Options{Tool: "hcctl", RetryMax: -1})
	_, err := NewAPI(APIOptions{URL: f.URL, HTTP: h})
	if !errors.Is(err, ErrNoKey) {
		t.Errorf("no key: %v, want ErrNoKey", err)
	}
	// A path under the site root: the list's 404 says there is no API there.
	a, err := NewAPI(APIOptions{URL: f.URL + "/hc", Key: fakehc.DefaultAPIKey, HTTP: h, RatePerMinute: -1})
	if err != nil {
		t.Fatal(err)
	}
	_, err = a.Checks(context.Background(), ListOptions{})
	var ae *APIError
	if !errors.As(err, &ae) || !ae.NoAPI || ae.Base != f.URL+"/hc" || ae.HTTPStatus() != 404 {
		t.Fatalf("wrong URL: %#v", err)
	}
	for _, err := range []error{err, ErrNoKey} {
		for _, word := range []string{"--", "HC_", "HCCTL_", "hcctl"} {
			if strings.Contains(err.Error(), word) {
				t.Errorf("%q names a command's option (%q)", err, word)
			}
		}
	}
}
