package main

import (
	"context"
	"fmt"

	"github.com/cronkit/cronkit/lib/cli"
	"github.com/spf13/cobra"
)

type ensureOptions struct {
	g      *global
	name   string
	fields fieldFlags
}

func newEnsureCmd(g *global) *cobra.Command {
	o := &ensureOptions{g: g}
	cmd := &cobra.Command{
		Use:   "ensure NAME",
		Short: "Create or update one check by its name; print its ping URL",
		Long: `Create the check named NAME, or update the one that has that name (the API's
"unique" upsert), with the fields given, and print its ping URL on stdout.
Running it again with the same flags changes nothing.

` + fieldsHelp,
		Example: `  URL=$(hcctl ensure db7-pgreport --schedule '*/5 * * * *' --tz UTC --grace 10m)
  hcctl ensure backups --slug backups --period 1d --grace 1h --channels "*"`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.name = args[0]
			ctx, cancel := g.root.Context(cmd.Context())
			defer cancel()
			return runEnsure(ctx, o)
		},
	}
	addFieldFlags(cmd, &o.fields, false, g.root.Warnf)
	return cmd
}

func runEnsure(ctx context.Context, o *ensureOptions) error {
	if o.name == "" {
		return cli.Usagef("NAME is empty")
	}
	spec, err := o.fields.spec()
	if err != nil {
		return err
	}
	spec.Name = &o.name
	spec.Unique = []string{"name"}
	a, err := o.g.api()
	if err != nil {
		return err
	}
	c, created, err := a.CreateCheck(ctx, spec)
	if err != nil {
		return apiErr(err)
	}
	verb := "updated"
	if created {
		verb = "created"
	}
	o.g.root.Logger.Info(verb+" check", "name", c.Name, "id", c.ID())
	if c.PingURL == "" {
		return fmt.Errorf("the server did not return a ping URL for %q", c.Name)
	}
	fmt.Fprintln(o.g.root.Env.Stdout, c.PingURL)
	return nil
}
