package main

import (
	"context"
	"errors"
	"fmt"

	app "github.com/cronkit/cronkit/lib/app/pgreport"
	"github.com/cronkit/cronkit/lib/cli"
	"github.com/cronkit/cronkit/lib/pgdash"
	"github.com/spf13/cobra"
)

// pushOptions are `pgreport push` flags, bound into the app's options.
type pushOptions struct {
	root *cli.Root // streams, environment, secrets
	run  app.PushOptions
}

func newPushCmd(r *cli.Root) *cobra.Command {
	o := &pushOptions{root: r}
	cmd := &cobra.Command{
		Use:   "push --server NAME [--input FILE]",
		Short: "Submit a JSON report to pgDash",
		Long: `push reads one JSON report (pgreport -f json, or pgmetrics') on stdin and submits it the way
the pgdash CLI does: POST {"apikey","server","data"} as gzip-compressed JSON to --api-url.

Network errors, 408, 429 (honouring Retry-After) and 5xx are retried with backoff, at most
--api-retries times within --api-deadline; resending is harmless since pgDash keys a report by server
and collection time. A dropped connection is never taken as success. pgDash answers a wrong key
or a full account with 400 (exit 2, as an API's 400 in every cronkit tool; 401 or 403 exit 4);
409 means pgDash is still storing the previous report (exit 1).`,
		Example: `  pgreport -f json shop | PGDASH_API_KEY=... pgreport push --server db7
  pgreport push --server db7 --api-key file:/etc/cronkit/pgdash.key --input report.json
  pgreport push --server db7 --api-url https://pgdash.example.com/api/v1/report < report.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, cancel := r.Context(cmd.Context())
			defer cancel()
			return runPush(ctx, o)
		},
	}
	f, po := cmd.Flags(), &o.run
	f.StringVar(&po.Server, "server", "", "server name shown in pgDash (letters, digits, _ . -)")
	f.StringVar(&po.APIURL, "api-url", pgdash.DefaultURL, "pgDash report endpoint")
	f.StringVar(&po.APIKey, "api-key", "", "pgDash API key ($PGDASH_API_KEY; file:/path reads it from a file)")
	cli.EnvAlias(f, "api-key", "PGDASH_API_KEY")
	cli.MarkSecret(f, "api-key")
	f.StringVar(&po.Input, "input", "-", "report file (- for stdin)")
	cli.AddAPIFlagsVar(f, "pgreport", &po.Retries, &po.AttemptTimeout, &po.Deadline,
		cli.OldAPINames{Retries: "retries", Timeout: "attempt-timeout", Deadline: "deadline"})
	f.DurationVar(&po.MaxAge, "max-age", pgdash.DefaultMaxAge, "refuse reports collected longer ago than this (pgDash's limit)")
	return cmd
}

func runPush(ctx context.Context, o *pushOptions) error {
	r := o.root
	o.run.Env = appEnv(r, false)
	err := app.RunPush(ctx, o.run)
	if errors.Is(err, app.ErrNoAPIKey) {
		return fmt.Errorf("%w: set PGDASH_API_KEY or --api-key (file:/path to read it from a file)", err)
	}
	return err
}
