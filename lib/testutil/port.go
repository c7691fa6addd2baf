package testutil

import (
	"net"
	"testing"
)

// FreePort returns a port on 127.0.0.1 that nothing listens on for network
// "tcp" or "udp" (one bound, then closed): for a receiver a test starts
// later, or for a connection that must be refused.
func FreePort(t testing.TB, network string) int {
	t.Helper()
	if network == "udp" {
		c, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		return c.LocalAddr().(*net.UDPAddr).Port
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
