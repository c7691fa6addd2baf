package runwrap

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"time"

	"github.com/cronkit/cronkit/lib/hc"
	"github.com/cronkit/cronkit/lib/httpx"
	"github.com/cronkit/cronkit/lib/wrap"
)

// pinger is lib/wrap's Pinger on a Healthchecks ping client: the start ping
// bounded by --api-timeout in total (it runs beside the command), the others
// by --api-deadline.
type pinger struct {
	pc            *hc.PingClient
	start, finish *httpx.Client
}

var pingKinds = map[wrap.Kind]hc.PingKind{wrap.Start: hc.PingStart, wrap.Success: hc.PingSuccess,
	wrap.Fail: hc.PingFail, wrap.Log: hc.PingLog, wrap.ExitCode: hc.PingExitCode}

func newPinger(o *Options, logger *slog.Logger, pc *hc.PingClient) *pinger {
	// One transport: the finish ping reuses the start ping's connection.
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.ResponseHeaderTimeout = o.APITimeout
	retries := o.APIRetries
	if retries == 0 {
		retries = -1 // httpx: 0 means its default
	}
	base := httpx.Options{Tool: "runwrap", AttemptTimeout: o.APITimeout, RetryMax: retries,
		WaitMin: 500 * time.Millisecond, WaitMax: 5 * time.Second, MaxBody: 4 << 10,
		Logger: logger, Secrets: o.Secrets, Transport: tr}
	if k := pc.URLPingKey(); k != "" {
		// A /<ping-key>/<slug> --ping-url: -vv logs must not show the key either.
		base.Secrets = append(o.Secrets[:len(o.Secrets):len(o.Secrets)], k)
	}
	startOpts, finishOpts := base, base
	startOpts.Deadline = o.APITimeout
	finishOpts.Deadline = o.APIDeadline
	return &pinger{pc: pc, start: httpx.New(startOpts), finish: httpx.New(finishOpts)}
}

func (p *pinger) Ping(ctx context.Context, wp wrap.Ping) (int, error) {
	pc := *p.pc
	pc.HTTP = p.finish
	if wp.Kind == wrap.Start {
		pc.HTTP = p.start
	}
	res, err := pc.Send(ctx, hc.Ping{Kind: pingKinds[wp.Kind], ExitCode: wp.ExitCode, RunID: wp.RunID, Body: wp.Body})
	return res.BodyLimit, err
}

// checkName names the check in records without secrets: the slug, the UUID,
// or the last path element of a ping URL.
func checkName(pc *hc.PingClient) string {
	switch {
	case pc.Slug != "":
		return pc.Slug
	case pc.UUID != "":
		return pc.UUID
	}
	if u, err := url.Parse(pc.URL); err == nil {
		return path.Base(u.Path)
	}
	return ""
}
