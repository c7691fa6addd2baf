package pgcheck

import (
	"fmt"
	"io"
	"slices"

	"github.com/cronkit/cronkit/lib/metric"
	"github.com/cronkit/cronkit/lib/pgstat"
)

// Formats are the output formats Write knows, in the order --help names them.
var Formats = []string{"text", "json", "metrics", "nagios"}

// ParseFailOn reads the level from which findings fail a check: "warning"
// or "critical". Its error quotes the word; the caller names its option.
func ParseFailOn(s string) (Level, error) {
	switch s {
	case "warning":
		return Warning, nil
	case "critical":
		return Critical, nil
	}
	return OK, fmt.Errorf("%q: want warning or critical", s)
}

// Write writes o to w in format (one of Formats). For nagios it returns the
// plugin's exit code (0 otherwise).
func Write(w io.Writer, format string, o *Outcome) (nagiosCode int, err error) {
	switch format {
	case "text":
		return 0, WriteText(w, o)
	case "json":
		return 0, WriteJSON(w, o)
	case "metrics":
		mw := metric.NewWriter(w)
		if err := EachMetric(o, mw.Write); err != nil {
			return 0, err
		}
		return 0, mw.Flush()
	case "nagios":
		return WriteNagios(w, o)
	}
	return 0, fmt.Errorf("unknown format %q", format)
}

// UnreadSections lists the report's failed sections that no rule reads
// ("section[@db]: error"): not a blind spot of the check, still worth a line.
func UnreadSections(rep *pgstat.Report, o *Outcome) []string {
	var unread []string
	for _, e := range rep.Meta.Errors {
		s := e.Section
		if e.DB != "" {
			s += "@" + e.DB
		}
		if !slices.Contains(o.PartialSections, s) {
			unread = append(unread, s+": "+e.Error)
		}
	}
	return unread
}

// Worst is the worst level among the findings, UNKNOWN aside (OK if none).
func (o *Outcome) Worst() Level {
	worst := OK
	for _, f := range o.Findings() {
		if f.Level != Unknown && f.Level.Worse(worst) {
			worst = f.Level
		}
	}
	return worst
}

// UnknownRules names the rules whose result is UNKNOWN, in rule order.
func (o *Outcome) UnknownRules() []string {
	var rules []string
	for _, res := range o.Results {
		if res.Level == Unknown {
			rules = append(rules, res.Rule.Name)
		}
	}
	return rules
}
