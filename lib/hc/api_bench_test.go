package hc

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/cronkit/cronkit/lib/httpx"
	"github.com/cronkit/cronkit/lib/testutil/fakehc"
)

// checksFile returns a file of n checks; the first `changed` get another
// grace, so that applying it over the plain file updates exactly those.
func checksFile(n, changed int) []byte {
	var b strings.Builder
	b.WriteString("checks:\n")
	for i := 0; i < n; i++ {
		grace := "10m"
		if i < changed {
			grace = "20m"
		}
		fmt.Fprintf(&b, "  - name: job-%03d\n    slug: job-%03d\n    schedule: \"%d * * * *\"\n    tz: UTC\n    grace: %s\n    tags: [bench, shard-%d]\n    desc: generated check %d\n",
			i, i, i%60, grace, i%7, i)
	}
	return []byte(b.String())
}

// applyOnce is what `hcctl apply` does: one list, the plan, the writes; with
// a fresh client per run, as a process has, and the default rate limit
// (rate 0; the setup that creates all 500 checks passes -1: no limit).
func applyOnce(b *testing.B, url string, desired []Desired, rate int) Plan {
	a, err := NewAPI(APIOptions{URL: url, Key: fakehc.DefaultAPIKey, RatePerMinute: rate, HTTP: httpx.New(httpx.Options{Tool: "hcctl"})})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	list, err := a.Checks(ctx, ListOptions{})
	if err != nil {
		b.Fatal(err)
	}
	p, err := MakePlan(desired, list, PlanOptions{})
	if err != nil {
		b.Fatal(err)
	}
	for _, r := range a.Apply(ctx, p, 4, nil) {
		if r.Err != nil {
			b.Fatal(r.Err)
		}
	}
	return p
}

// BenchmarkApply500Unchanged: applying a 500-check file that matches the
// project makes exactly one list request and no writes.
func BenchmarkApply500Unchanged(b *testing.B) {
	f := fakehc.Start(b, fakehc.Options{})
	desired, err := ParseChecksFile("bench.yaml", checksFile(500, 0))
	if err != nil {
		b.Fatal(err)
	}
	applyOnce(b, f.URL, desired, -1)
	f.ResetCounts()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if p := applyOnce(b, f.URL, desired, 0); p.Writes() != 0 {
			b.Fatalf("%d writes planned", p.Writes())
		}
	}
	b.StopTimer()
	if f.Writes() != 0 || f.Count(fakehc.KindList) != b.N {
		b.Fatalf("requests: %v for %d runs", f.Counts(), b.N)
	}
	b.ReportMetric(float64(f.Count(fakehc.KindList))/float64(b.N), "lists/op")
	b.ReportMetric(float64(f.Writes())/float64(b.N), "writes/op")
}

// BenchmarkApply500With50Changed: 50 checks differ in one field; each run
// makes 50 concurrent updates (alternating between two files).
func BenchmarkApply500With50Changed(b *testing.B) {
	f := fakehc.Start(b, fakehc.Options{})
	base, err := ParseChecksFile("a.yaml", checksFile(500, 0))
	if err != nil {
		b.Fatal(err)
	}
	changed, err := ParseChecksFile("b.yaml", checksFile(500, 50))
	if err != nil {
		b.Fatal(err)
	}
	applyOnce(b, f.URL, base, -1)
	f.ResetCounts()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d := changed
		if i%2 == 1 {
			d = base
		}
		if p := applyOnce(b, f.URL, d, 0); len(p.Update) != 50 {
			b.Fatalf("%d updates planned", len(p.Update))
		}
	}
	b.StopTimer()
	if f.Count(fakehc.KindUpdate) != 50*b.N || f.Writes() != 50*b.N {
		b.Fatalf("requests: %v for %d runs", f.Counts(), b.N)
	}
	b.ReportMetric(float64(f.Writes())/float64(b.N), "writes/op")
}

// BenchmarkParseChecksFile500 is the file parsing and validation alone.
func BenchmarkParseChecksFile500(b *testing.B) {
	data := checksFile(500, 0)
	b.SetBytes(int64(len(data)))
	for i := 0; i < b.N; i++ {
		if _, err := ParseChecksFile("bench.yaml", data); err != nil {
			b.Fatal(err)
		}
	}
}
