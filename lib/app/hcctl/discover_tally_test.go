package hcctl

import (
	"bytes"
	"errors"
	"maps"
	"strings"
	"testing"

	"github.com/cronkit/cronkit/lib/hc"
)

// tally decides which jobs discover may rewrite: those whose check is
// there, even if its update failed, never one whose create failed.
func TestDiscoverTally(t *testing.T) {
	ch := func(name string) hc.Change { return hc.Change{Check: hc.Check{Name: name}} }
	cplan := hc.Plan{Unchanged: []hc.Change{ch("same")}}
	results := []hc.Result{
		{Op: "create", Change: ch("new")},
		{Op: "create", Change: ch("refused"), Err: refusedf("401")},
		{Op: "delete", Change: ch("forbidden"), Err: &hc.APIError{Op: "delete check", Status: 403}},
		{Op: "update", Change: ch("stale"), Err: errors.New("500")},
		{Op: "update", Change: ch("fresh")},
		{Op: "delete", Change: ch("gone")},
	}
	var stderr bytes.Buffer
	got := tally(&stderr, cplan, results)
	wantExists := map[string]bool{"same": true, "new": true, "stale": true, "fresh": true}
	if !maps.Equal(got.exists, wantExists) {
		t.Errorf("exists = %v, want %v", got.exists, wantExists)
	}
	if len(got.failed) != 3 || got.auth != 2 {
		t.Errorf("failed = %v, auth = %d; want 3 failed, 2 refused", got.failed, got.auth)
	}
	if want := map[string]int{"create": 1, "update": 1, "delete": 1}; !maps.Equal(got.counts, want) {
		t.Errorf("counts = %v, want %v", got.counts, want)
	}
	if n := strings.Count(stderr.String(), "\n"); n != 3 || !strings.Contains(stderr.String(), `hcctl: create "refused" failed: 401`) {
		t.Errorf("stderr = %q", stderr.String())
	}
}
