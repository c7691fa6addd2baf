//go:build darwin || freebsd || netbsd || openbsd || dragonfly

package main

import "golang.org/x/sys/unix"

// The termios requests for promptPassword: the BSDs and macOS name them
// TIOCGETA/TIOCSETA; the behaviour is the same as Linux's TCGETS/TCSETS.
const (
	ioctlGetTermios = unix.TIOCGETA
	ioctlSetTermios = unix.TIOCSETA
)
