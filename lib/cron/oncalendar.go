package cron

// systemd OnCalendar expressions (systemd.time(7), CALENDAR EVENTS), read
// the way systemd 252's calendarspec.c reads them; the facts and vectors are
// in /work/shared/reference/oncalendar.md, and oncalendar_diff_test.go checks
// a corpus against the real `systemd-analyze calendar`.

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

const (
	usecPerSec  = 1_000_000
	calMinYear  = 1970
	calMaxYear  = 2199
	calMaxComps = 241 // list elements a component may hold (measured on 252)
)

// calComp is one element of a component list: start, or start..stop, with
// an optional /repeat. A range has repeat 1 (1 s for seconds). Seconds are
// in microseconds. stop is -1 when there is none.
type calComp struct {
	start, stop, repeat int
}

// Calendar is a parsed, validated OnCalendar expression. It is immutable and
// safe for concurrent use.
type Calendar struct {
	weekdays uint8 // bit 0 = Monday .. bit 6 = Sunday; 0: any day
	// nil: any value ("*").
	year, month, day, hour, minute, second []calComp
	endOfMonth                             bool // "~": days count back from the month's end
	utc                                    bool // " UTC" suffix or @EPOCH
	tz                                     string
	loc                                    *time.Location // UTC or tz's zone; nil: the caller's
}

var calShorthands = map[string]string{
	"minutely":      "*-*-* *:*:00",
	"hourly":        "*-*-* *:00:00",
	"daily":         "*-*-* 00:00:00",
	"monthly":       "*-*-01 00:00:00",
	"weekly":        "Mon *-*-* 00:00:00",
	"yearly":        "*-01-01 00:00:00",
	"annually":      "*-01-01 00:00:00",
	"anually":       "*-01-01 00:00:00",
	"quarterly":     "*-01,04,07,10-01 00:00:00",
	"semiannually":  "*-01,07-01 00:00:00",
	"semi-annually": "*-01,07-01 00:00:00",
	"biannually":    "*-01,07-01 00:00:00",
	"bi-annually":   "*-01,07-01 00:00:00",
}

// systemd tries the full name before the abbreviation.
var calDayNames = []struct {
	name string
	nr   int
}{
	{"monday", 0}, {"mon", 0}, {"tuesday", 1}, {"tue", 1}, {"wednesday", 2}, {"wed", 2},
	{"thursday", 3}, {"thu", 3}, {"friday", 4}, {"fri", 4}, {"saturday", 5}, {"sat", 5},
	{"sunday", 6}, {"sun", 6},
}

var calDayAbbr = [7]string{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}

func calErr(expr, format string, args ...any) error {
	return &FieldError{Value: expr, Msg: fmt.Sprintf("%q: ", expr) + fmt.Sprintf(format, args...)}
}

