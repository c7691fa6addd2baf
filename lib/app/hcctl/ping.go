package hcctl

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/cronkit/cronkit/lib/hc"
)

// PingOptions is hcctl ping.
type PingOptions struct {
	Env
	Ref      string
	Kind     string // success, start, fail, log or an exit status 0-255
	RunID    string // a UUID pairing a start with its end
	Body     string
	BodyFile string // - for Stdin
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
		return hc.Ping{}, usagef("ping kind %q: want start, success, fail, log or an exit status 0-255", s)
	}
	return hc.Ping{Kind: hc.PingExitCode, ExitCode: n}, nil
}

// RunPing sends one ping to a check's ping URL, found through the API.
func RunPing(ctx context.Context, o PingOptions) error {
	p, err := parsePingKind(o.Kind)
	if err != nil {
		return err
	}
	if o.RunID != "" && !hc.IsUUID(o.RunID) {
		return usagef("--rid %q is not a UUID", o.RunID)
	}
	p.RunID = o.RunID
	switch {
	case o.Body != "" && o.BodyFile != "":
		return usagef("--body and --body-file are exclusive")
	case o.Body != "":
		p.Body = []byte(o.Body)
	case o.BodyFile == "-":
		if p.Body, err = io.ReadAll(io.LimitReader(o.Stdin, 16<<20)); err != nil {
			return err
		}
	case o.BodyFile != "":
		if p.Body, err = os.ReadFile(o.BodyFile); err != nil {
			return usagef("%v", err)
		}
	}
	_, c, err := o.resolve(ctx, o.Ref)
	if err != nil {
		return err
	}
	if c.PingURL == "" {
		return refusedf("the API hides ping URLs from read-only keys: a read-write key is needed to ping %q", c.Name)
	}
	pc := &hc.PingClient{URL: c.PingURL, HTTP: o.HTTP()}
	res, err := pc.Send(ctx, p)
	if err != nil {
		return err
	}
	fmt.Fprintf(o.Stdout, "sent %s to %s (%d)\n", o.Kind, c.Name, res.Status)
	if res.BodyLimit > 0 && len(p.Body) > res.BodyLimit {
		o.warnf("the server keeps the first %d of the body's %d bytes", res.BodyLimit, len(p.Body))
	}
	return nil
}
