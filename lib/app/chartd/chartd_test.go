package chartd

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cronkit/cronkit/lib/chart"
	"github.com/cronkit/cronkit/lib/metric"
	"github.com/cronkit/cronkit/lib/outcome"
)

// opts are the flags' defaults on stdin, with stdout in a buffer and the
// warnings collected.
func opts(stdin string, changed ...string) (Options, *bytes.Buffer, *[]string) {
	var stdout bytes.Buffer
	var warns []string
	given := map[string]bool{}
	for _, c := range changed {
		given[c] = true
	}
	return Options{Stdin: strings.NewReader(stdin), Stdout: &stdout,
		Warnf:   func(format string, args ...any) { warns = append(warns, fmt.Sprintf(format, args...)) },
		Changed: func(flag string) bool { return given[flag] },
		Width:   580, Height: 180, Rate: "per-interval", Scale: chart.DefaultScale}, &stdout, &warns
}

func isSVG(b []byte) bool {
	return bytes.HasPrefix(b, []byte("<svg")) && bytes.HasSuffix(bytes.TrimSpace(b), []byte("</svg>"))
}
func isPNG(b []byte) bool { return bytes.HasPrefix(b, []byte("\x89PNG")) }

// The data on stdin: an image, the URL with --url, a usage error for bad
// options, exit 2 for bad data (reference/chartd-format.md for the query).
func TestRunStdin(t *testing.T) {
	for _, tt := range []struct {
		name    string
		stdin   string
		set     func(*Options)
		changed []string
		check   func([]byte) bool
		err     outcome.Kind // Unknown: none
	}{
		{name: "svg", stdin: "1\n2\n3\n", check: isSVG},
		{name: "png", stdin: "1\n2\n3\n", set: func(o *Options) { o.PNG = true }, check: isPNG},
		{name: "title", stdin: "1\n2\n", set: func(o *Options) { o.Title = "Ten<&>" },
			check: func(b []byte) bool { return isSVG(b) && bytes.Contains(b, []byte("Ten&lt;&amp;&gt;")) }},
		{name: "url", stdin: "1\n2\n3\n", set: func(o *Options) { o.URL = "https://chartd.co/" },
			check: func(b []byte) bool { return bytes.HasPrefix(b, []byte("https://chartd.co/a.svg?")) }},
		{name: "png url", stdin: "1\n2\n3\n", set: func(o *Options) { o.URL, o.PNG = "https://chartd.co", true },
			check: func(b []byte) bool { return bytes.HasPrefix(b, []byte("https://chartd.co/a.png?")) }},
		{name: "bad ymin", stdin: "1\n", set: func(o *Options) { o.YMin = "low" }, err: outcome.Usage},
		{name: "raw and rate", stdin: "1\n", set: func(o *Options) { o.Raw = true }, changed: []string{"rate"}, err: outcome.Usage},
		{name: "bad rate", stdin: "1\n", set: func(o *Options) { o.Rate = "per-hour" }, err: outcome.BadInput},
		{name: "bad data", stdin: "one\n", err: outcome.BadInput},
		{name: "png scale", stdin: "1\n2\n", set: func(o *Options) { o.PNG, o.Scale = true, 1000 }, err: outcome.Usage},
	} {
		t.Run(tt.name, func(t *testing.T) {
			o, stdout, _ := opts(tt.stdin, tt.changed...)
			if tt.set != nil {
				tt.set(&o)
			}
			err := RunStdin(context.Background(), o)
			if tt.err != outcome.Unknown {
				if outcome.Of(err) != tt.err || tt.err == outcome.BadInput && !chart.IsQueryError(err) {
					t.Fatalf("%v, want %v", err, tt.err)
				}
				return
			}
			if err != nil || !tt.check(stdout.Bytes()) {
				t.Fatalf("err %v, stdout %.80q", err, stdout)
			}
		})
	}
}

// A producer's error record is drawn as an error image where the chart was
// to go (not yesterday's chart), written whole by rename, and returned.
func TestRunStdinErrorRecord(t *testing.T) {
	out := filepath.Join(t.TempDir(), "chart.svg")
	if err := os.WriteFile(out, []byte("the old chart"), 0o644); err != nil {
		t.Fatal(err)
	}
	o, _, _ := opts(`{"error":"pgreport: connection refused"}` + "\n")
	o.Output = out
	err := RunStdin(context.Background(), o)
	var er *metric.ErrorRecord
	if !errors.As(err, &er) || outcome.Of(err) != outcome.Failed {
		t.Fatalf("%v, want the error record, a failure", err)
	}
	b, _ := os.ReadFile(out)
	if !isSVG(b) || !bytes.Contains(b, []byte("connection refused")) {
		t.Errorf("output %.200q, want the error image", b)
	}

	// with --url there is no image to replace: the error alone
	o, stdout, _ := opts(`{"error":"pgreport: connection refused"}` + "\n")
	o.URL = "https://chartd.co"
	if err := RunStdin(context.Background(), o); !errors.As(err, &er) || outcome.Of(err) != outcome.Failed || stdout.Len() > 0 {
		t.Errorf("--url: %v, stdout %q", err, stdout)
	}
}

