package main

import (
	"context"
	"io"
	"os"
	"time"

	"github.com/cronkit/cronkit/lib/cli"
	"github.com/cronkit/cronkit/lib/pgdash"
	"github.com/spf13/cobra"
)

// pushOptions are `pgreport push` flags.
type pushOptions struct {
	server         string
	apiURL         string
	apiKey         string
	input          string
	retries        int
	attemptTimeout time.Duration
	deadline       time.Duration
	maxAge         time.Duration
}

func newPushCmd(r *cli.Root) *cobra.Command {
	o := &pushOptions{}
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
			return runPush(ctx, r, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.server, "server", "", "server name shown in pgDash (letters, digits, _ . -)")
	f.StringVar(&o.apiURL, "api-url", pgdash.DefaultURL, "pgDash report endpoint")
	f.StringVar(&o.apiKey, "api-key", "", "pgDash API key ($PGDASH_API_KEY; file:/path reads it from a file)")
	cli.EnvAlias(f, "api-key", "PGDASH_API_KEY")
	cli.MarkSecret(f, "api-key")
	f.StringVar(&o.input, "input", "-", "report file (- for stdin)")
	cli.AddAPIFlagsVar(f, "pgreport", &o.retries, &o.attemptTimeout, &o.deadline,
		cli.OldAPINames{Retries: "retries", Timeout: "attempt-timeout", Deadline: "deadline"})
	f.DurationVar(&o.maxAge, "max-age", pgdash.DefaultMaxAge, "refuse reports collected longer ago than this (pgDash's limit)")
	return cmd
}

func runPush(ctx context.Context, r *cli.Root, o *pushOptions) error {
	if err := o.validate(); err != nil {
		return err
	}
	name, raw, err := readInput(o.input, r.Env.Stdin)
	if err != nil {
		return cli.Usagef("--input: %v", err)
	}
	data, err := pgdash.CheckReport(name, raw, o.maxAge, time.Now())
	if err != nil {
		return cli.Usagef("%v", err)
	}
	res, err := pgdash.Submit(ctx, pgdash.Options{URL: o.apiURL, APIKey: o.apiKey, Server: o.server,
		Retries: o.retries, AttemptTimeout: o.attemptTimeout, Deadline: o.deadline,
		Logger: r.Logger, Secrets: r.Secrets()}, data)
	if err != nil {
		// The exit code is lib/cli's: 400 bad input (pgDash's answer to a
		// wrong key or a full account), 401/403 refused, the rest failures.
		return err
	}
	r.Logger.Info("report submitted", "server", o.server, "bytes", res.Bytes, "attempts", res.Attempts)
	return nil
}

func (o *pushOptions) validate() error {
	switch {
	case o.server == "":
		return cli.Usagef("--server is required")
	case !pgdash.ValidServer(o.server):
		return cli.Usagef("--server %q: use 1-64 letters, digits, '_', '.' or '-'", o.server)
	case o.apiKey == "":
		return cli.Usagef("no API key: set PGDASH_API_KEY or --api-key (file:/path to read it from a file)")
	case o.retries < 0:
		return cli.Usagef("--api-retries must not be negative")
	}
	return nil
}

// readInput reads a file, or stdin for "-", and names it for messages.
func readInput(path string, stdin io.Reader) (name string, b []byte, err error) {
	if path == "-" {
		b, err = io.ReadAll(stdin)
		return "stdin", b, err
	}
	b, err = os.ReadFile(path)
	return path, b, err
}
