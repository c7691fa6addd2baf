package pgcheck

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cronkit/cronkit/lib/suggest"
	"go.yaml.in/yaml/v3"
)

// Config is a rules file: per-rule overrides by name, and exclusions for
// every rule.
//
//	exclude: {databases: [scratch]}
//	idle_in_transaction_seconds: {warning: 60, critical: 10m}
//	inactive_slots: {enabled: false}
//	sequences: {exclude: {tables: ["public.legacy_*"]}}
type Config struct {
	Rules   map[string]*RuleConfig
	Exclude Exclude
}

// RuleConfig overrides one rule. A threshold set to null turns that level off.
type RuleConfig struct {
	Enabled                 *bool
	Warning, Critical       *float64
	WarningSet, CriticalSet bool
	Params                  map[string]float64
	Exclude                 Exclude
}

// ConfigError is a rules-file mistake, with its position.
type ConfigError struct {
	File string
	Line int
	Msg  string
}

func (e *ConfigError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return e.File + ": " + e.Msg
}

var ruleFields = []string{"enabled", "warning", "critical", "exclude"}
var excludeFields = []string{"databases", "schemas", "tables", "slots"}

// ParseConfig reads a rules file. name is used in error messages.
func ParseConfig(name string, data []byte) (*Config, error) {
	cfg := &Config{Rules: map[string]*RuleConfig{}}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, yamlErr(name, data, err)
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return cfg, nil // empty file: the defaults
	}
	top := doc.Content[0]
	if top.Kind == yaml.ScalarNode && top.Tag == "!!null" {
		return cfg, nil
	}
	errf := func(n *yaml.Node, format string, args ...any) error {
		return &ConfigError{File: name, Line: n.Line, Msg: fmt.Sprintf(format, args...)}
	}
	if top.Kind != yaml.MappingNode {
		return nil, errf(top, "want a mapping of rule names to settings, got %s", kindName(top))
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(top.Content); i += 2 {
		k, v := top.Content[i], top.Content[i+1]
		if seen[k.Value] {
			return nil, errf(k, "%q given twice", k.Value)
		}
		seen[k.Value] = true
		if k.Value == "exclude" {
			x, err := parseExclude(name, "exclude", v)
			if err != nil {
				return nil, err
			}
			cfg.Exclude = x
			continue
		}
		rule := RuleByName(k.Value)
		if rule == nil {
			msg := fmt.Sprintf("unknown rule %q", k.Value)
			if s := closest(k.Value, ruleNames()); s != "" {
				msg += fmt.Sprintf(" (did you mean %s?)", s)
			}
			return nil, errf(k, "%s", msg)
		}
		rc, err := parseRule(name, rule, v)
		if err != nil {
			return nil, err
		}
		cfg.Rules[rule.Name] = rc
	}
	return cfg, nil
}

func parseRule(file string, rule *Rule, n *yaml.Node) (*RuleConfig, error) {
	errf := func(n *yaml.Node, format string, args ...any) error {
		return &ConfigError{File: file, Line: n.Line, Msg: rule.Name + ": " + fmt.Sprintf(format, args...)}
	}
	rc := &RuleConfig{Params: map[string]float64{}}
	if n.Kind != yaml.MappingNode {
		return nil, errf(n, "want a mapping (enabled, warning, critical, exclude), got %s", kindName(n))
	}
	fields := append(slices.Clone(ruleFields), slices.Sorted(maps.Keys(rule.Params))...)
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if seen[k.Value] {
			return nil, errf(k, "%q given twice", k.Value)
		}
		seen[k.Value] = true
		switch k.Value {
		case "enabled":
			var b bool
			if v.Kind != yaml.ScalarNode || v.Decode(&b) != nil || v.Tag != "!!bool" {
				return nil, errf(v, "enabled: want true or false, got %q", v.Value)
			}
			rc.Enabled = &b
		case "warning", "critical":
			t, err := parseThreshold(rule.Unit, v)
			if err != nil {
				return nil, errf(v, "%s: %v", k.Value, err)
			}
			if k.Value == "warning" {
				rc.Warning, rc.WarningSet = t, true
			} else {
				rc.Critical, rc.CriticalSet = t, true
			}
		case "exclude":
			x, err := parseExclude(file, rule.Name+": exclude", v)
			if err != nil {
				return nil, err
			}
			rc.Exclude = x
		default:
			if _, ok := rule.Params[k.Value]; !ok {
				msg := fmt.Sprintf("unknown field %q (fields: %s)", k.Value, strings.Join(fields, ", "))
				return nil, errf(k, "%s", msg)
			}
			f, err := parseNumber(v)
			if err != nil || f < 0 {
				return nil, errf(v, "%s: want a number of at least 0, got %q", k.Value, v.Value)
			}
			rc.Params[k.Value] = f
		}
	}
	// Thresholds in the wrong order are a typo; say which value came from the defaults.
	w, c := rule.Warning, rule.Critical
	wsrc, csrc := " (the default)", " (the default)"
	if rc.WarningSet {
		w, wsrc = rc.Warning, ""
	}
	if rc.CriticalSet {
		c, csrc = rc.Critical, ""
	}
	if w != nil && c != nil && (rc.WarningSet || rc.CriticalSet) {
		if (!rule.Lower && *w > *c) || (rule.Lower && *w < *c) {
			rel := "above"
			if rule.Lower {
				rel = "below"
			}
			return nil, errf(n, "warning %s%s is %s critical %s%s", FormatValue(*w, rule.Unit), wsrc, rel,
				FormatValue(*c, rule.Unit), csrc)
		}
	}
	return rc, nil
}

