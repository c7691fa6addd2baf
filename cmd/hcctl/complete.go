package main

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/cronkit/cronkit/lib/hc"
	"github.com/spf13/cobra"
)

// completeTimeout bounds the list request behind a CHECK completion: a shell
// waiting on a slow server is worse than no suggestions.
const completeTimeout = 5 * time.Second

// completeCheck completes a CHECK (or ensure's NAME) argument with the
// project's slugs and names, each described by its status. Shell completion
// runs no pre-run hooks, so the root's binding (flag > env > config,
// file: secrets) is run here by hand; without a key nothing is offered.
func completeCheck(g *global) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		if pre := g.root.Cmd.PersistentPreRunE; pre != nil {
			if err := pre(cmd, args); err != nil {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
		}
		if g.apiKey == "" {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		a, err := g.api()
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		ctx, cancel := context.WithTimeout(cmd.Context(), completeTimeout)
		defer cancel()
		checks, err := a.Checks(ctx, hc.ListOptions{})
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return checkCompletions(checks, toComplete), cobra.ShellCompDirectiveNoFileComp
	}
}

// checkCompletions lists the slugs and names that start with prefix, once
// each, sorted, with the check's status as the description.
func checkCompletions(checks []hc.Check, prefix string) []cobra.Completion {
	seen := map[string]bool{}
	var out []cobra.Completion
	add := func(v, desc string) {
		if v == "" || seen[v] || !strings.HasPrefix(v, prefix) {
			return
		}
		seen[v] = true
		out = append(out, cobra.CompletionWithDesc(v, desc))
	}
	for _, c := range checks {
		add(c.Slug, c.Status)
		add(c.Name, c.Status)
	}
	sort.Strings(out)
	return out
}

// completeWords completes a flag or argument from a fixed list.
func completeWords(words ...string) cobra.CompletionFunc {
	return cobra.FixedCompletions(words, cobra.ShellCompDirectiveNoFileComp)
}
