package hc

import (
	"regexp"
	"testing"
)

// IsUUID is hand-written; it must agree with the canonical-form regexp it
// replaced, on the table and on fuzzed input.
var uuidRef = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

func TestIsUUID(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"5bf66975-d4c7-4bf5-bcc8-b8d8a82ea278", true},
		{"5BF66975-D4C7-4BF5-BCC8-B8D8A82EA278", true},
		{"5bf66975d4c74bf5bcc8b8d8a82ea278", false},
		{"5bf66975-d4c7-4bf5-bcc8-b8d8a82ea27", false},
		{"5bf66975-d4c7-4bf5-bcc8-b8d8a82ea2789", false},
		{"5bf66975-d4c7-4bf5-bcc8_b8d8a82ea278", false},
		{"5bf66975-d4c7-4bf5-bcc8-b8d8a82ea27g", false},
		{"{5bf66975-d4c7-4bf5-bcc8-b8d8a82ea27}", false},
		{"db-backup", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := IsUUID(tt.in); got != tt.want {
			t.Errorf("IsUUID(%q) = %v, want %v", tt.in, got, tt.want)
		}
		if ref := uuidRef.MatchString(tt.in); ref != tt.want {
			t.Errorf("reference regexp disagrees on %q", tt.in)
		}
	}
}

func FuzzIsUUID(f *testing.F) {
	f.Add("5bf66975-d4c7-4bf5-bcc8-b8d8a82ea278")
	f.Add("5bf66975-d4c7-4bf5-bcc8-b8d8a82ea27\n")
	f.Add("db-backup")
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := IsUUID(s), uuidRef.MatchString(s); got != want {
			t.Fatalf("IsUUID(%q) = %v, regexp says %v", s, got, want)
		}
	})
}