// ParseCalendar parses a systemd OnCalendar expression: weekdays, date and
// time ("Mon..Fri *-*-* 09:00:00"), a shorthand ("daily", "weekly", ...),
// or @EPOCH, optionally followed by " UTC" or an IANA zone name. It refuses
// what systemd 252 refuses; expressions that never elapse (Feb 30) parse,
// as in systemd, and their Next is the zero time. systemd's reading of the
// local zone's own abbreviation ("EET" while TZ is Europe/Riga) is not
// modelled: such a word is read as the IANA zone of that name, as
// Healthchecks' oncalendar library does. Errors are *FieldError.
func ParseCalendar(expr string) (*Calendar, error) {
	c := &Calendar{}
	p := expr
	if len(p) > 4 && strings.EqualFold(p[len(p)-4:], " UTC") {
		c.utc, c.loc = true, time.UTC
		p = p[:len(p)-4]
	} else if i := strings.LastIndexByte(p, ' '); i >= 0 {
		if loc, ok := loadZone(p[i+1:]); ok {
			c.tz, c.loc = p[i+1:], loc
			p = p[:i]
		}
	}
	if exp, ok := calShorthands[strings.ToLower(p)]; ok {
		p = exp
	}
	if p == "" {
		return nil, calErr(expr, "no calendar event")
	}
	if strings.HasPrefix(p, "@") {
		if err := c.parseEpoch(p[1:]); err != nil {
			return nil, calErr(expr, "%v", err)
		}
	} else {
		rest, err := c.parseWeekdays(p)
		if err != nil {
			return nil, calErr(expr, "%v", err)
		}
		rest, err = c.parseDate(rest)
		if err != nil {
			return nil, calErr(expr, "%v", err)
		}
		if rest, err = c.parseTime(rest); err != nil {
			return nil, calErr(expr, "%v", err)
		}
		if rest != "" {
			return nil, calErr(expr, "unexpected %q", rest)
		}
	}
	if c.weekdays == 0x7f {
		c.weekdays = 0
	}
	if c.day == nil {
		c.endOfMonth = false // "*-*~*" is "*-*-*"
	}
	// systemd normalises before it validates: "*:5..6/2" is "*:05".
	for _, ch := range []*[]calComp{&c.year, &c.month, &c.day, &c.hour, &c.minute, &c.second} {
		*ch = normalizeChain(*ch)
	}
	if err := c.validate(); err != nil {
		return nil, calErr(expr, "%v", err)
	}
	return c, nil
}

// loadZone accepts what systemd's timezone_is_valid would: a zone file's
// name, not "Local" nor a path.
func loadZone(name string) (*time.Location, bool) {
	if name == "" || name == "Local" || strings.HasPrefix(name, "/") || strings.Contains(name, "..") {
		return nil, false
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("/_+-", r)) {
			return nil, false
		}
	}
	loc, err := time.LoadLocation(name)
	return loc, err == nil
}

func (c *Calendar) parseEpoch(s string) error {
	if !isDigits(s) || len(s) > 12 {
		return fmt.Errorf("@%s: want seconds since 1970", s)
	}
	n, _ := strconv.ParseInt(s, 10, 64)
	t := time.Unix(n, 0).UTC()
	one := func(v int) []calComp { return []calComp{{v, -1, 0}} }
	c.year, c.month, c.day = one(t.Year()), one(int(t.Month())), one(t.Day())
	c.hour, c.minute, c.second = one(t.Hour()), one(t.Minute()), one(t.Second()*usecPerSec)
	c.utc, c.tz, c.loc = true, "", time.UTC
	return nil
}

func (c *Calendar) parseWeekdays(p string) (string, error) {
	l := -1
	first := true
	for {
		found := -1
		for _, d := range calDayNames {
			if len(p) >= len(d.name) && strings.EqualFold(p[:len(d.name)], d.name) {
				if len(p) > len(d.name) && !strings.ContainsRune("-., ", rune(p[len(d.name)])) {
					return "", fmt.Errorf("bad weekday %q", p)
				}
				c.weekdays |= 1 << d.nr
				if l >= 0 {
					if l > d.nr {
						return "", fmt.Errorf("weekday range ends before it starts")
					}
					for j := l + 1; j < d.nr; j++ {
						c.weekdays |= 1 << j
					}
				}
				p = p[len(d.name):]
				found = d.nr
				break
			}
		}
		if found < 0 {
			if first {
				return p, nil
			}
			return "", fmt.Errorf("bad weekday list")
		}
		if p == "" {
			return p, nil
		}
		switch p[0] {
		case ' ':
			return strings.TrimLeft(p, " "), nil
		case '.':
			if l >= 0 || len(p) < 2 || p[1] != '.' {
				return "", fmt.Errorf("bad weekday range")
			}
			l = found
			p = p[2:]
		case '-': // the legacy range form
			if l >= 0 {
				return "", fmt.Errorf("bad weekday range")
			}
			l = found
			p = p[1:]
		case ',':
			l = -1
			p = p[1:]
		}
		// A trailing comma is fine, an open range is not.
		if p == "" || p[0] == ' ' {
			if l >= 0 {
				return "", fmt.Errorf("open weekday range")
			}
			return strings.TrimLeft(p, " "), nil
		}
		first = false
	}
}

