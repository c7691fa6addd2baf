package cli

import (
	"os"

	"golang.org/x/sys/unix"
)

// IsTerminal reports whether v (a stream) is an interactive terminal: tools
// pick a format for people (a table, a text report) on a terminal and one
// for programs in a pipe. /dev/null is a character device, not a terminal.
func IsTerminal(v any) bool {
	f, ok := v.(*os.File)
	if !ok {
		return false
	}
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}
