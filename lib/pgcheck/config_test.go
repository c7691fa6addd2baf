package pgcheck

import (
	"errors"
	"strings"
	"testing"
)

func TestParseConfig(t *testing.T) {
	cfg, err := ParseConfig("rules.yaml", []byte(`# overrides
idle_in_transaction_seconds: {warning: 60, critical: 10m}
inactive_slots: {enabled: false}
bloat:
  enabled: true
  warning: 512MB
  critical: 2GiB
sequences:
  critical: null
  exclude:
    tables: ["public.legacy_*"]
    databases: scratch
connections: {warning: 80%}
cache_hit_ratio: {min_blocks: 1_000}
exclude:
  databases: [template*, scratch]
  slots: [keep_*]
`))
	if err != nil {
		t.Fatal(err)
	}
	iit := cfg.Rules["idle_in_transaction_seconds"]
	if *iit.Warning != 60 || *iit.Critical != 600 {
		t.Errorf("idle_in_transaction_seconds %v %v", *iit.Warning, *iit.Critical)
	}
	if e := cfg.Rules["inactive_slots"].Enabled; e == nil || *e {
		t.Errorf("inactive_slots enabled %v", e)
	}
	b := cfg.Rules["bloat"]
	if *b.Warning != 512*mib || *b.Critical != 2*gib || !*b.Enabled {
		t.Errorf("bloat %v %v", *b.Warning, *b.Critical)
	}
	s := cfg.Rules["sequences"]
	if !s.CriticalSet || s.Critical != nil || s.Exclude.Tables[0] != "public.legacy_*" || s.Exclude.Databases[0] != "scratch" {
		t.Errorf("sequences %+v", s)
	}
	if *cfg.Rules["connections"].Warning != 80 || cfg.Rules["cache_hit_ratio"].Params["min_blocks"] != 1000 {
		t.Errorf("connections/cache_hit_ratio %+v %+v", cfg.Rules["connections"], cfg.Rules["cache_hit_ratio"])
	}
	if len(cfg.Exclude.Databases) != 2 || cfg.Exclude.Slots[0] != "keep_*" {
		t.Errorf("exclude %+v", cfg.Exclude)
	}
	for _, empty := range []string{"", "# nothing\n", "---\n"} {
		if cfg, err := ParseConfig("e.yaml", []byte(empty)); err != nil || len(cfg.Rules) != 0 {
			t.Errorf("%q: %+v %v", empty, cfg, err)
		}
	}
}

// Mistakes name the file and line (the issue: "an unknown rule name or
// field is a usage error with file:line").
func TestParseConfigErrors(t *testing.T) {
	for _, tc := range []struct{ yaml, want string }{
		{"idle_in_transacton_seconds: {warning: 60}\n", `rules.yaml:1: unknown rule "idle_in_transacton_seconds" (did you mean idle_in_transaction_seconds?)`},
		{"# c\nnonsense: {}\n", `rules.yaml:2: unknown rule "nonsense"`},
		{"inactive_slots:\n  enabled: false\n  warn: 5\n", `rules.yaml:3: inactive_slots: unknown field "warn" (fields: enabled, warning, critical, exclude)`},
		{"cache_hit_ratio:\n  min_block: 5\n", `rules.yaml:2: cache_hit_ratio: unknown field "min_block" (fields: enabled, warning, critical, exclude, min_blocks)`},
		{"long_query_seconds: {warning: 10x}\n", `rules.yaml:1: long_query_seconds: warning: "10x" is not a number of seconds or a duration`},
		{"bloat: {warning: 5 parsecs}\n", `rules.yaml:1: bloat: warning: "5 parsecs" is not a size`},
		{"connections: {warning: -1}\n", `rules.yaml:1: connections: warning: "-1" is negative`},
		{"connections: {critical: lots}\n", `rules.yaml:1: connections: critical: "lots" is not a percentage`},
		{"deadlocks: {warning: [1]}\n", `rules.yaml:1: deadlocks: warning: want a number, got a list`},
		{"inactive_slots: {enabled: maybe}\n", `rules.yaml:1: inactive_slots: enabled: want true or false, got "maybe"`},
		{"inactive_slots: off\n", `rules.yaml:1: inactive_slots: want a mapping (enabled, warning, critical, exclude), got "off"`},
		{"long_query_seconds: {warning: 2h}\n", `rules.yaml:1: long_query_seconds: warning 2h0m0s is above critical 30m0s (the default)`},
		{"cache_hit_ratio: {critical: 95}\n", `rules.yaml:1: cache_hit_ratio: warning 90% (the default) is below critical 95%`},
		{"sequences: {exclude: {tabels: [x.y]}}\n", `rules.yaml:1: sequences: exclude: unknown field "tabels" (fields: databases, schemas, tables, slots)`},
		{"exclude:\n  tables: [orders]\n", `rules.yaml:2: exclude: tables: "orders": write schema.name`},
		{"exclude: {slots: ['[x']}\n", `rules.yaml:1: exclude: slots: bad glob "[x"`},
		{"deadlocks: {warning: 1}\ndeadlocks: {warning: 2}\n", `rules.yaml:2: "deadlocks" given twice`},
		{"- deadlocks\n", `rules.yaml:1: want a mapping of rule names to settings, got a list`},
		{"deadlocks: {warning: 1\n", `rules.yaml:1: did not find expected ',' or '}'`},
		{"# c\nx: {}\na: b: c\n", `rules.yaml:3: mapping values are not allowed in this context`},
	} {
		_, err := ParseConfig("rules.yaml", []byte(tc.yaml))
		var ce *ConfigError
		if err == nil || !errors.As(err, &ce) || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%q:\n got %v\nwant %s", tc.yaml, err, tc.want)
		}
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]float64{"0": 0, "512": 512, "1k": 1024, "1.5 GB": 1.5 * gib, "2TiB": 2048 * gib, "10mb": 10 * mib} {
		if got, err := parseSize(in); err != nil || got != want {
			t.Errorf("%q: %v %v", in, got, err)
		}
	}
	for _, in := range []string{"", "GB", "1 XB", "1..2k", "-1k"} {
		if _, err := parseSize(in); err == nil {
			t.Errorf("%q: no error", in)
		}
	}
}

// FuzzParseConfig: any input gives a config or a ConfigError with a
// position, never a panic. Seeds: testdata/fuzz/FuzzParseConfig.
func FuzzParseConfig(f *testing.F) {
	f.Add("idle_in_transaction_seconds: {warning: 60, critical: 10m}\ninactive_slots: {enabled: false}\n")
	f.Add("exclude: {databases: [a*], tables: [s.t]}\nbloat: {warning: 1GiB}\n")
	f.Add("cache_hit_ratio: {min_blocks: 5, warning: 95%}\n")
	f.Add("&a {x: *a}")
	f.Fuzz(func(t *testing.T, s string) {
		cfg, err := ParseConfig("f.yaml", []byte(s))
		if err != nil {
			var ce *ConfigError
			if !errors.As(err, &ce) || ce.File != "f.yaml" {
				t.Fatalf("error %T %v", err, err)
			}
			return
		}
		for name := range cfg.Rules {
			if RuleByName(name) == nil {
				t.Fatalf("accepted unknown rule %q", name)
			}
		}
	})
}
