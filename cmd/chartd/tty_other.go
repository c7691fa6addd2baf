//go:build !linux

package main

import (
	"io"
	"os"
)

// isTerminal reports whether r is an interactive terminal (then there is no
// piped data to chart).
func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0 && f.Name() != os.DevNull
}
