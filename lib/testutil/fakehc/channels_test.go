package fakehc

import (
	"strings"
	"testing"
)

// Channels as the real API serves and resolves them
// (healthchecks-captures.md "List channels", "Unknown channel in channels";
// healthchecks-api.md §3.3 channels): the list shows every integration, a
// check names them by UUID (any case) or exact name, and an unknown,
// ambiguous or empty identifier is a 400 that changes nothing.
func TestChannels(t *testing.T) {
	f := Start(t, Options{})
	const slack = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"
	f.AddChannel(Channel{ID: slack, Name: "ops", Kind: "slack"})
	f.AddChannel(Channel{ID: "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb", Name: "twin", Kind: "email"})
	f.AddChannel(Channel{ID: "dddddddd-dddd-4ddd-8ddd-dddddddddddd", Name: "twin", Kind: "email"})

	code, _, body := do(t, "GET", f.URL+"/api/v3/channels/", DefaultAPIKey, "")
	want := `{"channels": [{"id": "cccccccc-cccc-4ccc-8ccc-cccccccccccc", "name": "", "kind": "email"}, ` +
		`{"id": "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa", "name": "ops", "kind": "slack"}, ` +
		`{"id": "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb", "name": "twin", "kind": "email"}, ` +
		`{"id": "dddddddd-dddd-4ddd-8ddd-dddddddddddd", "name": "twin", "kind": "email"}]}`
	if code != 200 || body != want {
		t.Errorf("list: %d %s", code, body)
	}
	if code, _, body := do(t, "GET", f.URL+"/api/v3/channels/", DefaultReadOnlyKey, ""); code != 401 || body != `{"error": "wrong api key"}` {
		t.Errorf("read-only list: %d %s", code, body)
	}

	uuid := f.AddCheck(Spec{Name: "backups"})
	update := func(channels string) (int, string) {
		code, _, body := do(t, "POST", f.URL+"/api/v3/checks/"+uuid, DefaultAPIKey, `{"channels": "`+channels+`"}`)
		return code, body
	}
	for _, tt := range []struct {
		channels string
		code     int
		want     string // the error, or the check's channels after
	}{
		{"ops", 200, slack},
		{strings.ToUpper(slack), 200, slack},
		{"no-such-channel", 400, `{"error": "invalid channel identifier: no-such-channel"}`},
		{"ops,", 400, `{"error": "empty channel identifier"}`},
		{"ops, twin", 400, `{"error": "invalid channel identifier:  twin"}`},
		{"twin", 400, `{"error": "non-unique channel identifier: twin"}`},
		// A UUID matches UUIDs only, never a name.
		{"eeeeeeee-eeee-4eee-8eee-eeeeeeeeeeee", 400, `{"error": "invalid channel identifier: eeeeeeee-eeee-4eee-8eee-eeeeeeeeeeee"}`},
	} {
		code, body := update(tt.channels)
		if code != tt.code {
			t.Errorf("%q: %d %s, want %d", tt.channels, code, body, tt.code)
			continue
		}
		if code == 400 && body != tt.want {
			t.Errorf("%q: %s, want %s", tt.channels, body, tt.want)
		}
		if c, _ := f.Check(uuid); code == 400 && strings.Join(c.Channels, ",") != slack {
			t.Errorf("%q: a refused update changed channels to %v", tt.channels, c.Channels)
		} else if code == 200 && strings.Join(c.Channels, ",") != tt.want {
			t.Errorf("%q: channels %v, want %s", tt.channels, c.Channels, tt.want)
		}
	}
}
