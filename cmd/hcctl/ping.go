package main

import (
	"context"

	app "github.com/cronkit/cronkit/lib/app/hcctl"
	"github.com/cronkit/cronkit/lib/cli"
	"github.com/spf13/cobra"
)

func newPingCmd(g *global) *cobra.Command {
	o := app.PingOptions{Kind: "success"}
	cmd := &cobra.Command{
		Use:   "ping CHECK [start|success|fail|log|CODE]",
		Short: "Send a ping to a check by hand",
		Long: `Send one ping to a check's ping URL (looked up through the API, so this needs a
read-write key): success (the default), start, fail, log, or an exit status
0-255 (0 is success, anything else fail). For cron jobs use runwrap.`,
		Example: `  hcctl ping backups
  hcctl ping backups start --rid "$(uuidgen)"
  hcctl ping backups 3 --body "pg_dump failed"
  tail -n 50 /var/log/backup.log | hcctl ping backups log --body-file -`,
		Args: cobra.RangeArgs(1, 2),
		ValidArgsFunction: func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
			if len(args) == 1 {
				return completeWords("success", "start", "fail", "log")(cmd, args, toComplete)
			}
			return completeCheck(g)(cmd, args, toComplete)
		},
		RunE: g.run(&o.Env, func(ctx context.Context, args []string) error {
			o.Ref = args[0]
			if len(args) == 2 {
				o.Kind = args[1]
			}
			return app.RunPing(ctx, o)
		}),
	}
	fs := cmd.Flags()
	fs.StringVar(&o.RunID, "rid", "", "run ID (a UUID) pairing a start with its end")
	fs.StringVar(&o.Body, "body", "", "text to attach (the server keeps the first Ping-Body-Limit bytes)")
	fs.StringVar(&o.BodyFile, "body-file", "", "attach this file's contents (- for stdin)")
	cli.NoEnv(fs, "rid", "body", "body-file")
	return cmd
}
