package stats

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cronkit/cronkit/lib/metric"
	"github.com/cronkit/cronkit/lib/spool"
	"github.com/cronkit/cronkit/lib/testutil/fakestathat"
)

func counter(name string, v float64) metric.Record {
	return metric.Record{Name: name, Kind: metric.Counter, Value: v}
}

// stathatCounts sums the counts the fake accepted per stat (stathat-api.md
// §1.1: a count is an increment) and says which stats got a value.
func stathatCounts(f *fakestathat.Fake) (counts map[string]float64, values map[string]float64) {
	counts, values = map[string]float64{}, map[string]float64{}
	for _, p := range f.Points() {
		if p.Count != nil {
			counts[p.Stat] += *p.Count
		}
		if p.Value != nil {
			values[p.Stat] = *p.Value
		}
	}
	return counts, values
}

// Each Increases is a new statpost run on the same state file: the first
// sighting posts nothing, then the increase, a reset posts the new value,
// a counter seen again unchanged posts 0, and tags make separate series.
func TestIncreasesAcrossRestarts(t *testing.T) {
	f, u := fakestathat.Start(t, fakestathat.Options{})
	state := filepath.Join(t.TempDir(), "stathat-x.counters")
	run := func(recs ...metric.Record) {
		t.Helper()
		inc := &Increases{Sink: newStatHat(u), Path: state}
		if err := inc.Send(context.Background(), recs); err != nil {
			t.Fatal(err)
		}
	}
	db := func(r metric.Record, name string) metric.Record { r.Tags = map[string]string{"db": name}; return r }

	run(counter("xact", 100), value("conns", 3), db(counter("tup", 10), "a"), db(counter("tup", 1000), "b"))
	counts, values := stathatCounts(f)
	if len(counts) != 0 || values["conns"] != 3 {
		t.Fatalf("first sighting: counts %v values %v, want no counts", counts, values)
	}
	run(counter("xact", 150), db(counter("tup", 15), "a"), db(counter("tup", 1020), "b"))
	run(counter("xact", 30))                                          // the server restarted: 30 since then
	run(counter("xact", 30))                                          // unchanged (or the same record again): 0
	run(counter("xact", 31), counter("xact", 40), counter("xact", 5)) // one batch: 1, 9, reset 5
	counts, _ = stathatCounts(f)
	if want := map[string]float64{"xact": 50 + 30 + 0 + 1 + 9 + 5, "tup": 5 + 20}; fmt.Sprint(counts) != fmt.Sprint(want) {
		t.Errorf("counts %v, want %v", counts, want)
	}
	for _, p := range f.Points() {
		if p.Count != nil && *p.Count < 0 {
			t.Errorf("negative count %v", *p.Count)
		}
	}
}

// A kill -9 during a send leaves "sending" in the state file: by default
// the increases count as delivered (never twice: the journal's copies of the
// records, re-sent, post nothing; an older value is not taken for a reset);
// --at-least-once sends them again.
func TestIncreasesKilledDuringSend(t *testing.T) {
	for _, tc := range []struct {
		name        string
		atLeastOnce bool
		flag        string // AtLeastOnceName: the warning's hint
		want        float64
		warning     string // its end
	}{
		{"at most once", false, "--at-least-once", 0 + 7, "; they may or may not have arrived and are not sent again (--at-least-once re-sends them)"},
		{"at most once, unnamed", false, "", 0 + 7, "; they may or may not have arrived and are not sent again"},
		{"at least once", true, "--at-least-once", 20 + 30 + 7, "; they are sent again (--at-least-once)"},
		{"at least once, unnamed", true, "", 20 + 30 + 7, "; they are sent again"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, u := fakestathat.Start(t, fakestathat.Options{})
			state := filepath.Join(t.TempDir(), "c.counters")
			// what Send writes before sending 100 -> 120 -> 150, then killed
			// (and a torn line: killed again while writing the next entry)
			if err := os.WriteFile(state, []byte(`{"version":1,"delivered":{"xact":{"v":90,"t":"2026-11-22T20:59:00Z"}}}`), 0o600); err != nil {
				t.Fatal(err)
			}
			log := `D {"xact":{"v":100,"t":"2026-11-22T21:00:00Z"}}` + "\n" + `S {"xact":{"v":150,"t":"2026-11-22T21:02:00Z"}}` + "\n" + `S {"xa`
			if err := os.WriteFile(state+".log", []byte(log), 0o600); err != nil {
				t.Fatal(err)
			}
			var warned []string
			inc := &Increases{Sink: newStatHat(u), Path: state, AtLeastOnce: tc.atLeastOnce, AtLeastOnceName: tc.flag,
				Warn: func(format string, a ...any) { warned = append(warned, fmt.Sprintf(format, a...)) }}
			// the records recovered from the killed run's journal, then a new one
			t0 := time.Date(2026, 11, 22, 21, 0, 0, 0, time.UTC)
			at := func(r metric.Record, min int) metric.Record {
				r.Time = t0.Add(time.Duration(min) * time.Minute)
				return r
			}
			if err := inc.Send(context.Background(), []metric.Record{at(counter("xact", 120), 1), at(counter("xact", 150), 2), at(counter("xact", 157), 3)}); err != nil {
				t.Fatal(err)
			}
			counts, _ := stathatCounts(f)
			if counts["xact"] != tc.want {
				t.Errorf("posted %v, want %v", counts["xact"], tc.want)
			}
			if len(warned) != 1 || !strings.Contains(warned[0], "killed run") || !strings.HasSuffix(warned[0], tc.warning) {
				t.Errorf("warnings %q", warned)
			}
			// a new run reads the state: 157 delivered, nothing in flight
			warned = nil
			st, err := (&Increases{Sink: inc.Sink, Path: state, Warn: inc.Warn}).load()
			if err != nil || st.Delivered["xact"].V != 157 || len(st.Sending) != 0 || len(warned) != 0 {
				b, _ := os.ReadFile(state + ".log")
				t.Errorf("state after: %+v %v, warnings %q; log:\n%s", st, err, warned, b)
			}
		})
	}
}