func parseExclude(file, what string, n *yaml.Node) (Exclude, error) {
	var x Exclude
	errf := func(n *yaml.Node, format string, args ...any) error {
		return &ConfigError{File: file, Line: n.Line, Msg: what + ": " + fmt.Sprintf(format, args...)}
	}
	if n.Kind != yaml.MappingNode {
		return x, errf(n, "want a mapping (%s), got %s", strings.Join(excludeFields, ", "), kindName(n))
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		var dst *[]string
		switch k.Value {
		case "databases":
			dst = &x.Databases
		case "schemas":
			dst = &x.Schemas
		case "tables":
			dst = &x.Tables
		case "slots":
			dst = &x.Slots
		default:
			return x, errf(k, "unknown field %q (fields: %s)", k.Value, strings.Join(excludeFields, ", "))
		}
		items := []*yaml.Node{v}
		if v.Kind == yaml.SequenceNode {
			items = v.Content
		}
		for _, it := range items {
			if it.Kind != yaml.ScalarNode || it.Value == "" {
				return x, errf(it, "%s: want names or globs, got %s", k.Value, kindName(it))
			}
			if _, err := path.Match(it.Value, ""); err != nil {
				return x, errf(it, "%s: bad glob %q: %v", k.Value, it.Value, err)
			}
			if k.Value == "tables" && !strings.Contains(it.Value, ".") {
				return x, errf(it, "tables: %q: write schema.name (globs allowed: public.tmp_*)", it.Value)
			}
			*dst = append(*dst, it.Value)
		}
	}
	return x, nil
}

// parseThreshold reads a threshold in the rule's unit: a number, null (off),
// a duration for seconds ("90s", "10m", "2h"), a size for bytes ("512MB",
// "1GiB": powers of 1024, as check_postgres reads them), "90%" for percent.
func parseThreshold(u Unit, n *yaml.Node) (*float64, error) {
	if n.Kind != yaml.ScalarNode {
		return nil, fmt.Errorf("want a number, got %s", kindName(n))
	}
	if n.Tag == "!!null" {
		return nil, nil
	}
	if f, err := parseNumber(n); err == nil {
		if f < 0 {
			return nil, fmt.Errorf("%q is negative", n.Value)
		}
		return &f, nil
	}
	s := strings.TrimSpace(n.Value)
	switch u {
	case Seconds:
		d, err := time.ParseDuration(s)
		if err != nil || d < 0 {
			return nil, fmt.Errorf("%q is not a number of seconds or a duration (90s, 10m, 2h)", s)
		}
		f := d.Seconds()
		return &f, nil
	case Bytes:
		f, err := parseSize(s)
		if err != nil {
			return nil, err
		}
		return &f, nil
	case Percent:
		if p, ok := strings.CutSuffix(s, "%"); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
			if err == nil && f >= 0 && !math.IsInf(f, 0) {
				return &f, nil
			}
		}
		return nil, fmt.Errorf("%q is not a percentage (90 or 90%%)", s)
	}
	return nil, fmt.Errorf("%q is not a number", s)
}

func parseNumber(n *yaml.Node) (float64, error) {
	if n.Kind != yaml.ScalarNode || (n.Tag != "!!int" && n.Tag != "!!float") {
		return 0, errors.New("not a number")
	}
	f, err := strconv.ParseFloat(strings.ReplaceAll(n.Value, "_", ""), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, errors.New("not a number")
	}
	return f, nil
}

var sizeUnits = map[string]float64{"": 1, "b": 1, "k": kib, "kb": kib, "kib": kib, "m": mib, "mb": mib, "mib": mib,
	"g": gib, "gb": gib, "gib": gib, "t": 1024 * gib, "tb": 1024 * gib, "tib": 1024 * gib}

func parseSize(s string) (float64, error) {
	i := strings.IndexFunc(s, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	if i < 0 {
		i = len(s)
	}
	f, err := strconv.ParseFloat(s[:i], 64)
	mult, ok := sizeUnits[strings.ToLower(strings.TrimSpace(s[i:]))]
	if i == 0 || err != nil || !ok || math.IsInf(f, 0) {
		return 0, fmt.Errorf("%q is not a size (bytes, or 512MB, 1GiB: powers of 1024)", s)
	}
	return f * mult, nil
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	}
	if n.Tag == "!!null" {
		return "nothing"
	}
	return fmt.Sprintf("%q", n.Value)
}

// yamlErr keeps yaml.v3's "yaml: line N: msg" position in our file:line
// form. Some scanner errors come without a line: the shortest prefix of the
// file that fails the same way gives it (rules files are short).
func yamlErr(file string, data []byte, err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if num, m, ok := strings.Cut(rest, ": "); ok {
			if line, err := strconv.Atoi(num); err == nil {
				return &ConfigError{File: file, Line: line, Msg: m}
			}
		}
	}
	lines := strings.SplitAfter(string(data), "\n")
	if len(lines) <= 2000 {
		var n yaml.Node
		for i := range lines {
			if e := yaml.Unmarshal([]byte(strings.Join(lines[:i+1], "")), &n); e != nil && e.Error() == err.Error() {
				return &ConfigError{File: file, Line: i + 1, Msg: msg}
			}
		}
	}
	return &ConfigError{File: file, Msg: msg}
}

func ruleNames() []string {
	out := make([]string, len(Rules))
	for i, r := range Rules {
		out[i] = r.Name
	}
	return out
}

// closest suggests a rule name within 3 edits.
func closest(s string, names []string) string { return suggest.Closest(s, names, 3) }
