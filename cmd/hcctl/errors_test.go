package main

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	app "github.com/cronkit/cronkit/lib/app/hcctl"
	"github.com/cronkit/cronkit/lib/cli"
	"github.com/cronkit/cronkit/lib/hc"
)

// lib/app/hcctl's kinds of error get README's exit codes, and a usage
// error the "see --help" hint (the root's report).
func TestCliErr(t *testing.T) {
	for _, tt := range []struct {
		err  error
		code int
		help bool
	}{
		{&app.Error{Kind: app.Usage, Err: errors.New("--tag \"\": want one tag")}, cli.ExitUsage, true},
		{&app.Error{Kind: app.Refused, Err: errors.New("update check \"x\": the API key is read-only")}, cli.ExitRefused, false},
		{&app.Error{Kind: app.Partial, Err: errors.New("1 of 3 writes failed")}, cli.ExitPartial, false},
		{fmt.Errorf("all 2 writes failed: %v", "500"), cli.ExitFailure, false},
		{&hc.APIError{Op: "list checks", Status: 401}, cli.ExitRefused, false},
		{&hc.ChannelError{Check: "x", ID: "pager", Reason: "unknown"}, cli.ExitUsage, false},
		{cli.Usagef("no API key"), cli.ExitUsage, true}, // the command's own, through unchanged
	} {
		var stderr strings.Builder
		r := cli.NewRoot(&cli.Env{Stderr: &stderr}, cli.Tool{Name: "hcctl"})
		err := cliErr(tt.err)
		if code := r.Report(err, nil); code != tt.code {
			t.Errorf("%v: exit %d, want %d", tt.err, code, tt.code)
		}
		if want := "hcctl: " + tt.err.Error(); !strings.HasPrefix(stderr.String(), want) {
			t.Errorf("%v: stderr %q, want %q first", tt.err, stderr.String(), want)
		}
		if got := strings.Contains(stderr.String(), "--help')"); got != tt.help {
			t.Errorf("%v: help hint %v, want %v (%q)", tt.err, got, tt.help, stderr.String())
		}
	}
}

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
