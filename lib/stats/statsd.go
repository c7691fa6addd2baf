package stats

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cronkit/cronkit/lib/metric"
)

// StatsDMTU bounds a UDP datagram: 1500-byte Ethernet MTU minus IP and UDP
// headers, with room for IPv6 and tunnels (the size statsd's docs suggest).
const StatsDMTU = 1432

// StatsD sends the StatsD line protocol (counts as |c, values as |g) over UDP,
// lines packed into datagrams under the MTU, or over TCP, newline-terminated.
type StatsD struct {
	Network string // "udp" or "tcp"
	Addr    string
	MTU     int
	Timeout time.Duration // dial and write deadline, default 5s

	conn net.Conn
	buf  []byte
	line []byte
}

// NewStatsD parses udp://host:port or tcp://host:port (udp by default).
func NewStatsD(target string) (*StatsD, error) {
	if target == "" {
		target = "udp://127.0.0.1:8125"
	}
	if !strings.Contains(target, "://") {
		target = "udp://" + target
	}
	u, err := url.Parse(target)
	if err != nil || (u.Scheme != "udp" && u.Scheme != "tcp") || u.Host == "" {
		return nil, fmt.Errorf("statsd target %q: want udp://HOST:PORT or tcp://HOST:PORT", target)
	}
	return &StatsD{Network: u.Scheme, Addr: u.Host, MTU: StatsDMTU, Timeout: 5 * time.Second}, nil
}

func (s *StatsD) Name() string                  { return "statsd" }
func (s *StatsD) MaxBatch() int                 { return 1000 }
func (s *StatsD) Check(metric.Record) error     { return nil }
func (s *StatsD) Idempotent(k metric.Kind) bool { return k == metric.Value }
func (s *StatsD) DryRun(w io.Writer, recs []metric.Record) error {
	for _, p := range s.packets(recs) {
		if _, err := fmt.Fprintf(w, "%s %s (%d bytes)\n%s\n", strings.ToUpper(s.Network), s.Addr, len(p.b), strings.TrimSuffix(string(p.b), "\n")); err != nil {
			return err
		}
	}
	return nil
}

// StatsDName makes a name safe for the line protocol: ':' '|' '@' and '#'
// would be read as syntax and whitespace splits lines, so all become '_'.
func StatsDName(name string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ':', '|', '@', '#', ' ', '\t', '\n', '\r':
			return '_'
		}
		return r
	}, name)
}

// appendLine appends one record's line(s). A negative gauge would be read as
// a decrement, so it is set to 0 first (the statsd docs' own advice).
func appendStatsD(b []byte, r metric.Record) []byte {
	name := StatsDName(r.Name)
	if r.Kind == metric.Value && r.Value < 0 {
		b = append(b, name...)
		b = append(b, ":0|g\n"...)
	}
	b = append(b, name...)
	b = append(b, ':')
	b = strconv.AppendFloat(b, r.Value, 'g', -1, 64)
	if r.Kind == metric.Count {
		b = append(b, "|c\n"...)
	} else {
		b = append(b, "|g\n"...)
	}
	return b
}

type packet struct {
	b    []byte
	upto int // records complete once this packet is sent
}

func (s *StatsD) packets(recs []metric.Record) []packet {
	var out []packet
	cur := s.buf[:0]
	for i, r := range recs {
		s.line = appendStatsD(s.line[:0], r)
		if s.Network == "udp" && len(cur) > 0 && len(cur)+len(s.line) > s.MTU {
			out = append(out, packet{b: cur, upto: i})
			cur = nil
		}
		cur = append(cur, s.line...)
		if s.Network == "tcp" && len(cur) >= 64<<10 {
			out = append(out, packet{b: cur, upto: i + 1})
			cur = nil
		}
	}
	if len(cur) > 0 {
		out = append(out, packet{b: cur, upto: len(recs)})
	}
	return out
}

func (s *StatsD) Send(ctx context.Context, recs []metric.Record) error {
	if err := ctx.Err(); err != nil {
		return &SendError{Err: err}
	}
	if s.conn == nil {
		d := net.Dialer{Timeout: s.Timeout}
		c, err := d.DialContext(ctx, s.Network, s.Addr)
		if err != nil {
			return &SendError{Err: err} // the caller names the sink
		}
		s.conn = c
	}
	done := 0
	for _, p := range s.packets(recs) {
		_ = s.conn.SetWriteDeadline(time.Now().Add(s.Timeout))
		if _, err := s.conn.Write(p.b); err != nil {
			s.conn.Close()
			s.conn = nil
			// UDP: an earlier datagram was refused (ICMP); this one was not sent.
			return &SendError{Err: fmt.Errorf("statsd %s %s: %w", s.Network, s.Addr, err), Done: done, Ambiguous: s.Network == "tcp"}
		}
		done = p.upto
	}
	return nil
}

// Close closes the connection.
func (s *StatsD) Close() error {
	if s.conn != nil {
		return s.conn.Close()
	}
	return nil
}
