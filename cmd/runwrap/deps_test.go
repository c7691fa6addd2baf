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
		case "github.com/spf13/viper", "github.com/subosito/gotenv", "github.com/spf13/cast":
			t.Errorf("runwrap links %s", pkg)
		}
	}
}
