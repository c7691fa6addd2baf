package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	app "github.com/cronkit/cronkit/lib/app/hcctl"
	"github.com/cronkit/cronkit/lib/cli"
	"github.com/cronkit/cronkit/lib/hc"
	"github.com/cronkit/cronkit/lib/httpx"
	"github.com/spf13/cobra"
)

// global holds the options every API command shares (persistent flags).
type global struct {
	root   *cli.Root
	apiURL string
	apiKey string
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
func addFormatFlag(cmd *cobra.Command, dst *string, formats string) {
	cmd.Flags().StringVarP(dst, "format", "f", "", "output: "+formats+" (table on a terminal, jsonl otherwise)")
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

func (g *global) httpClient() *httpx.Client {
	// httpx also hides a password in --api-url (basic auth on a self-hosted server).
	opts := httpx.Options{Tool: "hcctl", AttemptTimeout: g.http.Timeout, Deadline: g.http.Deadline, RetryMax: g.http.RetryMax()}
	opts.Logger, opts.Secrets = g.root.Logger, g.root.Secrets()
	return httpx.New(opts)
}

// stdinIsTerminal is cli.IsTerminal, replaceable by tests of the prompt.
var stdinIsTerminal = cli.IsTerminal

// env is what lib/app/hcctl is given: the streams, the client of the flags
// in force, and hcctl's wording. Built when a command runs (after the
// root's pre-run has bound the settings and set the logger).
func (g *global) env() app.Env {
	e := g.root.Env
	return app.Env{Stdin: e.Stdin, Stdout: e.Stdout, Stderr: e.Stderr,
		Terminal: cli.IsTerminal(e.Stdout), StdinTerminal: stdinIsTerminal(e.Stdin),
		API: g.api, HTTP: g.httpClient, Hint: hint, Warnf: g.root.Warnf, Logger: g.root.Logger,
		Now: time.Now, Secrets: g.root.Secrets()}
}

// run is a command's RunE: it fills *env and runs f within --timeout
// (lib/cli gives lib/app/hcctl's error, of lib/outcome's kinds, its exit code).
func (g *global) run(env *app.Env, f func(ctx context.Context, args []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		*env = g.env()
		ctx, cancel := g.root.Context(cmd.Context())
		defer cancel()
		return f(ctx, args)
	}
}

// hint words lib/hc's errors for hcctl's users: lib/hc does not know
// hcctl's flags and commands, so the hint that names them is added here.
// The exit code is lib/cli's (401/403 refused, 400, an ambiguous CHECK and
// an unknown channel bad input).
func hint(err error) error {
	var ae *hc.APIError
	if errors.As(err, &ae) && ae.NoAPI {
		return fmt.Errorf("%w (--api-url or HC_API_URL wants the site root, e.g. %s, or its ping endpoint)", err, hc.DefaultAPIURL)
	}
	var ce *hc.ChannelError
	if errors.As(err, &ce) {
		return fmt.Errorf("%w (hcctl channels lists them)", err)
	}
	return err
}