// parseDate reads [Y-]M-D (or ~D from the month's end). Text that turns out
// to be a time is left alone.
func (c *Calendar) parseDate(p string) (string, error) {
	if p == "" {
		return p, nil
	}
	t, first, err := parseChain(p, false)
	if err != nil {
		return "", err
	}
	if t == "" || t[0] == ':' {
		return p, nil // a time, not a date
	}
	if err := c.dateSep(t[0]); err != nil {
		return "", err
	}
	t, second, err := parseChain(t[1:], false)
	if err != nil {
		return "", err
	}
	if t == "" || t[0] == ' ' {
		c.month, c.day = first, second
		return strings.TrimLeft(t, " "), nil
	}
	if c.endOfMonth {
		return "", fmt.Errorf("bad date")
	}
	if err := c.dateSep(t[0]); err != nil {
		return "", err
	}
	t, third, err := parseChain(t[1:], false)
	if err != nil {
		return "", err
	}
	if t != "" && t[0] != ' ' {
		return "", fmt.Errorf("bad date")
	}
	// Two-digit years: 0-69 are 20xx, 70-99 19xx (systemd's fix_year).
	for i := range first {
		first[i].start = fixYear(first[i].start)
		if first[i].stop >= 0 {
			first[i].stop = fixYear(first[i].stop)
		}
	}
	c.year, c.month, c.day = first, second, third
	return strings.TrimLeft(t, " "), nil
}

func fixYear(y int) int {
	switch {
	case y < 70:
		return y + 2000
	case y < 100:
		return y + 1900
	}
	return y
}

// dateSep takes the separator before a date's next part: '-', or '~' for a
// day counted from the month's end.
func (c *Calendar) dateSep(b byte) error {
	switch b {
	case '~':
		c.endOfMonth = true
	case '-':
	default:
		return fmt.Errorf("bad date")
	}
	return nil
}

// parseTime reads h:m[:s]; no time at all is 00:00:00.
func (c *Calendar) parseTime(p string) (string, error) {
	zero := []calComp{{0, -1, 0}}
	if p == "" {
		c.hour, c.minute, c.second = zero, zero, zero
		return p, nil
	}
	t, h, err := parseChain(p, false)
	if err != nil {
		return "", err
	}
	if t == "" || t[0] != ':' {
		return "", fmt.Errorf("bad time")
	}
	t, m, err := parseChain(t[1:], false)
	if err != nil {
		return "", err
	}
	c.hour, c.minute, c.second = h, m, zero
	if t == "" {
		return t, nil
	}
	if t[0] != ':' {
		return "", fmt.Errorf("bad time")
	}
	t, s, err := parseChain(t[1:], true)
	if err != nil {
		return "", err
	}
	c.second = s
	return t, nil
}

// parseChain reads "*" or a comma list of components; it returns the rest.
// "*" is nil, except in seconds, where it is every whole second.
func parseChain(p string, usec bool) (string, []calComp, error) {
	if strings.HasPrefix(p, "*") {
		if usec {
			return p[1:], []calComp{{0, -1, usecPerSec}}, nil
		}
		return p[1:], nil, nil
	}
	var out []calComp
	for {
		rest, cc, err := parseComponent(p, usec)
		if err != nil {
			return "", nil, err
		}
		out = append(out, cc)
		if len(out) > calMaxComps {
			return "", nil, fmt.Errorf("more than %d list elements", calMaxComps)
		}
		p = rest
		if p == "" || p[0] != ',' {
			return p, out, nil
		}
		p = p[1:]
	}
}

