package cron

import (
	"fmt"
	"strings"
)

// Explain describes the schedule in plain English, following the wording
// of cronsim's explain() (what Healthchecks shows), e.g. "*/5 * * * *" is
// "Every fifth minute of every hour" and "30 3 * * 1-5" is "At 03:30 on
// Monday through Friday". Differences from cronsim: ordinals past ninth are
// proper English ("21st", not "21th"), hour 0 gets the same wording as
// other single hours, and "a-a/n" is described as what it selects, "a/n".
func (s *Schedule) Explain() string {
	e := explainer{
		min:    describe(fMinute, s.fields[fMinute]),
		hour:   describe(fHour, s.fields[fHour]),
		day:    describe(fDom, s.fields[fDom]),
		month:  describe(fMonth, s.fields[fMonth]),
		dow:    describe(fDow, s.fields[fDow]),
		dayAnd: s.dayAnd,
	}
	out := e.explain()
	return strings.ToUpper(out[:1]) + out[1:]
}

// seq is one term of a field as written: every (optionally stepped), a
// range, a single value, or an N-th/last value.
type seq struct {
	every            bool
	start, stop, nth int // nth: 0 none, -1 last, 1..5
	step             int
}

func (q seq) star() bool   { return q.every && q.step == 1 }
func (q seq) single() bool { return !q.every && q.start == q.stop }

const (
	valLast        = -1 // L
	valLastWeekday = -2 // LW
)

// fieldDesc is a parsed field, kept in the order written, duplicates dropped.
type fieldDesc struct {
	f     int
	seqs  []seq
	star  bool // every term is "every"
	any1  bool // some term is a single value
	all1  bool // every term is a single value
	value int  // the single value, if one
	one   bool // the field is exactly one value
}

// describe turns the text of a field that Parse accepted into terms.
func describe(f int, text string) fieldDesc {
	d := fieldDesc{f: f}
	add := func(q seq) {
		if q.step == 0 {
			q.step = 1
		}
		for _, o := range d.seqs {
			if o == q {
				return
			}
		}
		d.seqs = append(d.seqs, q)
	}
	lo, hi := fieldMin[f], fieldMax[f]
	num := func(s string) int { v, _ := value(f, s); return v }
	for _, term := range strings.Split(text, ",") {
		switch {
		case term == "*":
			add(seq{every: true})
		case f == fDow && strings.HasSuffix(term, "L"):
			v := num(term[:len(term)-1])
			add(seq{start: v, stop: v, nth: -1})
		case strings.Contains(term, "#"):
			a, b, _ := strings.Cut(term, "#")
			v := num(a)
			n, _ := atoi(b)
			add(seq{start: v, stop: v, nth: n})
		case strings.Contains(term, "/"):
			a, b, _ := strings.Cut(term, "/")
			step, _ := atoi(b)
			switch {
			case a == "*":
				add(seq{every: true, step: step})
			case a == "LW":
				add(seq{start: valLastWeekday, stop: valLastWeekday, nth: -1})
			case a == "L":
				add(seq{start: valLast, stop: valLast, nth: -1})
			default:
				start, stop := 0, hi
				if x, y, ok := strings.Cut(a, "-"); ok && x != y {
					start, stop = num(x), num(y)
				} else {
					start = num(x)
				}
				if start <= lo && stop >= hi {
					add(seq{every: true, step: step})
				} else {
					add(seq{start: start, stop: stop, step: step})
				}
			}
		case strings.Contains(term, "-"):
			a, b, _ := strings.Cut(term, "-")
			start, stop := num(a), num(b)
			switch {
			case start+1 == stop: // a two-value range reads better as two values
				add(seq{start: start, stop: start})
				add(seq{start: stop, stop: stop})
			case start <= lo && stop >= hi:
				add(seq{every: true})
			default:
				add(seq{start: start, stop: stop})
			}
		case term == "LW":
			add(seq{start: valLastWeekday, stop: valLastWeekday, nth: -1})
		case term == "L":
			add(seq{start: valLast, stop: valLast, nth: -1})
		default:
			v := num(term)
			add(seq{start: v, stop: v})
		}
	}
	d.star, d.all1, d.one = true, true, true
	d.value = d.seqs[0].start
	for _, q := range d.seqs {
		d.star = d.star && q.star()
		d.any1 = d.any1 || q.single()
		d.all1 = d.all1 && q.single()
		if q.every || q.start != d.value || q.stop != d.value {
			d.one = false
		}
	}
	return d
}

var ordinals = map[int]string{-1: "last", 1: "first", 2: "second", 3: "third", 4: "fourth",
	5: "fifth", 6: "sixth", 7: "seventh", 8: "eighth", 9: "ninth"}

func ordinal(n int) string {
	if s, ok := ordinals[n]; ok {
		return s
	}
	suffix := "th"
	if n%100 < 11 || n%100 > 13 {
		switch n % 10 {
		case 1:
			suffix = "st"
		case 2:
			suffix = "nd"
		case 3:
			suffix = "rd"
		}
	}
	return fmt.Sprintf("%d%s", n, suffix)
}

// join lists items as "a", "a and b", "a, b, and c".
func join(items []string) string {
	switch len(items) {
	case 1:
		return items[0]
	case 2:
		return items[0] + " and " + items[1]
	}
	return strings.Join(items[:len(items)-1], ", ") + ", and " + items[len(items)-1]
}

func hhmm(h, m int) string { return fmt.Sprintf("%02d:%02d", h, m) }

func (d fieldDesc) label(v int) string {
	switch d.f {
	case fMonth:
		return monthName[v]
	case fDow:
		return dowName[v]
	}
	return fmt.Sprint(v)
}

