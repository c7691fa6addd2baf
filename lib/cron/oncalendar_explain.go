package cron

import (
	"fmt"
	"strings"
	"time"
)

var calDayNamesLong = [7]string{"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}

// Explain describes the expression in plain English, e.g. "Mon..Fri
// *-*-* 09:00:00 Europe/Riga" is "At 09:00 on Monday through Friday
// (Europe/Riga)".
func (c *Calendar) Explain() string {
	var parts []string
	parts = append(parts, c.explainTime())
	if d := c.explainDate(); d != "" {
		parts = append(parts, d)
	}
	if c.weekdays != 0 {
		parts = append(parts, "on "+explainWeekdays(c.weekdays))
	}
	out := strings.Join(parts, " ")
	if z := c.Zone(); z != "" {
		out += " (" + z + ")"
	}
	return strings.ToUpper(out[:1]) + out[1:]
}

func single(ch []calComp) (int, bool) {
	if len(ch) == 1 && ch[0].stop < 0 && ch[0].repeat == 0 {
		return ch[0].start, true
	}
	return 0, false
}

func (c *Calendar) explainTime() string {
	h, hok := single(c.hour)
	m, mok := single(c.minute)
	s, sok := single(c.second)
	if hok && mok && sok {
		if s == 0 {
			return "at " + hhmm(h, m)
		}
		return fmt.Sprintf("at %s:%s", hhmm(h, m), secText(s))
	}
	var out []string
	if !sok || s != 0 {
		out = append(out, describeChain(c.second, "second", true))
	}
	out = append(out, describeChain(c.minute, "minute", false))
	out = append(out, describeChain(c.hour, "hour", false))
	return strings.Join(out, " of ")
}

func secText(us int) string {
	if us%usecPerSec == 0 {
		return fmt.Sprintf("%02d", us/usecPerSec)
	}
	return strings.TrimRight(fmt.Sprintf("%02d.%06d", us/usecPerSec, us%usecPerSec), "0")
}

// describeChain says what one component selects: "every minute",
// "minute 5 and 35", "every 15th minute from 0", "hours 9 through 17".
func describeChain(ch []calComp, unit string, usec bool) string {
	num := func(v int) string {
		if usec {
			return secText(v)
		}
		return fmt.Sprint(v)
	}
	if ch == nil || usec && len(ch) == 1 && ch[0] == (calComp{0, -1, usecPerSec}) {
		return "every " + unit
	}
	var items []string
	for _, cc := range ch {
		switch {
		case cc.repeat == 0:
			items = append(items, num(cc.start))
		case cc.stop >= 0 && (cc.repeat == 1 || usec && cc.repeat == usecPerSec):
			items = append(items, num(cc.start)+" through "+num(cc.stop))
		default:
			step := num(cc.repeat)
			if !usec || cc.repeat%usecPerSec == 0 {
				r := cc.repeat
				if usec {
					r /= usecPerSec
				}
				step = ordinal(r)
			}
			x := "every " + step + " " + unit + " from " + num(cc.start)
			if cc.stop >= 0 {
				x += " through " + num(cc.stop)
			}
			items = append(items, x)
		}
	}
	if len(ch) == 1 && ch[0].repeat > 0 && ch[0].stop < 0 {
		return items[0]
	}
	plural := unit
	if len(items) > 1 || ch[0].stop >= 0 {
		plural += "s"
	}
	return plural + " " + join(items)
}

func (c *Calendar) explainDate() string {
	var out []string
	if c.day != nil {
		if c.endOfMonth {
			var items []string
			for _, cc := range c.day {
				switch {
				case cc.repeat == 0:
					items = append(items, lastDay(cc.start))
				case cc.stop >= 0:
					items = append(items, lastDay(cc.stop)+" through "+lastDay(cc.start))
				default:
					items = append(items, fmt.Sprintf("every %s day from the %s", ordinal(cc.repeat), lastDay(cc.start)))
				}
			}
			out = append(out, "on the "+join(items)+" day of the month")
		} else {
			out = append(out, "on "+describeChain(c.day, "day", false))
		}
	}
	if c.month != nil {
		if len(c.month) == 1 && c.month[0].repeat == 0 {
			out = append(out, "in "+monthName[c.month[0].start])
		} else {
			out = append(out, "in "+describeChain(c.month, "month", false))
		}
	}
	if c.year != nil {
		out = append(out, "in "+describeChain(c.year, "year", false))
	}
	return strings.Join(out, " ")
}

func lastDay(n int) string {
	if n == 1 {
		return "last"
	}
	return ordinal(n) + " last"
}

func explainWeekdays(bits uint8) string {
	var items []string
	for x := 0; x < 7; {
		if bits&(1<<x) == 0 {
			x++
			continue
		}
		y := x
		for y+1 < 7 && bits&(1<<(y+1)) != 0 {
			y++
		}
		switch {
		case y-x >= 2:
			items = append(items, calDayNamesLong[x]+" through "+calDayNamesLong[y])
		case y > x:
			items = append(items, calDayNamesLong[x], calDayNamesLong[y])
		default:
			items = append(items, calDayNamesLong[x])
		}
		x = y + 1
	}
	return join(items)
}

// Expr is a parsed schedule of either kind: a five-field cron expression
// (*Schedule) or one or more OnCalendar expressions (Calendars).
type Expr interface {
	Next(after time.Time) time.Time
	NextN(after time.Time, n int) []time.Time
	Explain() string
	String() string
}

// Calendars is several OnCalendar expressions that OR together, as several
// OnCalendar= lines of one timer do, and as Healthchecks takes them: one a
// line.
type Calendars []*Calendar

// Next returns the earliest Next of the expressions.
func (cs Calendars) Next(after time.Time) time.Time {
	var best time.Time
	for _, c := range cs {
		if n := c.Next(after); !n.IsZero() && (best.IsZero() || n.Before(best)) {
			best = n
		}
	}
	return best
}

// NextN returns up to n consecutive times.
func (cs Calendars) NextN(after time.Time, n int) []time.Time { return nextN(cs.Next, after, n) }

// Explain joins the expressions' explanations with "; ".
func (cs Calendars) Explain() string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = c.Explain()
	}
	return strings.Join(parts, "; ")
}

// String is the normalised expressions, one a line.
func (cs Calendars) String() string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = c.String()
	}
	return strings.Join(parts, "\n")
}

// Kind says how Healthchecks reads a schedule (its guess_kind): one line of
// exactly five fields is "cron", anything else "oncalendar". An @-macro
// (@daily) counts as cron here, since Parse expands it; @EPOCH (digits) is
// OnCalendar.
func Kind(expr string) string {
	e := strings.TrimSpace(expr)
	if strings.HasPrefix(e, "@") && !(len(e) > 1 && e[1] >= '0' && e[1] <= '9') {
		return "cron"
	}
	if !strings.Contains(e, "\n") && len(strings.Fields(e)) == 5 {
		return "cron"
	}
	return "oncalendar"
}

// ParseAny parses a schedule as Kind classifies it: a cron expression, or
// OnCalendar expressions one a line (blank lines ignored).
func ParseAny(expr string) (Expr, error) {
	if Kind(expr) == "cron" {
		return Parse(expr)
	}
	var cs Calendars
	for _, line := range strings.Split(expr, "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		c, err := ParseCalendar(line)
		if err != nil {
			return nil, err
		}
		cs = append(cs, c)
	}
	if len(cs) == 0 {
		return nil, &FieldError{Value: expr, Msg: "empty schedule"}
	}
	return cs, nil
}
