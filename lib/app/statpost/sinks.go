package statpost

import (
	"path/filepath"
	"strings"

	"github.com/cronkit/cronkit/lib/httpx"
	"github.com/cronkit/cronkit/lib/spool"
	"github.com/cronkit/cronkit/lib/stats"
)

func (o Options) spoolDirectory() (string, error) {
	if o.SpoolDir != "" {
		return o.SpoolDir, nil
	}
	d, err := spool.Dir(o.Getenv)
	if err != nil {
		return "", usagef("%v", err)
	}
	return d, nil
}

// targets makes the sinks named by Sinks, each with its spool (none with
// DryRun).
func (o Options) targets() ([]stats.Target, error) {
	if o.HTTPErr != nil {
		return nil, o.HTTPErr
	}
	specs := o.Sinks
	if len(specs) == 0 {
		specs = []string{"stathat"}
	}
	dir := ""
	if !o.DryRun {
		d, err := o.spoolDirectory()
		if err != nil {
			return nil, err
		}
		dir = d
	}
	seen := map[string]bool{}
	var out []stats.Target
	for _, s := range specs {
		spec, err := stats.ParseSpec(s)
		if err != nil {
			return nil, usagef("--sink: %v", err)
		}
		if seen[spec.Kind] {
			return nil, usagef("--sink %s given twice (one sink of each kind)", spec.Kind)
		}
		seen[spec.Kind] = true
		sink, err := o.sink(spec)
		if err != nil {
			return nil, err
		}
		t := stats.Target{Sink: sink}
		if dir != "" {
			// keyed by destination: a spool is only ever sent where its records were bound
			t.Spool = spool.ForDestination(dir, sink.Name(), stats.Destination(sink))
		}
		if spec.Kind == "stathat" || spec.Kind == "statsd" {
			// Counts only: cumulative counters become their increases, with
			// the last delivered values kept per destination beside its spool.
			inc := &stats.Increases{Sink: sink, AtLeastOnce: o.AtLeastOnce, Warn: o.Warnf}
			if t.Spool != nil {
				inc.Path = filepath.Join(dir, t.Spool.Name()+".counters")
			}
			t.Sink = inc
		}
		out = append(out, t)
	}
	return out, nil
}

func (o Options) client() *httpx.Client { return httpx.New(o.HTTP) }

func (o Options) sink(spec stats.Spec) (stats.Sink, error) {
	switch spec.Kind {
	case "stathat":
		u := o.APIURL
		if spec.Target != "" {
			u = spec.Target
		}
		if o.EZKey == "" && !o.DryRun {
			return nil, &KeyError{Sink: "stathat"}
		}
		s := &stats.StatHat{URL: u, EZKey: o.EZKey, Client: o.client(), AtLeastOnce: o.AtLeastOnce, MaxItems: o.Batch}
		if o.Verbose {
			s.Verbose = o.Stderr
		}
		return s, nil
	case "statsd", "graphite":
		s, err := o.socket(spec)
		if err != nil {
			return nil, usagef("--sink: %v", err)
		}
		return s, nil
	case "influx":
		return o.influx(spec)
	case "pushgateway":
		return o.pushgateway(spec)
	case "statuspage":
		return o.statuspage(spec)
	}
	return nil, usagef("--sink %s: unknown", spec.Kind)
}

// socket is a sink on a plain socket: StatsD (UDP or TCP) or Graphite.
func (o Options) socket(spec stats.Spec) (stats.Sink, error) {
	if spec.Kind == "graphite" {
		return stats.NewGraphite(spec.Target)
	}
	s, err := stats.NewStatsD(spec.Target)
	if err != nil {
		return nil, err
	}
	s.MTU = o.StatsDMTU
	return s, nil
}

func (o Options) influx(spec stats.Spec) (stats.Sink, error) {
	u := spec.Target
	if u == "" {
		u = "http://127.0.0.1:8086"
	}
	if (o.InfluxBucket == "") != (o.InfluxOrg == "") {
		return nil, usagef("--influx-org and --influx-bucket go together (InfluxDB v2)")
	}
	return &stats.Influx{URL: u, DB: o.InfluxDB, Org: o.InfluxOrg, Bucket: o.InfluxBucket, Token: o.InfluxToken,
		Client: o.client(), Now: o.Now}, nil
}

func (o Options) pushgateway(spec stats.Spec) (stats.Sink, error) {
	u := spec.Target
	if u == "" {
		u = "http://127.0.0.1:9091"
	}
	if o.Job == "" || strings.Contains(o.Job, "/") {
		return nil, usagef("--job %q: want a name without '/'", o.Job)
	}
	labels, err := stats.ParseLabels(o.Labels)
	if err != nil {
		return nil, usagef("--label: %v", err)
	}
	p := &stats.Pushgateway{URL: u, Job: o.Job, Labels: labels, Client: o.client()}
	if !o.DryRun {
		dir, err := o.spoolDirectory()
		if err != nil {
			return nil, err
		}
		p.StateFile = filepath.Join(dir, "pushgateway-"+o.Job+".state")
	}
	return p, nil
}

func (o Options) statuspage(spec stats.Spec) (stats.Sink, error) {
	u := spec.Target
	if u == "" {
		u = "https://api.statuspage.io"
	}
	if o.StatuspagePage == "" {
		return nil, usagef("--sink statuspage needs --statuspage-page")
	}
	if o.StatuspageKey == "" && !o.DryRun {
		return nil, &KeyError{Sink: "statuspage"}
	}
	m := map[string]string{}
	for _, kv := range o.StatuspageMetrics {
		i := strings.LastIndex(kv, "=")
		if i <= 0 || i == len(kv)-1 {
			return nil, usagef("--statuspage-metric %q: want NAME=METRIC_ID", kv)
		}
		m[kv[:i]] = kv[i+1:]
	}
	if len(m) == 0 {
		return nil, usagef("--sink statuspage needs at least one --statuspage-metric NAME=METRIC_ID")
	}
	return &stats.Statuspage{URL: u, Page: o.StatuspagePage, Metrics: m, Key: o.StatuspageKey, Client: o.client(), Now: o.Now}, nil
}
