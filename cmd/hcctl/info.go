package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/cronkit/cronkit/lib/cli"
	"github.com/cronkit/cronkit/lib/hc"
	"github.com/spf13/cobra"
)

type flipsOptions struct {
	g          *global
	ref        string
	since      string
	start, end string
}

func newFlipsCmd(g *global) *cobra.Command {
	o := &flipsOptions{g: g}
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
		RunE: func(cmd *cobra.Command, args []string) error {
			o.ref = args[0]
			ctx, cancel := g.root.Context(cmd.Context())
			defer cancel()
			return runFlips(ctx, o)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&o.since, "since", "", "only flips in this last period, e.g. 24h or 7d")
	fs.StringVar(&o.start, "start", "", "only flips at or after this time (RFC 3339)")
	fs.StringVar(&o.end, "end", "", "only flips before this time (RFC 3339)")
	noEnv(fs, "since", "start", "end")
	addFormatFlag(cmd, g, "table, json, jsonl")
	return cmd
}

func runFlips(ctx context.Context, o *flipsOptions) error {
	format, err := o.g.outFormat("table", "json", "jsonl")
	if err != nil {
		return err
	}
	var fo hc.FlipsOptions
	if o.since != "" && o.start != "" {
		return cli.Usagef("--since and --start are exclusive: --since 24h means --start 24 hours ago")
	}
	if o.since != "" {
		if fo.Seconds, err = hc.ParseSeconds(o.since); err != nil || fo.Seconds <= 0 || fo.Seconds > hc.MaxPeriod {
			return cli.Usagef("--since %q: want a period up to 365d, e.g. 24h", o.since)
		}
	}
	for _, x := range []struct {
		flag, v string
		dst     *time.Time
	}{{"start", o.start, &fo.Start}, {"end", o.end, &fo.End}} {
		if x.v == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339, x.v)
		if err != nil || t.Unix() < 0 {
			return cli.Usagef("--%s %q: want an RFC 3339 time such as 2026-11-01T00:00:00Z", x.flag, x.v)
		}
		*x.dst = t
	}
	a, c, err := o.g.resolve(ctx, o.ref)
	if err != nil {
		return err
	}
	flips, err := a.Flips(ctx, c.ID(), fo)
	if err != nil {
		return apiErr(namedErr(err, c))
	}
	return hc.WriteFlips(o.g.root.Env.Stdout, format, flips)
}

func newChannelsCmd(g *global) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "channels",
		Short:   "List the project's integrations (for --channels)",
		Example: "  hcctl channels\n  hcctl channels -f json",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, cancel := g.root.Context(cmd.Context())
			defer cancel()
			return runChannels(ctx, g)
		},
	}
	addFormatFlag(cmd, g, "table, json, jsonl")
	return cmd
}

func runChannels(ctx context.Context, g *global) error {
	format, a, err := g.listAPI()
	if err != nil {
		return err
	}
	chs, err := a.Channels(ctx)
	if err != nil {
		return apiErr(err)
	}
	return hc.WriteChannels(g.root.Env.Stdout, format, chs)
}

// badgesOptions is hcctl badges.
type badgesOptions struct {
	g   *global
	all bool
}

func newBadgesCmd(g *global) *cobra.Command {
	o := &badgesOptions{g: g}
	cmd := &cobra.Command{
		Use:   "badges",
		Short: "List the project's status badge URLs, by tag",
		Long: `List the status badge URLs of each tag and of all checks ("*"). The table
shows the two-state (up/down) SVG and JSON badges; --all adds the three-state
(up/late/down) and Shields.io ones; -f json gives every URL.`,
		Example: "  hcctl badges\n  hcctl badges -f json",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, cancel := g.root.Context(cmd.Context())
			defer cancel()
			return runBadges(ctx, o)
		},
	}
	cmd.Flags().BoolVar(&o.all, "all", false, "every badge format in the table")
	noEnv(cmd.Flags(), "all")
	addFormatFlag(cmd, g, "table, json, jsonl")
	return cmd
}

func runBadges(ctx context.Context, o *badgesOptions) error {
	format, a, err := o.g.listAPI()
	if err != nil {
		return err
	}
	badges, err := a.Badges(ctx)
	if err != nil {
		return apiErr(err)
	}
	return hc.WriteBadges(o.g.root.Env.Stdout, format, badges, o.all)
}

// statusOptions is hcctl status.
type statusOptions struct {
	g      *global
	tags   []string
	failOn string
}

func newStatusCmd(g *global) *cobra.Command {
	o := &statusOptions{g: g}
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
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, cancel := g.root.Context(cmd.Context())
			defer cancel()
			return runStatus(ctx, o)
		},
	}
	fs := cmd.Flags()
	fs.StringArrayVar(&o.tags, "tag", nil, "only checks with this tag (repeatable: all must match)")
	fs.StringVar(&o.failOn, "fail-on", "down", "exit 1 when a check is down, or with grace when in grace too")
	_ = cmd.RegisterFlagCompletionFunc("fail-on", completeWords("down", "grace"))
	noEnv(fs, "tag")
	addFormatFlag(cmd, g, "table, json, jsonl")
	return cmd
}

func runStatus(ctx context.Context, o *statusOptions) error {
	format, err := o.g.outFormat("table", "json", "jsonl")
	if err != nil {
		return err
	}
	if o.failOn != "down" && o.failOn != "grace" {
		return cli.Usagef("--fail-on %q: want down or grace", o.failOn)
	}
	if err := checkTags(o.tags); err != nil {
		return err
	}
	a, err := o.g.api()
	if err != nil {
		return err
	}
	checks, err := a.Checks(ctx, hc.ListOptions{Tags: o.tags})
	if err != nil {
		return apiErr(err)
	}
	// A gate that checks nothing must not pass: a mistyped --tag (or a key
	// of another, empty project) would otherwise let every deploy through.
	switch {
	case len(checks) == 0 && len(o.tags) > 0:
		return cli.Usagef("no check has the tag%s %s: nothing to gate on", plural(len(o.tags)), strings.Join(o.tags, " and "))
	case len(checks) == 0:
		return fmt.Errorf("the project has no checks: nothing to gate on (is the API key the right project's?)")
	}
	if err := hc.WriteStatus(o.g.root.Env.Stdout, format, checks); err != nil {
		return err
	}
	failing := hc.Failing(checks, o.failOn == "grace")
	if len(failing) > 0 {
		what := "down"
		if o.failOn == "grace" {
			what = "down or in grace"
		}
		return cli.WithCode(cli.ExitFailure, fmt.Errorf("%d of %d checks %s: %s", len(failing), len(checks), what, strings.Join(failing, ", ")))
	}
	return nil
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
