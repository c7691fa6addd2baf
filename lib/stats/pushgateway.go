package stats

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"

	"github.com/cronkit/cronkit/lib/atomicfile"
	"github.com/cronkit/cronkit/lib/httpx"
	"github.com/cronkit/cronkit/lib/metric"
	"github.com/cronkit/cronkit/lib/promtext"
)

// Pushgateway pushes the Prometheus text format to a Pushgateway group
// (POST /metrics/job/JOB/LABEL/VALUE...). The Pushgateway keeps the last value
// pushed and rejects timestamps, so:
//   - a value becomes a gauge NAME (the last value of a batch wins);
//   - counts are summed into a counter NAME_total whose running total
//     statpost keeps in a state file beside the spool and pushes whole;
//   - a cumulative counter (kind counter) is pushed as it is, a counter
//     NAME_total (no second suffix when NAME ends in _total): Prometheus'
//     rate() turns it into a rate and reads a decrease as a restart.
//
// Because the total is absolute, pushing it again is harmless: a count is
// added to the state only once its push succeeded.
type Pushgateway struct {
	URL       string
	Job       string
	Labels    [][2]string // grouping labels, in order
	StateFile string      // "" keeps totals in memory only (dry runs)
	Client    *httpx.Client
}

func (p *Pushgateway) Name() string                { return "pushgateway" }
func (p *Pushgateway) MaxBatch() int               { return 5000 }
func (p *Pushgateway) Check(metric.Record) error   { return nil }
func (p *Pushgateway) Idempotent(metric.Kind) bool { return true }

