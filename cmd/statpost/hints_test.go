package main

import (
	"strings"
	"testing"
)

// lib/app/statpost says which sink has no key; statpost words where its key
// is set, as a usage error with the --help hint (exit 2).
func TestKeyHints(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"count", "x"}, "statpost: no StatHat EZ key: set $STATHAT_EZKEY (or ezkey in the config file, or --ezkey file:/path) (see 'statpost count --help')\n"},
		{[]string{"count", "x", "--sink", "statuspage", "--statuspage-page", "p", "--statuspage-metric", "x=m"},
			"statpost: --sink statuspage needs an API key: $STATUSPAGE_API_KEY or --statuspage-key file:/path (see 'statpost count --help')\n"},
	} {
		code, stderr := runStatpost(t, map[string]string{"XDG_STATE_HOME": t.TempDir()}, "", tt.args...)
		if code != 2 || stderr != tt.want {
			t.Errorf("%s: exit %d, stderr %q; want 2, %q", strings.Join(tt.args, " "), code, stderr, tt.want)
		}
	}
}
