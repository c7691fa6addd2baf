//go:build !linux

package pgsandbox

import "syscall"

// SetPdeathsig: no Pdeathsig outside Linux; a test binary that dies without
// Stop leaves its server running there (the package only builds elsewhere).
func SetPdeathsig(*syscall.SysProcAttr, syscall.Signal) {}
