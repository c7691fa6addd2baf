package hcctl

import (
	"context"
	"fmt"

	"github.com/cronkit/cronkit/lib/hc"
)

// EnsureOptions is hcctl ensure.
type EnsureOptions struct {
	Env
	Name   string
	Format string // url (the ping URL alone), json or jsonl
	Fields Fields
}

// EnsureResult is ensure's -f json output.
type EnsureResult struct {
	Name    string `json:"name"`
	ID      string `json:"id"`
	PingURL string `json:"ping_url"`
	Created bool   `json:"created"`
	Updated bool   `json:"updated"`
}

// RunEnsure creates or updates the check named Name and prints its ping URL.
func RunEnsure(ctx context.Context, o EnsureOptions) error {
	format := o.Format
	if format != "url" && format != "json" && format != "jsonl" {
		return usagef("-f %s: want url, json or jsonl", format)
	}
	if o.Name == "" {
		return usagef("NAME is empty")
	}
	spec, err := o.Fields.spec(o.warnf)
	if err != nil {
		return err
	}
	spec.Name = &o.Name
	a, plan, _, err := makePlan(ctx, &o.Env, []hc.Desired{{Spec: spec}}, hc.PlanOptions{})
	if err != nil {
		return err
	}
	res := EnsureResult{Name: o.Name}
	var c hc.Check
	switch {
	case len(plan.Unchanged) == 1:
		c = plan.Unchanged[0].Check
		o.logger().Info("check unchanged", "name", c.Name, "id", c.ID())
	default:
		// The upsert by name: created (201) if another client did not make
		// it meanwhile, else updated (200). Safe to retry.
		spec.Unique = []string{"name"}
		if len(plan.Update) == 1 {
			if _, err := writableID(plan.Update[0].Check, "update check"); err != nil {
				return err
			}
			o.logger().Info("updating check", "name", o.Name, "changes", hc.DiffSummary(plan.Update[0].Diffs))
		}
		var created bool
		if c, created, err = a.CreateCheck(ctx, spec); err != nil {
			return o.hint(err)
		}
		res.Created, res.Updated = created, !created
	}
	if c.PingURL == "" {
		return refusedf("the API hides ping URLs from read-only keys: a read-write key is needed to ensure %q", o.Name)
	}
	res.ID, res.PingURL = c.ID(), c.PingURL
	if format == "url" {
		_, err = fmt.Fprintln(o.Stdout, c.PingURL)
		return err
	}
	return hc.WriteJSON(o.Stdout, format, res)
}
