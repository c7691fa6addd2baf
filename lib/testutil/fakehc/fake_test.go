package fakehc

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func do(t *testing.T, method, url, key, body string) (int, http.Header, string) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("X-Api-Key", key)
	}
	req.Header.Set("User-Agent", "runwrap/test")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

func getStatus(t *testing.T, f *Fake, uuid string) string {
	t.Helper()
	code, _, body := do(t, "GET", f.URL+"/api/v3/checks/"+uuid, DefaultAPIKey, "")
	if code != 200 {
		t.Fatalf("get: %d %s", code, body)
	}
	var v struct{ Status string }
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatal(err)
	}
	return v.Status
}

// Status derivation by the clock (Check.get_status): up until last ping +
// timeout, grace until + grace, then down; a fail ping is down at once.
func TestStatusByClock(t *testing.T) {
	clk := NewClock(time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC))
	f := Start(t, Options{Now: clk.Now})
	id := f.AddCheck(Spec{Name: "job", Slug: "job", Timeout: time.Hour, Grace: 10 * time.Minute})
	cronID := f.AddCheck(Spec{Name: "nightly", Schedule: "0 3 * * *", TZ: "Europe/Riga", Grace: 30 * time.Minute})

	steps := []struct {
		do         func()
		want, cron string
	}{
		{func() {}, "new", "new"},
		{func() { do(t, "GET", f.URL+"/ping/"+id, "", ""); do(t, "GET", f.URL+"/ping/"+cronID, "", "") }, "up", "up"},
		{func() { clk.Add(59 * time.Minute) }, "up", "up"},
		{func() { clk.Add(2 * time.Minute) }, "grace", "up"},
		{func() { clk.Add(10 * time.Minute) }, "down", "up"},
		// 03:00 Riga is 01:00 UTC; grace ends 01:30 UTC.
		{func() { clk.Set(time.Date(2026, 11, 23, 1, 10, 0, 0, time.UTC)) }, "down", "grace"},
		{func() { clk.Add(21 * time.Minute) }, "down", "down"},
		{func() { do(t, "GET", f.URL+"/ping/"+id, "", "") }, "up", "down"},
		{func() { do(t, "GET", f.URL+"/ping/"+id+"/fail", "", "") }, "down", "down"},
		{func() { do(t, "POST", f.URL+"/api/v3/checks/"+id+"/pause", DefaultAPIKey, "") }, "paused", "down"},
	}
	for i, s := range steps {
		s.do()
		if got := getStatus(t, f, id); got != s.want {
			t.Errorf("step %d: status %q, want %q", i, got, s.want)
		}
		if got := getStatus(t, f, cronID); got != s.cron {
			t.Errorf("step %d: cron status %q, want %q", i, got, s.cron)
		}
	}
	// Going down by the clock is a flip at the moment the grace ran out,
	// as the server's alert loop records it: up, down (13:10), up, down
	// (fail), paused.
	ci, _ := f.Check(id)
	var got []string
	for _, fl := range ci.Flips {
		got = append(got, fmt.Sprintf("%s %v", fl.Time.Format("15:04"), fl.Up))
	}
	if want := "12:00 true,13:10 false,01:31 true,01:31 false,01:31 false"; strings.Join(got, ",") != want {
		t.Errorf("flips %s, want %s", strings.Join(got, ","), want)
	}
	cron, _ := f.Check(cronID)
	if n := len(cron.Flips); n != 2 || cron.Flips[1].Time != time.Date(2026, 11, 23, 1, 30, 0, 0, time.UTC) {
		t.Errorf("cron flips %+v", cron.Flips)
	}
}

// A run that overruns its grace after /start is down (what the server's
// alert loop stores), though the plain status ignores runs in progress.
func TestStartedOverrun(t *testing.T) {
	clk := NewClock(time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC))
	f := Start(t, Options{Now: clk.Now})
	id := f.AddCheck(Spec{Name: "job", Timeout: time.Hour, Grace: 5 * time.Minute})
	do(t, "GET", f.URL+"/ping/"+id, "", "")
	clk.Add(time.Minute)
	do(t, "GET", f.URL+"/ping/"+id+"/start", "", "")
	clk.Add(4 * time.Minute)
	if got := getStatus(t, f, id); got != "up" {
		t.Errorf("running: %q", got)
	}
	clk.Add(2 * time.Minute)
	if got := getStatus(t, f, id); got != "down" {
		t.Errorf("overrun: %q", got)
	}
}

