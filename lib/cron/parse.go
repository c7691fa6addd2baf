package cron

import (
	"fmt"
	"math/bits"
	"strings"
)

// Field indexes, in expression order.
const (
	fMinute = iota
	fHour
	fDom
	fMonth
	fDow
)

// FieldNames are the names used in errors, indexed like the expression.
var FieldNames = [5]string{"minute", "hour", "day of month", "month", "day of week"}

var (
	fieldMin = [5]int{0, 0, 1, 1, 0}
	fieldMax = [5]int{59, 23, 31, 12, 7}
)

var (
	monthAbbr = [13]string{"", "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}
	dowAbbr   = [7]string{"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}
	monthName = [13]string{"", "January", "February", "March", "April", "May", "June", "July",
		"August", "September", "October", "November", "December"}
	dowName = [8]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}
	// maxDays is the longest each month can be (February 29 in leap years).
	maxDays = [13]int{0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}
)

// macros maps Debian's @-shortcuts to their five-field form. @reboot has no
// run time and is refused.
var macros = map[string]string{
	"@yearly":   "0 0 1 1 *",
	"@annually": "0 0 1 1 *",
	"@monthly":  "0 0 1 * *",
	"@weekly":   "0 0 * * 0",
	"@daily":    "0 0 * * *",
	"@midnight": "0 0 * * *",
	"@hourly":   "0 * * * *",
}

// FieldError reports a bad cron expression. Field is one of FieldNames, or
// empty when the problem concerns the whole expression (field count, macro).
type FieldError struct {
	Field string
	Value string // the offending text
	Msg   string // what is wrong, naming Value
}

func (e *FieldError) Error() string {
	if e.Field == "" {
		return e.Msg
	}
	return e.Field + ": " + e.Msg
}

// Schedule is a parsed, validated cron expression. It is immutable and safe
// for concurrent use.
type Schedule struct {
	fields [5]string // upper-cased field text, macros expanded

	minutes uint64 // bit n: minute n
	hours   uint64 // bit n: hour n
	doms    uint64 // bit n: day n of the month (1..31)
	months  uint64 // bit n: month n (1..12)
	dows    uint64 // bit n: weekday n (0 = Sunday; 7 folded into 0)

	domLast, domLastWeekday bool     // L, LW
	dowNth                  [7]uint8 // bit n: the n-th such weekday of the month (1..5)
	dowLast                 uint8    // bit n: the last weekday n of the month

	dayAnd    bool // either day field starts with '*': both must match
	wallClock bool // minute or hour starts with '*': follows the wall clock across DST
}

// items is what one field, or one term of it, selects.
type items struct {
	vals    uint64 // plain values
	last    bool   // L (day of month)
	lastWD  bool   // LW (day of month)
	nth     [8]uint8
	dowLast uint8
}

func (it items) count() int {
	n := bits.OnesCount64(it.vals)
	if it.last {
		n++
	}
	if it.lastWD {
		n++
	}
	for _, b := range it.nth {
		n += bits.OnesCount8(b)
	}
	return n + bits.OnesCount8(it.dowLast)
}

func (it *items) merge(o items) {
	it.vals |= o.vals
	it.last = it.last || o.last
	it.lastWD = it.lastWD || o.lastWD
	for i := range it.nth {
		it.nth[i] |= o.nth[i]
	}
	it.dowLast |= o.dowLast
}

// Parse parses a five-field cron expression or one of the @-macros. Names
// (JAN, MON) are case-insensitive. Besides Debian's syntax it accepts
// cronsim's extensions: L and LW in day of month, N#K and NL in day of week.
// It refuses expressions that can never fire. Errors are *FieldError.
func Parse(expr string) (*Schedule, error) {
	text := strings.TrimSpace(expr)
	if strings.HasPrefix(text, "@") {
		m, ok := macros[strings.ToLower(text)]
		if !ok {
			return nil, &FieldError{Value: text, Msg: fmt.Sprintf("unknown macro %q (want @yearly, @annually, @monthly, @weekly, @daily, @midnight or @hourly)", text)}
		}
		text = m
	}
	parts := strings.Fields(strings.ToUpper(text))
	if len(parts) != 5 {
		return nil, &FieldError{Value: expr, Msg: fmt.Sprintf("want 5 fields (minute hour day-of-month month day-of-week), got %d", len(parts))}
	}
	s := &Schedule{}
	copy(s.fields[:], parts)
	var got [5]items
	for f, p := range parts {
		it, err := parseField(f, p)
		if err != nil {
			return nil, err
		}
		got[f] = it
	}
	s.minutes = got[fMinute].vals
	s.hours = got[fHour].vals
	s.doms = got[fDom].vals
	s.domLast = got[fDom].last
	s.domLastWeekday = got[fDom].lastWD
	s.months = got[fMonth].vals
	dw := got[fDow]
	s.dows = dw.vals & 0x7f
	if dw.vals&(1<<7) != 0 {
		s.dows |= 1 // 7 is Sunday too
	}
	for d := 0; d < 8; d++ {
		s.dowNth[d%7] |= dw.nth[d]
		if dw.dowLast&(1<<d) != 0 {
			s.dowLast |= 1 << (d % 7)
		}
	}
	// Debian: if either day field starts with '*' both must match, else either.
	s.dayAnd = strings.HasPrefix(parts[fDom], "*") || strings.HasPrefix(parts[fDow], "*")
	// Debian (and cronsim) treat a job as "at a particular time" unless its
	// minute or hour field starts with '*'.
	s.wallClock = strings.HasPrefix(parts[fMinute], "*") || strings.HasPrefix(parts[fHour], "*")

	if err := s.validateDays(); err != nil {
		return nil, err
	}
	return s, nil
}

// parseField follows cronsim's grammar and precedence so that the same
// strings are accepted: lists first, then NL and N#K (day of week only),
// steps, ranges, L/LW (day of month only), and single values.
func parseField(f int, s string) (items, error) {
	var it items
	if s == "*" {
		it.vals = rangeBits(fieldMin[f], fieldMax[f], 1)
		return it, nil
	}
	if strings.Contains(s, ",") {
		for _, term := range strings.Split(s, ",") {
			t, err := parseField(f, term)
			if err != nil {
				return it, err
			}
			it.merge(t)
		}
		return it, nil
	}
	if f == fDow && strings.Contains(s, "L") {
		v := s[:len(s)-1]
		if !strings.HasSuffix(s, "L") || !isDigits(v) {
			return it, fieldErr(f, s, "%q: L needs a day-of-week number before it, e.g. 5L for the last Friday", s)
		}
		d, err := value(f, v)
		if err != nil {
			return it, err
		}
		it.dowLast = 1 << d
		return it, nil
	}
	if f == fDow && strings.Contains(s, "#") {
		term, nthText, _ := strings.Cut(s, "#")
		nth, ok := atoi(nthText)
		if !ok || nth < 1 || nth > 5 {
			return it, fieldErr(f, s, "%q: the week after # must be 1-5", s)
		}
		d, err := value(f, term)
		if err != nil {
			return it, err
		}
		it.nth[d] = 1 << nth
		return it, nil
	}
	if strings.Contains(s, "/") {
		term, stepText, _ := strings.Cut(s, "/")
		step, ok := atoi(stepText)
		if !ok {
			return it, fieldErr(f, s, "%q: the step after / must be a number", s)
		}
		if step == 0 {
			return it, fieldErr(f, s, "%q: the step must be at least 1", s)
		}
		base, err := parseField(f, term)
		if err != nil {
			return it, err
		}
		if base.vals == 0 {
			// L/n and LW/n: cronsim ignores the step.
			return base, nil
		}
		if base.count() == 1 {
			// "a/n" (and cronsim's reading of "a-a/n"): from a to the maximum.
			start := bits.TrailingZeros64(base.vals)
			it.vals = rangeBits(start, fieldMax[f], step)
			return it, nil
		}
		// Every step-th selected value, in ascending order.
		i := 0
		for v := base.vals; v != 0; v &= v - 1 {
			if i%step == 0 {
				it.vals |= 1 << bits.TrailingZeros64(v)
			}
			i++
		}
		return it, nil
	}
	if strings.Contains(s, "-") {
		a, b, _ := strings.Cut(s, "-")
		lo, err := value(f, a)
		if err != nil {
			return it, err
		}
		hi, err := value(f, b)
		if err != nil {
			return it, err
		}
		if hi < lo {
			return it, fieldErr(f, s, "range %s is backwards: %d comes after %d", s, lo, hi)
		}
		it.vals = rangeBits(lo, hi, 1)
		return it, nil
	}
	if f == fDom && s == "LW" {
		it.lastWD = true
		return it, nil
	}
	if f == fDom && s == "L" {
		it.last = true
		return it, nil
	}
	v, err := value(f, s)
	if err != nil {
		return it, err
	}
	it.vals = 1 << v
	return it, nil
}

// value parses one number or name of field f and checks its range.
func value(f int, s string) (int, error) {
	switch f {
	case fMonth:
		for i := 1; i <= 12; i++ {
			if s == monthAbbr[i] {
				return i, nil
			}
		}
	case fDow:
		for i, n := range dowAbbr {
			if s == n {
				return i, nil
			}
		}
	}
	if s == "" {
		return 0, fieldErr(f, s, "missing value")
	}
	v, ok := atoi(s)
	if !ok {
		switch f {
		case fMonth:
			return 0, fieldErr(f, s, "%q is not a month (1-12 or JAN-DEC)", s)
		case fDow:
			return 0, fieldErr(f, s, "%q is not a day of week (0-7 or SUN-SAT)", s)
		}
		return 0, fieldErr(f, s, "%q is not a number", s)
	}
	if v < fieldMin[f] || v > fieldMax[f] {
		return 0, fieldErr(f, s, "%s is out of range %d-%d", s, fieldMin[f], fieldMax[f])
	}
	return v, nil
}

func fieldErr(f int, v, format string, args ...any) *FieldError {
	return &FieldError{Field: FieldNames[f], Value: v, Msg: fmt.Sprintf(format, args...)}
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// atoi parses ASCII digits only; big numbers saturate (they are out of
// every range anyway).
func atoi(s string) (int, bool) {
	if !isDigits(s) {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
		if n > 1_000_000 {
			n = 1_000_000
		}
	}
	return n, true
}

func rangeBits(lo, hi, step int) uint64 {
	var b uint64
	for v := lo; v <= hi; v += step {
		b |= 1 << v
	}
	return b
}

// validateDays refuses expressions that can never fire.
//
// First, like cronsim (and therefore Healthchecks), a day-of-month field
// made of plain numbers none of which exists in any selected month is an
// error, whatever the day-of-week field says.
//
// Second, an expression whose day fields are ANDed may still never match,
// e.g. "0 0 */15 4 MON#5" (days 1, 16 and 31; April's fifth Monday is the
// 29th or 30th). Whether a day matches depends only on the month's length
// and the weekday it starts on, and every such shape (including a leap
// February on each weekday) occurs in the 28 years 2000-2027, so checking
// those months is exact. It stops at the first match, so a valid
// expression costs a month or two.
func (s *Schedule) validateDays() error {
	if !s.domLast && !s.domLastWeekday {
		fits := false
		for m := 1; m <= 12 && !fits; m++ {
			if s.months&(1<<m) != 0 && s.doms&((2<<maxDays[m])-1) != 0 {
				fits = true
			}
		}
		if !fits {
			verb := "never occurs"
			if bits.OnesCount64(s.doms) > 1 {
				verb = "never occur"
			}
			return &FieldError{Field: FieldNames[fDom], Value: s.fields[fDom],
				Msg: fmt.Sprintf("%s %s in %s", s.fields[fDom], verb, s.monthList())}
		}
	}
	for y := 2000; y < 2028; y++ {
		for m := 1; m <= 12; m++ {
			if s.months&(1<<m) != 0 && s.dayMask(y, m) != 0 {
				return nil
			}
		}
	}
	return &FieldError{Field: FieldNames[fDow], Value: s.fields[fDow],
		Msg: fmt.Sprintf("%s never falls on day of month %s in %s", s.fields[fDow], s.fields[fDom], s.monthList())}
}

// monthList names the selected months for error messages.
func (s *Schedule) monthList() string {
	if s.months == rangeBits(1, 12, 1) {
		return "any month"
	}
	var names []string
	for m := 1; m <= 12; m++ {
		if s.months&(1<<m) != 0 {
			names = append(names, monthName[m])
		}
	}
	if len(names) == 1 {
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// String returns the normalised expression: five upper-cased fields
// separated by single spaces, macros expanded. Parse(s.String()) gives an
// equivalent schedule.
func (s *Schedule) String() string {
	return strings.Join(s.fields[:], " ")
}

// Fields returns the five normalised fields.
func (s *Schedule) Fields() [5]string { return s.fields }

// FollowsWallClock reports whether the minute or hour field starts with
// '*' (a "wildcard" job in Debian's terms): such a schedule fires at every
// matching wall-clock reading, so it skips a jumped-over interval and fires
// in both copies of a repeated one. Other schedules are fixed-time jobs.
func (s *Schedule) FollowsWallClock() bool { return s.wallClock }

// DaysANDed reports whether day of month and day of week must both match
// (either field starts with '*') rather than either one.
func (s *Schedule) DaysANDed() bool { return s.dayAnd }