func parseComponent(p string, usec bool) (string, calComp, error) {
	cc := calComp{stop: -1}
	p, v, err := parseDecimal(p, usec)
	if err != nil {
		return "", cc, err
	}
	cc.start = v
	if strings.HasPrefix(p, "..") {
		if p, v, err = parseDecimal(p[2:], usec); err != nil {
			return "", cc, err
		}
		cc.stop = v
		cc.repeat = 1
		if usec {
			cc.repeat = usecPerSec
		}
	}
	if strings.HasPrefix(p, "/") {
		if p, v, err = parseDecimal(p[1:], usec); err != nil {
			return "", cc, err
		}
		if v == 0 {
			return "", cc, fmt.Errorf("repeat value 0 is out of range")
		}
		cc.repeat = v
	} else if usec && cc.stop >= 0 && cc.start+cc.repeat > cc.stop {
		return "", cc, fmt.Errorf("second range below 1s needs a repeat")
	}
	if p != "" && !strings.ContainsRune(" ,-~:", rune(p[0])) {
		return "", cc, fmt.Errorf("unexpected %q", p)
	}
	return p, cc, nil
}

// parseDecimal reads digits and, for seconds, a fraction rounded to
// microseconds.
func parseDecimal(p string, usec bool) (string, int, error) {
	i := 0
	for i < len(p) && p[i] >= '0' && p[i] <= '9' {
		i++
	}
	if i == 0 {
		return "", 0, fmt.Errorf("want a number at %q", p)
	}
	v, err := strconv.ParseUint(p[:i], 10, 31)
	if err != nil {
		return "", 0, fmt.Errorf("number %s is out of range", p[:i])
	}
	p = p[i:]
	if !usec {
		return p, int(v), nil
	}
	if v > (1<<31-1)/usecPerSec {
		return "", 0, fmt.Errorf("number %d is out of range", v)
	}
	n := int(v) * usecPerSec
	if len(p) > 0 && p[0] == '.' && (len(p) < 2 || p[1] != '.') {
		p = p[1:]
		frac, digits := 0, 0
		for len(p) > 0 && p[0] >= '0' && p[0] <= '9' {
			switch {
			case digits < 6:
				frac = frac*10 + int(p[0]-'0')
			case digits == 6 && p[0] >= '5':
				frac++ // systemd rounds at the seventh digit
			}
			digits++
			p = p[1:]
		}
		for ; digits < 6; digits++ {
			frac *= 10
		}
		n += frac
	}
	return p, n, nil
}

// validate mirrors systemd's calendar_spec_valid.
func (c *Calendar) validate() error {
	for _, f := range []struct {
		name     string
		ch       []calComp
		from, to int
		eom      bool
	}{
		{"year", c.year, calMinYear, calMaxYear, false},
		{"month", c.month, 1, 12, false},
		{"day", c.day, 1, 31, c.endOfMonth},
		{"hour", c.hour, 0, 23, false},
		{"minute", c.minute, 0, 59, false},
		{"second", c.second, 0, 60*usecPerSec - 1, false},
	} {
		to := f.to
		for _, cc := range f.ch {
			if f.eom {
				// Days from the month's end go up to 28; systemd lowers the
				// bound by 3 again for each further list element (its
				// chain_valid passes the lowered bound on): "~1,25" is
				// valid, "~1,26" is not.
				to -= 3
			}
			if err := cc.valid(f.from, to, f.eom); err != nil {
				return fmt.Errorf("%s: %v", f.name, err)
			}
		}
	}
	return nil
}

func (cc calComp) valid(from, to int, eom bool) error {
	if cc.start < from || cc.start > to {
		return fmt.Errorf("%d is out of range", cc.start)
	}
	if cc.repeat > to-from {
		return fmt.Errorf("repeat %d is larger than the range", cc.repeat)
	}
	if cc.stop >= 0 {
		if cc.stop < from || cc.stop > to {
			return fmt.Errorf("%d is out of range", cc.stop)
		}
		if cc.start+cc.repeat > cc.stop {
			return fmt.Errorf("range %d..%d repeats past its end", cc.start, cc.stop)
		}
	} else if eom && cc.start-cc.repeat < from {
		return fmt.Errorf("repeat %d goes past the month's start", cc.repeat)
	} else if !eom && cc.start+cc.repeat > to {
		return fmt.Errorf("%d/%d repeats past the field's end", cc.start, cc.repeat)
	}
	return nil
}

