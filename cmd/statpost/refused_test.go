package main

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cronkit/cronkit/lib/spool"
	"github.com/cronkit/cronkit/lib/stats"
	"github.com/cronkit/cronkit/lib/testutil/fakestathat"
)

// A 401/403 (a StatHat-compatible service or a proxy in front of it: StatHat
// itself reports errors in a 200 body, stathat-api.md §1.4) exits 4, keeps the
// records in the spool and never prints the key. The spool belongs to that
// URL and key (issue 13 item 6), so a run with another key does not send
// them on its own; `spool flush --adopt` moves them to the new key.
func TestRefusedExit4(t *testing.T) {
	for _, status := range []int{401, 403} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, http.StatusText(status), status)
		}))
		env := map[string]string{"XDG_STATE_HOME": t.TempDir(), "STATHAT_EZKEY": "refused-key-123"}
		code, stderr := runStatpost(t, env, "a 1\nb 2\n", "--api-url", srv.URL, "--kind", "count")
		srv.Close()
		if code != 4 || !strings.Contains(stderr, "stathat: 2 records spooled") || strings.Contains(stderr, "refused-key-123") {
			t.Fatalf("%d: exit %d, stderr %s", status, code, stderr)
		}
		f, u := fakestathat.Start(t, fakestathat.Options{})
		env["STATHAT_EZKEY"] = "good-key-123"
		if code, stderr := runStatpost(t, env, "", "count", "c", "--api-url", u); code != 0 {
			t.Fatalf("%d, next run: exit %d, stderr %s", status, code, stderr)
		}
		old := spool.ForDestination(filepath.Join(env["XDG_STATE_HOME"], "cronkit", "statpost"), "stathat",
			stats.Destination(&stats.StatHat{URL: srv.URL, EZKey: "refused-key-123"}))
		if st, err := old.Status(); err != nil || st.Records != 2 {
			t.Fatalf("%d: the refused key's spool holds %+v (%v), want a and b", status, st, err)
		}
		if code, stderr := runStatpost(t, env, "", "spool", "flush", "--adopt", old.Name(), "--api-url", u); code != 0 {
			t.Fatalf("%d, adopting: exit %d, stderr %s", status, code, stderr)
		}
		var got []string
		for _, p := range f.Points() {
			got = append(got, p.Stat)
		}
		if strings.Join(got, ",") != "c,a,b" {
			t.Errorf("%d: delivered %v, want c, then the adopted a, b", status, got)
		}
	}
}

// A receiver's 400 is bad input, exit 2, as an API's 400 in every tool
// (README exit codes; it was 1 here, 2 in hcctl, 4 in pgreport push): the
// records are reported as rejected and not spooled, since sending them again
// cannot help (docs/statpost.md).
func TestBadRequestExit2(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "invalid stat name", http.StatusBadRequest)
	}))
	defer srv.Close()
	env := map[string]string{"XDG_STATE_HOME": t.TempDir(), "STATHAT_EZKEY": "some-key-123"}
	code, stderr := runStatpost(t, env, "a 1\nb 2\n", "--api-url", srv.URL, "--kind", "count")
	if code != 2 || !strings.Contains(stderr, "stathat: 2 records rejected by the receiver") || strings.Contains(stderr, "spooled") {
		t.Fatalf("exit %d, stderr %s", code, stderr)
	}
}
