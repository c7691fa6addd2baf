package stats

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/cronkit/cronkit/lib/httpx"
	"github.com/cronkit/cronkit/lib/metric"
)

// Influx writes line protocol over HTTP: v1 POST /write?db=DB, or v2 POST
// /api/v2/write?org=O&bucket=B with "Authorization: Token T". A record becomes
// measurement NAME (tags as tags) with field count=N or value=V, timestamped
// in nanoseconds.
type Influx struct {
	URL    string // base, e.g. http://127.0.0.1:8086
	DB     string // v1
	Org    string // v2
	Bucket string // v2 (set: use v2)
	Token  string
	Client *httpx.Client
	Now    func() time.Time

	buf []byte
}

func (s *Influx) Name() string              { return "influx" }
func (s *Influx) MaxBatch() int             { return 5000 }
func (s *Influx) Check(metric.Record) error { return nil }

// Idempotent: a point is keyed by series and timestamp; writing it again
// replaces it with the same fields.
func (s *Influx) Idempotent(metric.Kind) bool { return true }

func (s *Influx) endpoint() string {
	base := strings.TrimRight(s.URL, "/")
	q := url.Values{}
	q.Set("precision", "ns")
	if s.Bucket != "" {
		q.Set("org", s.Org)
		q.Set("bucket", s.Bucket)
		return base + "/api/v2/write?" + q.Encode()
	}
	q.Set("db", s.DB)
	return base + "/write?" + q.Encode()
}

var (
	measEsc = strings.NewReplacer(",", `\,`, " ", `\ `, "\n", `\n`)
	tagEsc  = strings.NewReplacer(",", `\,`, "=", `\=`, " ", `\ `, "\n", `\n`)
)

// body renders recs. Untimed records get now plus their index in
// nanoseconds, so two untimed points of one series do not overwrite each other.
func (s *Influx) body(recs []metric.Record) []byte {
	b := s.buf[:0]
	now := s.Now()
	for i, r := range recs {
		b = append(b, measEsc.Replace(r.Name)...)
		if len(r.Tags) > 0 {
			keys := make([]string, 0, len(r.Tags))
			for k := range r.Tags {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				if r.Tags[k] == "" {
					continue // line protocol has no empty tag values
				}
				b = append(b, ',')
				b = append(b, tagEsc.Replace(k)...)
				b = append(b, '=')
				b = append(b, tagEsc.Replace(r.Tags[k])...)
			}
		}
		// A cumulative counter is stored as it is, in the value field: a
		// query derives its rate (non_negative_derivative), as it would for
		// values written before kind counter existed.
		if r.Kind == metric.Count {
			b = append(b, " count="...)
		} else {
			b = append(b, " value="...)
		}
		// Always a float field: an integer (1i) would clash with a later 1.5.
		b = strconv.AppendFloat(b, r.Value, 'f', -1, 64)
		b = append(b, ' ')
		t := r.Time
		if t.IsZero() {
			t = now.Add(time.Duration(i))
		}
		b = strconv.AppendInt(b, t.UnixNano(), 10)
		b = append(b, '\n')
	}
	s.buf = b
	return b
}

func (s *Influx) request(recs []metric.Record) httpx.Request {
	h := http.Header{"Content-Type": {"text/plain; charset=utf-8"}}
	if s.Token != "" {
		h.Set("Authorization", "Token "+s.Token)
	}
	return httpx.Request{Method: http.MethodPost, URL: s.endpoint(), Header: h, Body: s.body(recs), Idempotent: true}
}

func (s *Influx) DryRun(w io.Writer, recs []metric.Record) error {
	req := s.request(recs)
	auth := ""
	if s.Token != "" {
		auth = "Authorization: Token [REDACTED]\n"
	}
	_, err := fmt.Fprintf(w, "POST %s\n%s\n%s\n", req.URL, auth, req.Body)
	return err
}

func (s *Influx) Send(ctx context.Context, recs []metric.Record) error {
	if err := ctx.Err(); err != nil {
		return &SendError{Err: err}
	}
	_, err := doHTTP(ctx, s.Client, s.request(recs))
	return err
}