func TestRecordedPings(t *testing.T) {
	clk := NewClock(time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC))
	f := Start(t, Options{Now: clk.Now, PingBodyLimit: 5})
	id := f.AddCheck(Spec{Name: "job", Slug: "job"})
	rid := "EEEEEEEE-EEEE-4EEE-8EEE-EEEEEEEEEEEE"
	code, h, _ := do(t, "POST", f.URL+"/ping/"+DefaultPingKey+"/job/start?rid="+rid, "", "hello world")
	if code != 200 || h.Get("Ping-Body-Limit") != "5" {
		t.Fatalf("start: %d %v", code, h)
	}
	clk.Add(3 * time.Second)
	do(t, "POST", f.URL+"/ping/"+id+"/3?rid="+strings.ToLower(rid), "", "")
	ps := f.Pings(id)
	if len(ps) != 2 {
		t.Fatalf("%d pings", len(ps))
	}
	if ps[0].Kind != "start" || string(ps[0].Body) != "hello" || ps[0].BodySize != 11 || !ps[0].Slug || ps[0].UserAgent != "runwrap/test" {
		t.Errorf("start ping %+v", ps[0])
	}
	if ps[1].Kind != "fail" || ps[1].ExitStatus == nil || *ps[1].ExitStatus != 3 || ps[1].Duration == nil || *ps[1].Duration != 3*time.Second {
		t.Errorf("exit ping %+v", ps[1])
	}
	if ps[0].RID == nil || *ps[0].RID != strings.ToLower(rid) {
		t.Errorf("rid %v", ps[0].RID)
	}
	if ci, _ := f.Check(id); ci.Status != "down" || ci.Started {
		t.Errorf("check %+v", ci)
	}
}

func TestFaults(t *testing.T) {
	f := Start(t, Options{})
	id := f.AddCheck(Spec{Name: "job"})
	f.Inject(2, Fault{Status: 503, RetryAfter: "7", Only: []Kind{KindPing}})
	for i := 0; i < 2; i++ {
		code, h, _ := do(t, "GET", f.URL+"/ping/"+id, "", "")
		if code != 503 || h.Get("Retry-After") != "7" {
			t.Errorf("try %d: %d %v", i, code, h)
		}
	}
	// API requests were not affected by a ping-only fault.
	f.Inject(1, Fault{Status: 429, RetryAfter: "1", Only: []Kind{KindPing}})
	if code, _, _ := do(t, "GET", f.URL+"/api/v3/checks/", DefaultAPIKey, ""); code != 200 {
		t.Errorf("list: %d", code)
	}
	if code, _, _ := do(t, "GET", f.URL+"/ping/"+id, "", ""); code != 429 {
		t.Errorf("429 fault: %d", code)
	}
	if code, _, body := do(t, "GET", f.URL+"/ping/"+id, "", ""); code != 200 || body != "OK" {
		t.Errorf("after faults: %d %q", code, body)
	}
	f.Inject(5, Fault{Status: 500})
	f.ClearFaults()
	if code, _, _ := do(t, "GET", f.URL+"/ping/"+id, "", ""); code != 200 {
		t.Errorf("after ClearFaults: %d", code)
	}
	if n := len(f.Pings(id)); n != 2 {
		t.Errorf("faulted pings recorded: %d", n)
	}
	if got := f.Count(KindPing); got != 5 {
		t.Errorf("ping count %d", got)
	}
}

