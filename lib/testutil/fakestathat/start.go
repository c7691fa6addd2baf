package fakestathat

import (
	"net/http/httptest"
	"testing"
)

// Start serves a new Fake on a loopback port for the test's lifetime and
// returns it with its base URL (post to URL+"/ez").
func Start(tb testing.TB, o Options) (*Fake, string) {
	tb.Helper()
	f := New(o)
	srv := httptest.NewServer(f.Handler())
	tb.Cleanup(func() {
		f.Close()
		srv.Close()
	})
	return f, srv.URL
}
