package suggest

import "testing"

func TestDistance(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want int
	}{{"api-ulr", "api-url", 1}, {"", "abc", 3}, {"kitten", "sitting", 3}, {"same", "same", 0}, {"ab", "ba", 1}} {
		if got := Distance(tt.a, tt.b); got != tt.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestClosest(t *testing.T) {
	names := []string{"api-url", "api-key", "timeout"}
	for _, tt := range []struct {
		s    string
		max  int
		want string
	}{
		{"api-ulr", 2, "api-url"},
		{"api-kye", 2, "api-key"},
		{"zzz-unrelated", 2, ""},
		{"timeot", 1, "timeout"},
		{"tmout", 1, ""},
		{"api-uXX", 2, "api-url"}, // a tie with api-key goes to the first candidate
	} {
		if got := Closest(tt.s, names, tt.max); got != tt.want {
			t.Errorf("Closest(%q, %d) = %q, want %q", tt.s, tt.max, got, tt.want)
		}
	}
}
