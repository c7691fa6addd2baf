package testutil

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/cronkit/cronkit/lib/cli"
	"github.com/spf13/cobra"
)

// UnknownSubcommands checks a tool's whole command tree: for every command
// group (a command with subcommands), a word that is none of its
// subcommands is a usage error, exit code, one line on stderr naming the
// word, nothing on stdout (issue 13: "hcctl checks pasue x" printed help and
// exited 0). Groups in skip take words as arguments (pgreport's DBNAME,
// runwrap's command); a group added later is checked without a change here.
// It returns the groups checked.
func UnknownSubcommands(t *testing.T, newRoot func(*cli.Env) *cli.Root, code int, skip ...string) []string {
	t.Helper()
	var groups []string
	runnable := map[string]bool{}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.HasSubCommands() && !slices.Contains(skip, c.CommandPath()) {
			groups = append(groups, c.CommandPath())
			runnable[c.CommandPath()] = c.Runnable()
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(newRoot(quietEnv(t, nil, nil)).Cmd)
	for _, g := range groups {
		args := append(strings.Fields(g)[1:], "nosuchcmd", "x")
		t.Run(g, func(t *testing.T) {
			var out, errb bytes.Buffer
			got := cli.Execute(newRoot(quietEnv(t, &out, &errb)), args)
			if got != code {
				t.Errorf("%s nosuchcmd x: exit %d, want %d (stderr %q)", g, got, code, errb.String())
			}
			s := errb.String()
			if strings.Count(s, "\n") != 1 {
				t.Errorf("%s nosuchcmd x: stderr %q, want one line", g, s)
			}
			// A group with a Run of its own takes arguments (hcctl pings
			// CHECK): its own check words the error. Others name the word.
			if !runnable[g] && !strings.Contains(s, `unknown command "nosuchcmd"`) {
				t.Errorf("%s nosuchcmd x: stderr %q, want it to name the unknown command", g, s)
			}
			if out.Len() != 0 {
				t.Errorf("%s nosuchcmd x: stdout %q, want nothing (no help)", g, out.String())
			}
		})
	}
	return groups
}

// quietEnv is an Env with buffers, no stdin and no user configuration.
func quietEnv(t *testing.T, out, errb *bytes.Buffer) *cli.Env {
	if out == nil {
		out, errb = &bytes.Buffer{}, &bytes.Buffer{}
	}
	dir := t.TempDir()
	vars := map[string]string{"HOME": dir, "XDG_CONFIG_HOME": dir, "XDG_STATE_HOME": dir}
	return &cli.Env{Stdin: strings.NewReader(""), Stdout: out, Stderr: errb,
		LookupEnv: func(k string) (string, bool) { v, ok := vars[k]; return v, ok }}
}
