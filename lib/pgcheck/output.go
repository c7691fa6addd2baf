package pgcheck

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"

	"github.com/cronkit/cronkit/lib/metric"
)

// FormatValue writes v in unit for people: 6m12s, 1.5 GiB, 92.3%, 7.
func FormatValue(v float64, u Unit) string {
	switch u {
	case Seconds:
		if v < 10 {
			return strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64) + "s"
		}
		return time.Duration(v * float64(time.Second)).Round(time.Second).String()
	case Bytes:
		units := []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB"}
		i := 0
		for math.Abs(v) >= 1024 && i < len(units)-1 {
			v /= 1024
			i++
		}
		if i == 0 {
			return strconv.FormatFloat(v, 'f', 0, 64) + " B"
		}
		return strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64) + " " + units[i]
	case Percent:
		return strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64) + "%"
	}
	return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64)
}

// threshold is the threshold a finding crossed, as ">= 5m0s".
func (f Finding) threshold() string {
	t := f.Warning
	if f.Level == Critical {
		t = f.Critical
	}
	if t == nil || f.Level == Unknown {
		return "-"
	}
	op := ">="
	if f.Lower {
		op = "<="
	} else if r := RuleByName(f.Rule); r != nil && r.Strict {
		op = ">"
	}
	return op + " " + FormatValue(*t, f.Unit)
}

func (f Finding) value() string {
	if !f.HasValue {
		return "-"
	}
	return FormatValue(f.Value, f.Unit)
}

// healthy lists the rules that passed and the ones skipped, with why.
func (o *Outcome) healthy() (ok []string, skipped []string) {
	for _, r := range o.Results {
		switch {
		case r.Skipped != "" && len(r.Findings) == 0:
			skipped = append(skipped, r.Rule.Name+" ("+r.Skipped+")")
		case r.Level == OK:
			ok = append(ok, r.Rule.Name)
		}
	}
	return ok, skipped
}

