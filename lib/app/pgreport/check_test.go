package pgreport

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/cronkit/cronkit/lib/testutil/pgsandbox"
)

func TestListRules(t *testing.T) {
	var out bytes.Buffer
	if err := ListRules(&out); err != nil {
		t.Fatal(err)
	}
	for _, re := range []string{`^RULE +WARNING +CRITICAL +DESCRIPTION\n`,
		`\nidle_in_transaction_seconds +>= 5m0s +>= 30m0s +the oldest session idle in transaction`,
		`\nbloat .*\[off by default: `} {
		if !regexp.MustCompile(re).MatchString(out.String()) {
			t.Errorf("list lacks %s:\n%s", re, out.String())
		}
	}
}

// checkOpts checks testdata/name (the reports of cmd/pgreport's check.txtar)
// with the command's defaults and no state file.
func checkOpts(env Env, name, format string) CheckOptions {
	return CheckOptions{Env: env, Input: filepath.Join("testdata", name), Format: format, FailOn: "warning", NoState: true}
}

// The outcome decides the result: findings at --fail-on fail (a
// *FindingsError, exit 1, the stream complete), UNKNOWN rules are partial
// (exit 3, and an error record ends -f metrics); Nagios has its plugin codes.
func TestCheckVerdicts(t *testing.T) {
	findings := func(crit, warn int) func(error) bool {
		return func(err error) bool {
			var fe *FindingsError
			return errors.As(err, &fe) && fe.Critical == crit && fe.Warning == warn
		}
	}
	partial := func(err error) bool {
		var pe *PartialError
		return errors.As(err, &pe) && strings.HasPrefix(pe.Msg, "check: 5 rule(s) UNKNOWN: connections, ") &&
			strings.HasSuffix(pe.Msg, "(sections not collected: backends)")
	}
	plugin := func(code int) func(error) bool {
		return func(err error) bool {
			var pe *PluginError
			return errors.As(err, &pe) && pe.Code == code && pe.Err == nil
		}
	}
	isNil := func(err error) bool { return err == nil }
	for _, tt := range []struct {
		file, format, failOn string
		ok                   func(error) bool
		stdout               string // a regexp
		errorRecord          bool
	}{
		{"ok.json", "text", "warning", isNil, `(?m)^status: OK `, false},
		{"warn.json", "text", "warning", findings(0, 2), `(?m)^WARNING +replication_lag_bytes +standby db7b`, false},
		{"warn.json", "text", "critical", isNil, `(?m)^WARNING +replication_lag_seconds`, false},
		{"crit.json", "json", "critical", findings(1, 2), `(?m)^\{"type":"finding","level":"critical","rule":"inactive_slots"`, false},
		{"crit.json", "metrics", "warning", findings(1, 2), `(?m)^\{"name":"pg\.check\.inactive_slots\.level","kind":"value","value":2,`, false},
		{"partial.json", "metrics", "warning", partial, `(?m)^\{"name":"pg\.check\.connections\.level","kind":"value","value":3,`, true},
		{"partial.json", "text", "warning", partial, `(?m)^UNKNOWN +connections +- +- +- +section backends failed`, false},
		{"ok.json", "nagios", "warning", isNil, `^PGREPORT OK - 18 rules OK, 4 skipped \| `, false}, // no state: deadlocks skipped
		{"warn.json", "nagios", "warning", plugin(1), `^PGREPORT WARNING - 2 warning: `, false},
		{"crit.json", "nagios", "warning", plugin(2), `^PGREPORT CRITICAL - 1 critical, 2 warning: `, false},
		{"partial.json", "nagios", "warning", plugin(3), `^PGREPORT UNKNOWN - 5 unknown: connections: `, false},
	} {
		t.Run(tt.file+"/"+tt.format+"/"+tt.failOn, func(t *testing.T) {
			env, out := testEnv(t, "")
			o := checkOpts(env, tt.file, tt.format)
			o.FailOn = tt.failOn
			err := RunCheck(context.Background(), o)
			if !tt.ok(err) {
				t.Errorf("err = %v (%T)", err, err)
			}
			if !regexp.MustCompile(tt.stdout).MatchString(out.String()) {
				t.Errorf("stdout lacks %s:\n%s", tt.stdout, out.String())
			}
			if got := strings.Contains(out.String(), `{"error":"check: `); got != tt.errorRecord {
				t.Errorf("error record %v, want %v:\n%s", got, tt.errorRecord, out.String())
			}
		})
	}
}

// A check that cannot judge under -f nagios says UNKNOWN on stdout and
// exits 3 (check_postgres' convention, reference check_postgres.md), the
// reason on one line with secrets redacted and no '|' (perfdata's separator).
func TestCheckNagiosUnknown(t *testing.T) {
	env, out := testEnv(t, "")
	o := checkOpts(env, "ok.json", "nagios")
	o.Rules = filepath.Join("testdata", "bad-rule.yaml")
	err := RunCheck(context.Background(), o)
	var pe *PluginError
	var ue *UsageError
	if !errors.As(err, &pe) || pe.Code != 3 || !errors.As(pe.Err, &ue) {
		t.Errorf("err = %v (%T), want the plugin's 3 around the usage error", err, err)
	}
	if want := `PGREPORT UNKNOWN - ` + o.Rules + `:3: unknown rule "idle_in_transacton_seconds"`; !strings.HasPrefix(out.String(), want) {
		t.Errorf("stdout %q, want %q", out.String(), want)
	}

	env, out = testEnv(t, "")
	env.Secrets = []string{"s3cr3t-key"}
	o = checkOpts(env, "ok.json", "nagios")
	o.Input = "/nonexistent/a|b/s3cr3t-key.json"
	if err := RunCheck(context.Background(), o); !errors.As(err, &pe) || pe.Code != 3 {
		t.Errorf("err = %v", err)
	}
	if want := "PGREPORT UNKNOWN - --input: open /nonexistent/a/b/[REDACTED].json: no such file or directory\n"; out.String() != want {
		t.Errorf("stdout %q, want %q", out.String(), want)
	}
}

