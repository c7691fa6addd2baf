package main

import (
	"bufio"
	"context"
	"fmt"
	"strings"

	"github.com/cronkit/cronkit/lib/cli"
	"github.com/cronkit/cronkit/lib/hc"
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

type listOptions struct {
	g      *global
	tags   []string
	slug   string
	status []string
}

func newChecksListCmd(g *global) *cobra.Command {
	o := &listOptions{g: g}
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List checks",
		Example: `  hcctl checks list
  hcctl checks list --tag prod --tag db     # both tags
  hcctl checks list --status down,grace -f json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, cancel := g.root.Context(cmd.Context())
			defer cancel()
			return runChecksList(ctx, o)
		},
	}
	fs := cmd.Flags()
	fs.StringArrayVar(&o.tags, "tag", nil, "only checks with this tag (repeatable: all must match)")
	fs.StringVar(&o.slug, "slug", "", "only checks with this slug")
	fs.StringSliceVar(&o.status, "status", nil, "only checks in these states: new, up, grace, down, paused")
	_ = cmd.RegisterFlagCompletionFunc("status", completeWords("new", "up", "grace", "down", "paused"))
	noEnv(fs, "tag", "slug", "status")
	addFormatFlag(cmd, g, "table, json, jsonl")
	return cmd
}

func runChecksList(ctx context.Context, o *listOptions) error {
	format, err := o.g.outFormat("table", "json", "jsonl")
	if err != nil {
		return err
	}
	if err := checkTags(o.tags); err != nil {
		return err
	}
	for _, s := range o.status {
		if !strings.Contains(" new up grace down paused ", " "+s+" ") {
			return cli.Usagef("--status %s: want new, up, grace, down or paused", s)
		}
	}
	a, err := o.g.api()
	if err != nil {
		return err
	}
	checks, err := a.Checks(ctx, hc.ListOptions{Tags: o.tags, Slug: o.slug})
	if err != nil {
		return apiErr(err)
	}
	if len(o.status) > 0 {
		var keep []hc.Check
		for _, c := range checks {
			for _, s := range o.status {
				if c.Status == s {
					keep = append(keep, c)
					break
				}
			}
		}
		checks = keep
	}
	return hc.WriteChecks(o.g.root.Env.Stdout, format, checks)
}

type getOptions struct {
	g   *global
	ref string
}

func newChecksGetCmd(g *global) *cobra.Command {
	o := &getOptions{g: g}
	cmd := &cobra.Command{
		Use:               "get CHECK",
		Short:             "Show one check",
		Example:           "  hcctl checks get backups\n  hcctl checks get 5bf66975-d4c7-4bf5-bcc8-b8d8a82ea278 -f json",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: completeCheck(g),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.ref = args[0]
			ctx, cancel := g.root.Context(cmd.Context())
			defer cancel()
			return runChecksGet(ctx, o)
		},
	}
	addFormatFlag(cmd, g, "table, json, jsonl")
	return cmd
}

func runChecksGet(ctx context.Context, o *getOptions) error {
	format, err := o.g.outFormat("table", "json", "jsonl")
	if err != nil {
		return err
	}
	_, c, err := o.g.resolve(ctx, o.ref)
	if err != nil {
		return err
	}
	return hc.WriteCheck(o.g.root.Env.Stdout, format, c)
}

type createOptions struct {
	g      *global
	fields fieldFlags
}

func newChecksCreateCmd(g *global) *cobra.Command {
	o := &createOptions{g: g}
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Create a check (always a new one; see ensure for create-or-update)",
		Long:  "Create a check with the fields given. The API defaults are a 1d period, 1h grace\nand no integrations.\n\n" + fieldsHelp,
		Example: `  hcctl checks create --name backups --slug backups --period 1d --grace 1h --channels "*"
  hcctl checks create --name nightly --schedule "0 3 * * *" --tz Europe/Riga`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, cancel := g.root.Context(cmd.Context())
			defer cancel()
			return runChecksCreate(ctx, o)
		},
	}
	addFieldFlags(cmd, &o.fields, true, g.root.Warnf)
	addFormatFlag(cmd, g, "table, json, jsonl")
	return cmd
}

func runChecksCreate(ctx context.Context, o *createOptions) error {
	format, err := o.g.outFormat("table", "json", "jsonl")
	if err != nil {
		return err
	}
	spec, err := o.fields.spec()
	if err != nil {
		return err
	}
	a, err := o.g.api()
	if err != nil {
		return err
	}
	c, _, err := a.CreateCheck(ctx, spec)
	if err != nil {
		return apiErr(err)
	}
	return hc.WriteCheck(o.g.root.Env.Stdout, format, c)
}

type updateOptions struct {
	g      *global
	ref    string
	fields fieldFlags
}

func newChecksUpdateCmd(g *global) *cobra.Command {
	o := &updateOptions{g: g}
	cmd := &cobra.Command{
		Use:   "update CHECK",
		Short: "Change fields of a check",
		Long:  "Change the given fields of one check; the others stay as they are.\n\n" + fieldsHelp,
		Example: `  hcctl checks update backups --grace 2h
  hcctl checks update backups --schedule "30 2 * * *" --tz UTC
  hcctl checks update backups --name "DB backups" --channels ""`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: completeCheck(g),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.ref = args[0]
			ctx, cancel := g.root.Context(cmd.Context())
			defer cancel()
			return runChecksUpdate(ctx, o)
		},
	}
	addFieldFlags(cmd, &o.fields, true, g.root.Warnf)
	addFormatFlag(cmd, g, "table, json, jsonl")
	return cmd
}

func runChecksUpdate(ctx context.Context, o *updateOptions) error {
	format, err := o.g.outFormat("table", "json", "jsonl")
	if err != nil {
		return err
	}
	spec, err := o.fields.spec()
	if err != nil {
		return err
	}
	if spec.IsEmpty() {
		return cli.Usagef("nothing to update: give at least one field flag (--grace, --schedule, ...)")
	}
	a, c, id, err := o.g.resolveWritable(ctx, o.ref, "update check")
	if err != nil {
		return err
	}
	upd, err := a.UpdateCheck(ctx, id, spec)
	if err != nil {
		return apiErr(namedErr(err, c))
	}
	c = upd
	return hc.WriteCheck(o.g.root.Env.Stdout, format, c)
}

// stdinIsTerminal is cli.IsTerminal, replaceable by tests of the prompt.
var stdinIsTerminal = cli.IsTerminal

type deleteOptions struct {
	g   *global
	ref string
	yes bool
}

func newChecksDeleteCmd(g *global) *cobra.Command {
	o := &deleteOptions{g: g}
	cmd := &cobra.Command{
		Use:   "delete CHECK",
		Short: "Delete a check (asks first unless --yes)",
		Long: `Delete one check. It asks on the terminal first; without a terminal on stdin
it refuses unless --yes is given, so a script cannot delete by accident.`,
		Example:           "  hcctl checks delete old-job\n  hcctl checks delete 5bf66975-d4c7-4bf5-bcc8-b8d8a82ea278 --yes",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: completeCheck(g),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.ref = args[0]
			ctx, cancel := g.root.Context(cmd.Context())
			defer cancel()
			return runChecksDelete(ctx, o)
		},
	}
	cmd.Flags().BoolVarP(&o.yes, "yes", "y", false, "do not ask")
	noEnv(cmd.Flags(), "yes")
	return cmd
}

func runChecksDelete(ctx context.Context, o *deleteOptions) error {
	env := o.g.root.Env
	if !o.yes && !stdinIsTerminal(env.Stdin) {
		return cli.Usagef("refusing to delete without --yes: stdin is not a terminal to ask on")
	}
	a, c, id, err := o.g.resolveWritable(ctx, o.ref, "delete check")
	if err != nil {
		return err
	}
	if !o.yes {
		fmt.Fprintf(env.Stderr, "Delete check %q (%s)? [y/N] ", c.Name, c.ID())
		line, _ := bufio.NewReader(env.Stdin).ReadString('\n')
		if a := strings.ToLower(strings.TrimSpace(line)); a != "y" && a != "yes" {
			return cli.WithCode(cli.ExitFailure, fmt.Errorf("not deleted"))
		}
	}
	if _, err := a.DeleteCheck(ctx, id); err != nil {
		return apiErr(namedErr(err, c))
	}
	fmt.Fprintf(env.Stdout, "deleted %s (%s)\n", c.Name, c.ID())
	return nil
}

type pauseOptions struct {
	g      *global
	ref    string
	action string
}

func newChecksPauseCmd(g *global, action string) *cobra.Command {
	o := &pauseOptions{g: g, action: action}
	short := "Pause a check: no alerts until it is pinged again (or resumed)"
	if action == "resume" {
		short = "Resume a paused check (its status becomes new)"
	}
	return &cobra.Command{
		Use:               action + " CHECK",
		Short:             short,
		Example:           "  hcctl checks " + action + " backups",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: completeCheck(g),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.ref = args[0]
			ctx, cancel := g.root.Context(cmd.Context())
			defer cancel()
			return runChecksPause(ctx, o)
		},
	}
}

func runChecksPause(ctx context.Context, o *pauseOptions) error {
	a, c, id, err := o.g.resolveWritable(ctx, o.ref, o.action+" check")
	if err != nil {
		return err
	}
	if o.action == "pause" {
		_, err = a.PauseCheck(ctx, id)
	} else {
		_, err = a.ResumeCheck(ctx, id)
	}
	if err != nil {
		return apiErr(namedErr(err, c))
	}
	fmt.Fprintf(o.g.root.Env.Stdout, "%sd %s\n", o.action, c.Name)
	return nil
}