// WriteText writes a table of findings and one line for the healthy rules.
func WriteText(w io.Writer, o *Outcome) error {
	bw := bufio.NewWriter(w)
	if fs := o.Findings(); len(fs) > 0 {
		tw := tabwriter.NewWriter(bw, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "LEVEL\tRULE\tOBJECT\tVALUE\tTHRESHOLD\tDETAIL")
		for _, f := range fs {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", f.Level, f.Rule, orDash(clean(f.Object)), f.value(), f.threshold(), clean(f.Detail))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	ok, skipped := o.healthy()
	if len(ok) > 0 {
		fmt.Fprintf(bw, "OK: %d rule(s): %s\n", len(ok), strings.Join(ok, ", "))
	}
	if len(skipped) > 0 {
		fmt.Fprintf(bw, "skipped: %s\n", strings.Join(skipped, ", "))
	}
	// Last, so that a tail of the output (runwrap's ping body) still says it.
	fmt.Fprintf(bw, "status: %s (%d critical, %d warning, %d unknown)\n", o.Level, o.Count(Critical), o.Count(Warning), o.Count(Unknown))
	return bw.Flush()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// clean keeps a field on one line (query texts carry newlines and tabs).
func clean(s string) string { return strings.Join(strings.Fields(s), " ") }

type jsonFinding struct {
	Type      string   `json:"type"`
	Level     string   `json:"level"`
	Rule      string   `json:"rule"`
	Object    string   `json:"object"`
	Value     *float64 `json:"value,omitempty"`
	Unit      string   `json:"unit,omitempty"`
	Threshold *float64 `json:"threshold,omitempty"`
	Warning   *float64 `json:"warning"`
	Critical  *float64 `json:"critical"`
	Detail    string   `json:"detail,omitempty"`
}

type jsonSummary struct {
	Type            string            `json:"type"`
	Level           string            `json:"level"`
	Time            time.Time         `json:"time"`
	Critical        int               `json:"critical"`
	Warning         int               `json:"warning"`
	Unknown         int               `json:"unknown"`
	OK              []string          `json:"ok"`
	Skipped         map[string]string `json:"skipped,omitempty"`
	PartialSections []string          `json:"partial_sections,omitempty"`
}

// WriteJSON writes one JSON object a line: each finding ("type":"finding"),
// then a summary ("type":"summary").
func WriteJSON(w io.Writer, o *Outcome) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	for _, f := range o.Findings() {
		j := jsonFinding{Type: "finding", Level: strings.ToLower(f.Level.String()), Rule: f.Rule, Object: f.Object,
			Unit: string(f.Unit), Warning: f.Warning, Critical: f.Critical, Detail: f.Detail}
		if f.HasValue {
			v := f.Value
			j.Value = &v
		}
		switch f.Level {
		case Warning:
			j.Threshold = f.Warning
		case Critical:
			j.Threshold = f.Critical
		}
		if err := enc.Encode(j); err != nil {
			return err
		}
	}
	s := jsonSummary{Type: "summary", Level: strings.ToLower(o.Level.String()), Time: o.At, Critical: o.Count(Critical),
		Warning: o.Count(Warning), Unknown: o.Count(Unknown), OK: []string{}, PartialSections: o.PartialSections}
	for _, r := range o.Results {
		if r.Skipped != "" && len(r.Findings) == 0 {
			if s.Skipped == nil {
				s.Skipped = map[string]string{}
			}
			s.Skipped[r.Rule.Name] = r.Skipped
		} else if r.Level == OK {
			s.OK = append(s.OK, r.Rule.Name)
		}
	}
	if err := enc.Encode(s); err != nil {
		return err
	}
	return bw.Flush()
}

// nameSeg makes an object label metric name segments: dots stay
// (db.schema.table), every run of other characters that sinks may not take
// (spaces, parentheses, quotes) becomes one '_'.
func nameSeg(s string) string {
	var b strings.Builder
	under := false
	for _, r := range s {
		ok := r == '.' || r == '-' || r == '_' || r == ':' || unicode.IsLetter(r) || unicode.IsDigit(r)
		if ok {
			b.WriteRune(r)
			under = false
		} else if !under {
			b.WriteByte('_')
			under = true
		}
	}
	out := strings.Trim(b.String(), "_")
	if out == "" {
		return "_"
	}
	return out
}

// EachMetric emits, per rule: pg.check.<rule>.level (0 OK, 1 WARNING,
// 2 CRITICAL, 3 UNKNOWN, as Nagios) and pg.check.<rule>.value (the worst
// value measured); per finding with a value: pg.check.<rule>.<object>,
// tagged with its level. Skipped rules emit nothing.
func EachMetric(o *Outcome, emit func(metric.Record) error) error {
	for _, r := range o.Results {
		if r.Skipped != "" && len(r.Findings) == 0 {
			continue
		}
		base := "pg.check." + r.Rule.Name
		if err := emit(metric.Record{Name: base + ".level", Kind: metric.Value, Value: float64(r.Level), Time: o.At}); err != nil {
			return err
		}
		if r.Worst != nil {
			if err := emit(metric.Record{Name: base + ".value", Kind: metric.Value, Value: r.Worst.Value, Time: o.At}); err != nil {
				return err
			}
		}
		for _, f := range r.Findings {
			if !f.HasValue {
				continue
			}
			rec := metric.Record{Name: base + "." + nameSeg(f.Object), Kind: metric.Value, Value: f.Value, Time: o.At,
				Tags: map[string]string{"level": strings.ToLower(f.Level.String())}}
			if err := emit(rec); err != nil {
				return err
			}
		}
	}
	return nil
}

// nagiosItems caps the findings named on the status line; the rest are counted.
const nagiosItems = 5

// WriteNagios writes the one status line of a Nagios plugin,
// "PGREPORT WARNING - ...|perfdata" (shared/reference/check-postgres.md §1),
// and returns the plugin exit code (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN).
func WriteNagios(w io.Writer, o *Outcome) (int, error) {
	var b strings.Builder
	b.WriteString("PGREPORT " + o.Level.String() + " - ")
	fs := o.Findings()
	if len(fs) == 0 {
		ok, skipped := o.healthy()
		fmt.Fprintf(&b, "%d rules OK", len(ok))
		if len(skipped) > 0 {
			fmt.Fprintf(&b, ", %d skipped", len(skipped))
		}
	} else {
		var counts []string
		for _, l := range []Level{Critical, Warning, Unknown} {
			if n := o.Count(l); n > 0 {
				counts = append(counts, fmt.Sprintf("%d %s", n, strings.ToLower(l.String())))
			}
		}
		b.WriteString(strings.Join(counts, ", ") + ": ")
		var items []string
		for i, f := range fs {
			if i == nagiosItems {
				items = append(items, fmt.Sprintf("and %d more", len(fs)-i))
				break
			}
			s := strings.TrimSpace(f.Rule + " " + f.Object)
			if f.HasValue {
				s += " = " + f.value()
			} else {
				s += ": " + f.Detail
			}
			items = append(items, strings.NewReplacer("|", "/").Replace(clean(s)))
		}
		b.WriteString(strings.Join(items, "; "))
	}
	var perf []string
	for _, r := range o.Results {
		if r.Worst == nil {
			continue
		}
		perf = append(perf, perfItem(r))
	}
	if len(perf) > 0 {
		b.WriteString(" | " + strings.Join(perf, " "))
	}
	b.WriteString("\n")
	_, err := io.WriteString(w, b.String())
	return int(o.Level), err
}

// perfItem is 'label'=value[UOM];warn;crit;min;max. Lower-is-worse
// thresholds are written as ranges "N:" (alert below N).
func perfItem(r RuleResult) string {
	num := func(v float64) string { return strconv.FormatFloat(math.Round(v*1000)/1000, 'f', -1, 64) }
	th := func(t *float64) string {
		if t == nil {
			return ""
		}
		if r.Rule.Lower {
			return num(*t) + ":"
		}
		return num(*t)
	}
	uom := string(r.Rule.Unit)
	s := r.Rule.Name + "=" + num(r.Worst.Value) + uom + ";" + th(r.Worst.Warning) + ";" + th(r.Worst.Critical)
	if r.Rule.Unit == Percent {
		s += ";0;100"
	}
	return strings.TrimRight(s, ";")
}
