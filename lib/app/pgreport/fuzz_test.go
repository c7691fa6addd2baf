package pgreport

import (
	"errors"
	"testing"

	"github.com/cronkit/cronkit/lib/pgstat"
)

// --section-timeout's SECTION=DURATION: whatever the input, either a
// *UsageError or known sections with positive durations; never a panic.
// Seeds: f.Add below and testdata/fuzz/FuzzSectionTimeouts.
func FuzzSectionTimeouts(f *testing.F) {
	for _, s := range []string{"tables=30s", "tables=", "=1s", "tables=0s", "tables=-1s", "nosuch=1s", "tables=1s=2s", "tables 1s", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := parseSectionTimeouts([]string{s})
		var ue *UsageError
		if err != nil {
			if !errors.As(err, &ue) || m != nil {
				t.Fatalf("%q: %v (%T), %v", s, err, err, m)
			}
			return
		}
		if len(m) != 1 {
			t.Fatalf("%q: %v", s, m)
		}
		for name, d := range m {
			if !pgstat.IsSection(name) || d <= 0 {
				t.Fatalf("%q: %s=%s", s, name, d)
			}
		}
	})
}
