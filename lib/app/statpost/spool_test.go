package statpost

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/cronkit/cronkit/lib/metric"
	"github.com/cronkit/cronkit/lib/outcome"
	"github.com/cronkit/cronkit/lib/spool"
	"github.com/cronkit/cronkit/lib/testutil/fakestathat"
)

// Records a run could not deliver wait in the destination's spool: status
// shows them, flush sends them, drop discards them.
func TestSpoolStatusFlushDrop(t *testing.T) {
	f, url := fakestathat.Start(t, fakestathat.Options{})
	f.SetMode(fakestathat.ServerError)
	o, _, stderr := testOptions(t, url, "a 1\nb 2\n")
	if err := RunPost(context.Background(), o); outcome.Of(err) != outcome.Partial {
		t.Fatalf("%v, want Partial; stderr %s", err, stderr)
	}
	dir := o.SpoolDir
	var out bytes.Buffer
	o.Stdout = &out
	if err := SpoolStatus(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); !strings.HasPrefix(got, "stathat: 2 records, ") || !strings.Contains(got, "; to "+url) {
		t.Errorf("status: %q", got)
	}

	f.SetMode(fakestathat.OK)
	out.Reset()
	if err := SpoolFlush(context.Background(), FlushOptions{Options: o}); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); got != "stathat: 2 records sent\n" {
		t.Errorf("flush: %q", got)
	}
	if _, n := f.Counts(); n != 2 {
		t.Errorf("%d points arrived, want 2", n)
	}

	// a legacy spool (before spools were keyed by destination) is only
	// dropped or adopted on request
	legacy := writeLegacy(t, dir)
	out.Reset()
	if err := SpoolStatus(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "destination unknown") {
		t.Errorf("status of a legacy spool: %q", out.String())
	}
	out.Reset()
	if err := SpoolDrop(context.Background(), DropOptions{Options: o, Names: []string{"stathat"}}); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); got != "stathat: 1 record dropped\n" {
		t.Errorf("drop: %q", got)
	}
	if _, err := os.Stat(legacy); !os.IsNotExist(err) {
		t.Errorf("the legacy spool is still there: %v", err)
	}
}

// writeLegacy writes the spool of an older statpost (<dir>/stathat.spool,
// destination unknown) holding one count, and returns its path.
func writeLegacy(t *testing.T, dir string) string {
	t.Helper()
	sp := spool.Open(dir, "stathat")
	if err := sp.Append([]metric.Record{{Name: "c", Kind: metric.Count, Value: 1, Time: time.Unix(1700000000, 0)}}); err != nil {
		t.Fatal(err)
	}
	return sp.Path()
}

// --adopt moves a legacy spool's records to the configured destination
// before the flush sends them.
func TestSpoolFlushAdopt(t *testing.T) {
	f, url := fakestathat.Start(t, fakestathat.Options{})
	o, out, _ := testOptions(t, url, "")
	writeLegacy(t, o.SpoolDir)
	if err := SpoolFlush(context.Background(), FlushOptions{Options: o, Adopt: []string{"stathat"}}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "stathat: 1 record adopted from ") || !strings.HasSuffix(out.String(), "stathat: 1 record sent\n") {
		t.Errorf("stdout %q", out)
	}
	if p := f.Points(); len(p) != 1 || p[0].Stat != "c" {
		t.Errorf("points %+v", p)
	}
}

func TestSpoolUsage(t *testing.T) {
	o, _, _ := testOptions(t, "http://127.0.0.1:1", "")
	for _, tt := range []struct {
		name string
		run  func() error
		msg  string
	}{
		{"drop neither", func() error { return SpoolDrop(context.Background(), DropOptions{Options: o}) }, "or give --all"},
		{"drop both", func() error {
			return SpoolDrop(context.Background(), DropOptions{Options: o, Names: []string{"stathat"}, All: true})
		}, "or give --all"},
		{"drop unknown", func() error {
			return SpoolDrop(context.Background(), DropOptions{Options: o, Names: []string{"bogus"}})
		}, `no spool is named "bogus"`},
		{"flush dry run", func() error {
			d := o
			d.DryRun = true
			return SpoolFlush(context.Background(), FlushOptions{Options: d})
		}, "no --dry-run"},
		{"adopt nothing", func() error {
			return SpoolFlush(context.Background(), FlushOptions{Options: o, Adopt: []string{"statsd"}})
		}, "--adopt statsd: no --sink statsd"},
		{"adopt missing", func() error {
			return SpoolFlush(context.Background(), FlushOptions{Options: o, Adopt: []string{"stathat-0123456789abcdef"}})
		}, "no such spool"},
	} {
		err := tt.run()
		if outcome.Of(err) != outcome.Usage || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("%s: %v, want a usage error with %q", tt.name, err, tt.msg)
		}
	}
}
