package cli

import (
	"time"

	"github.com/spf13/pflag"
)

// API is the retry policy of a tool's HTTP calls, spelled the way runitor
// spells it (reference/runitor.md §1.1: -api-retries, -api-timeout) in
// every tool that talks HTTP; --api-deadline bounds one call's attempts.
type API struct {
	Retries  int           // --api-retries: retries after the first attempt
	Timeout  time.Duration // --api-timeout: one attempt
	Deadline time.Duration // --api-deadline: all attempts of one call
}

// apiDefaults is the one place the tools' defaults are kept (README's HTTP
// table lists them). runwrap keeps runitor's 2 retries and 5 s; pgreport's
// report upload is large, so its attempt may take longer; the others are
// httpx's own policy with statpost's shorter deadline (a cron job's post).
var apiDefaults = map[string]API{
	"runwrap":  {Retries: 2, Timeout: 5 * time.Second, Deadline: 30 * time.Second},
	"statpost": {Retries: 4, Timeout: 10 * time.Second, Deadline: 30 * time.Second},
	"pgreport": {Retries: 4, Timeout: 30 * time.Second, Deadline: 2 * time.Minute},
	"hcctl":    {Retries: 4, Timeout: 10 * time.Second, Deadline: 60 * time.Second},
}

// APIDefaults returns tool's default policy (httpx's for a tool not listed).
func APIDefaults(tool string) API {
	if d, ok := apiDefaults[tool]; ok {
		return d
	}
	return API{Retries: 4, Timeout: 10 * time.Second, Deadline: 60 * time.Second}
}

// OldAPINames are a tool's spellings from before --api-*: they stay as
// hidden aliases, with their environment variables and config keys. ""
// means none.
type OldAPINames struct{ Retries, Timeout, Deadline string }

// AddAPIFlags registers --api-retries, --api-timeout and --api-deadline on
// fs with tool's defaults, into p.
func AddAPIFlags(fs *pflag.FlagSet, tool string, p *API, old OldAPINames) {
	AddAPIFlagsVar(fs, tool, &p.Retries, &p.Timeout, &p.Deadline, old)
}

// AddAPIFlagsVar is AddAPIFlags for a tool that keeps the three values in
// fields of its own.
func AddAPIFlagsVar(fs *pflag.FlagSet, tool string, retries *int, timeout, deadline *time.Duration, old OldAPINames) {
	d := APIDefaults(tool)
	fs.IntVar(retries, "api-retries", d.Retries, "retries of a failed HTTP request after the first attempt (network errors, 408, 429, 5xx)")
	fs.DurationVar(timeout, "api-timeout", d.Timeout, "timeout of one HTTP attempt")
	fs.DurationVar(deadline, "api-deadline", d.Deadline, "most time spent on one HTTP request across its retries")
	for _, a := range []struct{ old, name string }{
		{old.Retries, "api-retries"}, {old.Timeout, "api-timeout"}, {old.Deadline, "api-deadline"},
	} {
		if a.old != "" {
			Alias(fs, a.old, a.name)
		}
	}
}

// Alias adds old as a hidden second name of the flag name: it sets the same
// value, and its environment variable and config key are read too, after
// the new name's.
func Alias(fs *pflag.FlagSet, old, name string) {
	f := fs.Lookup(name)
	if f == nil {
		panic("cli.Alias: no flag " + name) // programming error, caught by any test of the command
	}
	fs.AddFlag(&pflag.Flag{Name: old, Usage: "old name of --" + name, Value: f.Value, DefValue: f.DefValue,
		Hidden: true, Annotations: map[string][]string{annotAliasOf: {name}}})
	_ = fs.SetAnnotation(name, annotAliases, append(f.Annotations[annotAliases], old))
}

// Check says which value is out of range, naming the flag.
func (p API) Check() error {
	switch {
	case p.Retries < 0:
		return Usagef("--api-retries must not be negative")
	case p.Timeout <= 0:
		return Usagef("--api-timeout must be positive")
	case p.Deadline <= 0:
		return Usagef("--api-deadline must be positive")
	}
	return nil
}

// RetryMax is Retries as httpx.Options wants it: 0 retries is -1 there (0
// means httpx's default). lib/cli does not import lib/httpx (docs/architecture.md):
// the command builds its httpx.Options from Timeout, Deadline and RetryMax.
func (p API) RetryMax() int {
	if p.Retries == 0 {
		return -1
	}
	return p.Retries
}