// normalizeChain sorts and de-duplicates, and cuts a range's end to the
// last value its repeat reaches (systemd's normalize_chain).
func normalizeChain(ch []calComp) []calComp {
	if ch == nil {
		return nil
	}
	out := make([]calComp, 0, len(ch))
	for _, cc := range ch {
		if cc.repeat > 0 && cc.stop > cc.start {
			cc.stop -= (cc.stop - cc.start) % cc.repeat
		}
		if cc.stop == cc.start {
			cc.stop, cc.repeat = -1, 0
		}
		out = append(out, cc)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.start != b.start {
			return a.start < b.start
		}
		if a.stop != b.stop {
			return a.stop < b.stop
		}
		return a.repeat < b.repeat
	})
	uniq := out[:1]
	for _, cc := range out[1:] {
		if cc != uniq[len(uniq)-1] {
			uniq = append(uniq, cc)
		}
	}
	return uniq
}

// String returns the normalised form, as `systemd-analyze calendar` prints
// it: "Mon..Fri *-*-* 09:00:00 Europe/Riga".
func (c *Calendar) String() string {
	var b strings.Builder
	if c.weekdays != 0 {
		formatWeekdays(&b, c.weekdays)
		b.WriteByte(' ')
	}
	formatChain(&b, 4, c.year, false)
	b.WriteByte('-')
	formatChain(&b, 2, c.month, false)
	if c.endOfMonth {
		b.WriteByte('~')
	} else {
		b.WriteByte('-')
	}
	formatChain(&b, 2, c.day, false)
	b.WriteByte(' ')
	formatChain(&b, 2, c.hour, false)
	b.WriteByte(':')
	formatChain(&b, 2, c.minute, false)
	b.WriteByte(':')
	formatChain(&b, 2, c.second, true)
	switch {
	case c.utc:
		b.WriteString(" UTC")
	case c.tz != "":
		b.WriteString(" " + c.tz)
	}
	return b.String()
}

func formatWeekdays(b *strings.Builder, bits uint8) {
	comma := false
	l := -1
	x := 0
	flush := func() {
		if x > l+1 {
			if x > l+2 {
				b.WriteString("..")
			} else {
				b.WriteByte(',')
			}
			b.WriteString(calDayAbbr[x-1])
		}
	}
	for x = 0; x < 7; x++ {
		if bits&(1<<x) != 0 {
			if l < 0 {
				if comma {
					b.WriteByte(',')
				}
				comma = true
				b.WriteString(calDayAbbr[x])
				l = x
			}
		} else if l >= 0 {
			flush()
			l = -1
		}
	}
	if l >= 0 {
		flush()
	}
}

func formatChain(b *strings.Builder, width int, ch []calComp, usec bool) {
	d := 1
	if usec {
		d = usecPerSec
	}
	if ch == nil || usec && len(ch) == 1 && ch[0] == (calComp{0, -1, usecPerSec}) {
		b.WriteByte('*')
		return
	}
	num := func(v int) {
		fmt.Fprintf(b, "%0*d", width, v/d)
		if v%d > 0 {
			fmt.Fprintf(b, ".%06d", v%d)
		}
	}
	for i, cc := range ch {
		if i > 0 {
			b.WriteByte(',')
		}
		num(cc.start)
		if cc.stop > cc.start {
			b.WriteString("..")
			num(cc.stop)
		}
		if cc.repeat > 0 && !(cc.stop > cc.start && cc.repeat == d) {
			fmt.Fprintf(b, "/%d", cc.repeat/d)
			if cc.repeat%d > 0 {
				fmt.Fprintf(b, ".%06d", cc.repeat%d)
			}
		}
	}
}

// Zone returns the zone the expression names (" UTC" or an IANA name), or
// "" when it runs in the caller's zone.
func (c *Calendar) Zone() string {
	if c.utc {
		return "UTC"
	}
	return c.tz
}