func TestStallRelease(t *testing.T) {
	f := Start(t, Options{})
	id := f.AddCheck(Spec{Name: "job"})
	f.Inject(1, Fault{Stall: true})
	done := make(chan int)
	go func() {
		resp, err := http.Get(f.URL + "/ping/" + id)
		if err != nil {
			done <- 0
			return
		}
		resp.Body.Close()
		done <- resp.StatusCode
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := f.WaitFor(ctx, func() bool { return f.Stalled() == 1 }); err != nil {
		t.Fatal(err)
	}
	f.Release()
	if code := <-done; code != 200 {
		t.Errorf("released stall answered %d", code)
	}
	// A stalled request whose client gives up returns too.
	f.Inject(1, Fault{Stall: true, Status: 500})
	cctx, ccancel := context.WithCancel(context.Background())
	go func() {
		req, _ := http.NewRequestWithContext(cctx, "GET", f.URL+"/ping/"+id, nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
		done <- 0
	}()
	if err := f.WaitFor(ctx, func() bool { return f.Stalled() == 1 }); err != nil {
		t.Fatal(err)
	}
	ccancel()
	<-done
	if err := f.WaitFor(ctx, func() bool { return f.Stalled() == 0 }); err != nil {
		t.Fatal(err)
	}
}

func TestRateLimit(t *testing.T) {
	clk := NewClock(time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC))
	f := Start(t, Options{Now: clk.Now, RateLimit: 3})
	for i := 0; i < 3; i++ {
		if code, _, _ := do(t, "GET", f.URL+"/api/v3/checks/", DefaultAPIKey, ""); code != 200 {
			t.Fatalf("request %d: %d", i, code)
		}
	}
	clk.Add(20 * time.Second)
	code, h, _ := do(t, "GET", f.URL+"/api/v3/checks/", DefaultAPIKey, "")
	if code != 429 || h.Get("Retry-After") != "40" {
		t.Errorf("over the limit: %d Retry-After %q", code, h.Get("Retry-After"))
	}
	clk.Add(40 * time.Second)
	if code, _, _ := do(t, "GET", f.URL+"/api/v3/checks/", DefaultAPIKey, ""); code != 200 {
		t.Errorf("next window: %d", code)
	}
}

func TestCountsAndWrites(t *testing.T) {
	f := Start(t, Options{})
	do(t, "POST", f.URL+"/api/v3/checks/", DefaultAPIKey, `{"name":"a","unique":["name"]}`)
	do(t, "POST", f.URL+"/api/v3/checks/", DefaultAPIKey, `{"name":"a","unique":["name"]}`)
	do(t, "GET", f.URL+"/api/v3/checks/", DefaultAPIKey, "")
	do(t, "POST", f.URL+"/api/v3/checks/", DefaultReadOnlyKey, `{"name":"b"}`) // refused, still counted
	if f.Count(KindCreate) != 3 || f.Count(KindList) != 1 || f.Writes() != 3 {
		t.Errorf("counts %v", f.Counts())
	}
	if n := len(f.Checks()); n != 1 {
		t.Errorf("%d checks, want 1 (unique upsert)", n)
	}
	f.ResetCounts()
	if f.Writes() != 0 {
		t.Error("reset")
	}
}

func TestValidation(t *testing.T) {
	f := Start(t, Options{})
	tests := []struct{ body, want string }{
		{`{"grace": 31536001}`, `{"error": "json validation error: grace is too large"}`},
		{`{"manual_resume": "yes"}`, `{"error": "json validation error: manual_resume is not a boolean"}`},
		{`{"methods": "GET"}`, `{"error": "json validation error: methods has unexpected value"}`},
		{`{"unique": "name"}`, `{"error": "json validation error: unique is not an array"}`},
		{`{"name": null}`, `{"error": "json validation error: name is not a string"}`},
		{`{"schedule": "0 0 31 2 *"}`, `{"error": "json validation error: schedule is not a valid cron expression"}`},
		// cronsim splits on blanks and wants five fields: it has no @-macros.
		{`{"schedule": "@daily"}`, `{"error": "json validation error: schedule is not a valid cron expression"}`},
		// OnCalendar (v3.1+) must parse and elapse after 2000 (oncalendar.md).
		{`{"schedule": "*-02-30"}`, `{"error": "json validation error: schedule is not a valid cron expression"}`},
		{`{"schedule": "Mon..Fri 25:00"}`, `{"error": "json validation error: schedule is not a valid cron expression"}`},
		{`[1]`, `{"error": "json validation error: value is not an object"}`},
		{`{"channels": ",a"}`, `{"error": "empty channel identifier"}`},
	}
	for _, tt := range tests {
		code, _, body := do(t, "POST", f.URL+"/api/v3/checks/", DefaultAPIKey, tt.body)
		if code != 400 || body != tt.want {
			t.Errorf("%s: %d %s, want %s", tt.body, code, body, tt.want)
		}
	}
	if len(f.Checks()) != 0 {
		t.Error("an invalid create stored a check")
	}
}

// TestOnCalendarSchedule: a valid OnCalendar schedule (one or several
// lines) is stored and shown as given, as Healthchecks v3.1+ does.
func TestOnCalendarSchedule(t *testing.T) {
	f := Start(t, Options{})
	code, _, body := do(t, "POST", f.URL+"/api/v3/checks/", DefaultAPIKey, `{"name": "t", "schedule": "Mon..Fri 02:00\nSat 04:00 UTC", "tz": "Europe/Riga"}`)
	if code != 201 || !strings.Contains(body, `"schedule": "Mon..Fri 02:00\nSat 04:00 UTC", "tz": "Europe/Riga"`) {
		t.Fatalf("%d %s", code, body)
	}
}

func TestCheckLimitAndPingLogLimit(t *testing.T) {
	f := Start(t, Options{CheckLimit: 1, PingLogLimit: 2})
	if code, _, _ := do(t, "POST", f.URL+"/api/v3/checks/", DefaultAPIKey, `{"name":"a"}`); code != 201 {
		t.Fatal(code)
	}
	code, _, body := do(t, "POST", f.URL+"/api/v3/checks/", DefaultAPIKey, `{"name":"b"}`)
	if code != 403 || body != "" {
		t.Errorf("past the limit: %d %q", code, body)
	}
	id := f.Checks()[0].UUID
	for i := 0; i < 3; i++ {
		do(t, "GET", f.URL+"/ping/"+id, "", "")
	}
	_, _, body = do(t, "GET", f.URL+"/api/v3/checks/"+id+"/pings/", DefaultAPIKey, "")
	var v struct{ Pings []struct{ N int } }
	_ = json.Unmarshal([]byte(body), &v)
	if len(v.Pings) != 2 || v.Pings[0].N != 3 {
		t.Errorf("pings %+v", v.Pings)
	}
}

func TestPyJSON(t *testing.T) {
	got := string(pyJSON(obj{{"a", "x, y: <z> é"}, {"b", []any{1, pyFloat(2)}}, {"c", nil}}))
	want := `{"a": "x, y: <z> \u00e9", "b": [1, 2.0], "c": null}`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// FuzzPingPath: any path either matches a ping route or is a 404; it never
// panics and a match always names a check by UUID or by key and slug.
func FuzzPingPath(f *testing.F) {
	for _, s := range []string{"/ping/11111111-1111-4111-8111-111111111111/start", "/ping/pppppppppppppppppppppp/backups/256", "/ping/a/b/", "/ping/", "/ping//x/0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		rt, ok := parsePingPath(p)
		if ok && rt.uuid == "" && (rt.key == "" || rt.slug == "") {
			t.Errorf("%q: route %+v", p, rt)
		}
		if rt.exit != nil && (*rt.exit < 0 || *rt.exit > 255) {
			t.Errorf("%q: exit %d", p, *rt.exit)
		}
	})
}

// FuzzSpec: validation never panics, and what it accepts update can apply.
func FuzzSpec(f *testing.F) {
	for _, s := range []string{`{"name":"x","timeout":60}`, `{"unique":["name"],"channels":"*"}`, `{"schedule":"*/5 * * * *","tz":"UTC"}`, `{"grace":1e3}`} {
		f.Add(s)
	}
	fk := New(Options{})
	f.Fuzz(func(t *testing.T, s string) {
		var spec map[string]any
		d := json.NewDecoder(strings.NewReader(s))
		d.UseNumber()
		if d.Decode(&spec) != nil || spec == nil {
			return
		}
		if validateSpec(spec) == "" {
			fk.update(newCheck("x"), spec)
		}
	})
}

// A ping sent to the site root instead of the ping endpoint, or to a path
// that is no route, gets Django's generic HTML 404 page
// (healthchecks-captures.md: "Unknown check UUID (404)" notes that
// /ping/not-a-uuid matches no route; "Unknown check: get (404)" shows the
// page), while an unknown check under /ping/ gets the plain "not found".
// With SitePath the same holds below the sub-path, and anything outside it
// is an HTML 404 too.
func TestUnknownPathsAreDjango404(t *testing.T) {
	for _, site := range []string{"", "/hc"} {
		f := Start(t, Options{SitePath: site})
		id := f.AddCheck(Spec{Name: "db", Slug: "db"})
		host := strings.TrimSuffix(f.URL, site)
		page := []string{
			f.URL + "/" + id,
			f.URL + "/" + id + "/start",
			f.URL + "/" + DefaultPingKey + "/db",
			f.URL + "/" + DefaultPingKey + "/db/3",
			f.URL + "/ping/not-a-uuid",
			f.URL + "/ping",
		}
		if site != "" {
			page = append(page, host+"/ping/"+id, host+"/api/v3/checks/", host+"/hcx/ping/"+id)
		}
		for _, u := range page {
			code, h, body := do(t, "POST", u, "", "out")
			if code != 404 || body != notFoundHTML || h.Get("Content-Type") != "text/html; charset=utf-8" {
				t.Errorf("POST %s: %d %q %q, want Django's HTML 404", u, code, h.Get("Content-Type"), body)
			}
		}
		// /ping/ping/<uuid> is the slug route (ping key "ping"): plain "not found".
		for _, u := range []string{f.URL + "/ping/00000000-0000-4000-8000-000000000000", f.URL + "/ping/ping/" + id} {
			if code, _, body := do(t, "POST", u, "", ""); code != 404 || body != "not found" {
				t.Errorf("POST %s: %d %q, want 404 not found", u, code, body)
			}
		}
		if code, _, body := do(t, "POST", f.URL+"/ping/"+id+"/start", "", "out"); code != 200 || body != "OK" {
			t.Errorf("site %q: ping: %d %q", site, code, body)
		}
		// URLs in bodies carry the sub-path.
		code, _, body := do(t, "GET", f.URL+"/api/v3/checks/"+id, DefaultAPIKey, "")
		if code != 200 || !strings.Contains(body, `"ping_url": "`+f.URL+"/ping/"+id+`"`) {
			t.Errorf("site %q: get check: %d %s", site, code, body)
		}
		if n := len(f.Pings(id)); n != 1 {
			t.Errorf("site %q: %d pings recorded, want 1", site, n)
		}
	}
}