// Given chart flags override the query's parameters; --series has no place
// in a query.
func TestRunRender(t *testing.T) {
	const q = "w=580&h=180&d0=RXZZfhgdURRUYZgfccZXUM&ymin=45&ymax=90&t=Temperature"
	for _, tt := range []struct {
		name    string
		query   string
		set     func(*Options)
		changed []string
		check   func([]byte) bool
		err     outcome.Kind
	}{
		{name: "query", query: q, check: func(b []byte) bool { return isSVG(b) && bytes.Contains(b, []byte("Temperature")) }},
		{name: "png path", query: "a.png?" + q, set: func(o *Options) { o.PNG = true }, check: isPNG},
		{name: "title given", query: q, set: func(o *Options) { o.Title = "Heat" }, changed: []string{"title"},
			check: func(b []byte) bool {
				return bytes.Contains(b, []byte("Heat")) && !bytes.Contains(b, []byte("Temperature"))
			}},
		{name: "title not given", query: q, set: func(o *Options) { o.Title = "Heat" },
			check: func(b []byte) bool { return bytes.Contains(b, []byte("Temperature")) }},
		{name: "url keeps png", query: "https://chartd.co/a.png?" + q, set: func(o *Options) { o.URL = "http://127.0.0.1:8080" },
			check: func(b []byte) bool { return string(b) == "http://127.0.0.1:8080/a.png?"+q+"\n" }},
		{name: "url overrides", query: q, set: func(o *Options) { o.URL, o.HL = "https://chartd.co/x.svg", true }, changed: []string{"hl"},
			check: func(b []byte) bool { return string(b) == "https://chartd.co/x.svg?"+q+"&hl=1\n" }},
		{name: "series", query: q, set: func(o *Options) { o.Series = []string{"cpu"} }, err: outcome.Usage},
		{name: "bad query", query: "w=abc&d0=RX", err: outcome.BadInput},
	} {
		t.Run(tt.name, func(t *testing.T) {
			o, stdout, _ := opts("", tt.changed...)
			o.Query = tt.query
			if tt.set != nil {
				tt.set(&o)
			}
			err := RunRender(context.Background(), o)
			if tt.err != outcome.Unknown {
				if outcome.Of(err) != tt.err {
					t.Fatalf("%v, want %v", err, tt.err)
				}
				return
			}
			if err != nil || !tt.check(stdout.Bytes()) {
				t.Fatalf("err %v, stdout %.200q", err, stdout)
			}
		})
	}
}

// encode prints the query that charts stdin, and warns when chartd serve
// would refuse its length.
func TestRunEncode(t *testing.T) {
	o, stdout, warns := opts("1\n2\n3\n")
	if err := RunEncode(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	got := strings.TrimSpace(stdout.String())
	if _, err := chart.Parse(got); err != nil || !strings.Contains(got, "d0=") || len(*warns) > 0 {
		t.Errorf("query %q (%v), warnings %q", got, err, *warns)
	}

	var long strings.Builder
	for i := range 20000 {
		fmt.Fprintf(&long, "s%d %d\n", i%5, i)
	}
	o, _, warns = opts(long.String())
	if err := RunEncode(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	if len(*warns) != 1 || !strings.Contains((*warns)[0], "chartd serve accepts at most") {
		t.Errorf("warnings %q, want the length one", *warns)
	}
}

func TestChartURL(t *testing.T) {
	for _, tt := range []struct {
		base string
		png  bool
		want string
	}{
		{"https://chartd.co", false, "https://chartd.co/a.svg?Q"},
		{"https://chartd.co/", true, "https://chartd.co/a.png?Q"},
		{"https://chartd.co/x.png?", false, "https://chartd.co/x.png?Q"},
		{"http://h:8080/charts/c.svg", true, "http://h:8080/charts/c.svg?Q"},
	} {
		if got := chartURL(tt.base, "Q", tt.png); got != tt.want {
			t.Errorf("chartURL(%q, %v) = %q, want %q", tt.base, tt.png, got, tt.want)
		}
	}
}

// serve answers until its context ends, then stops and returns nil.
func TestRunServe(t *testing.T) {
	pr, pw := io.Pipe()
	var stderr bytes.Buffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- RunServe(ctx, ServeOptions{Stdout: pw, Stderr: &stderr, Listen: "127.0.0.1:0", MaxAge: time.Hour,
			CacheMB: 1, Scale: chart.DefaultScale, ReadTimeout: 5 * time.Second, WriteTimeout: 5 * time.Second,
			Announce: true, PrintURL: true})
		pw.Close()
	}()
	base, err := bufio.NewReader(pr).ReadString('\n') // printed once listening
	if err != nil {
		t.Fatal(err)
	}
	c := &http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get(strings.TrimSpace(base) + "/a.svg?w=580&h=180&d0=RXZZfhgdURRUYZgfccZXUM")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !isSVG(b) {
		t.Errorf("%d %.80q", resp.StatusCode, b)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("stopped with %v, want nil", err)
	}
	if got := stderr.String(); !strings.HasPrefix(got, "chartd: serving on http://127.0.0.1:") || !strings.HasSuffix(got, "chartd: stopped\n") {
		t.Errorf("stderr %q", got)
	}
}

func TestRunServeErrors(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	good := ServeOptions{Listen: "127.0.0.1:0", Scale: 2, ReadTimeout: time.Second, WriteTimeout: time.Second}
	for _, tt := range []struct {
		name string
		set  func(*ServeOptions)
		want outcome.Kind
		msg  string
	}{
		{"cache", func(o *ServeOptions) { o.CacheMB = -1 }, outcome.Usage, "--cache-mb"},
		{"timeout", func(o *ServeOptions) { o.ReadTimeout = 0 }, outcome.Usage, "timeouts must be positive"},
		{"scale", func(o *ServeOptions) { o.Scale = 0 }, outcome.Usage, "--scale 0"},
		{"in use", func(o *ServeOptions) { o.Listen = ln.Addr().String() }, outcome.Failed, "listen: "},
	} {
		o := good
		tt.set(&o)
		if err := RunServe(context.Background(), o); outcome.Of(err) != tt.want || !strings.Contains(fmt.Sprint(err), tt.msg) {
			t.Errorf("%s: %v, want %v naming %q", tt.name, err, tt.want, tt.msg)
		}
	}
}
