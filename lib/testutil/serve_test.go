package testutil_test

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/cronkit/cronkit/lib/testutil"
	"github.com/cronkit/cronkit/lib/testutil/fakehc"
	"golang.org/x/sys/unix"
)

// recConn records the server's writes on one connection.
type recConn struct {
	*net.TCPConn
	mu     *sync.Mutex
	writes *[][]byte
}

func (c recConn) Write(b []byte) (int, error) {
	c.mu.Lock()
	*c.writes = append(*c.writes, bytes.Clone(b))
	c.mu.Unlock()
	return c.TCPConn.Write(b)
}

type recListener struct {
	net.Listener
	mu     sync.Mutex
	writes [][]byte
	conns  []*net.TCPConn
}

func (l *recListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	tc := c.(*net.TCPConn)
	l.mu.Lock()
	l.conns = append(l.conns, tc)
	l.mu.Unlock()
	return recConn{TCPConn: tc, mu: &l.mu, writes: &l.writes}, nil
}

// The standalone fakes the benchmarks ping (scripts/bench-runwrap) answer
// with TCP_NODELAY set and each response in one write: headers and body in
// two segments cost a client that reads the body and reuses the connection
// a 40 ms delayed-ACK stall per ping (issue 18).
func TestAnnounceAndServeOneWriteNoDelay(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	rec := &recListener{Listener: ln}
	f := fakehc.New(fakehc.Options{})
	uuid := f.AddCheck(fakehc.Spec{Name: "bench", Slug: "bench"})
	f.URL = "http://" + ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- testutil.AnnounceAndServe(ctx, rec, f, f.URL, "", false, io.Discard, f.Release) }()
	defer func() {
		cancel()
		if err := <-errc; err != nil {
			t.Error(err)
		}
	}()

	// Two pings on one kept-alive connection, bodies read, as runwrap does.
	c := &http.Client{}
	for _, path := range []string{"/ping/" + uuid + "/start", "/ping/" + uuid} {
		resp, err := c.Post(f.URL+path, "text/plain", strings.NewReader("out\n"))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(body) != "OK" {
			t.Fatalf("%s: %d %q", path, resp.StatusCode, body)
		}
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.conns) != 1 {
		t.Errorf("%d connections, want 1 (kept alive)", len(rec.conns))
	}
	if len(rec.writes) != 2 {
		t.Errorf("%d writes for 2 responses, want 2: %q", len(rec.writes), rec.writes)
	}
	for _, w := range rec.writes {
		if !bytes.HasPrefix(w, []byte("HTTP/1.1 200 OK\r\n")) || !bytes.HasSuffix(w, []byte("\r\n\r\nOK")) {
			t.Errorf("a write is not one whole response: %q", w)
		}
	}
	for _, tc := range rec.conns {
		raw, err := tc.SyscallConn()
		if err != nil {
			t.Fatal(err)
		}
		var nd int
		var serr error
		if err := raw.Control(func(fd uintptr) { nd, serr = unix.GetsockoptInt(int(fd), unix.IPPROTO_TCP, unix.TCP_NODELAY) }); err != nil || serr != nil {
			t.Fatal(err, serr)
		}
		if nd == 0 {
			t.Error("server connection without TCP_NODELAY")
		}
	}
}
