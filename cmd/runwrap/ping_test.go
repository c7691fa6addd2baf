package main

import (
	"errors"
	"fmt"
	"testing"

	"github.com/cronkit/cronkit/lib/hc"
)

// The run record's check tag names the check without its ping key.
func TestCheckName(t *testing.T) {
	const key = "pppppppppppppppppppppp"
	for _, tt := range []struct {
		pc   hc.PingClient
		want string
	}{
		{hc.PingClient{PingKey: key, Slug: "nightly"}, "nightly"},
		{hc.PingClient{UUID: "5bf66975-d4c7-4bf5-bcc8-b8d8a82ea278"}, "5bf66975-d4c7-4bf5-bcc8-b8d8a82ea278"},
		{hc.PingClient{URL: "https://hc.example.org/ping/" + key + "/db-backup"}, "db-backup"},
	} {
		if got := checkName(&tt.pc); got != tt.want {
			t.Errorf("checkName(%+v) = %q, want %q", tt.pc, got, tt.want)
		}
	}
}

// The ping errors lib/wrap says once a run are worded with runwrap's flags.
func TestPingHint(t *testing.T) {
	notFound := fmt.Errorf("ping start: 404: %w", hc.ErrCheckNotFound)
	wrongURL := fmt.Errorf("ping start: %w", hc.ErrNotPingEndpoint)
	for _, tt := range []struct {
		o      wrapOptions
		err    error
		reason error
		hint   string
	}{
		{wrapOptions{}, notFound, hc.ErrCheckNotFound, "check --uuid (or --slug and the ping key), and that --api-url or HC_API_URL names the server that has it"},
		{wrapOptions{}, wrongURL, hc.ErrNotPingEndpoint, "set --api-url or HC_API_URL to the Healthchecks site root or its /ping endpoint"},
		{wrapOptions{pingURL: "https://x/ping/u"}, wrongURL, hc.ErrNotPingEndpoint, "check --ping-url"},
		{wrapOptions{}, errors.New("ping start: connection refused"), nil, ""},
	} {
		hint, reason := tt.o.pingHint(tt.err)
		if reason != tt.reason || hint != tt.hint {
			t.Errorf("pingHint(%v) = %q, %v; want %q, %v", tt.err, hint, reason, tt.hint, tt.reason)
		}
	}
}