// An ambiguous failure of a live send (StatHat recorded the points, then
// answered 500) counts the increase as delivered: re-sending the spooled
// counter posts 0, so it is never counted twice.
func TestIncreasesAmbiguousNotTwice(t *testing.T) {
	f, u := fakestathat.Start(t, fakestathat.Options{})
	state := filepath.Join(t.TempDir(), "c.counters")
	var warned []string
	inc := &Increases{Sink: newStatHat(u), Path: state, AtLeastOnceName: "--at-least-once",
		Warn: func(format string, a ...any) { warned = append(warned, fmt.Sprintf(format, a...)) }}
	ctx := context.Background()
	t0 := time.Date(2026, 11, 22, 21, 0, 0, 0, time.UTC)
	at := func(r metric.Record, min int) metric.Record {
		r.Time = t0.Add(time.Duration(min) * time.Minute)
		return r
	}
	if err := inc.Send(ctx, []metric.Record{at(counter("xact", 100), 0)}); err != nil {
		t.Fatal(err)
	}
	f.Script(fakestathat.AcceptThen500)
	err := inc.Send(ctx, []metric.Record{at(counter("xact", 150), 1), counter("other", 1)})
	if se := AsSendError(err); err == nil || !se.Ambiguous || se.Done != 0 {
		t.Fatalf("err %v (%+v)", err, se)
	}
	if !inc.Idempotent(metric.Counter) {
		t.Fatal("counters must be idempotent for the poster: they are kept and re-sent")
	}
	if err := inc.Send(ctx, []metric.Record{at(counter("xact", 150), 1)}); err != nil { // from the spool
		t.Fatal(err)
	}
	counts, _ := stathatCounts(f)
	if counts["xact"] != 50 {
		t.Errorf("posted %v, want 50 exactly once", counts["xact"])
	}
	if len(warned) != 1 || !strings.Contains(warned[0], "may or may not have arrived") || !strings.HasSuffix(warned[0], "; they are not sent again (--at-least-once re-sends them)") {
		t.Errorf("warnings %q", warned)
	}
}

// Two destinations keep their own state: one down for a run spools the
// raw counters and, once back, gets the same total increase as the other.
func TestIncreasesTwoDestinations(t *testing.T) {
	fa, ua := fakestathat.Start(t, fakestathat.Options{})
	fb, ub := fakestathat.Start(t, fakestathat.Options{})
	dir := t.TempDir()
	targets := func() []Target {
		var out []Target
		for _, u := range []string{ua, ub} {
			s := newStatHat(u)
			sp := spool.ForDestination(dir, s.Name(), Destination(s))
			out = append(out, Target{Sink: &Increases{Sink: s, Path: filepath.Join(dir, sp.Name()+".counters")}, Spool: sp})
		}
		if Destination(out[0].Sink) == Destination(out[1].Sink) {
			t.Fatal("same destination")
		}
		return out
	}
	run := func(v float64) Result {
		p := NewPoster(context.Background(), PostOptions{Targets: targets(), Journal: true, FlushEvery: -1})
		p.Add(counter("pg.hc.xact_commit", v))
		return p.Close()
	}
	run(100)
	fb.SetMode(fakestathat.Unavailable) // 503: not processed, spooled
	if res := run(150); res.Targets[1].Spooled != 1 || res.Targets[0].Sent != 1 {
		t.Fatalf("run 2: %+v", res.Targets)
	}
	fb.SetMode(fakestathat.OK)
	if res := run(170); res.Targets[1].FromSpool != 1 || res.Targets[1].Sent != 1 {
		t.Fatalf("run 3: %+v", res.Targets)
	}
	a, _ := stathatCounts(fa)
	b, _ := stathatCounts(fb)
	if a["pg.hc.xact_commit"] != 70 || b["pg.hc.xact_commit"] != 70 {
		t.Errorf("a %v b %v, want 70 each", a, b)
	}
	var got []float64
	for _, p := range fb.Points() {
		got = append(got, *p.Count)
	}
	if fmt.Sprint(got) != "[50 20]" {
		t.Errorf("b's counts %v, want [50 20] (spooled first)", got)
	}
}

