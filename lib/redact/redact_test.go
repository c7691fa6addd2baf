package redact

import "testing"

func TestString(t *testing.T) {
	tests := []struct {
		name, in string
		secrets  []string
		want     string
	}{
		{"raw", "key abcd and abcd, x", []string{"abcd", "x", ""}, "key [REDACTED] and [REDACTED], x"},
		{"url password", "GET http://bob:hunter2pw@h/x failed", nil, "GET http://bob:[REDACTED]@h/x failed"},
		{"form-encoded", "body k=a%2Bb%2Fc", []string{"a+b/c"}, "body k=[REDACTED]"},
		{"json-escaped", `{"error":"bad key a\u003cb\u0026c\"d"}`, []string{`a<b&c"d`}, `{"error":"bad key [REDACTED]"}`},
		{"json-escaped without HTML escaping", `{"error":"bad key a<b&c\"d"}`, []string{`a<b&c"d`}, `{"error":"bad key [REDACTED]"}`},
		{"short secret kept", "abc", []string{"abc"}, "abc"},
		{"an @ without a URL", "user@example.org", nil, "user@example.org"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := String(tt.in, tt.secrets...); got != tt.want {
				t.Errorf("String(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
