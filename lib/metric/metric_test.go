package metric

import (
	"bytes"
	"errors"
	"io"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
)

func readAll(t testing.TB, in string, opts ReaderOptions) (recs []Record, errs []string) {
	t.Helper()
	r := NewReader(strings.NewReader(in), opts)
	for {
		rec, err := r.Next()
		if err == io.EOF {
			return
		}
		var le *LineError
		var er *ErrorRecord
		if errors.As(err, &le) || errors.As(err, &er) {
			errs = append(errs, err.Error())
			continue
		}
		if err != nil {
			t.Fatalf("unexpected error %v", err)
		}
		recs = append(recs, rec)
	}
}

var t0 = time.Date(2026, 11, 22, 21, 5, 0, 0, time.UTC)

func TestReader(t *testing.T) {
	tests := []struct {
		name string
		in   string
		opts ReaderOptions
		want []Record
		errs []string
	}{
		{"metric record", `{"name":"pg.hc.xact_commit","kind":"count","value":12,"time":"2026-11-22T21:05:00Z","tags":{"server":"db7"}}`, ReaderOptions{},
			[]Record{{Name: "pg.hc.xact_commit", Kind: Count, Value: 12, Time: t0, Tags: map[string]string{"server": "db7"}}}, nil},
		{"record unix time", `{"name":"a","kind":"value","value":1.5,"time":1795381500}`, ReaderOptions{},
			[]Record{{Name: "a", Kind: Value, Value: 1.5, Time: t0}}, nil},
		{"stathat count item", `{"stat":"x","count":1,"t":1795381500}`, ReaderOptions{},
			[]Record{{Name: "x", Kind: Count, Value: 1, Time: t0}}, nil},
		{"stathat value item", `{"stat":"load avg","value":0.73}`, ReaderOptions{},
			[]Record{{Name: "load avg", Kind: Value, Value: 0.73}}, nil},
		{"stathat bulk body", `{"ezkey":"k","data":[{"stat":"a","count":2},{"stat":"b","value":3}]}`, ReaderOptions{},
			[]Record{{Name: "a", Kind: Count, Value: 2}, {Name: "b", Kind: Value, Value: 3}}, nil},
		{"text lines, spaces in names, comments", "# header\n\ndaily active users 1234\n  installs\t3 \n", ReaderOptions{TextKind: Count},
			[]Record{{Name: "daily active users", Kind: Count, Value: 1234}, {Name: "installs", Kind: Count, Value: 3}}, nil},
		{"text default kind value", "temp -4.5e1\n", ReaderOptions{},
			[]Record{{Name: "temp", Kind: Value, Value: -45}}, nil},
		{"bare numbers named", "1\n2.5\n", ReaderOptions{BareName: "seq"},
			[]Record{{Name: "seq", Kind: Value, Value: 1}, {Name: "seq", Kind: Value, Value: 2.5}}, nil},
		{"crlf", "a 1\r\nb 2\r\n", ReaderOptions{},
			[]Record{{Name: "a", Kind: Value, Value: 1}, {Name: "b", Kind: Value, Value: 2}}, nil},
		{"no trailing newline", "a 1", ReaderOptions{}, []Record{{Name: "a", Kind: Value, Value: 1}}, nil},
		{"bad lines reported, good kept", "a 1\nb abc\n42\n{\"name\":\"c\",\"kind\":\"gauge\",\"value\":1}\n{oops\nd 4\nx NaN\n{\"name\":\"e\",\"kind\":\"count\"}\n{\"foo\":1}\n{\"stat\":\"s\"}\n", ReaderOptions{Source: "in.txt"},
			[]Record{{Name: "a", Kind: Value, Value: 1}, {Name: "d", Kind: Value, Value: 4}},
			[]string{
				`in.txt:2: value "abc" is not a number`,
				`in.txt:3: line "42" has a number but no name (want NAME NUMBER)`,
				`in.txt:4: kind "gauge" is not count or value`,
				`in.txt:5: invalid JSON: invalid character 'o' looking for beginning of object key string (at byte 2)`,
				`in.txt:7: value "NaN" is not a number`,
				`in.txt:8: record "e" has no value`,
				`in.txt:9: object has neither "name" (metric record) nor "stat" (StatHat item)`,
				`in.txt:10: stat "s" has neither count nor value`,
			}},
		{"go-only number syntax", "a 0x1p4\nb 1_000\nc 1e3\n", ReaderOptions{}, []Record{{Name: "c", Kind: Value, Value: 1000}},
			[]string{`stdin:1: value "0x1p4" is not a number`, `stdin:2: value "1_000" is not a number`}},
		{"word only", "hello\n", ReaderOptions{}, nil, []string{`stdin:1: line "hello" is not NAME NUMBER`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs, errs := readAll(t, tt.in, tt.opts)
			if !reflect.DeepEqual(recs, tt.want) {
				t.Errorf("records\n got %+v\nwant %+v", recs, tt.want)
			}
			if !reflect.DeepEqual(errs, tt.errs) {
				t.Errorf("errors\n got %q\nwant %q", errs, tt.errs)
			}
		})
	}
}

