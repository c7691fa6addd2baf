package chart

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cronkit/cronkit/lib/testutil"
)

func TestRates(t *testing.T) {
	t0 := time.Date(2026, 11, 22, 21, 0, 0, 0, time.UTC)
	at := func(s ...int) []time.Time {
		var out []time.Time
		for _, x := range s {
			out = append(out, t0.Add(time.Duration(x)*time.Second))
		}
		return out
	}
	tests := []struct {
		name  string
		in    Series
		rate  Rate
		want  string // values, or the error
		times []time.Time
	}{
		{"per interval", Series{Counter: true, Values: []float64{10, 15, 25}, Times: at(0, 60, 120)}, PerInterval, "5 10", at(60, 120)},
		{"per second", Series{Counter: true, Values: []float64{10, 70, 190}, Times: at(0, 60, 120)}, PerSecond, "1 2", at(60, 120)},
		{"uneven intervals", Series{Counter: true, Values: []float64{0, 30, 60}, Times: at(0, 10, 40)}, PerSecond, "3 1", at(10, 40)},
		{"reset is the new value, never negative", Series{Counter: true, Values: []float64{100, 120, 5, 9}, Times: at(0, 1, 2, 3)}, PerInterval, "20 5 4", at(1, 2, 3)},
		{"untimed per interval", Series{Counter: true, Values: []float64{1, 4, 9}}, PerInterval, "3 5", nil},
		{"value series untouched", Series{Values: []float64{1, 4, 9}}, PerSecond, "1 4 9", nil},
		{"raw", Series{Counter: true, Values: []float64{1, 4, 9}}, Raw, "1 4 9", nil},
		{"one record", Series{Name: "c", Counter: true, Values: []float64{1}}, PerInterval, `counter "c" has 1 record; a rate needs two`, nil},
		{"per second untimed", Series{Name: "c", Counter: true, Values: []float64{1, 2}}, PerSecond, `rate: per-second needs a time on every record of counter "c"`, nil},
		{"per second backwards", Series{Name: "c", Counter: true, Values: []float64{1, 2}, Times: at(60, 0)}, PerSecond, `rate: counter "c": record 2 is not later than the one before (2026-11-22T21:00:00Z)`, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := Rates([]Series{tc.in}, tc.rate)
			if err != nil {
				if err.Error() != tc.want || !IsQueryError(err) {
					t.Errorf("err %q, want %q", err, tc.want)
				}
				return
			}
			if got := strings.TrimSpace(fmtVals(out[0].Values)); got != tc.want {
				t.Errorf("values %s, want %s", got, tc.want)
			}
			if tc.times != nil && fmt.Sprint(out[0].Times) != fmt.Sprint(tc.times) {
				t.Errorf("times %v, want %v", out[0].Times, tc.times)
			}
		})
	}
	// The caller names the option and the remedy in its flags (issue 18).
	if _, err := ParseRate("hourly"); err == nil || err.Error() != `rate: "hourly": want per-interval or per-second` || err.(*Error).Option != OptRate {
		t.Errorf("ParseRate: %v", err)
	}
	if _, err := Rates([]Series{{Name: "c", Counter: true, Values: []float64{1}}}, PerInterval); err == nil || err.(*Error).Remedy != OptRaw {
		t.Errorf("one record: %v, want Raw as the remedy", err)
	}
}

// A counter read from records (a PostgreSQL restart in the middle) charted
// per second, beside a value series: the query's data is the golden file
// (the y range is given, so the data is the rate alone).
func TestRatesGolden(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "rate", "xact.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	all, err := ReadSeries(f, "xact.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	if !all[0].Counter || all[1].Counter {
		t.Fatalf("kinds: %s counter=%v, %s counter=%v", all[0].Name, all[0].Counter, all[1].Name, all[1].Counter)
	}
	var b strings.Builder
	for _, c := range []struct {
		r  Rate
		hi float64
	}{{PerSecond, 20}, {PerInterval, 1000}, {Raw, 4000}} {
		r := c.r
		ss, err := Rates(all, r)
		if err != nil {
			t.Fatal(err)
		}
		lo, hi := 0.0, c.hi
		q, err := BuildQuery(ss[:1], ChartOptions{W: 300, H: 100, YMin: &lo, YMax: &hi})
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%d: %s\n   %s\n", r, strings.TrimSpace(fmtVals(ss[0].Values)), q)
	}
	testutil.Golden(t, filepath.Join("testdata", "rate", "xact.golden"), []byte(b.String()))
}
