package cron

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// FuzzParse: Parse never panics; errors are *FieldError; an accepted
// expression round-trips through String, explains itself, and its runs from
// a few fixed times are after the start, increasing, and inverted by Prev.
// Seeds live in testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	for _, v := range specVectors {
		f.Add(v.expr)
	}
	for _, e := range []string{"0 0 31 2 *", "* * * * 8", "@reboot", "0 0 L,LW * 5L,MON#5", "*/7 1-5/2 */9 JAN-DEC/5 SUN-SAT/3"} {
		f.Add(e)
	}
	riga, err := time.LoadLocation("Europe/Riga")
	if err != nil {
		f.Fatal(err)
	}
	howe, err := time.LoadLocation("Australia/Lord_Howe")
	if err != nil {
		f.Fatal(err)
	}
	starts := []time.Time{
		time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 3, 29, 2, 59, 30, 0, riga), // before the spring jump
		time.Date(2026, 10, 25, 3, 30, 0, 0, riga), // in the repeated hour
		time.Date(2026, 4, 5, 1, 45, 0, 0, howe),   // Lord Howe's repeated half hour
		time.Date(2099, 12, 31, 23, 59, 0, 0, time.UTC),
	}
	f.Fuzz(func(t *testing.T, expr string) {
		s, err := Parse(expr)
		if err != nil {
			var fe *FieldError
			if !errors.As(err, &fe) || err.Error() == "" {
				t.Fatalf("Parse(%q) error %T %v", expr, err, err)
			}
			return
		}
		norm := s.String()
		again, err := Parse(norm)
		if err != nil {
			t.Fatalf("String() %q of %q does not parse: %v", norm, expr, err)
		}
		if *again != *s {
			t.Fatalf("%q and its String() %q differ", expr, norm)
		}
		if x := s.Explain(); x == "" || strings.ToUpper(x[:1]) != x[:1] {
			t.Fatalf("Explain(%q) = %q", expr, x)
		}
		for _, from := range starts {
			prev := from
			for i := range 3 {
				n := s.Next(prev)
				if n.IsZero() {
					// Only a zone that always skips the hour can do this.
					if from.Location() == time.UTC {
						t.Fatalf("%q: no run after %s", expr, prev)
					}
					break
				}
				if !n.After(prev) || n.Sub(prev) > (searchYears+1)*366*24*time.Hour {
					t.Fatalf("%q: run %d after %s is %s", expr, i, prev, n)
				}
				if n.Second() != 0 || n.Location() != from.Location() {
					t.Fatalf("%q: run %s not on a minute in %v", expr, n, from.Location())
				}
				if p := s.Prev(n.Add(time.Second)); !p.Equal(n) {
					t.Fatalf("%q: Prev(%s+1s) = %s", expr, n, p)
				}
				prev = n
			}
		}
	})
}
