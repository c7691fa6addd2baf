package hcctl

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/cronkit/cronkit/lib/hc"
)

// ListOptions is hcctl checks list.
type ListOptions struct {
	Env
	Format string
	Tags   []string
	Slug   string
	Status []string
}

// RunChecksList lists the project's checks, filtered.
func RunChecksList(ctx context.Context, o ListOptions) error {
	format, err := o.outFormat(o.Format, "table", "json", "jsonl")
	if err != nil {
		return err
	}
	if err := checkTags(o.Tags); err != nil {
		return err
	}
	for _, s := range o.Status {
		if !strings.Contains(" new up grace down paused ", " "+s+" ") {
			return usagef("--status %s: want new, up, grace, down or paused", s)
		}
	}
	a, err := o.API()
	if err != nil {
		return err
	}
	checks, err := a.Checks(ctx, hc.ListOptions{Tags: o.Tags, Slug: o.Slug})
	if err != nil {
		return o.hint(err)
	}
	if len(o.Status) > 0 {
		var keep []hc.Check
		for _, c := range checks {
			for _, s := range o.Status {
				if c.Status == s {
					keep = append(keep, c)
					break
				}
			}
		}
		checks = keep
	}
	return hc.WriteChecks(o.Stdout, format, checks)
}

// CheckOptions is a command on one check: hcctl checks get, delete, pause
// and resume.
type CheckOptions struct {
	Env
	Format string
	Ref    string // CHECK: a UUID, a slug or an exact name
	Yes    bool   // delete: do not ask
}

// RunChecksGet shows one check.
func RunChecksGet(ctx context.Context, o CheckOptions) error {
	format, err := o.outFormat(o.Format, "table", "json", "jsonl")
	if err != nil {
		return err
	}
	_, c, err := o.resolve(ctx, o.Ref)
	if err != nil {
		return err
	}
	return hc.WriteCheck(o.Stdout, format, c)
}

// WriteOptions is hcctl checks create and update.
type WriteOptions struct {
	Env
	Format string
	Ref    string // update: the check
	Fields Fields
}

// formatSpec resolves -f and builds the spec of the fields given.
func (o *WriteOptions) formatSpec() (string, hc.CheckSpec, error) {
	format, err := o.outFormat(o.Format, "table", "json", "jsonl")
	if err != nil {
		return "", hc.CheckSpec{}, err
	}
	spec, err := o.Fields.spec(o.warnf)
	return format, spec, err
}

// RunChecksCreate creates a check with the fields given.
func RunChecksCreate(ctx context.Context, o WriteOptions) error {
	format, spec, err := o.formatSpec()
	if err != nil {
		return err
	}
	a, err := o.API()
	if err != nil {
		return err
	}
	c, _, err := a.CreateCheck(ctx, spec)
	if err != nil {
		return o.hint(err)
	}
	return hc.WriteCheck(o.Stdout, format, c)
}

// RunChecksUpdate changes the fields given of one check.
func RunChecksUpdate(ctx context.Context, o WriteOptions) error {
	format, spec, err := o.formatSpec()
	if err != nil {
		return err
	}
	if spec.IsEmpty() {
		return usagef("nothing to update: give at least one field flag (--grace, --schedule, ...)")
	}
	a, c, id, err := o.resolveWritable(ctx, o.Ref, "update check")
	if err != nil {
		return err
	}
	upd, err := a.UpdateCheck(ctx, id, spec)
	if err != nil {
		return o.hint(namedErr(err, c))
	}
	return hc.WriteCheck(o.Stdout, format, upd)
}

// RunChecksDelete deletes one check, asking on the terminal first unless Yes.
func RunChecksDelete(ctx context.Context, o CheckOptions) error {
	if !o.Yes && !o.StdinTerminal {
		return usagef("refusing to delete without --yes: stdin is not a terminal to ask on")
	}
	a, c, id, err := o.resolveWritable(ctx, o.Ref, "delete check")
	if err != nil {
		return err
	}
	if !o.Yes {
		fmt.Fprintf(o.Stderr, "Delete check %q (%s)? [y/N] ", c.Name, c.ID())
		line, _ := bufio.NewReader(o.Stdin).ReadString('\n')
		if a := strings.ToLower(strings.TrimSpace(line)); a != "y" && a != "yes" {
			return errors.New("not deleted")
		}
	}
	if _, err := a.DeleteCheck(ctx, id); err != nil {
		return o.hint(namedErr(err, c))
	}
	fmt.Fprintf(o.Stdout, "deleted %s (%s)\n", c.Name, c.ID())
	return nil
}

// RunChecksPause pauses (action "pause") or resumes ("resume") one check.
func RunChecksPause(ctx context.Context, action string, o CheckOptions) error {
	a, c, id, err := o.resolveWritable(ctx, o.Ref, action+" check")
	if err != nil {
		return err
	}
	if action == "pause" {
		_, err = a.PauseCheck(ctx, id)
	} else {
		_, err = a.ResumeCheck(ctx, id)
	}
	if err != nil {
		return o.hint(namedErr(err, c))
	}
	fmt.Fprintf(o.Stdout, "%sd %s\n", action, c.Name)
	return nil
}
