package main

import "golang.org/x/sys/unix"

// The termios requests for promptPassword.
const (
	ioctlGetTermios = unix.TCGETS
	ioctlSetTermios = unix.TCSETS
)
