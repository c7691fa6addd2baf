package chart

import (
	"math"
	"strconv"
	"strings"
	"time"
)

type yLabel struct {
	at   float64 // 0 bottom .. 1 top
	text string
}

type xLabel struct {
	at   float64 // 0 left .. 1 right
	text string
}

// xLabels puts time labels at round times (every 5 minutes, hour, day,
// month...) in the query's time zone, as many as fit, the format chosen from
// the step (ref §2.5: 15:04 within days, Jan 2 beyond). Ticks at local
// midnight show the date.
func xLabels(xmin, xmax time.Time, pw, fs float64) []xLabel {
	secs := func(t time.Time) float64 { return float64(t.Unix()) + float64(t.Nanosecond())/1e9 }
	span := secs(xmax) - secs(xmin) // time.Duration would overflow past 292 years
	if !(span > 0) {
		return nil
	}
	const day = 86400.0
	steps := []float64{1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800,
		3600, 2 * 3600, 3 * 3600, 6 * 3600, 12 * 3600,
		day, 2 * day, 7 * day, 14 * day, 30 * day, 91 * day, 182 * day}
	for _, y := range []float64{1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 10000} {
		steps = append(steps, y*365*day)
	}
	sample := textWidth("May 30", fs, false) // about the widest label, measured wide
	maxN := int(pw / (sample * 1.45))
	if maxN < 1 {
		return nil
	}
	step := steps[len(steps)-1]
	for _, st := range steps {
		if span/st <= float64(maxN) {
			step = st
			break
		}
	}
	layout := "Jan 2"
	switch {
	case step < 60:
		layout = "15:04:05"
	case step < day:
		layout = "15:04"
	case step >= 30*day:
		layout = "Jan 2006"
	}
	loc := xmin.Location()
	y, m, d := xmin.Date()
	var t time.Time
	var next func(time.Time) time.Time
	switch {
	case step >= 365*day:
		years := int(step / (365 * day))
		t = time.Date(y-y%years, 1, 1, 0, 0, 0, 0, loc)
		next = func(t time.Time) time.Time { return t.AddDate(years, 0, 0) }
		layout = "2006"
	case step >= 30*day:
		months := int(step / (30 * day))
		t = time.Date(y, m-(m-1)%time.Month(months), 1, 0, 0, 0, 0, loc)
		next = func(t time.Time) time.Time { return t.AddDate(0, months, 0) }
	case step >= day:
		days := int(step / day)
		t = time.Date(y, m, d, 0, 0, 0, 0, loc)
		next = func(t time.Time) time.Time { return t.AddDate(0, 0, days) }
	default:
		t = time.Date(y, m, d, 0, 0, 0, 0, loc)
		st := time.Duration(step) * time.Second
		next = func(t time.Time) time.Time { return t.Add(st) }
	}
	var out []xLabel
	for i := 0; i < 10000 && !t.After(xmax); i++ {
		if !t.Before(xmin) {
			text := t.Format(layout)
			if step < day && t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 {
				text = t.Format("Jan 2")
			}
			out = append(out, xLabel{(secs(t) - secs(xmin)) / span, text})
		}
		t = next(t)
	}
	return out
}

// fitText shortens s with an ellipsis until it is at most width px wide.
func fitText(s string, size float64, bold bool, width float64) string {
	if textWidth(s, size, bold) <= width {
		return s
	}
	r := []rune(s)
	for len(r) > 0 {
		r = r[:len(r)-1]
		t := strings.TrimRight(string(r), " ") + "…"
		if textWidth(t, size, bold) <= width {
			return t
		}
	}
	return ""
}

// formatNum writes an axis value compactly: 94.48, 103.3, 160M, 1.5k, 2e-05.
func formatNum(v float64) string {
	a := math.Abs(v)
	switch {
	case v == 0:
		return "0"
	case a < 1e-4 || a >= 1e15:
		return strconv.FormatFloat(v, 'g', 3, 64)
	case a < 1e4:
		s := strconv.FormatFloat(v, 'g', 4, 64)
		if !strings.ContainsRune(s, 'e') {
			return s
		}
	}
	units := []struct {
		div float64
		suf string
	}{{1e12, "T"}, {1e9, "G"}, {1e6, "M"}, {1e3, "k"}}
	for i, u := range units {
		if a >= u.div*0.9995 || i == len(units)-1 {
			x := v / u.div
			s := strconv.FormatFloat(x, 'g', 3, 64)
			if strings.ContainsRune(s, 'e') { // 999.95 rounds to 1e+03
				s = strconv.FormatFloat(x, 'f', 0, 64)
			}
			return s + u.suf
		}
	}
	return strconv.FormatFloat(v, 'g', 4, 64)
}
