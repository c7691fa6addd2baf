package main

import (
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
		if strings.HasPrefix(a, "--") {
			out = append(out, a)
			name, _, hasVal := strings.Cut(a[2:], "=")
			if f := fs.Lookup(name); f != nil && !hasVal && f.NoOptDefVal == "" && i+1 < len(args) {
				i++
				out = append(out, args[i])
			}
			continue
		}
		name, val, hasVal := strings.Cut(a[1:], "=")
		if len(name) > 1 {
			if alt, ok := runitorOnly[name]; ok {
				name = alt
			}
			if f := fs.Lookup(name); f != nil {
				long := "--" + name
				if hasVal {
					long += "=" + val
				}
				out = append(out, long)
				if !hasVal && f.NoOptDefVal == "" && i+1 < len(args) {
					i++
					out = append(out, args[i])
				}
				continue
			}
		}
		// Shorthands (-v, -vv, -q): a value-taking one consumes the next arg
		// when it has none attached.
		out = append(out, a)
		if len(a) == 2 {
			if f := fs.ShorthandLookup(a[1:]); f != nil && f.NoOptDefVal == "" && i+1 < len(args) {
				i++
				out = append(out, args[i])
			}
		}
	}
	return out
}

// rootArgs normalises args against every flag the root command knows.
func rootArgs(r *cli.Root, args []string) []string {
	r.Cmd.InitDefaultHelpFlag()
	r.Cmd.InitDefaultVersionFlag()
	fs := pflag.NewFlagSet("all", pflag.ContinueOnError)
	fs.AddFlagSet(r.Cmd.Flags())
	fs.AddFlagSet(r.Cmd.PersistentFlags())
	return normalizeArgs(fs, args)
}
