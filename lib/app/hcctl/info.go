package hcctl

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/cronkit/cronkit/lib/hc"
)

// FlipsOptions is hcctl flips.
type FlipsOptions struct {
	Env
	Format     string
	Ref        string
	Since      string // a period back from now, e.g. 24h
	Start, End string // RFC 3339
}

// RunFlips lists a check's status changes.
func RunFlips(ctx context.Context, o FlipsOptions) error {
	format, err := o.outFormat(o.Format, "table", "json", "jsonl")
	if err != nil {
		return err
	}
	var fo hc.FlipsOptions
	if o.Since != "" && o.Start != "" {
		return usagef("--since and --start are exclusive: --since 24h means --start 24 hours ago")
	}
	if o.Since != "" {
		if fo.Seconds, err = hc.ParseSeconds(o.Since); err != nil || fo.Seconds <= 0 || fo.Seconds > hc.MaxPeriod {
			return usagef("--since %q: want a period up to 365d, e.g. 24h", o.Since)
		}
	}
	for _, x := range []struct {
		flag, v string
		dst     *time.Time
	}{{"start", o.Start, &fo.Start}, {"end", o.End, &fo.End}} {
		if x.v == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339, x.v)
		if err != nil || t.Unix() < 0 {
			return usagef("--%s %q: want an RFC 3339 time such as 2026-11-01T00:00:00Z", x.flag, x.v)
		}
		*x.dst = t
	}
	a, c, err := o.resolve(ctx, o.Ref)
	if err != nil {
		return err
	}
	flips, err := a.Flips(ctx, c.ID(), fo)
	if err != nil {
		return o.hint(namedErr(err, c))
	}
	return hc.WriteFlips(o.Stdout, format, flips)
}

// ListAllOptions is a listing of the project: hcctl channels and badges.
type ListAllOptions struct {
	Env
	Format string
	All    bool // badges: every format in the table
}

// RunChannels lists the project's integrations.
func RunChannels(ctx context.Context, o ListAllOptions) error {
	return listAll(ctx, o, (*hc.API).Channels, hc.WriteChannels)
}

// RunBadges lists the project's badge URLs by tag.
func RunBadges(ctx context.Context, o ListAllOptions) error {
	return listAll(ctx, o, (*hc.API).Badges, func(w io.Writer, format string, b map[string]hc.Badge) error {
		return hc.WriteBadges(w, format, b, o.All)
	})
}

// listAll resolves -f (table, json or jsonl), gets the listing and writes it.
func listAll[T any](ctx context.Context, o ListAllOptions, get func(*hc.API, context.Context) (T, error), write func(io.Writer, string, T) error) error {
	format, err := o.outFormat(o.Format, "table", "json", "jsonl")
	if err != nil {
		return err
	}
	a, err := o.API()
	if err != nil {
		return err
	}
	v, err := get(a, ctx)
	if err != nil {
		return o.hint(err)
	}
	return write(o.Stdout, format, v)
}

// StatusOptions is hcctl status.
type StatusOptions struct {
	Env
	Format string
	Tags   []string
	FailOn string // down, or grace to fail on checks in grace too
}

// RunStatus prints the checks' states and fails if any is down (or in
// grace): a gate for a CI step or a deploy.
func RunStatus(ctx context.Context, o StatusOptions) error {
	format, err := o.outFormat(o.Format, "table", "json", "jsonl")
	if err != nil {
		return err
	}
	if o.FailOn != "down" && o.FailOn != "grace" {
		return usagef("--fail-on %q: want down or grace", o.FailOn)
	}
	if err := checkTags(o.Tags); err != nil {
		return err
	}
	a, err := o.API()
	if err != nil {
		return err
	}
	checks, err := a.Checks(ctx, hc.ListOptions{Tags: o.Tags})
	if err != nil {
		return o.hint(err)
	}
	// A gate that checks nothing must not pass: a mistyped --tag (or a key
	// of another, empty project) would otherwise let every deploy through.
	switch {
	case len(checks) == 0 && len(o.Tags) > 0:
		return usagef("no check has the tag%s %s: nothing to gate on", plural(len(o.Tags)), strings.Join(o.Tags, " and "))
	case len(checks) == 0:
		return fmt.Errorf("the project has no checks: nothing to gate on (is the API key the right project's?)")
	}
	if err := hc.WriteStatus(o.Stdout, format, checks); err != nil {
		return err
	}
	failing := hc.Failing(checks, o.FailOn == "grace")
	if len(failing) > 0 {
		what := "down"
		if o.FailOn == "grace" {
			what = "down or in grace"
		}
		return fmt.Errorf("%d of %d checks %s: %s", len(failing), len(checks), what, strings.Join(failing, ", "))
	}
	return nil
}
