package main

import (
	"errors"
	"testing"

	"github.com/cronkit/cronkit/lib/hc"
)

// hint names hcctl's flag for a URL without an API and its command for an
// unknown channel; other errors pass unchanged.
func TestHint(t *testing.T) {
	noAPI := &hc.APIError{Op: "list checks", Status: 404, NoAPI: true, Msg: "no API here"}
	channel := &hc.ChannelError{Check: "x", ID: "pager", Reason: "unknown"}
	other := &hc.APIError{Op: "list checks", Status: 404}
	for _, tt := range []struct {
		err  error
		want string
	}{
		{noAPI, noAPI.Error() + " (--api-url or HC_API_URL wants the site root, e.g. " + hc.DefaultAPIURL + ", or its ping endpoint)"},
		{channel, channel.Error() + " (hcctl channels lists them)"},
		{other, other.Error()},
	} {
		got := hint(tt.err)
		if got.Error() != tt.want || !errors.Is(got, tt.err) {
			t.Errorf("hint(%v) = %q, want %q wrapping it", tt.err, got, tt.want)
		}
	}
}
