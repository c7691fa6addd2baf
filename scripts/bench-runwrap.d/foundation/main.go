// Command foundation is lib/cli's root command as the tools but runwrap
// have it (cobra, viper through lib/cli/viperconf, slog and net/http
// linked in) with one subcommand that does
// nothing: what every cronkit tool pays to start before its own work, for
// scripts/bench-runwrap's breakdown. Not a cronkit tool.
package main

import (
	"os"

	"github.com/cronkit/cronkit/lib/cli"
	"github.com/cronkit/cronkit/lib/cli/viperconf"
	"github.com/spf13/cobra"
)

func main() {
	r := cli.NewRoot(cli.OSEnv(), cli.Tool{Name: "foundation", Short: "start-up cost of lib/cli", ParseConfig: cli.ConfigParser(viperconf.Parse)})
	r.Cmd.AddCommand(&cobra.Command{Use: "noop", RunE: func(*cobra.Command, []string) error { return nil }})
	os.Exit(cli.Execute(r, os.Args[1:]))
}
