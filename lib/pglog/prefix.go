package pglog

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// ErrNoTime means log_line_prefix has no %m, %t or %n: entries cannot be
// placed in time, so (as pgmetrics does) the logs are not read.
var ErrNoTime = errors.New("log_line_prefix has no %m, %t or %n: log entries cannot be dated")

// Prefix is log_line_prefix compiled to a matcher for one text log line:
// the prefix, then the severity ("LOG:  ") and the message.
type Prefix struct {
	src  string
	re   *regexp.Regexp
	time int // submatch index of the time (0: none)
	kind byte
	user int
	db   int
	qid  int
	lvl  int
	msg  int
	loc  *time.Location
}

// Compile turns log_line_prefix into a Prefix (shared/reference/
// pgmetrics-logs-pgbouncer.md §1.4, with two fixes: %% is a literal '%',
// and %n's fraction is milliseconds). loc is the server's log_timezone,
// used to resolve zone abbreviations (nil: UTC).
func Compile(prefix string, loc *time.Location) (*Prefix, error) {
	if loc == nil {
		loc = time.UTC
	}
	p := &Prefix{src: prefix, loc: loc}
	var b strings.Builder
	b.WriteString(`^`)
	group := 0 // capturing groups so far
	capture := func(re string) int {
		group++
		b.WriteString("(" + re + ")")
		return group
	}
	inQ := false
	timeRank := 0 // 3 %m, 2 %t, 1 %n: the best one wins
	for i := 0; i < len(prefix); i++ {
		c := prefix[i]
		if c != '%' {
			b.WriteString(regexp.QuoteMeta(string(c)))
			continue
		}
		if i+1 >= len(prefix) {
			break // a trailing lone % is dropped (PostgreSQL prints nothing)
		}
		i++
		opt := "?"
		if inQ {
			opt = "" // within %q's optional group, the group itself is optional
		}
		switch e := prefix[i]; e {
		case 'm', 't':
			frac := ``
			if e == 'm' {
				frac = `\.\d+`
			}
			g := capture(`\d{4}-\d{1,2}-\d{1,2} \d{1,2}:\d{2}:\d{2}` + frac + ` [A-Za-z0-9+\-]+`)
			rank := map[byte]int{'m': 3, 't': 2}[e]
			if rank > timeRank {
				timeRank, p.time, p.kind = rank, g, e
			}
		case 'n':
			g := capture(`\d+\.\d+`)
			if timeRank < 1 {
				timeRank, p.time, p.kind = 1, g, 'n'
			}
		case 's':
			b.WriteString(`\d{4}-\d{1,2}-\d{1,2} \d{1,2}:\d{2}:\d{2} [A-Za-z0-9+\-]+`)
		case 'u':
			p.user = capture(`[A-Za-z0-9_.\[\]-]{1,64}`)
			b.WriteString(opt)
		case 'd':
			p.db = capture(`[A-Za-z0-9_.\[\]-]{1,64}`)
			b.WriteString(opt)
		case 'a':
			b.WriteString(`(?:.{1,64}?)` + opt)
		case 'Q':
			p.qid = capture(`-?\d+`)
			b.WriteString("?")
		case 'q':
			if !inQ {
				b.WriteString(`(?:`)
				inQ = true
			}
		case '%':
			b.WriteString(`%`)
		default:
			b.WriteString(`\S*`)
		}
	}
	if inQ {
		b.WriteString(`)?`)
	}
	if p.time == 0 {
		return nil, ErrNoTime
	}
	p.lvl = capture(`[A-Z]+[0-9]?`)
	b.WriteString(`:  ?`)
	p.msg = capture(`.*`)
	re, err := regexp.Compile(b.String())
	if err != nil {
		return nil, fmt.Errorf("log_line_prefix %q: %w", prefix, err)
	}
	p.re = re
	return p, nil
}

// String is the log_line_prefix compiled.
func (p *Prefix) String() string { return p.src }

// head is what the prefix says about one line.
type head struct {
	at      time.Time
	user    string
	db      string
	queryID int64
	level   string
	msg     string
}

// match parses one line (no trailing newline). ok is false for a line that
// does not start with the prefix and a severity, or whose time is invalid.
func (p *Prefix) match(line string) (h head, ok bool) {
	m := p.re.FindStringSubmatchIndex(line)
	if m == nil {
		return h, false
	}
	sub := func(g int) string {
		if g == 0 || m[2*g] < 0 {
			return ""
		}
		return line[m[2*g]:m[2*g+1]]
	}
	at, err := parseTime(sub(p.time), p.kind, p.loc)
	if err != nil {
		return h, false
	}
	h = head{at: at, user: sub(p.user), db: sub(p.db), level: sub(p.lvl), msg: sub(p.msg)}
	if q := sub(p.qid); q != "" {
		h.queryID, _ = strconv.ParseInt(q, 10, 64)
	}
	return h, true
}

// parseTime reads %m/%t ("2006-01-02 15:04:05[.fff] ZONE") or %n
// ("secs.millis"). A zone abbreviation resolves in loc when loc knows it;
// numeric zones ("+03", "-0530") are offsets.
func parseTime(s string, kind byte, loc *time.Location) (time.Time, error) {
	if kind == 'n' {
		sec, frac, _ := strings.Cut(s, ".")
		n, err := strconv.ParseInt(sec, 10, 64)
		if err != nil {
			return time.Time{}, err
		}
		// pgmetrics adds the fraction as whole seconds (reference §1.4); it is milliseconds.
		for len(frac) < 9 {
			frac += "0"
		}
		ns, err := strconv.ParseInt(frac[:9], 10, 64)
		if err != nil {
			return time.Time{}, err
		}
		return time.Unix(n, ns).UTC(), nil
	}
	i := strings.LastIndexByte(s, ' ')
	if i < 0 {
		return time.Time{}, fmt.Errorf("no zone in %q", s)
	}
	zone := s[i+1:]
	if zone != "" && (zone[0] == '+' || zone[0] == '-') {
		off, err := numericZone(zone)
		if err != nil {
			return time.Time{}, err
		}
		return time.ParseInLocation("2006-1-2 15:04:05", s[:i], time.FixedZone(zone, off))
	}
	return time.ParseInLocation("2006-1-2 15:04:05 MST", s, loc)
}

// numericZone reads "+03", "-0530" or "+05:30" as seconds east of UTC.
func numericZone(z string) (int, error) {
	sign := 1
	if z[0] == '-' {
		sign = -1
	}
	d := strings.ReplaceAll(z[1:], ":", "")
	if len(d) != 2 && len(d) != 4 {
		return 0, fmt.Errorf("bad zone %q", z)
	}
	h, err := strconv.Atoi(d[:2])
	if err != nil {
		return 0, err
	}
	m := 0
	if len(d) == 4 {
		if m, err = strconv.Atoi(d[2:]); err != nil {
			return 0, err
		}
	}
	return sign * (h*3600 + m*60), nil
}
