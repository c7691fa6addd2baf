package main

import (
	"context"

	app "github.com/cronkit/cronkit/lib/app/hcctl"
	"github.com/cronkit/cronkit/lib/cli"
	"github.com/spf13/cobra"
)

func newFlipsCmd(g *global) *cobra.Command {
	var o app.FlipsOptions
	cmd := &cobra.Command{
		Use:   "flips CHECK",
		Short: "List a check's status changes, newest first",
		Long: `List a check's status changes ("flips"), newest first. "up" is a change to up;
"not up" is any other change (down, paused, or new after a resume).`,
		Example: `  hcctl flips backups
  hcctl flips backups --since 24h
  hcctl flips backups --start 2026-11-01T00:00:00Z --end 2026-11-08T00:00:00Z -f json`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: completeCheck(g),
		RunE: g.run(&o.Env, func(ctx context.Context, args []string) error {
			o.Ref = args[0]
			return app.RunFlips(ctx, o)
		}),
	}
	fs := cmd.Flags()
	fs.StringVar(&o.Since, "since", "", "only flips in this last period, e.g. 24h or 7d")
	fs.StringVar(&o.Start, "start", "", "only flips at or after this time (RFC 3339)")
	fs.StringVar(&o.End, "end", "", "only flips before this time (RFC 3339)")
	cli.NoEnv(fs, "since", "start", "end")
	addFormatFlag(cmd, &o.Format, "table, json, jsonl")
	return cmd
}

func newChannelsCmd(g *global) *cobra.Command {
	var o app.ListAllOptions
	cmd := &cobra.Command{
		Use:     "channels",
		Short:   "List the project's integrations (for --channels)",
		Example: "  hcctl channels\n  hcctl channels -f json",
		Args:    cobra.NoArgs,
		RunE:    g.run(&o.Env, func(ctx context.Context, _ []string) error { return app.RunChannels(ctx, o) }),
	}
	addFormatFlag(cmd, &o.Format, "table, json, jsonl")
	return cmd
}

func newBadgesCmd(g *global) *cobra.Command {
	var o app.ListAllOptions
	cmd := &cobra.Command{
		Use:   "badges",
		Short: "List the project's status badge URLs, by tag",
		Long: `List the status badge URLs of each tag and of all checks ("*"). The table
shows the two-state (up/down) SVG and JSON badges; --all adds the three-state
(up/late/down) and Shields.io ones; -f json gives every URL.`,
		Example: "  hcctl badges\n  hcctl badges -f json",
		Args:    cobra.NoArgs,
		RunE:    g.run(&o.Env, func(ctx context.Context, _ []string) error { return app.RunBadges(ctx, o) }),
	}
	cmd.Flags().BoolVar(&o.All, "all", false, "every badge format in the table")
	cli.NoEnv(cmd.Flags(), "all")
	addFormatFlag(cmd, &o.Format, "table, json, jsonl")
	return cmd
}

func newStatusCmd(g *global) *cobra.Command {
	var o app.StatusOptions
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Print the checks' states; exit 1 if any is down (gate a CI step or deploy on it)",
		Long: `Print each check's state and exit 1 if any is down, so a CI step or a deploy
script can gate on it. --fail-on grace fails on checks in their grace time
too. Paused and new checks never fail the gate.

A gate that checks nothing fails: --tag filters that match no check exit 2
(a mistyped tag), a project without checks exits 1.`,
		Example: `  hcctl status
  hcctl status --tag prod && ./deploy.sh
  hcctl status --tag prod --fail-on grace -f json`,
		Args: cobra.NoArgs,
		RunE: g.run(&o.Env, func(ctx context.Context, _ []string) error { return app.RunStatus(ctx, o) }),
	}
	fs := cmd.Flags()
	fs.StringArrayVar(&o.Tags, "tag", nil, "only checks with this tag (repeatable: all must match)")
	fs.StringVar(&o.FailOn, "fail-on", "down", "exit 1 when a check is down, or with grace when in grace too")
	_ = cmd.RegisterFlagCompletionFunc("fail-on", completeWords("down", "grace"))
	cli.NoEnv(fs, "tag")
	addFormatFlag(cmd, &o.Format, "table, json, jsonl")
	return cmd
}
