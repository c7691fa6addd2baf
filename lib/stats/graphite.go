package stats

import (
	"context"
	"fmt"
	"io"
	"net"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/cronkit/cronkit/lib/metric"
)

// Graphite sends the Carbon plaintext protocol over TCP: "path value ts\n".
type Graphite struct {
	Addr    string
	Timeout time.Duration
	Now     func() time.Time

	conn net.Conn
	buf  []byte
}

// NewGraphite parses HOST:PORT or tcp://HOST:PORT (default 127.0.0.1:2003).
func NewGraphite(target string) (*Graphite, error) {
	if target == "" {
		target = "127.0.0.1:2003"
	}
	target = strings.TrimPrefix(target, "tcp://")
	if _, _, err := net.SplitHostPort(target); err != nil {
		return nil, fmt.Errorf("graphite target %q: want HOST:PORT", target)
	}
	return &Graphite{Addr: target, Timeout: 5 * time.Second, Now: time.Now}, nil
}

func (g *Graphite) Name() string              { return "graphite" }
func (g *Graphite) MaxBatch() int             { return 1000 }
func (g *Graphite) Check(metric.Record) error { return nil }

// Idempotent: a point is keyed by path and timestamp; sending it again
// overwrites it with the same value.
func (g *Graphite) Idempotent(metric.Kind) bool { return true }

// GraphitePath keeps [A-Za-z0-9._-] and turns everything else into '_'.
func GraphitePath(name string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
			return r
		}
		return '_'
	}, name)
}

func (g *Graphite) lines(recs []metric.Record) []byte {
	b := g.buf[:0]
	now := g.Now()
	for _, r := range recs {
		b = append(b, GraphitePath(r.Name)...)
		if len(r.Tags) > 0 {
			keys := make([]string, 0, len(r.Tags))
			for k := range r.Tags {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				b = append(b, ';')
				b = append(b, GraphitePath(k)...)
				b = append(b, '=')
				b = append(b, GraphitePath(r.Tags[k])...)
			}
		}
		b = append(b, ' ')
		b = strconv.AppendFloat(b, r.Value, 'g', -1, 64)
		b = append(b, ' ')
		t := r.Time
		if t.IsZero() {
			t = now
		}
		b = strconv.AppendInt(b, t.Unix(), 10)
		b = append(b, '\n')
	}
	g.buf = b
	return b
}

func (g *Graphite) DryRun(w io.Writer, recs []metric.Record) error {
	_, err := fmt.Fprintf(w, "TCP %s\n%s\n", g.Addr, g.lines(recs))
	return err
}

func (g *Graphite) Send(ctx context.Context, recs []metric.Record) error {
	if err := ctx.Err(); err != nil {
		return &SendError{Err: err}
	}
	if g.conn == nil {
		d := net.Dialer{Timeout: g.Timeout}
		c, err := d.DialContext(ctx, "tcp", g.Addr)
		if err != nil {
			return &SendError{Err: err} // the caller names the sink
		}
		g.conn = c
	}
	_ = g.conn.SetWriteDeadline(time.Now().Add(g.Timeout))
	if _, err := g.conn.Write(g.lines(recs)); err != nil {
		g.conn.Close()
		g.conn = nil
		return &SendError{Err: fmt.Errorf("graphite %s: %w", g.Addr, err), Ambiguous: true}
	}
	return nil
}

// Close closes the connection.
func (g *Graphite) Close() error {
	if g.conn != nil {
		return g.conn.Close()
	}
	return nil
}
