package hc

import (
	"slices"
	"testing"
)

func TestFailing(t *testing.T) {
	checks := []Check{{Name: "a", Status: "up"}, {Name: "b", Status: "down"}, {Name: "c", Status: "grace"}, {Name: "d", Status: "paused"}}
	if got := Failing(checks, false); !slices.Equal(got, []string{"b"}) {
		t.Errorf("down only: %v", got)
	}
	if got := Failing(checks, true); !slices.Equal(got, []string{"b", "c"}) {
		t.Errorf("with grace: %v", got)
	}
}
