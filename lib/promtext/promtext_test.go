package promtext

import (
	"errors"
	"io"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/cronkit/cronkit/lib/metric"
)

func TestParseSample(t *testing.T) {
	tests := []struct {
		in   string
		want Sample
		err  string
	}{
		{`up 1`, Sample{Name: "up", Value: 1}, ""},
		{`http_requests_total{method="post",code="200"} 1027 1395066363000`,
			Sample{Name: "http_requests_total", Labels: map[string]string{"method": "post", "code": "200"}, Value: 1027, TS: 1395066363000}, ""},
		{`msdos_file_access_time_seconds{path="C:\\DIR\\FILE.TXT",error="Cannot find file:\n\"FILE.TXT\""} 1.458255915e9`,
			Sample{Name: "msdos_file_access_time_seconds", Labels: map[string]string{"path": `C:\DIR\FILE.TXT`, "error": "Cannot find file:\n\"FILE.TXT\""}, Value: 1.458255915e9}, ""},
		{`x{a="1",} -Inf`, Sample{Name: "x", Labels: map[string]string{"a": "1"}, Value: math.Inf(-1)}, ""},
		{`x{} 2`, Sample{Name: "x", Labels: map[string]string{}, Value: 2}, ""},
		{`x abc`, Sample{}, `value "abc" is not a number`},
		{`{a="1"} 2`, Sample{}, "does not start with a metric name"},
		{`x{a=1} 2`, Sample{}, "bad label"},
		{`x{a="1} 2`, Sample{}, "unterminated"},
		{`x 1 2 3`, Sample{}, "want NAME"},
		{`x 1 1.5`, Sample{}, "timestamp"},
	}
	for _, tc := range tests {
		got, err := ParseSample(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: err %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: got %+v %v, want %+v", tc.in, got, err, tc.want)
		}
	}
}

const scrape1 = `# HELP http_requests_total The total number of HTTP requests.
# TYPE http_requests_total counter
http_requests_total{code="200"} 1027
http_requests_total{code="400"} 3
# TYPE temp gauge
temp 21.5
untyped_thing 7
# TYPE rpc_duration_seconds summary
rpc_duration_seconds{quantile="0.5"} 4773
rpc_duration_seconds_sum 1.7560473e+07
rpc_duration_seconds_count 2693
# TYPE req histogram
req_bucket{le="+Inf"} 10
req_sum 5
req_count 10
bad line here
nan_gauge NaN
`

func readAll(t *testing.T, r *Reader) (recs []metric.Record, bad []string) {
	t.Helper()
	for {
		rec, err := r.Next()
		if err == io.EOF {
			return
		}
		var le *metric.LineError
		if errors.As(err, &le) {
			bad = append(bad, le.Error())
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, rec)
	}
}

// Counters (and a histogram's or summary's _sum and _count) are records of
// kind counter holding the cumulative value: statpost's sinks turn them into
// increases per destination (issue 15). Gauges and untyped samples are values;
// buckets, quantiles and NaN are skipped.
func TestReaderCounters(t *testing.T) {
	r := NewReader(strings.NewReader(scrape1))
	recs, bad := readAll(t, r)
	if len(bad) != 1 || !strings.HasPrefix(bad[0], "stdin:16:") {
		t.Errorf("bad %v", bad)
	}
	want := []metric.Record{
		{Name: "http_requests_total", Kind: metric.Counter, Value: 1027, Tags: map[string]string{"code": "200"}},
		{Name: "http_requests_total", Kind: metric.Counter, Value: 3, Tags: map[string]string{"code": "400"}},
		{Name: "temp", Kind: metric.Value, Value: 21.5},
		{Name: "untyped_thing", Kind: metric.Value, Value: 7},
		{Name: "rpc_duration_seconds_sum", Kind: metric.Counter, Value: 1.7560473e+07},
		{Name: "rpc_duration_seconds_count", Kind: metric.Counter, Value: 2693},
		{Name: "req_sum", Kind: metric.Counter, Value: 5},
		{Name: "req_count", Kind: metric.Counter, Value: 10},
	}
	if !reflect.DeepEqual(recs, want) {
		t.Errorf("got  %+v\nwant %+v", recs, want)
	}
	if r.Skipped != 3 { // quantile, bucket, NaN
		t.Errorf("skipped %d, want 3", r.Skipped)
	}
}

func FuzzParseSample(f *testing.F) {
	for _, s := range strings.Split(scrape1, "\n") {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		s, err := ParseSample(line)
		if err != nil {
			return
		}
		if s.Name == "" {
			t.Fatalf("accepted %q with no name", line)
		}
	})
}