func (d fieldDesc) singles() []int {
	var out []int
	for _, q := range d.seqs {
		if !q.every {
			out = append(out, q.start)
		}
	}
	return out
}

func (d fieldDesc) every(step int) string {
	if step == 1 {
		return "every " + FieldNames[d.f]
	}
	return "every " + ordinal(step) + " " + FieldNames[d.f]
}

func (d fieldDesc) rangeText(q seq) string {
	a, b := d.label(q.start), d.label(q.stop)
	if d.f == fDow && q.step == 1 {
		return a + " through " + b
	}
	return d.every(q.step) + " from " + a + " through " + b
}

func (d fieldDesc) singleText(v int) string {
	switch d.f {
	case fDom:
		return "the " + ordinal(v) + " day of month"
	case fMonth, fDow:
		return d.label(v)
	}
	return FieldNames[d.f] + " " + d.label(v)
}

func (d fieldDesc) nthText(q seq) string {
	if d.f == fDom {
		if q.start == valLastWeekday {
			return "the last weekday of the month"
		}
		return "the last day of the month"
	}
	return "the " + ordinal(q.nth) + " " + d.label(q.start) + " of the month"
}

// format describes every term and joins them.
func (d fieldDesc) format() string {
	if d.all1 && len(d.seqs) > 1 {
		switch d.f {
		case fMinute, fHour:
			var labels []string
			for _, v := range d.singles() {
				labels = append(labels, d.label(v))
			}
			return FieldNames[d.f] + "s " + join(labels)
		case fDom:
			vals := d.singles()
			ok := true
			var labels []string
			for _, v := range vals {
				ok = ok && v != valLastWeekday
				labels = append(labels, "the "+ordinal(v))
			}
			if ok {
				return join(labels) + " day of month"
			}
		}
	}
	var parts []string
	for _, q := range d.seqs {
		switch {
		case q.every:
			parts = append(parts, d.every(q.step))
		case q.start != q.stop:
			parts = append(parts, d.rangeText(q))
		case q.nth != 0:
			parts = append(parts, d.nthText(q))
		default:
			parts = append(parts, d.singleText(q.start))
		}
	}
	return join(parts)
}

// phrase is the field with its preposition.
func (d fieldDesc) phrase() string {
	switch d.f {
	case fMinute:
		if d.any1 {
			return "at " + d.format()
		}
		return d.format()
	case fHour:
		return "past " + d.format()
	case fMonth:
		return "in " + d.format()
	}
	return "on " + d.format()
}

type explainer struct {
	min, hour, day, month, dow fieldDesc
	dayAnd                     bool
}

// times handles the common shapes of the minute and hour fields; ok is
// false when none applies. everyDay says whether "every day" may follow.
func (e explainer) times() (text string, everyDay, ok bool) {
	if e.hour.all1 && e.min.all1 {
		hs, ms := e.hour.singles(), e.min.singles()
		if len(hs)*len(ms) <= 4 {
			sortInts(hs)
			sortInts(ms)
			var ts []string
			for _, h := range hs {
				for _, m := range ms {
					ts = append(ts, hhmm(h, m))
				}
			}
			return "at " + join(ts), true, true
		}
	}
	if e.hour.one && len(e.min.seqs) == 1 {
		if q := e.min.seqs[0]; !q.every && q.step == 1 {
			return "every minute from " + hhmm(e.hour.value, q.start) + " through " + hhmm(e.hour.value, q.stop), false, true
		}
	}
	if len(e.hour.seqs) == 1 && len(e.min.seqs) == 1 && e.min.seqs[0].every {
		if h := e.hour.seqs[0]; !h.every && h.step == 1 {
			return e.min.phrase() + " from " + hhmm(h.start, 0) + " through " + hhmm(h.stop, 59), false, true
		}
	}
	return "", false, false
}

func (e explainer) timeText() (string, bool) {
	if e.hour.star {
		switch {
		case e.min.star:
			return "every minute", false
		case e.min.one && e.min.value == 0:
			return "at the start of every hour", false
		}
		return e.min.phrase() + " of every hour", false
	}
	if t, everyDay, ok := e.times(); ok {
		return t, everyDay
	}
	return e.min.phrase() + " " + e.hour.phrase(), false
}

func (e explainer) dateText(everyDay bool) string {
	if e.dow.star && e.day.one {
		switch v := e.day.value; {
		case v == valLast:
			return "on the last day of " + e.month.format()
		case v == valLastWeekday:
			return "on the last weekday of " + e.month.format()
		case e.month.one:
			return fmt.Sprintf("on %s %d", e.month.format(), v)
		default:
			return "on the " + ordinal(v) + " day of " + e.month.format()
		}
	}
	if everyDay && e.day.star && e.dow.star && e.month.all1 {
		return "every day " + e.month.phrase()
	}
	var parts []string
	if !e.day.star {
		parts = append(parts, e.day.phrase())
	}
	if !e.dow.star {
		if !e.day.star {
			if e.dayAnd {
				parts = append(parts, "if it's")
			} else {
				parts = append(parts, "and")
			}
		}
		parts = append(parts, e.dow.phrase())
	}
	if !e.month.star {
		parts = append(parts, e.month.phrase())
	}
	return strings.Join(parts, " ")
}

func (e explainer) explain() string {
	t, everyDay := e.timeText()
	if d := e.dateText(everyDay); d != "" {
		return t + " " + d
	}
	if everyDay {
		return t + " every day"
	}
	return t
}

func sortInts(a []int) {
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && a[j] < a[j-1]; j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
}
