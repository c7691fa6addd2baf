package stats

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzBodyStatus: any response body is judged without a panic, and an
// empty body is always success.
func FuzzBodyStatus(f *testing.F) {
	for _, s := range []string{"", `{"status":200,"msg":"ok"}`, `{"status":500,"msg":"x"}`, `{"status":"ok"}`, `{"status":"error"}`, `{"status":[1]}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		err := bodyStatus([]byte(body))
		if strings.TrimSpace(body) == "" && err != nil {
			t.Fatalf("empty body failed: %v", err)
		}
	})
}

// FuzzCheckStatHatName: an accepted name obeys the rules.
func FuzzCheckStatHatName(f *testing.F) {
	for _, s := range []string{"installs", "a~b,c", "a~", "~", strings.Repeat("x", 256), "p~a,,b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		if CheckStatHatName(name) != nil {
			return
		}
		if utf8.RuneCountInString(name) > 255 || strings.Count(name, "~") > 1 || strings.ContainsAny(name, "\r\n") {
			t.Fatalf("accepted %q", name)
		}
	})
}
