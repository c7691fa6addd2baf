package main

import (
	"os/exec"
	"strings"
	"testing"
)

// runwrap's start-up is part of every cron run (docs/benchmarks.md,
// runwrap): it does not link viper, whose package initialisers (gotenv's
// and cast's regexps, html/template, TOML) cost 0.3M instructions a run,
// file or no file. lib/cli.ParseConfig reads its YAML/JSON config instead.
func TestNoViperLinked(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, pkg := range strings.Fields(string(out)) {
		switch pkg {
		case "github.com/spf13/viper", "github.com/subosito/gotenv", "github.com/spf13/cast",
			// go-retryablehttp's initialisers compile four regular expressions;
			// lib/httpx runs its own retry loop (80k instructions a run).
			"github.com/hashicorp/go-retryablehttp":
			t.Errorf("runwrap links %s", pkg)
		}
	}
}

// Nor does it link cobra's template path (SetHelpTemplate and friends, kept
// out of lib/cli): text/template calls reflect.Value.MethodByName, which
// makes the linker keep every exported method of every type, 1.9 MB of a
// 9.5 MB binary that each run maps and faults in (docs/benchmarks.md).
func TestNoMethodByNameLinked(t *testing.T) {
	if testing.Short() {
		t.Skip("builds runwrap")
	}
	bin := t.TempDir() + "/runwrap"
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command("go", "tool", "nm", bin).Output()
	if err != nil {
		t.Fatalf("go tool nm: %v", err)
	}
	for _, sym := range []string{"reflect.Value.MethodByName", "text/template.(*Template).Execute"} {
		if strings.Contains(string(out), " "+sym+"\n") {
			t.Errorf("runwrap links %s", sym)
		}
	}
}
