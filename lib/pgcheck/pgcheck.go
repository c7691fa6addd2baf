// Package pgcheck evaluates alert rules over a pgstat report (pgreport's
// or pgmetrics' JSON): replication lag, wraparound, inactive slots, idle
// transactions and the rest, each with a documented default that a YAML
// rules file overrides by name. A rule whose data the report lacks (a
// section failed, or a pgmetrics report without the field) is UNKNOWN,
// never OK. It is not a public API.
package pgcheck

import (
	"fmt"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/cronkit/cronkit/lib/pgstat"
)

// Level is a rule's or finding's state, numbered as Nagios plugins exit.
type Level int

const (
	OK       Level = 0
	Warning  Level = 1
	Critical Level = 2
	Unknown  Level = 3
)

func (l Level) String() string {
	switch l {
	case OK:
		return "OK"
	case Warning:
		return "WARNING"
	case Critical:
		return "CRITICAL"
	}
	return "UNKNOWN"
}

// rank orders levels for the overall state: CRITICAL > WARNING > UNKNOWN > OK
// (a known problem outranks a blind spot; a blind spot is never OK).
func (l Level) rank() int {
	switch l {
	case Warning:
		return 2
	case Critical:
		return 3
	case Unknown:
		return 1
	}
	return 0
}

// Worse reports whether l is more severe than m.
func (l Level) Worse(m Level) bool { return l.rank() > m.rank() }

// Unit of a rule's value.
type Unit string

const (
	Seconds Unit = "s"
	Bytes   Unit = "B"
	Percent Unit = "%"
	Count   Unit = ""
)

// Object names what a finding is about. DB, Schema, Name and Slot feed the
// exclusions; Label is what people read.
type Object struct {
	Label  string
	DB     string
	Schema string
	Name   string // table, index or sequence (with Schema)
	Slot   string
}

// Finding is one object at WARNING, CRITICAL or UNKNOWN (or, in
// RuleResult.Worst, the worst object measured whatever its level).
type Finding struct {
	Rule     string
	Level    Level
	Object   string
	Value    float64
	HasValue bool
	Unit     Unit
	Warning  *float64 // thresholds in force
	Critical *float64
	Lower    bool   // lower values are worse
	Detail   string // context, or why the value is unknown
}

// RuleResult is one rule's evaluation.
type RuleResult struct {
	Rule     *Rule
	Level    Level
	Findings []Finding
	Worst    *Finding // the worst measured value, for perfdata and metrics
	Checked  int      // objects measured
	Skipped  string   // not applicable here (no disk figures, archiving off, --bloat not given)
}

// Outcome is a whole check.
type Outcome struct {
	At      time.Time
	Level   Level
	Results []RuleResult
	// PartialSections names the failed report sections that made rules UNKNOWN.
	PartialSections []string
}

// Findings returns every finding, worst level first, in rule order.
func (o *Outcome) Findings() []Finding {
	var out []Finding
	for _, r := range o.Results {
		out = append(out, r.Findings...)
	}
	slices.SortStableFunc(out, func(a, b Finding) int { return b.Level.rank() - a.Level.rank() })
	return out
}

// Count returns how many findings have level l.
func (o *Outcome) Count(l Level) int {
	n := 0
	for _, r := range o.Results {
		for _, f := range r.Findings {
			if f.Level == l {
				n++
			}
		}
	}
	return n
}

// Options for Evaluate.
type Options struct {
	// Bloat enables the bloat rule (its data needs pgreport --bloat).
	Bloat bool
	// State holds the previous check's counters (deadlocks); nil: no state.
	// Evaluate updates it for the caller to save.
	State *State
	// NoStateName and BloatName are the caller's words, in the reasons of
	// rules, for running without State ("--no-state") and for collecting
	// bloat estimates ("pgreport --bloat"); "": neutral words, no hint.
	NoStateName, BloatName string
}

// Evaluate runs every enabled rule of cfg over rep.
func Evaluate(rep *pgstat.Report, cfg *Config, o Options) *Outcome {
	if cfg == nil {
		cfg = &Config{}
	}
	out := &Outcome{At: time.Unix(rep.Meta.At, 0).UTC()}
	partial := map[string]bool{}
	for _, rule := range Rules {
		rc := cfg.Rules[rule.Name]
		enabled := rule.Optional == ""
		if rule.Name == "bloat" && o.Bloat {
			enabled = true
		}
		if rc != nil && rc.Enabled != nil {
			enabled = *rc.Enabled
		}
		if !enabled {
			continue
		}
		c := &evalCtx{rep: rep, rule: rule, res: &RuleResult{Rule: rule}, opts: o,
			now: rep.Meta.At, pgmetrics: rep.Meta.PgreportSchema == ""}
		c.warn, c.crit = rule.Warning, rule.Critical
		c.params = map[string]float64{}
		for k, v := range rule.Params {
			c.params[k] = v
		}
		c.exclude = append(c.exclude, cfg.Exclude)
		if rc != nil {
			if rc.WarningSet {
				c.warn = rc.Warning
			}
			if rc.CriticalSet {
				c.crit = rc.Critical
			}
			for k, v := range rc.Params {
				c.params[k] = v
			}
			c.exclude = append(c.exclude, rc.Exclude)
		}
		c.run(partial)
		out.Results = append(out.Results, *c.res)
		if c.res.Level.Worse(out.Level) {
			out.Level = c.res.Level
		}
	}
	for s := range partial {
		out.PartialSections = append(out.PartialSections, s)
	}
	slices.Sort(out.PartialSections)
	return out
}

// evalCtx is what a rule's Eval works with.
type evalCtx struct {
	rep        *pgstat.Report
	rule       *Rule
	res        *RuleResult
	opts       Options
	now        int64 // the report's collection time: ages are relative to it
	pgmetrics  bool
	warn, crit *float64
	params     map[string]float64
	exclude    []Exclude
}

