package main

import (
	"cmp"
	"strings"

	"github.com/cronkit/cronkit/lib/cli"
	"github.com/spf13/pflag"
)

// runitorOnly maps runitor flag names whose meaning differs from runwrap's
// flag of the same name. runitor's -quiet drops the command's stdout, while
// runwrap's --quiet (shared by every cronkit tool) quiets runwrap itself.
var runitorOnly = map[string]string{
	"quiet": "discard-stdout",
}

// normalizeArgs rewrites runitor's single-dash long flags (-uuid X,
// -every=5m) to pflag's double-dash form before cobra parses them: pflag
// would read -uuid as the shorthands -u -u -i -d. Only flags before the
// command are touched: the first non-flag argument or "--" ends the scan,
// so the command's own arguments pass unchanged.
func normalizeArgs(fs *pflag.FlagSet, args []string) []string {
	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" || a == "-" || !strings.HasPrefix(a, "-") {
			return append(out, args[i:]...)
		}
		var f *pflag.Flag
		name, _, hasVal := strings.Cut(strings.TrimPrefix(a[1:], "-"), "=")
		switch {
		case strings.HasPrefix(a, "--"):
			f = fs.Lookup(name)
		case len(name) > 1 && fs.Lookup(cmp.Or(runitorOnly[name], name)) != nil:
			// runitor's -name[=value]: pflag's --name[=value].
			f = fs.Lookup(cmp.Or(runitorOnly[name], name))
			a = "--" + f.Name + a[1+len(name):]
		case len(a) == 2:
			// Shorthands (-v, -q): a value-taking one consumes the next arg
			// when it has none attached.
			f = fs.ShorthandLookup(a[1:])
		}
		out = append(out, a)
		if f != nil && !hasVal && f.NoOptDefVal == "" && i+1 < len(args) {
			i++
			out = append(out, args[i])
		}
	}
	return out
}

// rootArgs normalises args against every flag the root command knows:
// InitDefaultHelpFlag merges the persistent flags into Flags() (a copy into
// a FlagSet of its own cost 50 map inserts a run).
func rootArgs(r *cli.Root, args []string) []string {
	r.Cmd.InitDefaultHelpFlag()
	return normalizeArgs(r.Cmd.Flags(), args)
}
