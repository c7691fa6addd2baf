package main

import (
	"cmp"
	"strings"

	"github.com/cronkit/cronkit/lib/cli"
	"github.com/spf13/cobra"
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
	out := normalizeArgs(r.Cmd.Flags(), args)
	if spelled := singleDash(args, out); len(spelled) > 0 {
		// A runitor user wrote -uuid: an error about it says -uuid too.
		prev := r.Cmd.FlagErrorFunc()
		r.Cmd.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
			return prev(c, respelled{err, spelled})
		})
	}
	return out
}

// singleDash lists the flags written runitor's way (-name) that
// normalizeArgs rewrote to --name, as "--name" -> "-name".
func singleDash(in, out []string) map[string]string {
	var m map[string]string
	for i := 0; i < len(in) && i < len(out); i++ {
		if a := in[i]; a != out[i] && !strings.HasPrefix(a, "--") {
			name, _, _ := strings.Cut(a[1:], "=")
			long, _, _ := strings.Cut(out[i], "=")
			if m == nil {
				m = map[string]string{}
			}
			m[long] = "-" + name
		}
	}
	return m
}

// respelled is a flag error worded with the user's own spelling of the
// flags it names; it wraps the error (errors.As still finds pflag's).
type respelled struct {
	err     error
	spelled map[string]string
}

func (e respelled) Unwrap() error { return e.err }

func (e respelled) Error() string {
	msg := e.err.Error()
	for long, own := range e.spelled {
		var b strings.Builder
		for rest := msg; ; {
			i := strings.Index(rest, long)
			if i < 0 {
				b.WriteString(rest)
				break
			}
			end := i + len(long)
			b.WriteString(rest[:i])
			if end == len(rest) || !isNameByte(rest[end]) {
				b.WriteString(own)
			} else {
				b.WriteString(long)
			}
			rest = rest[end:]
		}
		msg = b.String()
	}
	return msg
}

func isNameByte(c byte) bool {
	return c == '-' || c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}
