package cron

import (
	"errors"
	"testing"
	"time"
)

// FuzzParseCalendar: ParseCalendar never panics; errors are *FieldError; an
// accepted expression's normalised form parses to the same Calendar, it
// explains itself, and its next times from a few bases (DST changes
// included) increase in wall-clock time. Seeds: the differential corpus and
// testdata/fuzz/FuzzParseCalendar.
func FuzzParseCalendar(f *testing.F) {
	for _, e := range loadCorpus(f) {
		f.Add(e)
	}
	riga, err := time.LoadLocation("Europe/Riga")
	if err != nil {
		f.Fatal(err)
	}
	bases := []time.Time{
		time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 3, 29, 2, 59, 30, 0, riga),
		time.Date(2026, 10, 25, 3, 30, 0, 0, riga),
	}
	f.Fuzz(func(t *testing.T, expr string) {
		c, err := ParseCalendar(expr)
		if err != nil {
			var fe *FieldError
			if !errors.As(err, &fe) || err.Error() == "" {
				t.Fatalf("ParseCalendar(%q) error %T %v", expr, err, err)
			}
			return
		}
		norm := c.String()
		again, err := ParseCalendar(norm)
		if err != nil {
			t.Fatalf("normalised %q of %q does not parse: %v", norm, expr, err)
		}
		if again.String() != norm {
			t.Fatalf("%q normalises to %q, which normalises to %q", expr, norm, again.String())
		}
		if x := c.Explain(); x == "" {
			t.Fatalf("Explain(%q) is empty", expr)
		}
		for _, b := range bases {
			prev := b
			for i := 0; i < 3; i++ {
				n := c.Next(prev)
				if n.IsZero() {
					break
				}
				// systemd searches wall-clock readings: they always move on,
				// though an instant may not (a repeated hour read with the
				// first offset, as systemd does: the corpus has a case).
				loc := c.loc
				if loc == nil {
					loc = prev.Location()
				}
				wall := func(x time.Time) time.Time {
					_, off := x.In(loc).Zone()
					return x.Add(time.Duration(off) * time.Second).UTC()
				}
				if !wall(n).After(wall(prev)) || n.Before(prev.Add(-2*time.Hour)) {
					t.Fatalf("%q: run %d after %s is %s", expr, i, prev, n)
				}
				if n.Year() > calMaxYear+1 {
					t.Fatalf("%q: run %s past the year limit", expr, n)
				}
				prev = n
			}
		}
	})
}
