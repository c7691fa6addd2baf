package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/cronkit/cronkit/lib/cli"
	"github.com/cronkit/cronkit/lib/hc"
	"github.com/spf13/cobra"
)

type pingOptions struct {
	g        *global
	ref      string
	kind     string
	rid      string
	body     string
	bodyFile string
}

func newPingCmd(g *global) *cobra.Command {
	o := &pingOptions{g: g, kind: "success"}
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
		RunE: func(cmd *cobra.Command, args []string) error {
			o.ref = args[0]
			if len(args) == 2 {
				o.kind = args[1]
			}
			ctx, cancel := g.root.Context(cmd.Context())
			defer cancel()
			return runPing(ctx, o)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&o.rid, "rid", "", "run ID (a UUID) pairing a start with its end")
	fs.StringVar(&o.body, "body", "", "text to attach (the server keeps the first Ping-Body-Limit bytes)")
	fs.StringVar(&o.bodyFile, "body-file", "", "attach this file's contents (- for stdin)")
	noEnv(fs, "rid", "body", "body-file")
	return cmd
}

func parsePingKind(s string) (hc.Ping, error) {
	switch s {
	case "success":
		return hc.Ping{Kind: hc.PingSuccess}, nil
	case "start":
		return hc.Ping{Kind: hc.PingStart}, nil
	case "fail":
		return hc.Ping{Kind: hc.PingFail}, nil
	case "log":
		return hc.Ping{Kind: hc.PingLog}, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > 255 || strings.TrimSpace(s) != s {
		return hc.Ping{}, cli.Usagef("ping kind %q: want start, success, fail, log or an exit status 0-255", s)
	}
	return hc.Ping{Kind: hc.PingExitCode, ExitCode: n}, nil
}

func runPing(ctx context.Context, o *pingOptions) error {
	p, err := parsePingKind(o.kind)
	if err != nil {
		return err
	}
	if o.rid != "" && !hc.IsUUID(o.rid) {
		return cli.Usagef("--rid %q is not a UUID", o.rid)
	}
	p.RunID = o.rid
	switch {
	case o.body != "" && o.bodyFile != "":
		return cli.Usagef("--body and --body-file are exclusive")
	case o.body != "":
		p.Body = []byte(o.body)
	case o.bodyFile == "-":
		if p.Body, err = io.ReadAll(io.LimitReader(o.g.root.Env.Stdin, 16<<20)); err != nil {
			return err
		}
	case o.bodyFile != "":
		if p.Body, err = os.ReadFile(o.bodyFile); err != nil {
			return cli.Usagef("%v", err)
		}
	}
	_, c, err := o.g.resolve(ctx, o.ref)
	if err != nil {
		return err
	}
	if c.PingURL == "" {
		return cli.Refusedf("the API hides ping URLs from read-only keys: a read-write key is needed to ping %q", c.Name)
	}
	pc := &hc.PingClient{URL: c.PingURL, HTTP: o.g.httpClient()}
	res, err := pc.Send(ctx, p)
	if err != nil {
		return err
	}
	fmt.Fprintf(o.g.root.Env.Stdout, "sent %s to %s (%d)\n", o.kind, c.Name, res.Status)
	if res.BodyLimit > 0 && len(p.Body) > res.BodyLimit {
		o.g.root.Warnf("the server keeps the first %d of the body's %d bytes", res.BodyLimit, len(p.Body))
	}
	return nil
}