func (c *evalCtx) run(partial map[string]bool) {
	if c.pgmetrics && len(c.rule.Fields) > 0 {
		c.unknown(Object{}, "pgmetrics reports lack "+strings.Join(c.rule.Fields, ", "))
		return
	}
	for _, e := range c.rep.Meta.Errors {
		if !slices.Contains(c.rule.Sections, e.Section) && !(e.Section == "connect" && c.rule.PerDB) {
			continue
		}
		where := e.Section
		if e.DB != "" {
			where += "@" + e.DB
		}
		if e.DB == "" {
			partial[where] = true
			c.unknown(Object{}, "section "+e.Section+" failed: "+e.Error)
			return
		}
		if c.excluded(Object{DB: e.DB}) {
			continue
		}
		partial[where] = true
		c.unknown(Object{Label: e.DB, DB: e.DB}, "section "+e.Section+" failed: "+e.Error)
	}
	c.rule.Eval(c)
}

func (c *evalCtx) excluded(o Object) bool {
	for _, x := range c.exclude {
		if x.matches(o) {
			return true
		}
	}
	return false
}

// measure compares v with the thresholds and records a finding at WARNING or above.
func (c *evalCtx) measure(o Object, v float64, detail string) {
	if c.excluded(o) {
		return
	}
	c.res.Checked++
	lvl := OK
	hit := func(t *float64) bool {
		if t == nil {
			return false
		}
		switch {
		case c.rule.Lower:
			return v <= *t
		case c.rule.Strict:
			return v > *t
		}
		return v >= *t
	}
	if hit(c.crit) {
		lvl = Critical
	} else if hit(c.warn) {
		lvl = Warning
	}
	f := Finding{Rule: c.rule.Name, Level: lvl, Object: o.Label, Value: v, HasValue: true, Unit: c.rule.Unit,
		Warning: c.warn, Critical: c.crit, Lower: c.rule.Lower, Detail: detail}
	if w := c.res.Worst; w == nil || (c.rule.Lower && v < w.Value) || (!c.rule.Lower && v > w.Value) {
		c.res.Worst = &f
	}
	if lvl != OK {
		c.add(f)
	}
}

// healthy records a measurement that is fine whatever the thresholds say
// (a working archiver is 0 s into a failure with a 0 s warning).
func (c *evalCtx) healthy(o Object, v float64) {
	if c.excluded(o) {
		return
	}
	c.res.Checked++
	if c.res.Worst == nil {
		c.res.Worst = &Finding{Rule: c.rule.Name, Level: OK, Object: o.Label, Value: v, HasValue: true, Unit: c.rule.Unit,
			Warning: c.warn, Critical: c.crit, Lower: c.rule.Lower}
	}
}

// force records a finding at a fixed level (a lost slot is CRITICAL whatever its size).
func (c *evalCtx) force(o Object, lvl Level, v float64, detail string) {
	if c.excluded(o) {
		return
	}
	c.res.Checked++
	f := Finding{Rule: c.rule.Name, Level: lvl, Object: o.Label, Value: v, HasValue: true, Unit: c.rule.Unit,
		Warning: c.warn, Critical: c.crit, Lower: c.rule.Lower, Detail: detail}
	if c.res.Worst == nil || v > c.res.Worst.Value {
		c.res.Worst = &f
	}
	c.add(f)
}

func (c *evalCtx) unknown(o Object, reason string) {
	if o.DB != "" && c.excluded(o) {
		return
	}
	c.add(Finding{Rule: c.rule.Name, Level: Unknown, Object: o.Label, Unit: c.rule.Unit, Warning: c.warn,
		Critical: c.crit, Lower: c.rule.Lower, Detail: reason})
}

// ts formats a unix time for details.
func ts(unix int64) string {
	if unix == 0 {
		return "never"
	}
	return time.Unix(unix, 0).UTC().Format(time.RFC3339)
}

// size formats bytes in IEC units, as docs and people read them.
func size(b int64) string { return FormatValue(float64(b), Bytes) }

func (c *evalCtx) skip(reason string) {
	if len(c.res.Findings) == 0 {
		c.res.Skipped = reason
	}
}

func (c *evalCtx) add(f Finding) {
	c.res.Findings = append(c.res.Findings, f)
	if f.Level.Worse(c.res.Level) {
		c.res.Level = f.Level
	}
}

func (c *evalCtx) param(name string) float64 {
	v, ok := c.params[name]
	if !ok {
		panic("pgcheck: rule " + c.rule.Name + " reads undeclared param " + name) // caught by the rule tests
	}
	return v
}

// setting returns a numeric server setting, ok false when absent.
func (c *evalCtx) setting(name string) (float64, bool) {
	s, ok := c.rep.Settings[name]
	if !ok {
		return 0, false
	}
	var v float64
	if _, err := fmt.Sscan(s.Setting, &v); err != nil {
		return 0, false
	}
	return v, true
}

// Exclude lists objects a rule (or every rule) leaves out, as globs
// (path.Match: * ? [...]).
type Exclude struct {
	Databases []string
	Schemas   []string
	Tables    []string // schema.name of tables, indexes and sequences
	Slots     []string
}

func (x Exclude) matches(o Object) bool {
	m := func(globs []string, s string) bool {
		if s == "" {
			return false
		}
		for _, g := range globs {
			if ok, _ := path.Match(g, s); ok {
				return true
			}
		}
		return false
	}
	return m(x.Databases, o.DB) || m(x.Schemas, o.Schema) ||
		(o.Name != "" && m(x.Tables, o.Schema+"."+o.Name)) || m(x.Slots, o.Slot)
}