// Dry runs keep the state in memory: a second record in the run shows its
// increase, nothing is written.
func TestIncreasesDryRun(t *testing.T) {
	var out strings.Builder
	inc := &Increases{Sink: &StatsD{Network: "udp", Addr: "127.0.0.1:8125", MTU: StatsDMTU}}
	if err := inc.DryRun(&out, []metric.Record{counter("c", 5), counter("c", 8), value("v", 1)}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "c:3|c\nv:1|g") {
		t.Errorf("dry run:\n%s", out.String())
	}
}

// An old record sent again (from a journal or the spool) after a newer one
// was delivered posts nothing: its lower value is not a reset. A lower value
// with a later time is one.
func TestIncreasesOldRecordIsNotAReset(t *testing.T) {
	f, u := fakestathat.Start(t, fakestathat.Options{})
	inc := &Increases{Sink: newStatHat(u), Path: filepath.Join(t.TempDir(), "c.counters")}
	t0 := time.Date(2026, 11, 22, 21, 0, 0, 0, time.UTC)
	at := func(v float64, min int) metric.Record {
		return metric.Record{Name: "xact", Kind: metric.Counter, Value: v, Time: t0.Add(time.Duration(min) * time.Minute)}
	}
	for _, batch := range [][]metric.Record{
		{at(100, 0)},
		{at(200, 2)},
		{at(150, 1), at(200, 2)}, // re-sent: nothing
		{at(30, 3)},              // restart: 30
		{at(40, 4), at(40, 4)},   // the same record twice in a batch: 10 once
		{at(45, 4)},              // a new value at the same time (whole seconds): 5
	} {
		if err := inc.Send(context.Background(), batch); err != nil {
			t.Fatal(err)
		}
	}
	var got []float64
	for _, p := range f.Points() {
		got = append(got, *p.Count)
	}
	if fmt.Sprint(got) != "[100 30 10 5]" {
		t.Errorf("counts %v, want [100 30 10 5]", got)
	}
}

// Many sends keep the log small: it is folded into the snapshot once it
// outgrows it, and a new process reads the same state back.
func TestIncreasesLogFolded(t *testing.T) {
	state := filepath.Join(t.TempDir(), "c.counters")
	inc := &Increases{Sink: &nopSink{}, Path: state}
	for i := 0; i < 2000; i++ {
		if err := inc.Send(context.Background(), []metric.Record{counter("a", float64(i)), counter("b", float64(2*i))}); err != nil {
			t.Fatal(err)
		}
	}
	fi, err := os.Stat(state + ".log")
	if err != nil || fi.Size() > 64<<10+200 {
		t.Fatalf("log: %v %v", fi.Size(), err)
	}
	st, err := (&Increases{Sink: &nopSink{}, Path: state}).load()
	if err != nil || st.Delivered["a"].V != 1999 || st.Delivered["b"].V != 3998 {
		t.Errorf("%+v %v", st, err)
	}
}

// Two processes on one destination take turns: each sees what the other
// delivered (the cached state is read again when the files changed).
func TestIncreasesTwoProcessesTakeTurns(t *testing.T) {
	f, u := fakestathat.Start(t, fakestathat.Options{})
	state := filepath.Join(t.TempDir(), "c.counters")
	p1 := &Increases{Sink: newStatHat(u), Path: state}
	p2 := &Increases{Sink: newStatHat(u), Path: state}
	for i, p := range []*Increases{p1, p2, p1, p2, p1} {
		if err := p.Send(context.Background(), []metric.Record{counter("xact", float64(10*(i+1)))}); err != nil {
			t.Fatal(err)
		}
	}
	counts, _ := stathatCounts(f)
	if counts["xact"] != 40 || len(f.Points()) != 4 {
		t.Errorf("counts %v in %d points, want 40 in 4", counts, len(f.Points()))
	}
}
