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
	w := o.g.root.Env.Stdout
	if format != "table" {
		return writeList(w, format, flips)
	}
	t := newTable(w, "TIME", "CHANGE")
	for _, f := range flips {
		change := "not up"
		if f.Up == 1 {
			change = "up"
		}
		t.row(f.Timestamp.UTC().Format(time.RFC3339), change)
	}
	return t.flush()
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
			format, err := g.outFormat("table", "json", "jsonl")
			if err != nil {
				return err
			}
			a, err := g.api()
			if err != nil {
				return err
			}
			chs, err := a.Channels(ctx)
			if err != nil {
				return apiErr(err)
			}
			if format != "table" {
				return writeList(g.root.Env.Stdout, format, chs)
			}
			t := newTable(g.root.Env.Stdout, "ID", "NAME", "KIND")
			for _, c := range chs {
				t.row(c.ID, c.Name, c.Kind)
			}
			return t.flush()
		},
	}
	addFormatFlag(cmd, g, "table, json, jsonl")
	return cmd
}

func newBadgesCmd(g *global) *cobra.Command {
	var all bool
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
			format, err := g.outFormat("table", "json", "jsonl")
			if err != nil {
				return err
			}
			a, err := g.api()
			if err != nil {
				return err
			}
			badges, err := a.Badges(ctx)
			if err != nil {
				return apiErr(err)
			}
			w := g.root.Env.Stdout
			tags := hc.SortedBadgeTags(badges)
			switch format {
			case "json":
				return writeJSON(w, format, badges)
			case "jsonl":
				for _, tag := range tags {
					if err := writeJSON(w, format, struct {
						Tag string `json:"tag"`
						hc.Badge
					}{tag, badges[tag]}); err != nil {
						return err
					}
				}
				return nil
			}
			t := newTable(w, "TAG", "FORMAT", "URL")
			for _, tag := range tags {
				b := badges[tag]
				rows := [][2]string{{"svg", b.SVG}, {"json", b.JSON}}
				if all {
					rows = append(rows, [2]string{"svg3", b.SVG3}, [2]string{"json3", b.JSON3}, [2]string{"shields", b.Shields}, [2]string{"shields3", b.Shields3})
				}
				for _, r := range rows {
					t.row(tag, r[0], r[1])
				}
			}
			return t.flush()
		},
	}
	cmd.Flags().BoolVar(&all, "all", false, "every badge format in the table")
	noEnv(cmd.Flags(), "all")
	addFormatFlag(cmd, g, "table, json, jsonl")
	return cmd
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

type checkState struct {
	Name     string     `json:"name"`
	Slug     string     `json:"slug"`
	ID       string     `json:"id"`
	Status   string     `json:"status"`
	Started  bool       `json:"started"`
	LastPing *time.Time `json:"last_ping"`
	NextPing *time.Time `json:"next_ping"`
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
	var failing []string
	states := make([]checkState, 0, len(checks))
	for _, c := range checks {
		states = append(states, checkState{c.Name, c.Slug, c.ID(), c.Status, c.Started, c.LastPing, c.NextPing})
		if c.Status == "down" || (o.failOn == "grace" && c.Status == "grace") {
			failing = append(failing, c.Name)
		}
	}
	w := o.g.root.Env.Stdout
	if format != "table" {
		if err := writeList(w, format, states); err != nil {
			return err
		}
	} else {
		t := newTable(w, "NAME", "STATUS", "LAST PING", "NEXT PING")
		for _, c := range checks {
			t.row(c.Name, status(c), fmtTime(c.LastPing), fmtTime(c.NextPing))
		}
		if err := t.flush(); err != nil {
			return err
		}
	}
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
