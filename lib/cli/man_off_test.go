//go:build !mangen

package cli

import (
	"bytes"
	"testing"
)

// The shipped binaries carry no man-page generator (it needs -tags mangen).
func TestNoManCommandByDefault(t *testing.T) {
	var stdout, stderr bytes.Buffer
	r, _ := testRoot(t, &stdout, &stderr)
	if c, _, err := r.Cmd.Find([]string{"__man"}); err == nil && c.Name() == "__man" {
		t.Errorf("__man is compiled in without -tags mangen")
	}
}
