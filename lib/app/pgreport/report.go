package pgreport

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"time"

	"github.com/cronkit/cronkit/lib/metric"
	"github.com/cronkit/cronkit/lib/pgdash"
	"github.com/cronkit/cronkit/lib/pglog"
	"github.com/cronkit/cronkit/lib/pgstat"
)

// ReportOptions are the report's (pgreport's root command's) options.
type ReportOptions struct {
	Env
	Conn    pgstat.ConnOptions
	DBNames []string // the first is connected to; empty: the connection's default
	AllDBs  bool
	// Format is text, json or metrics; "" picks text when Terminal (stdout
	// is a terminal), else JSON.
	Format   string
	Terminal bool
	Input    string   // a saved JSON report to re-render ("-": Stdin) instead of connecting
	Metrics  []string // with metrics: keep only the names matching one of these globs

	SQLLength       int
	StatementsLimit int
	// Estimate skips the exact sizes and pgmetrics' bloat estimate, unless
	// ExactSizes or Bloat ask for them again (text always has bloat).
	Estimate, Bloat, ExactSizes bool
	SectionTimeouts             []string // SECTION=DURATION
	LongXact                    time.Duration
	Top                         int
	Tables                      bool // text: one block per table
	LogFile, LogDir             string
	LogSpan                     int // minutes
}

// RunReport collects the report (or reads a saved one) and writes it in the
// chosen format. A report with failed sections is still written, then
// reported as a *PartialError; with metrics, any failure after the format
// is known also ends the stream as an error record.
func RunReport(ctx context.Context, o ReportOptions) (err error) {
	o.defaults()
	format, err := o.outputFormat()
	if err != nil {
		return err
	}
	if format == "metrics" {
		defer func() {
			if err != nil {
				writeErrorRecord(&o.Env, err)
			}
		}()
	}
	for _, g := range o.Metrics {
		if err := pgstat.ValidGlob(g); err != nil {
			return usagef("--metric %q: %v", g, err)
		}
	}
	if o.SQLLength < 1 || o.StatementsLimit < 1 || o.Top < 1 {
		return usagef("--sql-length, --statements-limit and --top must be positive")
	}
	var rep *pgstat.Report
	var collectErr error
	if o.Input != "" {
		if len(o.DBNames) > 0 || o.AllDBs {
			return usagef("--input re-renders a saved report: no database names or --all-dbs")
		}
		if rep, err = readReport(o.Input, o.Stdin); err != nil {
			return err
		}
	} else if rep, collectErr = o.collect(ctx, format); rep == nil {
		// Nothing to show: the first connection failed, stdout untouched.
		return collectErr
	}
	if err := o.write(rep, format); err != nil {
		return err
	}
	if collectErr != nil {
		return partialError(rep, collectErr)
	}
	return nil
}

// outputFormat is Format, or its default: text on a terminal, else JSON.
func (o *ReportOptions) outputFormat() (string, error) {
	format := o.Format
	if format == "" {
		format = "json"
		if o.Terminal {
			format = "text"
		}
	}
	switch format {
	case "text", "json", "metrics":
		return format, nil
	}
	return "", usagef("-f %q: want text, json or metrics", format)
}

// collect connects and collects the report. A nil report means nothing to
// show (usage error, or the first connection failed); with a report, the
// error is the sections that failed.
func (o *ReportOptions) collect(ctx context.Context, format string) (*pgstat.Report, error) {
	timeouts, err := parseSectionTimeouts(o.SectionTimeouts)
	if err != nil {
		return nil, err
	}
	first := ""
	if len(o.DBNames) > 0 {
		first = o.DBNames[0]
	}
	cfg, err := connConfig(o.Conn, first)
	if err != nil {
		return nil, err
	}
	bouncer := isPgBouncer(cfg)
	if err := o.checkLogFlags(bouncer); err != nil {
		return nil, err
	}
	if err := o.login(&o.Conn); err != nil {
		return nil, err
	}
	if bouncer {
		return o.collectPgBouncer(ctx, first)
	}
	return pgstat.Collect(ctx, pgstat.Options{
		Conn: o.Conn, DBNames: o.DBNames, AllDBs: o.AllDBs, SQLLength: o.SQLLength,
		// By default pgmetrics' work and figures: exact sizes, its bloat estimate.
		StatementsLimit: o.StatementsLimit, Bloat: !o.Estimate || o.Bloat || format == "text", PgmetricsBloat: true,
		ExactSizes: !o.Estimate || o.ExactSizes,
		UserAgent:  userAgent(), SectionTimeouts: timeouts, Logger: o.Logger,
		Logs: &pglog.Options{File: o.LogFile, Dir: o.LogDir, Span: time.Duration(o.LogSpan) * time.Minute,
			DefaultDir: "/var/log/postgresql"},
	})
}

// write renders the report. JSON and metrics stream (a big catalog's report
// is tens of MB); text is small and written at once.
func (o *ReportOptions) write(rep *pgstat.Report, format string) error {
	switch format {
	case "json":
		return pgstat.WriteJSON(o.Stdout, rep)
	case "text":
		var out bytes.Buffer
		if err := pgstat.WriteText(&out, rep, pgstat.TextOptions{LongXact: o.LongXact, TopN: o.Top, Tables: o.Tables}); err != nil {
			return err
		}
		_, err := o.Stdout.Write(out.Bytes())
		return err
	}
	mw := metric.NewWriter(o.Stdout)
	if err := pgstat.EachMetric(rep, o.Metrics, mw.Write); err != nil {
		return err
	}
	return mw.Flush()
}

// partialError names the failed sections on one line.
func partialError(rep *pgstat.Report, err error) error {
	if !errors.Is(err, pgstat.ErrPartial) {
		return err
	}
	var parts []string
	for _, e := range rep.Meta.Errors {
		s := e.Section
		if e.DB != "" {
			s += "@" + e.DB
		}
		parts = append(parts, s+": "+e.Error)
	}
	return &PartialError{Msg: "partial report: " + strings.Join(parts, "; ")}
}

func parseSectionTimeouts(specs []string) (map[string]time.Duration, error) {
	if len(specs) == 0 {
		return nil, nil
	}
	m := map[string]time.Duration{}
	for _, s := range specs {
		name, d, ok := strings.Cut(s, "=")
		dur, err := time.ParseDuration(d)
		if !ok || name == "" || err != nil || dur <= 0 {
			return nil, usagef("--section-timeout %q: want SECTION=DURATION, e.g. tables=30s", s)
		}
		if !pgstat.IsSection(name) {
			return nil, usagef("--section-timeout %q: no section %q (sections: %s)", s, name, strings.Join(pgstat.SectionNames(), ", "))
		}
		m[name] = dur
	}
	return m, nil
}

// readReport loads a saved JSON report (pgreport's or pgmetrics') from path
// ("-": stdin); what is not one is a *UsageError.
func readReport(path string, stdin io.Reader) (*pgstat.Report, error) {
	name, b, err := readInput(path, stdin)
	if err != nil {
		return nil, usagef("--input: %v", err)
	}
	var rep pgstat.Report
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&rep); err != nil {
		return nil, usagef("%s: not a JSON report: %s", name, pgdash.JSONErrorLine(b, err))
	}
	if !strings.HasPrefix(rep.Meta.Version, "1.") {
		return nil, usagef("%s: not a pgreport/pgmetrics report (meta.version %q, want 1.x)", name, rep.Meta.Version)
	}
	return &rep, nil
}
