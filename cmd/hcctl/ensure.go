package main

import (
	"context"
	"fmt"

	"github.com/cronkit/cronkit/lib/cli"
	"github.com/cronkit/cronkit/lib/hc"
	"github.com/spf13/cobra"
)

type ensureOptions struct {
	g      *global
	name   string
	format string // its own: the url default must not leak into the other commands' -f
	fields fieldFlags
}

func newEnsureCmd(g *global) *cobra.Command {
	o := &ensureOptions{g: g}
	cmd := &cobra.Command{
		Use:   "ensure NAME",
		Short: "Create or update one check by its name; print its ping URL",
		Long: `Make sure the check named NAME exists with the fields given, and print its
ping URL on stdout. It reads the project (one list request) and compares:
a missing check is created, one whose given fields differ is updated (the
API's "unique" upsert by name), an equal one is left alone, so running it
again makes no write.

-f json or jsonl prints {"name", "id", "ping_url", "created", "updated"}
instead of the bare URL, for configuration tools that report changes.

` + fieldsHelp,
		Example: `  URL=$(hcctl ensure db7-pgreport --schedule '*/5 * * * *' --tz UTC --grace 10m)
  hcctl ensure backups --slug backups --period 1d --grace 1h --channels "*" --tag prod
  hcctl ensure backups --period 1d -f json     # "created": false, "updated": true, ...`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: completeCheck(g),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.name = args[0]
			ctx, cancel := g.root.Context(cmd.Context())
			defer cancel()
			return runEnsure(ctx, o)
		},
	}
	addFieldFlags(cmd, &o.fields, false, g.root.Warnf)
	cmd.Flags().StringVarP(&o.format, "format", "f", "url", "output: url (the ping URL alone), json, jsonl")
	noEnv(cmd.Flags(), "format")
	_ = cmd.RegisterFlagCompletionFunc("format", completeWords("url", "json", "jsonl"))
	return cmd
}

// ensureResult is ensure's -f json output.
type ensureResult struct {
	Name    string `json:"name"`
	ID      string `json:"id"`
	PingURL string `json:"ping_url"`
	Created bool   `json:"created"`
	Updated bool   `json:"updated"`
}

func runEnsure(ctx context.Context, o *ensureOptions) error {
	format := o.format
	if format != "url" && format != "json" && format != "jsonl" {
		return cli.Usagef("-f %s: want url, json or jsonl", format)
	}
	if o.name == "" {
		return cli.Usagef("NAME is empty")
	}
	spec, err := o.fields.spec()
	if err != nil {
		return err
	}
	spec.Name = &o.name
	a, err := o.g.api()
	if err != nil {
		return err
	}
	plan, _, err := makePlan(ctx, a, []hc.Desired{{Spec: spec}}, hc.PlanOptions{})
	if err != nil {
		return err
	}
	res := ensureResult{Name: o.name}
	var c hc.Check
	switch {
	case len(plan.Unchanged) == 1:
		c = plan.Unchanged[0].Check
		o.g.root.Logger.Info("check unchanged", "name", c.Name, "id", c.ID())
	default:
		// The upsert by name: created (201) if another client did not make
		// it meanwhile, else updated (200). Safe to retry.
		spec.Unique = []string{"name"}
		if len(plan.Update) == 1 {
			if _, err := writableID(plan.Update[0].Check, "update check"); err != nil {
				return err
			}
			o.g.root.Logger.Info("updating check", "name", o.name, "changes", diffSummary(plan.Update[0].Diffs))
		}
		var created bool
		if c, created, err = a.CreateCheck(ctx, spec); err != nil {
			return apiErr(err)
		}
		res.Created, res.Updated = created, !created
	}
	if c.PingURL == "" {
		return cli.Refusedf("the API hides ping URLs from read-only keys: a read-write key is needed to ensure %q", o.name)
	}
	res.ID, res.PingURL = c.ID(), c.PingURL
	w := o.g.root.Env.Stdout
	if format == "url" {
		_, err = fmt.Fprintln(w, c.PingURL)
		return err
	}
	return hc.WriteJSON(w, format, res)
}
