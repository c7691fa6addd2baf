package wrap

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cronkit/cronkit/lib/hc"
)

// The body limit while the server's is unknown (issue 13 item 8): an
// explicit --ping-body-limit, else the limit this endpoint announced
// before, else 10000, the self-hosted default (reference/healthchecks-api.md §2.4).
func TestUnknownLimit(t *testing.T) {
	const key = "pppppppppppppppppppppp"
	state := t.TempDir()
	newW := func(pc *hc.PingClient, explicit bool, limit int) *wrapper {
		return newWrapper(Config{Endpoint: pc.Endpoint(), BodyLimit: limit, BodyLimitSet: explicit,
			Getenv: func(k string) string {
				if k == "XDG_STATE_HOME" {
					return state
				}
				return ""
			}})
	}
	slug := &hc.PingClient{BaseURL: "https://hc.example.org", PingKey: key, Slug: "db"}
	uuid := &hc.PingClient{BaseURL: "https://hc.example.org/ping/", UUID: "5bf66975-d4c7-4bf5-bcc8-b8d8a82ea278"}
	other := &hc.PingClient{BaseURL: "https://other.example.org", UUID: "5bf66975-d4c7-4bf5-bcc8-b8d8a82ea278"}
	url := &hc.PingClient{URL: "https://hc.example.org/ping/" + key + "/db"}

	if got := newW(slug, false, DefaultBodyLimit).unknownLimit(); got != SelfHostedBodyLimit {
		t.Errorf("nothing learned: %d, want %d", got, SelfHostedBodyLimit)
	}
	newW(slug, false, DefaultBodyLimit).rememberLimit(250_000)
	for _, pc := range []*hc.PingClient{slug, uuid, url} {
		if got := newW(pc, false, DefaultBodyLimit).unknownLimit(); got != 250_000 {
			t.Errorf("%s: %d, want the learned 250000", pc.Endpoint(), got)
		}
	}
	if got := newW(other, false, DefaultBodyLimit).unknownLimit(); got != SelfHostedBodyLimit {
		t.Errorf("another endpoint: %d, want %d", got, SelfHostedBodyLimit)
	}
	if got := newW(slug, true, 500).unknownLimit(); got != 500 {
		t.Errorf("explicit --ping-body-limit 500: %d", got)
	}
	if got := newW(slug, true, 0).unknownLimit(); got != MaxBodyLimit {
		t.Errorf("explicit --ping-body-limit 0: %d, want %d", got, MaxBodyLimit)
	}
	newW(slug, false, DefaultBodyLimit).rememberLimit(50_000_000)
	if got := newW(slug, false, DefaultBodyLimit).unknownLimit(); got != MaxBodyLimit {
		t.Errorf("a learned limit over 10 MB: %d, want the cap %d", got, MaxBodyLimit)
	}

	// One file, named by a hash; neither name nor content holds the key.
	files, _ := filepath.Glob(filepath.Join(state, "cronkit", "*"))
	if len(files) != 1 || !strings.HasPrefix(filepath.Base(files[0]), "runwrap-limit-") {
		t.Fatalf("state files %q", files)
	}
	b, _ := os.ReadFile(files[0])
	if strings.Contains(files[0]+string(b), key) || !strings.Contains(string(b), `"endpoint":"https://hc.example.org/ping"`) {
		t.Errorf("%s: %s", files[0], b)
	}
	// A corrupt file is no limit, not a failure.
	if err := os.WriteFile(files[0], []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := newW(slug, false, DefaultBodyLimit).unknownLimit(); got != SelfHostedBodyLimit {
		t.Errorf("corrupt file: %d", got)
	}
}
