package hcctl

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/cronkit/cronkit/lib/hc"
)

// ApplyOptions is hcctl apply.
type ApplyOptions struct {
	Env
	File        string // the checks file; - for Stdin
	DryRun      bool
	Prune       bool
	Tags        []string // with Prune: the tags a check must carry to be deleted
	Concurrency int
}

// RunApply makes the project's checks match a file.
func RunApply(ctx context.Context, o ApplyOptions) error {
	desired, err := o.desired()
	if err != nil {
		return err
	}
	a, plan, existing, err := makePlan(ctx, &o.Env, desired, hc.PlanOptions{Prune: o.Prune, PruneTags: o.Tags, Warn: o.warnf})
	if err != nil {
		return err
	}
	if o.DryRun {
		hc.WritePlan(o.Stdout, plan)
		return nil
	}
	// A read-only key lists checks without their UUIDs: nothing could be
	// updated or deleted, so refuse before sending anything.
	if err := refuseReadOnly(existing, plan, "apply: check"); err != nil {
		return err
	}
	results := a.Apply(ctx, plan, o.Concurrency, nil)
	failed := hc.WriteResults(o.Stdout, plan, results, func(r hc.Result) {
		fmt.Fprintf(o.Stderr, "hcctl: %s %q failed: %v\n", r.Op, r.Change.Name(), r.Err)
	})
	return applyErr(ctx, failed, plan.Writes())
}

// refuseReadOnly refuses a plan with writes when the key sees no UUIDs.
func refuseReadOnly(existing []hc.Check, plan hc.Plan, op string) error {
	for _, c := range existing {
		if _, err := writableID(c, op); err != nil && plan.Writes() > 0 {
			return err
		}
	}
	return nil
}

// desired checks the options and reads the checks file.
func (o *ApplyOptions) desired() ([]hc.Desired, error) {
	if o.File == "" {
		return nil, usagef("apply needs -f FILE (or -f - for stdin)")
	}
	if o.Concurrency < 1 || o.Concurrency > 64 {
		return nil, usagef("--concurrency %d: want 1 to 64", o.Concurrency)
	}
	if len(o.Tags) > 0 && !o.Prune {
		return nil, usagef("--tag only applies with --prune")
	}
	if o.Prune && len(o.Tags) == 0 {
		return nil, usagef("--prune needs --tag: only checks with all the given tags are deleted")
	}
	if err := checkTags(o.Tags); err != nil {
		return nil, err
	}
	var data []byte
	var err error
	name := o.File
	if o.File == "-" {
		name = "stdin"
		data, err = io.ReadAll(io.LimitReader(o.Stdin, 64<<20))
	} else {
		data, err = os.ReadFile(o.File)
	}
	if err != nil {
		return nil, usagef("%v", err)
	}
	desired, err := hc.ParseChecksFile(name, data)
	if err != nil {
		return nil, usagef("%v", err)
	}
	if o.Prune && len(desired) == 0 {
		// A generator that failed half-way often leaves an empty list:
		// pruning on it would delete every tagged check.
		return nil, usagef("%s declares no checks: --prune would delete every check tagged %s; refusing (use hcctl checks delete)", name, strings.Join(o.Tags, " and "))
	}
	return desired, nil
}

// applyErr decides the error of writes of which some failed: the context's
// if interrupted, Refused if all were refused, a failure if all failed, else
// Partial.
func applyErr(ctx context.Context, failed []hc.Result, writes int) error {
	auth := 0
	for _, r := range failed {
		if refused(r.Err) {
			auth++
		}
	}
	if err := ctx.Err(); err != nil && len(failed) > 0 {
		// Interrupted (exit 130) or past --timeout: say how far it got.
		return fmt.Errorf("apply stopped after %d of %d writes: %w", writes-len(failed), writes, err)
	}
	switch {
	case len(failed) == 0:
		return nil
	case auth == len(failed):
		return refusedf("%d of %d writes refused: %v", len(failed), writes, failed[0].Err)
	case len(failed) == writes:
		return fmt.Errorf("all %d writes failed: %v", len(failed), failed[0].Err)
	}
	return partialf("%d of %d writes failed (details above)", len(failed), writes)
}

// makePlan gets the API client, lists the project's checks, and its
// integrations when a desired check names some, and plans desired against
// them (apply, ensure, discover).
func makePlan(ctx context.Context, e *Env, desired []hc.Desired, po hc.PlanOptions) (*hc.API, hc.Plan, []hc.Check, error) {
	a, err := e.API()
	if err != nil {
		return nil, hc.Plan{}, nil, err
	}
	existing, err := a.Checks(ctx, hc.ListOptions{})
	if err != nil {
		return nil, hc.Plan{}, nil, e.hint(err)
	}
	if hc.NeedsChannels(desired) {
		if po.Channels, err = a.Channels(ctx); err != nil {
			return nil, hc.Plan{}, nil, e.hint(err)
		}
	}
	plan, err := hc.MakePlan(desired, existing, po)
	if err != nil {
		return nil, hc.Plan{}, nil, planErr(e, err)
	}
	return a, plan, existing, nil
}

// planErr explains a plan that cannot be made (Usage). Two checks with the
// name a file or ensure declares cannot be told apart: a UUID does not help
// there, so the advice differs from a CHECK argument's.
func planErr(e *Env, err error) error {
	var amb *hc.AmbiguousError
	if errors.As(err, &amb) {
		ids := make([]string, len(amb.Candidates))
		for i, c := range amb.Candidates {
			ids[i] = c.ID()
		}
		return usagef("%d checks are named %q (%s): checks are matched by name, so rename or delete all but one",
			len(ids), amb.Ref, strings.Join(ids, ", "))
	}
	var ce *hc.ChannelError
	if errors.As(err, &ce) {
		// The server would refuse it with a 400: bad input already.
		return e.hint(err)
	}
	return usagef("%v", err)
}
