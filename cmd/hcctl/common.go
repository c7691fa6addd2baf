package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/cronkit/cronkit/lib/cli"
	"github.com/cronkit/cronkit/lib/hc"
	"github.com/cronkit/cronkit/lib/httpx"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// global holds the options every API command shares (persistent flags).
type global struct {
	root   *cli.Root
	apiURL string
	apiKey string
	format string
	rate   int
	http   cli.API
}

func addGlobalFlags(g *global) {
	pf := g.root.Cmd.PersistentFlags()
	pf.StringVar(&g.apiURL, "api-url", hc.DefaultAPIURL, "Healthchecks site root (self-hosted: your SITE_ROOT)")
	pf.StringVar(&g.apiKey, "api-key", "", "Management API key (prefer $HC_API_KEY or file:/path: a key on the command line shows in ps)")
	pf.IntVar(&g.rate, "rate-limit", hc.DefaultAPIRate, "API requests per minute at most (hosted limit: 100; 0 or -1: no limit)")
	cli.AddAPIFlags(pf, "hcctl", &g.http, cli.OldAPINames{})
	cli.EnvAlias(pf, "api-url", "HC_API_URL")
	cli.EnvAlias(pf, "api-key", "HC_API_KEY")
	cli.MarkSecret(pf, "api-key")
}

// addFormatFlag adds -f/--format to a command that prints records (apply
// uses -f for its file, so the flag is not global).
func addFormatFlag(cmd *cobra.Command, g *global, formats string) {
	cmd.Flags().StringVarP(&g.format, "format", "f", "", "output: "+formats+" (table on a terminal, jsonl otherwise)")
	_ = cmd.RegisterFlagCompletionFunc("format", completeWords(strings.Split(formats, ", ")...))
}

// api returns a client for the API flags in force.
func (g *global) api() (*hc.API, error) {
	if err := g.http.Check(); err != nil {
		return nil, err
	}
	if g.apiKey == "" {
		return nil, cli.Usagef("no API key: set HC_API_KEY (or HCCTL_API_KEY, api-key in the config file, or --api-key file:/path)")
	}
	rate := g.rate
	if rate == 0 {
		rate = -1
	}
	a, err := hc.NewAPI(hc.APIOptions{URL: g.apiURL, Key: g.apiKey, RatePerMinute: rate, HTTP: g.httpClient()})
	if err != nil {
		return nil, cli.Usagef("%v", err)
	}
	return a, nil
}

// listAPI resolves -f for a list (table, json or jsonl), then the API client.
func (g *global) listAPI() (string, *hc.API, error) {
	format, err := g.outFormat("table", "json", "jsonl")
	if err != nil {
		return "", nil, err
	}
	a, err := g.api()
	return format, a, err
}

func (g *global) httpClient() *httpx.Client {
	// httpx also hides a password in --api-url (basic auth on a self-hosted server).
	opts := httpx.Options{Tool: "hcctl", AttemptTimeout: g.http.Timeout, Deadline: g.http.Deadline, RetryMax: g.http.RetryMax()}
	opts.Logger, opts.Secrets = g.root.Logger, g.root.Secrets()
	return httpx.New(opts)
}

// outFormat resolves -f: table on a terminal, jsonl otherwise.
func (g *global) outFormat(allowed ...string) (string, error) {
	f := g.format
	if f == "" {
		f = "jsonl"
		if cli.IsTerminal(g.root.Env.Stdout) {
			f = "table"
		}
	}
	for _, a := range allowed {
		if f == a {
			return f, nil
		}
	}
	return "", cli.Usagef("-f %s: want one of %s", f, strings.Join(allowed, ", "))
}

// apiErr words lib/hc's errors for hcctl's users: lib/hc does not know
// hcctl's flags, so the hint that names them is added here. The exit code
// is lib/cli's (401/403 refused, 400 and an ambiguous CHECK bad input).
func apiErr(err error) error {
	var ae *hc.APIError
	if errors.As(err, &ae) && ae.NoAPI {
		return fmt.Errorf("%w (--api-url or HC_API_URL wants the site root, e.g. %s, or its ping endpoint)", err, hc.DefaultAPIURL)
	}
	return err
}

// planErr explains a plan that cannot be made (exit 2). Two checks with
// the name a file or ensure declares cannot be told apart: a UUID does not
// help there, so the advice differs from a CHECK argument's.
func planErr(err error) error {
	var amb *hc.AmbiguousError
	if errors.As(err, &amb) {
		ids := make([]string, len(amb.Candidates))
		for i, c := range amb.Candidates {
			ids[i] = c.ID()
		}
		return cli.Usagef("%d checks are named %q (%s): checks are matched by name, so rename or delete all but one",
			len(ids), amb.Ref, strings.Join(ids, ", "))
	}
	var ce *hc.ChannelError
	if errors.As(err, &ce) {
		// The server would refuse it with a 400; lib/cli: exit 2.
		return fmt.Errorf("%w (hcctl channels lists them)", err)
	}
	return cli.Usagef("%v", err)
}

// namedErr puts the check's name where an API error quotes its UUID: the
// user asked for "backups", not for 5bf66975-... .
func namedErr(err error, c hc.Check) error {
	var ae *hc.APIError
	if errors.As(err, &ae) && c.Name != "" && c.ID() != "" {
		ae.Op = strings.Replace(ae.Op, c.ID(), strconv.Quote(c.Name), 1)
	}
	return err
}

// noEnv keeps a flag out of the env/config binding: check fields and
// filters describe one invocation, not a setting (HCCTL_NAME must not rename
// every check). lib/cli has no exported helper for this; its annotation is
// set directly.
func noEnv(fs *pflag.FlagSet, names ...string) { cli.NoEnv(fs, names...) }

// checkTags refuses a --tag filter that can never match: Healthchecks tags
// are space-separated words, so "" or "prod db" would select no check (and a
// status gate or --prune on it would silently do nothing).
func checkTags(tags []string) error {
	for _, t := range tags {
		if t == "" || len(strings.Fields(t)) != 1 || strings.TrimSpace(t) != t {
			return cli.Usagef("--tag %q: want one tag, a word without blanks (repeat --tag for several)", t)
		}
	}
	return nil
}

// writableID is the UUID of c for an operation that needs a read-write key:
// a read-only key sees checks without UUIDs (only unique_key), so such an
// operation is refused here with the reason rather than sent to a 404.
// resolve returns the API client and the check ref names (UUID, slug or name).
func (g *global) resolve(ctx context.Context, ref string) (*hc.API, hc.Check, error) {
	a, err := g.api()
	if err != nil {
		return nil, hc.Check{}, err
	}
	c, err := a.Resolve(ctx, ref)
	if err != nil {
		return nil, hc.Check{}, apiErr(err)
	}
	return a, c, nil
}

// resolveWritable is resolve for operations that need the check's UUID,
// which the API shows to read-write keys only; op names the operation.
func (g *global) resolveWritable(ctx context.Context, ref, op string) (*hc.API, hc.Check, string, error) {
	a, c, err := g.resolve(ctx, ref)
	if err != nil {
		return nil, c, "", err
	}
	id, err := writableID(c, op)
	if err != nil {
		return nil, c, "", err
	}
	return a, c, id, nil
}

func writableID(c hc.Check, op string) (string, error) {
	if id := c.ID(); hc.IsUUID(id) {
		return id, nil
	}
	return "", cli.Refusedf("%s %q: the API key is read-only; a read-write key is needed", op, c.Name)
}
