//go:build !linux

package main

import "os"

// isTerminal reports whether v is a character device (a terminal, most likely).
func isTerminal(v any) bool {
	f, ok := v.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
