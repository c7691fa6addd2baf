package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"

	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/cronkit/cronkit/lib/cli"
	"github.com/cronkit/cronkit/lib/httpx"
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

// pgDash's own client accepts these names only (shared/reference/pgmetrics.md §3).
var serverNameRE = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)

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
	f.StringVar(&o.apiURL, "api-url", "https://app.pgdash.io/api/v1/report", "pgDash report endpoint")
	f.StringVar(&o.apiKey, "api-key", "", "pgDash API key ($PGDASH_API_KEY; file:/path reads it from a file)")
	cli.EnvAlias(f, "api-key", "PGDASH_API_KEY")
	cli.MarkSecret(f, "api-key")
	f.StringVar(&o.input, "input", "-", "report file (- for stdin)")
	cli.AddAPIFlagsVar(f, "pgreport", &o.retries, &o.attemptTimeout, &o.deadline,
		cli.OldAPINames{Retries: "retries", Timeout: "attempt-timeout", Deadline: "deadline"})
	f.DurationVar(&o.maxAge, "max-age", 180*24*time.Hour, "refuse reports collected longer ago than this (pgDash's limit)")
	return cmd
}

func runPush(ctx context.Context, r *cli.Root, o *pushOptions) error {
	if o.server == "" {
		return cli.Usagef("--server is required")
	}
	if !serverNameRE.MatchString(o.server) {
		return cli.Usagef("--server %q: use 1-64 letters, digits, '_', '.' or '-'", o.server)
	}
	if o.apiKey == "" {
		return cli.Usagef("no API key: set PGDASH_API_KEY or --api-key (file:/path to read it from a file)")
	}
	if o.retries < 0 {
		return cli.Usagef("--retries must not be negative")
	}
	var raw []byte
	var err error
	name := o.input
	if o.input == "-" {
		name = "stdin"
		raw, err = io.ReadAll(r.Env.Stdin)
	} else {
		raw, err = os.ReadFile(o.input)
	}
	if err != nil {
		return cli.Usagef("--input: %v", err)
	}
	data, err := checkReport(name, raw, o.maxAge, time.Now())
	if err != nil {
		return err
	}
	body, err := gzipPayload(o.apiKey, o.server, data)
	if err != nil {
		return err
	}
	c := httpx.New(httpx.Options{Tool: "pgreport", AttemptTimeout: o.attemptTimeout, Deadline: o.deadline,
		RetryMax: o.retries, Logger: r.Logger, Secrets: r.Secrets()})
	if o.retries == 0 {
		c = httpx.New(httpx.Options{Tool: "pgreport", AttemptTimeout: o.attemptTimeout, Deadline: o.deadline,
			RetryMax: -1, Logger: r.Logger, Secrets: r.Secrets()})
	}
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("Content-Encoding", "gzip")
	resp, err := c.Do(ctx, httpx.Request{Method: http.MethodPost, URL: o.apiURL, Header: h, Body: body, Idempotent: true})
	if err != nil {
		// The exit code is lib/cli's: 400 bad input (pgDash's answer to a
		// wrong key or a full account), 401/403 refused, the rest failures.
		switch st := httpx.StatusOf(err); {
		case st == http.StatusBadRequest || st == http.StatusUnauthorized || st == http.StatusForbidden:
			return fmt.Errorf("pgDash refused the report (invalid API key or account limit reached): %w", err)
		case st == http.StatusConflict:
			return fmt.Errorf("pgDash is still storing the previous report for %q: %w", o.server, err)
		}
		return err
	}
	// pgDash answers a JSON object; anything else means a proxy or the wrong URL.
	var obj map[string]any
	if len(bytes.TrimSpace(resp.Body)) > 0 && json.Unmarshal(resp.Body, &obj) != nil {
		return fmt.Errorf("POST %s: %d but the answer is not pgDash's JSON: %s", redactURL(o.apiURL), resp.Status, httpx.Excerpt(resp.Body, 120))
	}
	r.Logger.Info("report submitted", "server", o.server, "bytes", len(body), "attempts", resp.Attempts)
	return nil
}

// checkReport validates what pgDash validates, so a bad report fails here
// with exit 2 rather than as an opaque 400: a JSON object whose meta.version
// is "1.x" and whose meta.at is recent. It returns the compacted JSON.
func checkReport(name string, raw []byte, maxAge time.Duration, now time.Time) ([]byte, error) {
	var head struct {
		Meta *struct {
			Version string `json:"version"`
			At      int64  `json:"at"`
		} `json:"meta"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return nil, cli.Usagef("%s: not a JSON report: %s", name, jsonErr(raw, err))
	}
	if head.Meta == nil || !strings.HasPrefix(head.Meta.Version, "1.") {
		return nil, cli.Usagef("%s: not a pgreport/pgmetrics report (meta.version must be 1.x)", name)
	}
	at := time.Unix(head.Meta.At, 0)
	if d := now.Sub(at); d > maxAge || d < -maxAge {
		return nil, cli.Usagef("%s: report collected at %s, outside pgDash's window of %s", name, at.UTC().Format(time.RFC3339), maxAge)
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return nil, cli.Usagef("%s: %v", name, err)
	}
	return buf.Bytes(), nil
}

// gzipPayload builds pgDash's {"apikey","server","data"} body, gzipped.
func gzipPayload(key, server string, data []byte) ([]byte, error) {
	payload, err := json.Marshal(struct {
		APIKey string          `json:"apikey"`
		Server string          `json:"server"`
		Data   json.RawMessage `json:"data"`
	}{key, server, data})
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(payload); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func redactURL(u string) string {
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		return u[:i]
	}
	return u
}
