package testutil

import (
	"net"
	"strconv"
	"testing"
)

// FreePort gives a port that can be bound again at once, for each network.
func TestFreePort(t *testing.T) {
	addr := "127.0.0.1:" + strconv.Itoa(FreePort(t, "tcp"))
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("tcp %s: %v", addr, err)
	}
	l.Close()
	addr = "127.0.0.1:" + strconv.Itoa(FreePort(t, "udp"))
	c, err := net.ListenPacket("udp", addr)
	if err != nil {
		t.Fatalf("udp %s: %v", addr, err)
	}
	c.Close()
}