func TestLongLines(t *testing.T) {
	long := strings.Repeat("n", 200<<10) // 200 KiB name: past bufio.Scanner's 64 KiB
	in := long + " 7\nshort 1\n" + strings.Repeat("x", 2000) + " 1\nafter 2\n"
	recs, errs := readAll(t, in, ReaderOptions{MaxLine: 300 << 10})
	if len(recs) != 4 || recs[0].Name != long || recs[0].Value != 7 || recs[1].Name != "short" {
		t.Fatalf("got %d records, errs %v", len(recs), errs)
	}
	recs, errs = readAll(t, strings.Repeat("y", 100<<10)+" 1\nok 1\n", ReaderOptions{MaxLine: 70 << 10})
	if len(recs) != 1 || recs[0].Name != "ok" || len(errs) != 1 || !strings.Contains(errs[0], "stdin:1: line longer than") {
		t.Fatalf("recs %v errs %v", recs, errs)
	}
}

func TestWriterRoundTrip(t *testing.T) {
	in := []Record{
		{Name: "pg.hc.xact_commit", Kind: Count, Value: 12, Time: t0, Tags: map[string]string{"server": "db7", "a": "b\"q"}},
		{Name: "weird \"name\"\n<tab>\t\u2028é\x01", Kind: Value, Value: 0.1},
		{Name: "big", Kind: Value, Value: 1e300},
		{Name: "neg", Kind: Value, Value: -3},
		{Name: "nano", Kind: Value, Value: 1, Time: time.Date(2026, 1, 2, 3, 4, 5, 6, time.FixedZone("x", 3600))},
	}
	var buf bytes.Buffer
	w := NewWriter(&buf)
	for _, r := range in {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	w.Flush()
	if got := strings.SplitN(buf.String(), "\n", 2)[0]; got != `{"name":"pg.hc.xact_commit","kind":"count","value":12,"time":"2026-11-22T21:05:00Z","tags":{"a":"b\"q","server":"db7"}}` {
		t.Errorf("first line %s", got)
	}
	out, errs := readAll(t, buf.String(), ReaderOptions{})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	for i := range in {
		if !out[i].Time.Equal(in[i].Time) {
			t.Errorf("%d: time %v != %v", i, out[i].Time, in[i].Time)
		}
		out[i].Time, in[i].Time = time.Time{}, time.Time{}
	}
	if !reflect.DeepEqual(out, in) {
		t.Errorf("round trip\n got %+v\nwant %+v", out, in)
	}
}

func TestParseTime(t *testing.T) {
	for _, s := range []string{"1795381500", "2026-11-22T21:05:00Z", "2026-11-22T23:05:00+02:00", "1795381500.0"} {
		got, err := ParseTime(s)
		if err != nil || !got.Equal(t0) {
			t.Errorf("ParseTime(%q) = %v, %v", s, got, err)
		}
	}
	for _, s := range []string{"", "yesterday", "-5", "1e20"} {
		if _, err := ParseTime(s); err == nil {
			t.Errorf("ParseTime(%q) succeeded", s)
		}
	}
}

// FuzzReader: no input panics, every record that comes out is valid, and
// what the writer makes of it reads back the same.
func FuzzReader(f *testing.F) {
	for _, s := range []string{
		`{"name":"a","kind":"count","value":1,"time":"2026-11-22T21:05:00Z","tags":{"k":"v"}}`,
		`{"stat":"x","count":1,"t":1700000000}`, `{"ezkey":"k","data":[{"stat":"a","value":2}]}`,
		"name with spaces 12\n# c\n\n", "1\n2\n", "a 1e308\nb -0\n", "\xff 1", "{\"name\":\"\\u0000\",\"kind\":\"value\",\"value\":\"3\"}",
		`{"error":"connection refused","source":"pgreport","time":"2026-11-22T21:05:00Z"}`, `{"error":"x","name":"a"}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		recs, _ := readAll(t, in, ReaderOptions{BareName: "v"})
		var buf bytes.Buffer
		w := NewWriter(&buf)
		for _, r := range recs {
			if err := r.Validate(); err != nil {
				t.Fatalf("invalid record out of reader: %v", err)
			}
			w.Write(r)
		}
		w.Flush()
		back, errs := readAll(t, buf.String(), ReaderOptions{})
		if len(errs) > 0 || len(back) != len(recs) {
			t.Fatalf("writer output did not read back: %v\n%s", errs, buf.String())
		}
		for i := range recs {
			a, b := recs[i], back[i]
			if a.Name != strings.TrimSpace(a.Name) && a.Name == b.Name {
				continue
			}
			if a.Kind != b.Kind || (a.Value != b.Value && !(math.Abs(a.Value-b.Value) < 1e-9)) || !a.Time.Equal(b.Time) {
				t.Fatalf("round trip %+v -> %+v", a, b)
			}
		}
	})
}

func BenchmarkReadRecords(b *testing.B) {
	var buf bytes.Buffer
	w := NewWriter(&buf)
	for i := 0; i < 1000; i++ {
		w.Write(Record{Name: "pg.hc.public.pgbench_accounts.n_dead_tup", Kind: Value, Value: float64(i), Time: t0})
	}
	w.Flush()
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := NewReader(bytes.NewReader(data), ReaderOptions{})
		for {
			if _, err := r.Next(); err != nil {
				break
			}
		}
	}
}

func BenchmarkWrite(b *testing.B) {
	w := NewWriter(io.Discard)
	rec := Record{Name: "pg.hc.public.pgbench_accounts.n_dead_tup", Kind: Value, Value: 12.5, Time: t0}
	for i := 0; i < b.N; i++ {
		w.Write(rec)
	}
}
