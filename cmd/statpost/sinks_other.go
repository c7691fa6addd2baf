package main

import (
	"path/filepath"
	"strings"
	"time"

	"github.com/cronkit/cronkit/lib/cli"
	"github.com/cronkit/cronkit/lib/promtext"
	"github.com/cronkit/cronkit/lib/stats"
)

func (o *postOptions) buildOtherSink(spec stats.Spec) (stats.Sink, error) {
	switch spec.Kind {
	case "statsd":
		s, err := stats.NewStatsD(spec.Target)
		if err != nil {
			return nil, cli.Usagef("--sink: %v", err)
		}
		s.MTU = o.statsdMTU
		return s, nil
	case "graphite":
		g, err := stats.NewGraphite(spec.Target)
		if err != nil {
			return nil, cli.Usagef("--sink: %v", err)
		}
		return g, nil
	case "influx":
		u := spec.Target
		if u == "" {
			u = "http://127.0.0.1:8086"
		}
		if (o.influxBucket == "") != (o.influxOrg == "") {
			return nil, cli.Usagef("--influx-org and --influx-bucket go together (InfluxDB v2)")
		}
		return &stats.Influx{URL: u, DB: o.influxDB, Org: o.influxOrg, Bucket: o.influxBucket, Token: o.influxToken,
			Client: o.httpClient(), Now: time.Now}, nil
	case "pushgateway":
		return o.buildPushgateway(spec)
	case "statuspage":
		return o.buildStatuspage(spec)
	}
	return nil, cli.Usagef("--sink %s: unknown", spec.Kind)
}

func (o *postOptions) buildPushgateway(spec stats.Spec) (stats.Sink, error) {
	u := spec.Target
	if u == "" {
		u = "http://127.0.0.1:9091"
	}
	if o.job == "" || strings.Contains(o.job, "/") {
		return nil, cli.Usagef("--job %q: want a name without '/'", o.job)
	}
	labels, err := stats.ParseLabels(o.labels)
	if err != nil {
		return nil, cli.Usagef("--label: %v", err)
	}
	p := &stats.Pushgateway{URL: u, Job: o.job, Labels: labels, Client: o.httpClient()}
	if !o.dryRun {
		dir, err := o.spoolDirectory()
		if err != nil {
			return nil, cli.Usagef("%v", err)
		}
		p.StateFile = filepath.Join(dir, "pushgateway-"+o.job+".state")
	}
	return p, nil
}

func (o *postOptions) buildStatuspage(spec stats.Spec) (stats.Sink, error) {
	u := spec.Target
	if u == "" {
		u = "https://api.statuspage.io"
	}
	if o.spPage == "" {
		return nil, cli.Usagef("--sink statuspage needs --statuspage-page")
	}
	if o.spKey == "" && !o.dryRun {
		return nil, cli.Usagef("--sink statuspage needs an API key: $STATUSPAGE_API_KEY or --statuspage-key file:/path")
	}
	m := map[string]string{}
	for _, kv := range o.spMetrics {
		i := strings.LastIndex(kv, "=")
		if i <= 0 || i == len(kv)-1 {
			return nil, cli.Usagef("--statuspage-metric %q: want NAME=METRIC_ID", kv)
		}
		m[kv[:i]] = kv[i+1:]
	}
	if len(m) == 0 {
		return nil, cli.Usagef("--sink statuspage needs at least one --statuspage-metric NAME=METRIC_ID")
	}
	return &stats.Statuspage{URL: u, Page: o.spPage, Metrics: m, Key: o.spKey, Client: o.httpClient(), Now: time.Now}, nil
}

// promSource reads the Prometheus text format with the counter state of the
// previous run; the state is saved when the input has been read.
type promSource struct {
	*promtext.Reader
	path   string
	save   bool
	o      *postOptions
	unlock func()
}

func (o *postOptions) promSource() (source, error) {
	path := o.promState
	if path == "" {
		dir, err := o.spoolDirectory()
		if err != nil {
			return nil, cli.Usagef("%v", err)
		}
		path = filepath.Join(dir, "prometheus.state")
	}
	// Held from reading the previous values until the new ones are saved:
	// two overlapping runs would otherwise both post the same increases.
	unlock := func() {}
	if !o.dryRun {
		u, err := promtext.LockState(path, 30*time.Second)
		if err != nil {
			return nil, err
		}
		unlock = u
	}
	prev, err := promtext.LoadState(path)
	if err != nil {
		unlock()
		return nil, err
	}
	return &promSource{Reader: promtext.NewReader(o.root.Env.Stdin, prev, time.Now()), path: path, save: !o.dryRun, o: o, unlock: unlock}, nil
}

// finish saves the counter state and says what was skipped.
func (p *promSource) finish() error {
	defer p.unlock()
	if p.Skipped > 0 {
		p.o.root.Logger.Info("prometheus samples not posted (first sight of a counter, buckets, quantiles, NaN)", "samples", p.Skipped)
	}
	if !p.save {
		return nil
	}
	return promtext.SaveState(p.path, p.State())
}
