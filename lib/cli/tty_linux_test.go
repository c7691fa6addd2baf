package cli

import (
	"bytes"
	"os"
	"testing"

	"github.com/cronkit/cronkit/lib/testutil/ptytest"
)

func TestIsTerminal(t *testing.T) {
	_, slave := ptytest.Open(t)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	null, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	tests := []struct {
		name string
		v    any
		want bool
	}{
		{"pty", slave, true},
		{"pipe", w, false},
		{"/dev/null (a character device)", null, false},
		{"buffer", &bytes.Buffer{}, false},
		{"nil", nil, false},
	}
	for _, tt := range tests {
		if got := IsTerminal(tt.v); got != tt.want {
			t.Errorf("IsTerminal(%s) = %v, want %v", tt.name, got, tt.want)
		}
	}
}
