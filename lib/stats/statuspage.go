package stats

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/cronkit/cronkit/lib/httpx"
	"github.com/cronkit/cronkit/lib/metric"
)

// Statuspage submits data points to Statuspage.io's Metrics API:
// POST {URL}/v1/pages/{page}/metrics/data with "Authorization: OAuth KEY" and
// {"data":{"METRIC_ID":[{"timestamp":T,"value":V},...]}}. Only names given a
// metric id are sent; the others are counted in Unmapped and reported.
type Statuspage struct {
	URL     string // default https://api.statuspage.io
	Page    string
	Metrics map[string]string // record name -> metric id
	Key     string
	Client  *httpx.Client
	Now     func() time.Time

	Unmapped atomic.Int64
}

func (s *Statuspage) Name() string                { return "statuspage" }
func (s *Statuspage) MaxBatch() int               { return 1000 }
func (s *Statuspage) Check(metric.Record) error   { return nil }
func (s *Statuspage) Idempotent(metric.Kind) bool { return true } // points keyed by metric and timestamp

func (s *Statuspage) request(recs []metric.Record) (httpx.Request, bool) {
	byID := map[string][]metric.Record{}
	now := s.Now()
	for _, r := range recs {
		id, ok := s.Metrics[r.Name]
		if !ok {
			s.Unmapped.Add(1)
			continue
		}
		if r.Time.IsZero() {
			r.Time = now
		}
		byID[id] = append(byID[id], r)
	}
	if len(byID) == 0 {
		return httpx.Request{}, false
	}
	ids := make([]string, 0, len(byID))
	for id := range byID {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	b := []byte(`{"data":{`)
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = metric.AppendString(b, id)
		b = append(b, ":["...)
		for j, r := range byID[id] {
			if j > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"timestamp":`...)
			b = strconv.AppendInt(b, r.Time.Unix(), 10)
			b = append(b, `,"value":`...)
			b = metric.AppendNumber(b, r.Value)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	b = append(b, "}}"...)
	u := strings.TrimRight(s.URL, "/") + "/v1/pages/" + urlPathEscape(s.Page) + "/metrics/data"
	return httpx.Request{Method: http.MethodPost, URL: u, Body: b, Idempotent: true,
		Header: http.Header{"Content-Type": {"application/json"}, "Authorization": {"OAuth " + s.Key}}}, true
}

func (s *Statuspage) DryRun(w io.Writer, recs []metric.Record) error {
	req, ok := s.request(recs)
	if !ok {
		return nil
	}
	_, err := fmt.Fprintf(w, "POST %s\nAuthorization: OAuth [REDACTED]\n\n%s\n\n", req.URL, req.Body)
	return err
}

func (s *Statuspage) Send(ctx context.Context, recs []metric.Record) error {
	if err := ctx.Err(); err != nil {
		return &SendError{Err: err}
	}
	req, ok := s.request(recs)
	if !ok {
		return nil
	}
	if _, err := doHTTP(ctx, s.Client, req); err != nil {
		return err
	}
	return nil
}