func TestCheckUsageErrors(t *testing.T) {
	for _, tt := range []struct {
		name string
		edit func(o *CheckOptions)
		want string
	}{
		{"format", func(o *CheckOptions) { o.Format = "yaml" }, `-f "yaml": want text, json, metrics or nagios`},
		{"fail-on", func(o *CheckOptions) { o.FailOn = "info" }, "want warning or critical"},
		{"state and no-state", func(o *CheckOptions) { o.State = "x.json" }, "--state and --no-state contradict each other"},
		{"rules missing", func(o *CheckOptions) { o.Rules = "testdata/missing.yaml" }, "--rules: open testdata/missing.yaml"},
		{"rules wrong", func(o *CheckOptions) { o.Rules = "testdata/bad-rule.yaml" }, `testdata/bad-rule.yaml:3: unknown rule "idle_in_transacton_seconds" (did you mean idle_in_transaction_seconds?)`},
		{"input with names", func(o *CheckOptions) { o.DBNames = []string{"shop"} }, "no database names or --all-dbs"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			env, out := testEnv(t, "")
			o := checkOpts(env, "ok.json", "text")
			tt.edit(&o)
			asUsage(t, RunCheck(context.Background(), o), tt.want)
			if out.Len() != 0 {
				t.Errorf("stdout %q", out.String())
			}
		})
	}
}

// Deadlocks are counted since the previous check, in a state file named by
// the system identifier under $XDG_STATE_HOME (read through the injected
// Getenv), saved after the output.
func TestCheckState(t *testing.T) {
	state := t.TempDir()
	env, _ := testEnv(t, "")
	env.Getenv = func(k string) string { return map[string]string{"XDG_STATE_HOME": state}[k] }
	o := checkOpts(env, "ok.json", "text")
	o.NoState = false
	if err := RunCheck(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(state, "cronkit", "pgreport-check", "7400000000000000009.json")
	if b, err := os.ReadFile(file); err != nil || !strings.Contains(string(b), `"count": 3`) {
		t.Fatalf("state file: %v %s", err, b)
	}
	env, out := testEnv(t, "")
	env.Getenv = o.Getenv
	o = checkOpts(env, "more-deadlocks.json", "text")
	o.NoState = false
	var fe *FindingsError
	if err := RunCheck(context.Background(), o); !errors.As(err, &fe) || fe.Warning != 1 {
		t.Errorf("err = %v, want one warning", err)
	}
	if !regexp.MustCompile(`(?m)^WARNING +deadlocks +shop +2 +>= 1 +since 2026-11-18T11:06:40Z`).MatchString(out.String()) {
		t.Errorf("stdout:\n%s", out.String())
	}
}

// A failed section that no rule reads is a warning, not a failure.
func TestCheckWarnsUnreadSections(t *testing.T) {
	env, _ := testEnv(t, "")
	var warnings []string
	env.Warnf = func(f string, args ...any) { warnings = append(warnings, fmt.Sprintf(f, args...)) }
	if err := RunCheck(context.Background(), checkOpts(env, "unread.json", "text")); err != nil {
		t.Fatal(err)
	}
	want := "sections not collected (no rule reads them): statements@shop: ERROR: permission denied for view pg_stat_statements"
	if len(warnings) != 1 || warnings[0] != want {
		t.Errorf("warnings %q, want %q", warnings, want)
	}
}

// A live check: the report the rules need, collected as pgreport/<version>
// after the password prompt, and the state file named by the server's
// system identifier.
func TestCheckLive(t *testing.T) {
	c := pgsandbox.Get(t)
	db := c.CreateDB(t, "app_check")
	state := t.TempDir()
	env, out := testEnv(t, "")
	asked := 0
	env.Prompt = func() (string, error) { asked++; return "unused-by-trust", nil }
	env.Getenv = func(k string) string { return map[string]string{"XDG_STATE_HOME": state}[k] }
	env.Warnf = func(string, ...any) {}
	o := CheckOptions{Env: env, Conn: reportOpts(env).Conn, DBNames: []string{db}, Format: "json", FailOn: "critical"}
	o.Conn.DSN = c.ConnString(db)
	err := RunCheck(context.Background(), o)
	var ue *UsageError
	if errors.As(err, &ue) || asked != 1 {
		t.Fatalf("err = %v, prompts %d", err, asked)
	}
	if !regexp.MustCompile(`(?m)^\{"type":"summary",`).MatchString(out.String()) {
		t.Errorf("stdout:\n%s", out.String())
	}
	files, _ := filepath.Glob(filepath.Join(state, "cronkit", "pgreport-check", "*.json"))
	if len(files) != 1 || !regexp.MustCompile(`/[0-9]{15,}\.json$`).MatchString(files[0]) {
		t.Errorf("state files %v, want one named by the system identifier", files)
	}
}
