package metric

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
)

type result struct {
	rec  Record
	err  string
	line int
}

func readWith(next func() (Record, error), line func() int) []result {
	var out []result
	for i := 0; i < 10000; i++ {
		rec, err := next()
		if err == io.EOF {
			return out
		}
		r := result{rec: rec, line: line()}
		if err != nil {
			r.err = err.Error()
			var le *LineError
			if !errors.As(err, &le) {
				out = append(out, r)
				return out
			}
		}
		out = append(out, r)
	}
	return out
}

// sameAsReader fails unless the fast path yields exactly what the general parser yields.
func sameAsReader(t *testing.T, input string, opts ReaderOptions) {
	t.Helper()
	slow := NewReader(strings.NewReader(input), opts)
	slow.noFast = true
	fast := NewReader(strings.NewReader(input), opts)
	a := readWith(slow.Next, slow.Line)
	b := readWith(fast.Next, fast.Line)
	if len(a) != len(b) {
		t.Fatalf("input %q: reader %d results, fast %d\n%+v\n%+v", input, len(a), len(b), a, b)
	}
	for i := range a {
		if a[i].err != b[i].err || a[i].line != b[i].line || !reflect.DeepEqual(a[i].rec, b[i].rec) ||
			a[i].rec.Time.String() != b[i].rec.Time.String() {
			t.Fatalf("input %q, result %d:\nreader %+v\nfast   %+v", input, i, a[i], b[i])
		}
	}
}

var fastCases = []string{
	`{"name":"pg.hc.xact_commit","kind":"count","value":12,"time":"2026-11-22T21:05:00Z","tags":{"server":"db7"}}`,
	`{"name":"a","kind":"value","value":-0.5e-3}`,
	`{"name":"a","kind":"value","value":1E+400}`,
	`{"name":"a","kind":"value","value":01}`,
	`{"name":"a","kind":"value","value":1.}`,
	`{"name":"a","kind":"value","value":-}`,
	`{"name":"","kind":"count","value":1}`,
	`{"name":"é ü","kind":"count","value":1,"tags":{}}`,
	`{"name":"a\"b","kind":"count","value":1}`,
	"{\"name\":\"a\xffb\",\"kind\":\"count\",\"value\":1}",
	"{\"name\":\"a\tb\",\"kind\":\"count\",\"value\":1}",
	`{"name":"a","kind":"gauge","value":1}`,
	`{"name":"a","kind":"count","value":"12"}`,
	`{"name":"a","kind":"count","value":1,"time":"1700000000.5"}`,
	`{"name":"a","kind":"count","value":1,"time":1700000000}`,
	`{"name":"a","kind":"count","value":1,"time":"2026-11-22T21:05:00+02:00"}`,
	`{"name":"a","kind":"count","value":1,"time":"yesterday"}`,
	`{"name":"a","kind":"count","value":1,"time":"2026-11-22T21:05:00Z","tags":{"a":"1","b":"2","a":"3"}}`,
	`{"name":"a","kind":"count","value":1,"tags":{"a":"1",}}`,
	`{"name":"a","kind":"count","value":1,"tags":{"a":1}}`,
	`{"name":"a","kind":"count","value":1}}`,
	`{"name":"a","kind":"count","value":1,"extra":2}`,
	`{"name":"a","kind":"count","value":1`,
	`  {"name":"a","kind":"count","value":1}  `,
	`{"stat":"page view","count":2,"t":1700000000}`,
	`{"ezkey":"k","data":[{"stat":"a","count":1},{"stat":"b","value":2}]}`,
	`queue depth 17`,
	`# comment`,
	``,
	`12`,
}

func TestFastPathSameAsGeneral(t *testing.T) {
	for _, c := range fastCases {
		sameAsReader(t, c+"\n", ReaderOptions{})
	}
	sameAsReader(t, strings.Join(fastCases, "\n"), ReaderOptions{TextKind: Count, BareName: "n"})
	sameAsReader(t, strings.Repeat("x", 100)+"\n"+fastCases[0], ReaderOptions{MaxLine: 50})
}

