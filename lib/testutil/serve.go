package testutil

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/cronkit/cronkit/lib/atomicfile"
)

// AnnounceAndServe is the tail of the standalone fakes (fakehc, fakestathat):
// it announces url (written whole to urlFile, so a polling script never reads
// half of it, and/or printed to stdout), serves h on ln until ctx ends, calls
// release so that stalled handlers return, and shuts down within 5 s.
//
// Connections get TCP_NODELAY (Go's default, set here so that no benchmark
// depends on it) and net/http writes each small response, headers and body,
// in one write: a client that reads the body of one response before it sends
// the next request never waits 40 ms for a delayed ACK (issue 18).
func AnnounceAndServe(ctx context.Context, ln net.Listener, h http.Handler, url, urlFile string, printURL bool, stdout io.Writer, release func()) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	ln = noDelayListener{ln}
	if urlFile != "" {
		if err := atomicfile.WriteFile(urlFile, []byte(url+"\n"), 0o644); err != nil {
			return err
		}
	}
	if printURL {
		fmt.Fprintln(stdout, url)
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	if release != nil {
		release()
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}

// noDelayListener sets TCP_NODELAY on each connection it accepts.
type noDelayListener struct{ net.Listener }

func (l noDelayListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if nd, ok := c.(interface{ SetNoDelay(bool) error }); ok && err == nil {
		if err := nd.SetNoDelay(true); err != nil {
			c.Close()
			return nil, err
		}
	}
	return c, err
}
