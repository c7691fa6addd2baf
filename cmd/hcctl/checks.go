package main

import (
	"context"

	app "github.com/cronkit/cronkit/lib/app/hcctl"
	"github.com/cronkit/cronkit/lib/cli"
	"github.com/spf13/cobra"
)

func newChecksCmd(g *global) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "checks",
		Short: "List, show, create, update, delete, pause and resume checks",
		Long: `Manage checks one at a time. A CHECK is a UUID, a slug or an exact name;
one that matches several checks is an error that lists them.`,
		Example: `  hcctl checks list --tag prod
  hcctl checks get backups
  hcctl checks create --name backups --slug backups --schedule "0 3 * * *" --tz UTC --grace 1h
  hcctl checks update backups --grace 2h --tags "prod db"
  hcctl checks pause backups
  hcctl checks delete backups --yes`,
	}
	cmd.AddCommand(newChecksListCmd(g), newChecksGetCmd(g), newChecksCreateCmd(g), newChecksUpdateCmd(g),
		newChecksDeleteCmd(g), newChecksPauseCmd(g, "pause"), newChecksPauseCmd(g, "resume"))
	return cmd
}

func newChecksListCmd(g *global) *cobra.Command {
	var o app.ListOptions
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List checks",
		Example: `  hcctl checks list
  hcctl checks list --tag prod --tag db     # both tags
  hcctl checks list --status down,grace -f json`,
		Args: cobra.NoArgs,
		RunE: g.run(&o.Env, func(ctx context.Context, _ []string) error { return app.RunChecksList(ctx, o) }),
	}
	fs := cmd.Flags()
	fs.StringArrayVar(&o.Tags, "tag", nil, "only checks with this tag (repeatable: all must match)")
	fs.StringVar(&o.Slug, "slug", "", "only checks with this slug")
	fs.StringSliceVar(&o.Status, "status", nil, "only checks in these states: new, up, grace, down, paused")
	_ = cmd.RegisterFlagCompletionFunc("status", completeWords("new", "up", "grace", "down", "paused"))
	cli.NoEnv(fs, "tag", "slug", "status")
	addFormatFlag(cmd, &o.Format, "table, json, jsonl")
	return cmd
}

// checkCmd is a command on one CHECK (its first argument) that runs f.
func checkCmd(g *global, o *app.CheckOptions, cmd *cobra.Command, f func(context.Context, app.CheckOptions) error) *cobra.Command {
	cmd.Args, cmd.ValidArgsFunction = cobra.ExactArgs(1), completeCheck(g)
	cmd.RunE = g.run(&o.Env, func(ctx context.Context, args []string) error {
		o.Ref = args[0]
		return f(ctx, *o)
	})
	return cmd
}

func newChecksGetCmd(g *global) *cobra.Command {
	o := &app.CheckOptions{}
	cmd := checkCmd(g, o, &cobra.Command{
		Use:     "get CHECK",
		Short:   "Show one check",
		Example: "  hcctl checks get backups\n  hcctl checks get 5bf66975-d4c7-4bf5-bcc8-b8d8a82ea278 -f json",
	}, app.RunChecksGet)
	addFormatFlag(cmd, &o.Format, "table, json, jsonl")
	return cmd
}

func newChecksCreateCmd(g *global) *cobra.Command {
	var o app.WriteOptions
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Create a check (always a new one; see ensure for create-or-update)",
		Long:  "Create a check with the fields given. The API defaults are a 1d period, 1h grace\nand no integrations.\n\n" + fieldsHelp,
		Example: `  hcctl checks create --name backups --slug backups --period 1d --grace 1h --channels "*"
  hcctl checks create --name nightly --schedule "0 3 * * *" --tz Europe/Riga`,
		Args: cobra.NoArgs,
		RunE: g.run(&o.Env, func(ctx context.Context, _ []string) error { return app.RunChecksCreate(ctx, o) }),
	}
	addFieldFlags(cmd, &o.Fields, true)
	addFormatFlag(cmd, &o.Format, "table, json, jsonl")
	return cmd
}

func newChecksUpdateCmd(g *global) *cobra.Command {
	var o app.WriteOptions
	cmd := &cobra.Command{
		Use:   "update CHECK",
		Short: "Change fields of a check",
		Long:  "Change the given fields of one check; the others stay as they are.\n\n" + fieldsHelp,
		Example: `  hcctl checks update backups --grace 2h
  hcctl checks update backups --schedule "30 2 * * *" --tz UTC
  hcctl checks update backups --name "DB backups" --channels ""`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: completeCheck(g),
		RunE: g.run(&o.Env, func(ctx context.Context, args []string) error {
			o.Ref = args[0]
			return app.RunChecksUpdate(ctx, o)
		}),
	}
	addFieldFlags(cmd, &o.Fields, true)
	addFormatFlag(cmd, &o.Format, "table, json, jsonl")
	return cmd
}

func newChecksDeleteCmd(g *global) *cobra.Command {
	o := &app.CheckOptions{}
	cmd := checkCmd(g, o, &cobra.Command{
		Use:   "delete CHECK",
		Short: "Delete a check (asks first unless --yes)",
		Long: `Delete one check. It asks on the terminal first; without a terminal on stdin
it refuses unless --yes is given, so a script cannot delete by accident.`,
		Example: "  hcctl checks delete old-job\n  hcctl checks delete 5bf66975-d4c7-4bf5-bcc8-b8d8a82ea278 --yes",
	}, app.RunChecksDelete)
	cmd.Flags().BoolVarP(&o.Yes, "yes", "y", false, "do not ask")
	cli.NoEnv(cmd.Flags(), "yes")
	return cmd
}

func newChecksPauseCmd(g *global, action string) *cobra.Command {
	short := "Pause a check: no alerts until it is pinged again (or resumed)"
	if action == "resume" {
		short = "Resume a paused check (its status becomes new)"
	}
	return checkCmd(g, &app.CheckOptions{}, &cobra.Command{
		Use:     action + " CHECK",
		Short:   short,
		Example: "  hcctl checks " + action + " backups",
	}, func(ctx context.Context, o app.CheckOptions) error { return app.RunChecksPause(ctx, action, o) })
}