// PromName makes a valid Prometheus metric or label name: [a-zA-Z_:][a-zA-Z0-9_:]*
// (colons only in metric names); anything else becomes '_'.
func PromName(s string, label bool) string {
	var b strings.Builder
	for i, r := range s {
		ok := r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || (!label && r == ':') || (i > 0 && r >= '0' && r <= '9')
		if ok {
			b.WriteRune(r)
		} else if i == 0 && r >= '0' && r <= '9' {
			b.WriteByte('_')
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	if b.Len() == 0 {
		return "_"
	}
	return b.String()
}

type pgSeries struct {
	Family string            `json:"family"`
	Type   string            `json:"type"` // counter or gauge
	Labels map[string]string `json:"labels,omitempty"`
	Value  float64           `json:"value"`
}

// apply adds recs to state and returns the families they touched.
func (p *Pushgateway) apply(state map[string]*pgSeries, recs []metric.Record) map[string]bool {
	touched := map[string]bool{}
	for _, r := range recs {
		labels := map[string]string{}
		for k, v := range r.Tags {
			labels[PromName(k, true)] = v
		}
		fam, typ := PromName(r.Name, false), "gauge"
		if r.Kind == metric.Count || r.Kind == metric.Counter {
			fam, typ = promTotal(fam), "counter"
		}
		key := promtext.SeriesKey(fam, labels)
		s := state[key]
		if s == nil || s.Type != typ {
			s = &pgSeries{Family: fam, Type: typ, Labels: labels}
			state[key] = s
		}
		if r.Kind == metric.Count {
			s.Value += r.Value
		} else {
			s.Value = r.Value
		}
		touched[fam] = true
	}
	return touched
}

// promTotal is a counter family's name: NAME_total, as Prometheus' naming
// rules ask, without doubling a suffix the name already has.
func promTotal(fam string) string {
	if strings.HasSuffix(fam, "_total") {
		return fam
	}
	return fam + "_total"
}

// sortSeries orders series by their key, computed once a series.
func sortSeries(ss []*pgSeries) {
	keys := make(map[*pgSeries]string, len(ss))
	for _, s := range ss {
		keys[s] = promtext.SeriesKey(s.Family, s.Labels)
	}
	sort.Slice(ss, func(i, j int) bool { return keys[ss[i]] < keys[ss[j]] })
}

var labelEsc = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)

// render writes every series of the touched families.
func render(state map[string]*pgSeries, touched map[string]bool) []byte {
	fams := map[string][]*pgSeries{}
	for _, s := range state {
		if touched[s.Family] {
			fams[s.Family] = append(fams[s.Family], s)
		}
	}
	names := make([]string, 0, len(fams))
	for n := range fams {
		names = append(names, n)
	}
	sort.Strings(names)
	var b []byte
	for _, n := range names {
		ss := fams[n]
		sortSeries(ss)
		b = append(b, "# TYPE "+n+" "+ss[0].Type+"\n"...)
		for _, s := range ss {
			b = append(b, n...)
			if len(s.Labels) > 0 {
				keys := make([]string, 0, len(s.Labels))
				for k := range s.Labels {
					keys = append(keys, k)
				}
				sort.Strings(keys)
				b = append(b, '{')
				for i, k := range keys {
					if i > 0 {
						b = append(b, ',')
					}
					b = append(b, k+`="`+labelEsc.Replace(s.Labels[k])+`"`...)
				}
				b = append(b, '}')
			}
			b = append(b, ' ')
			b = strconv.AppendFloat(b, s.Value, 'g', -1, 64)
			b = append(b, '\n')
		}
	}
	return b
}

func (p *Pushgateway) endpoint() string {
	u := strings.TrimRight(p.URL, "/") + "/metrics/job/" + pathSeg(p.Job)
	for _, l := range p.Labels {
		if strings.Contains(l[1], "/") || l[1] == "" {
			u += "/" + l[0] + "@base64/" + base64.RawURLEncoding.EncodeToString([]byte(l[1]))
		} else {
			u += "/" + l[0] + "/" + pathSeg(l[1])
		}
	}
	return u
}

func pathSeg(s string) string {
	if strings.Contains(s, "/") {
		return s // caller uses @base64 for labels; a job with '/' is refused by ParseLabels
	}
	return urlPathEscape(s) // no "/" left to keep
}

func urlPathEscape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-._~", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

func (p *Pushgateway) request(body []byte) httpx.Request {
	return httpx.Request{Method: http.MethodPost, URL: p.endpoint(),
		Header: http.Header{"Content-Type": {"text/plain; version=0.0.4"}}, Body: body, Idempotent: true}
}

func (p *Pushgateway) DryRun(w io.Writer, recs []metric.Record) error {
	state, err := p.load()
	if err != nil {
		return err
	}
	body := render(state, p.apply(state, recs))
	_, err = fmt.Fprintf(w, "POST %s\n\n%s\n", p.endpoint(), body)
	return err
}

func (p *Pushgateway) load() (map[string]*pgSeries, error) {
	state := map[string]*pgSeries{}
	if p.StateFile == "" {
		return state, nil
	}
	b, err := os.ReadFile(p.StateFile)
	if errors.Is(err, os.ErrNotExist) {
		return state, nil
	}
	if err != nil {
		return nil, err
	}
	var list []*pgSeries
	if err := json.Unmarshal(b, &list); err != nil {
		return nil, fmt.Errorf("pushgateway state %s: %w", p.StateFile, err)
	}
	for _, s := range list {
		state[promtext.SeriesKey(s.Family, s.Labels)] = s
	}
	return state, nil
}

func (p *Pushgateway) save(state map[string]*pgSeries) error {
	if p.StateFile == "" {
		return nil
	}
	list := make([]*pgSeries, 0, len(state))
	for _, s := range state {
		list = append(list, s)
	}
	sortSeries(list)
	b, _ := json.MarshalIndent(list, "", " ")
	return atomicfile.WriteFile(p.StateFile, b, 0o600)
}

func (p *Pushgateway) Send(ctx context.Context, recs []metric.Record) error {
	if err := ctx.Err(); err != nil {
		return &SendError{Err: err}
	}
	unlock := func() {}
	if p.StateFile != "" {
		// Read, push and save under one lock, so that two statpost processes
		// add their counts to the same total.
		if err := os.MkdirAll(filepath.Dir(p.StateFile), 0o700); err != nil {
			return &SendError{Err: err}
		}
		lf, err := os.OpenFile(p.StateFile+".lock", os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			return &SendError{Err: err}
		}
		if err := syscall.Flock(int(lf.Fd()), syscall.LOCK_EX); err != nil {
			lf.Close()
			return &SendError{Err: err}
		}
		unlock = func() { _ = syscall.Flock(int(lf.Fd()), syscall.LOCK_UN); lf.Close() }
	}
	defer unlock()
	state, err := p.load()
	if err != nil {
		return &SendError{Err: err, Permanent: true}
	}
	body := render(state, p.apply(state, recs))
	if _, err := doHTTP(ctx, p.Client, p.request(body)); err != nil {
		return err
	}
	if err := p.save(state); err != nil {
		return &SendError{Err: fmt.Errorf("pushgateway state: %w", err), Ambiguous: true}
	}
	return nil
}

// ParseLabels reads KEY=VALUE grouping labels.
func ParseLabels(kvs []string) ([][2]string, error) {
	var out [][2]string
	for _, kv := range kvs {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" || PromName(k, true) != k {
			return nil, fmt.Errorf("label %q: want NAME=VALUE with NAME like [a-zA-Z_][a-zA-Z0-9_]*", kv)
		}
		out = append(out, [2]string{k, v})
	}
	return out, nil
}
