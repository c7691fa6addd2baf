package chart

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ServerOptions are the timeouts of Serve.
type ServerOptions struct {
	ReadTimeout, WriteTimeout, IdleTimeout time.Duration
	// ShutdownGrace bounds the wait for in-flight requests after ctx ends.
	ShutdownGrace time.Duration
}

func (o *ServerOptions) defaults() {
	if o.ReadTimeout <= 0 {
		o.ReadTimeout = 10 * time.Second
	}
	if o.WriteTimeout <= 0 {
		o.WriteTimeout = 10 * time.Second
	}
	if o.IdleTimeout <= 0 {
		o.IdleTimeout = 60 * time.Second
	}
	if o.ShutdownGrace <= 0 {
		o.ShutdownGrace = 10 * time.Second
	}
}

// Serve serves h on ln until ctx ends, then shuts down gracefully: it stops
// accepting, lets in-flight requests finish within ShutdownGrace, and
// returns nil. It returns the listener's error if serving fails.
func Serve(ctx context.Context, ln net.Listener, h http.Handler, o ServerOptions) error {
	o.defaults()
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: o.ReadTimeout,
		ReadTimeout:       o.ReadTimeout,
		WriteTimeout:      o.WriteTimeout,
		IdleTimeout:       o.IdleTimeout,
		MaxHeaderBytes:    64 << 10, // a 16 KiB query plus headers
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), o.ShutdownGrace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		_ = srv.Close()
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

// AccessLog writes one line a request to w in the Common Log Format:
//
//	127.0.0.1 - - [22/Nov/2026:21:05:00 +0000] "GET /a.svg?w=1 HTTP/1.1" 200 1234
//
// now is the clock (nil: time.Now).
func AccessLog(h http.Handler, w io.Writer, now func() time.Time) http.Handler {
	if now == nil {
		now = time.Now
	}
	var mu sync.Mutex
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		start := now()
		sw := &statusWriter{ResponseWriter: rw, status: http.StatusOK}
		h.ServeHTTP(sw, r)
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil {
			host = r.RemoteAddr
		}
		size := "-"
		if sw.n > 0 {
			size = strconv.FormatInt(sw.n, 10)
		}
		line := fmt.Sprintf("%s - - [%s] \"%s %s %s\" %d %s\n", logSafe(host, 64),
			start.Format("02/Jan/2006:15:04:05 -0700"), logSafe(r.Method, 16), logSafe(r.RequestURI, 2048),
			logSafe(r.Proto, 16), sw.status, size)
		mu.Lock()
		defer mu.Unlock()
		_, _ = io.WriteString(w, line)
	})
}

// logSafe escapes quotes, backslashes and non-printable bytes (as Apache
// does) so a request cannot forge log lines, and bounds the length.
func logSafe(s string, n int) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 0x20 || c >= 0x7F:
			fmt.Fprintf(&b, "\\x%02x", c)
		default:
			b.WriteByte(c)
		}
		if b.Len() >= n {
			b.WriteString("...")
			break
		}
	}
	return b.String()
}

type statusWriter struct {
	http.ResponseWriter
	status int
	n      int64
	wrote  bool
}

func (s *statusWriter) WriteHeader(code int) {
	if !s.wrote {
		s.status, s.wrote = code, true
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(p []byte) (int, error) {
	s.wrote = true
	n, err := s.ResponseWriter.Write(p)
	s.n += int64(n)
	return n, err
}
