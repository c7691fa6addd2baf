package main

import (
	"context"

	app "github.com/cronkit/cronkit/lib/app/hcctl"
	"github.com/cronkit/cronkit/lib/cli"
	"github.com/spf13/cobra"
)

func newEnsureCmd(g *global) *cobra.Command {
	var o app.EnsureOptions
	cmd := &cobra.Command{
		Use:   "ensure NAME",
		Short: "Create or update one check by its name; print its ping URL",
		Long: `Make sure the check named NAME exists with the fields given, and print its
ping URL on stdout. It reads the project (one list request) and compares:
a missing check is created, one whose given fields differ is updated (the
API's "unique" upsert by name), an equal one is left alone, so running it
again makes no write.

-f json or jsonl prints {"name", "id", "ping_url", "created", "updated"}
instead of the bare URL, for configuration tools that report changes.

` + fieldsHelp,
		Example: `  URL=$(hcctl ensure db7-pgreport --schedule '*/5 * * * *' --tz UTC --grace 10m)
  hcctl ensure backups --slug backups --period 1d --grace 1h --channels "*" --tag prod
  hcctl ensure backups --period 1d -f json     # "created": false, "updated": true, ...`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: completeCheck(g),
		RunE: g.run(&o.Env, func(ctx context.Context, args []string) error {
			o.Name = args[0]
			return app.RunEnsure(ctx, o)
		}),
	}
	addFieldFlags(cmd, &o.Fields, false)
	cmd.Flags().StringVarP(&o.Format, "format", "f", "url", "output: url (the ping URL alone), json, jsonl")
	cli.NoEnv(cmd.Flags(), "format")
	_ = cmd.RegisterFlagCompletionFunc("format", completeWords("url", "json", "jsonl"))
	return cmd
}
