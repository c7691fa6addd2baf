package cron

import (
	"testing"
	"time"
)

var sinkTime time.Time

// BenchmarkNext measures one Next call; the figures are in
// docs/benchmarks.md (cron).
func BenchmarkNext(b *testing.B) {
	riga, err := time.LoadLocation("Europe/Riga")
	if err != nil {
		b.Fatal(err)
	}
	cases := []struct {
		name, expr string
		from       time.Time
	}{
		{"every-minute/UTC", "* * * * *", time.Date(2026, 1, 1, 0, 0, 30, 0, time.UTC)},
		{"every-5-min/Riga", "*/5 * * * *", time.Date(2026, 3, 29, 2, 58, 0, 0, riga)},
		{"daily-0330/Riga-dst", "30 3 * * *", time.Date(2026, 3, 28, 12, 0, 0, 0, riga)},
		{"weekdays-0930/UTC", "30 9 * * 1-5", time.Date(2026, 6, 5, 10, 0, 0, 0, time.UTC)},
		{"weekdays-0930/Riga", "30 9 * * 1-5", time.Date(2026, 6, 5, 10, 0, 0, 0, riga)},
		{"first-monday/UTC", "0 0 * * MON#1", time.Date(2026, 1, 6, 0, 0, 0, 0, time.UTC)},
		{"last-weekday/UTC", "0 12 LW * *", time.Date(2026, 5, 30, 0, 0, 0, 0, time.UTC)},
		{"feb-29/UTC", "0 0 29 2 *", time.Date(2029, 3, 1, 0, 0, 0, 0, time.UTC)},
		{"feb-29/Riga", "0 0 29 2 *", time.Date(2029, 3, 1, 0, 0, 0, 0, riga)},
		{"feb-mon5/UTC", "0 0 * 2 MON#5", time.Date(2044, 3, 1, 0, 0, 0, 0, time.UTC)},
	}
	for _, c := range cases {
		s, err := Parse(c.expr)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sinkTime = s.Next(c.from)
			}
		})
	}
}

func BenchmarkPrev(b *testing.B) {
	s, err := Parse("0 0 29 2 *")
	if err != nil {
		b.Fatal(err)
	}
	from := time.Date(2031, 3, 1, 0, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	for b.Loop() {
		sinkTime = s.Prev(from)
	}
}

var sinkSchedule *Schedule

func BenchmarkParse(b *testing.B) {
	for _, expr := range []string{"*/5 * * * *", "0 0 1,15 * 5", "0 0 */15 * MON#5"} {
		b.Run(expr, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				s, err := Parse(expr)
				if err != nil {
					b.Fatal(err)
				}
				sinkSchedule = s
			}
		})
	}
}

// BenchmarkMinuteWalk is the anchor for BenchmarkNext: the same questions
// answered by walking minute by minute in UTC (refMatcher from
// brute_test.go), the naive way a cron evaluator can be written.
func BenchmarkMinuteWalk(b *testing.B) {
	cases := []struct {
		name, expr string
		from       time.Time
	}{
		{"weekdays-0930/UTC", "30 9 * * 1-5", time.Date(2026, 6, 5, 10, 0, 0, 0, time.UTC)},
		{"feb-29/UTC", "0 0 29 2 *", time.Date(2029, 3, 1, 0, 0, 0, 0, time.UTC)},
	}
	for _, c := range cases {
		s, err := Parse(c.expr)
		if err != nil {
			b.Fatal(err)
		}
		want := s.Next(c.from)
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				rm := &refMatcher{s: s}
				x := c.from.Truncate(time.Minute).Add(time.Minute)
				for !rm.match(x) {
					x = x.Add(time.Minute)
				}
				if !x.Equal(want) {
					b.Fatalf("walk found %v, Next %v", x, want)
				}
			}
		})
	}
}