// Records the Writer writes take the fast path.
func TestFastPathTaken(t *testing.T) {
	var buf bytes.Buffer
	w := NewWriter(&buf)
	_ = w.Write(Record{Name: "a b", Kind: Count, Value: 1.5, Tags: map[string]string{"k": "v"}})
	_ = w.Flush()
	if _, ok := parseCanonical(bytes.TrimSpace(buf.Bytes())); !ok {
		t.Errorf("writer output %s not canonical", buf.Bytes())
	}
}

func FuzzFastPath(f *testing.F) {
	for _, c := range fastCases {
		f.Add(c)
	}
	f.Fuzz(func(t *testing.T, line string) {
		sameAsReader(t, line+"\n"+line, ReaderOptions{})
		// Raw, when set, parses back to the record (statpost journals it).
		r := NewReader(strings.NewReader(line), ReaderOptions{})
		if rec, err := r.Next(); err == nil && r.Raw() != nil {
			if again, ok := ParseCanonical(r.Raw()); !ok || !reflect.DeepEqual(again, rec) {
				t.Fatalf("line %q: Raw %q parses to %+v %v, want %+v", line, r.Raw(), again, ok, rec)
			}
		}
	})
}

func BenchmarkReader(b *testing.B) {
	line := `{"name":"bench.latency.42","kind":"value","value":12.345,"time":"2026-11-22T21:05:00Z","tags":{"server":"db7"}}` + "\n"
	input := strings.Repeat(line, 10000)
	for _, tc := range []struct {
		name string
		next func(io.Reader) func() (Record, error)
	}{
		{"general", func(r io.Reader) func() (Record, error) {
			rd := NewReader(r, ReaderOptions{})
			rd.noFast = true
			return rd.Next
		}},
		{"fast", func(r io.Reader) func() (Record, error) { return NewReader(r, ReaderOptions{}).Next }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.SetBytes(int64(len(input)))
			for i := 0; i < b.N; i++ {
				next := tc.next(strings.NewReader(input))
				for {
					if _, err := next(); err != nil {
						break
					}
				}
			}
			b.ReportMetric(float64(b.N*10000)/b.Elapsed().Seconds(), "records/s")
		})
	}
}

// Raw is the line of a record the fast path read, trimmed, and parses back
// to that record; it is nil for every other line (statpost journals Raw as
// read, so a wrong Raw would be a wrong record after a kill -9).
func TestReaderRaw(t *testing.T) {
	canon := `{"name":"a","kind":"count","value":1,"time":"2026-11-22T21:05:00Z","tags":{"server":"db7"}}`
	input := "  " + canon + " \r\n" +
		`{"stat":"s","count":2}` + "\n" +
		"text line 3\n" +
		`{"ezkey":"k","data":[{"stat":"d1","value":1},{"stat":"d2","value":2}]}` + "\n" +
		"# comment\n" +
		`{"name":"b","kind":"value","value":2}` + "\n" +
		`{"name": "c","kind":"value","value":3}` + "\n"
	want := []string{canon, "", "", "", "", `{"name":"b","kind":"value","value":2}`, ""}
	r := NewReader(strings.NewReader(input), ReaderOptions{})
	for i, w := range want {
		rec, err := r.Next()
		if err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
		if got := string(r.Raw()); got != w {
			t.Fatalf("record %d (%s): Raw %q, want %q", i, rec.Name, got, w)
		}
		if w == "" {
			if r.Raw() != nil {
				t.Fatalf("record %d: Raw %q, want nil", i, r.Raw())
			}
			continue
		}
		again, ok := ParseCanonical(r.Raw())
		if !ok || !reflect.DeepEqual(again, rec) {
			t.Fatalf("record %d: Raw parses to %+v %v, want %+v", i, again, ok, rec)
		}
	}
	if _, err := r.Next(); err != io.EOF || r.Raw() != nil {
		t.Fatalf("at the end: %v, Raw %q", err, r.Raw())
	}
}
