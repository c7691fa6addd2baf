package hc

import (
	"testing"

	"github.com/cronkit/cronkit/lib/httpx"
)

// HC_API_URL is runitor's ping base; hcctl reading the same variable must
// find the Management API from it.
func TestAPIURLFromPingBase(t *testing.T) {
	tests := map[string]string{
		"":                               DefaultAPIURL,
		"https://hc.example.com":         "https://hc.example.com",
		"https://hc.example.com/":        "https://hc.example.com",
		"https://hc.example.com/api/v3/": "https://hc.example.com",
		"https://hc.example.com/ping":    "https://hc.example.com",
		"https://hc.example.com/ping/":   "https://hc.example.com",
		"https://hc-ping.com":            DefaultAPIURL,
		"https://hc-ping.com/":           DefaultAPIURL,
		"http://127.0.0.1:8000/hc/ping":  "http://127.0.0.1:8000/hc",
	}
	for in, want := range tests {
		a, err := NewAPI(APIOptions{URL: in, Key: "k", HTTP: httpx.New(httpx.Options{})})
		if err != nil {
			t.Fatalf("%q: %v", in, err)
		}
		if a.base != want {
			t.Errorf("%q: base %q, want %q", in, a.base, want)
		}
	}
}
