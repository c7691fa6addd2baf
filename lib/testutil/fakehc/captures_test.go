package fakehc

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// capture is one request/response pair of testdata/healthchecks-captures.md
// (a copy of shared/reference/healthchecks-captures.md: real answers of a
// self-hosted Healthchecks v2.10).
type capture struct {
	title   string
	cmd     string
	status  int
	headers [][2]string
	body    string // as listed (JSON may be pretty-printed)
	text    string // a ```text block instead of an HTTP answer
}

func loadCaptures(t *testing.T) []capture {
	t.Helper()
	b, err := os.ReadFile("testdata/healthchecks-captures.md")
	if err != nil {
		t.Fatal(err)
	}
	var out []capture
	var cur *capture
	title := ""
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var block []string
	fence := ""
	for sc.Scan() {
		line := sc.Text()
		switch {
		case fence == "" && strings.HasPrefix(line, "### "):
			title = strings.TrimPrefix(line, "### ")
		case fence == "" && strings.HasPrefix(line, "```"):
			fence = strings.TrimPrefix(line, "```")
			block = nil
		case fence != "" && line == "```":
			switch fence {
			case "sh":
				out = append(out, capture{title: title, cmd: strings.Join(block, "\n")})
				cur = &out[len(out)-1]
			case "http":
				parseHTTPBlock(t, cur, block)
			case "text":
				cur.text = strings.Join(block, "\n")
			}
			fence = ""
		case fence != "":
			block = append(block, line)
		}
	}
	return out
}

func parseHTTPBlock(t *testing.T, c *capture, lines []string) {
	t.Helper()
	f := strings.Fields(lines[0])
	st, err := strconv.Atoi(f[1])
	if err != nil {
		t.Fatalf("%s: status line %q", c.title, lines[0])
	}
	c.status = st
	i := 1
	for ; i < len(lines) && lines[i] != ""; i++ {
		k, v, _ := strings.Cut(lines[i], ": ")
		c.headers = append(c.headers, [2]string{k, v})
	}
	if i < len(lines) {
		c.body = strings.Join(lines[i+1:], "\n") + "\n"
	}
}

func (c *capture) header(k string) (string, bool) {
	for _, h := range c.headers {
		if strings.EqualFold(h[0], k) {
			return h[1], true
		}
	}
	return "", false
}

// shellWords splits a curl command line with single quotes, as the captures
// write them.
func shellWords(s string) []string {
	var out []string
	var cur strings.Builder
	in, has := false, false
	for _, r := range s {
		switch {
		case r == '\'':
			in, has = !in, true
		case !in && (r == ' ' || r == '\n'):
			if has {
				out = append(out, cur.String())
				cur.Reset()
				has = false
			}
		default:
			cur.WriteRune(r)
			has = true
		}
	}
	if has {
		out = append(out, cur.String())
	}
	return out
}

const captureBase = "http://127.0.0.1:8000"

// captureUUIDs are the fake UUIDs the captures give to checks in the order
// they were created (the captures' UUID table).
var captureUUIDs = []string{
	"22222222-2222-4222-8222-222222222222", // backups
	"33333333-3333-4333-8333-333333333333", // reports
	"44444444-4444-4444-8444-444444444444", // auto-job
	"55555555-5555-4555-8555-555555555555", // dup 1
	"66666666-6666-4666-8666-666666666666", // dup 2
	"77777777-7777-4777-8777-777777777777", // post-only
	"88888888-8888-4888-8888-888888888888", // Temp
	"99999999-9999-4999-8999-999999999999", // Both
	"aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa", // Body key
}

// stepClock advances a little on every reading, with microseconds that are
// never zero, like a real server's clock (and Python's isoformat).
type stepClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *stepClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(1234567 * time.Nanosecond)
	return c.t
}

// TestCaptures replays every captured request in order against one fake and
// compares status, headers and body with what the real server answered.
// Timestamps, durations and badge signatures are compared by shape only.
func TestCaptures(t *testing.T) {
	caps := loadCaptures(t)
	if len(caps) < 60 {
		t.Fatalf("only %d captures parsed", len(caps))
	}
	clock := &stepClock{t: time.Date(2026, 11, 22, 22, 15, 18, 42159000, time.UTC)}
	next := 0
	f := Start(t, Options{
		Now: clock.Now,
		NewUUID: func() string {
			next++
			return captureUUIDs[next-1]
		},
	})
	f.AddCheck(Spec{UUID: "11111111-1111-4111-8111-111111111111", Name: "My First Check", Slug: "my-first-check", AllChannels: true})
	f.AddCheck(Spec{UUID: "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb", Name: "Elsewhere", Foreign: true})

	for i, c := range caps {
		name := fmt.Sprintf("%02d %s", i, c.title)
		ok := t.Run(name, func(t *testing.T) { replay(t, f, c) })
		if !ok {
			// Later captures build on earlier state: stop at the first gap.
			t.Fatalf("stopping at %q", name)
		}
	}
}

func replay(t *testing.T, f *Fake, c capture) {
	cmd := c.cmd
	var body []byte
	if strings.HasPrefix(cmd, "head -c 20000 /dev/zero | tr") {
		body = bytes.Repeat([]byte("x"), 20000)
		cmd = cmd[strings.LastIndex(cmd, "| curl")+2:]
	}
	wc := false
	if strings.HasSuffix(cmd, "| wc -c") {
		wc = true
		cmd = strings.TrimSuffix(cmd, " | wc -c")
	}
	args := shellWords(cmd)
	method, u := "", ""
	hdr := http.Header{}
	for i := 1; i < len(args); i++ {
		switch a := args[i]; a {
		case "-s", "-i":
		case "-I":
			method = http.MethodHead
		case "-X":
			i++
			method = args[i]
		case "-H":
			i++
			k, v, _ := strings.Cut(args[i], ": ")
			hdr.Set(k, v)
		case "-d", "--data-binary":
			i++
			if args[i] != "@-" {
				body = []byte(args[i])
			}
			if hdr.Get("Content-Type") == "" {
				hdr.Set("Content-Type", "application/x-www-form-urlencoded")
			}
		default:
			if strings.HasPrefix(a, "-") {
				t.Fatalf("curl flag %q not understood", a)
			}
			u = a
		}
	}
	if method == "" {
		method = http.MethodGet
		if body != nil {
			method = http.MethodPost
		}
	}
	u = strings.Replace(u, captureBase, f.URL, 1)
	if strings.Contains(u, "/badge/") {
		u = regexp.MustCompile(`/sig\d{5}`).ReplaceAllString(u, "/"+f.badgeSig("prod"))
	}
	req, err := http.NewRequest(method, u, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body == nil {
		req.Body = nil
	}
	req.Header = hdr
	req.Header.Set("User-Agent", "curl/7.88.1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()

	if wc {
		if want := strings.TrimSpace(c.text); strconv.Itoa(len(got)) != want {
			t.Errorf("body is %d bytes, want %s", len(got), want)
		}
		return
	}
	if resp.StatusCode != c.status {
		t.Fatalf("status %d, want %d; body %q", resp.StatusCode, c.status, got)
	}
	compareHeaders(t, c, resp.Header, method)

	gotBody := strings.ReplaceAll(string(got), f.URL, captureBase)
	ct, _ := c.header("Content-Type")
	cl, hasCL := c.header("Content-Length")
	if ct == "application/json" {
		w, g := jsonShape(t, c.body), jsonShape(t, gotBody)
		if w != g {
			t.Errorf("JSON differs\nwant %s\ngot  %s", w, g)
		}
		// The captured Content-Length is of the one-line form; durations
		// and badge signatures have lengths of their own.
		if hasCL && !strings.Contains(c.body, "duration") && !strings.Contains(c.body, "/badge/") {
			if n, _ := strconv.Atoi(cl); n != len(gotBody) {
				t.Errorf("length %d, want %d (%s)", len(gotBody), n, gotBody)
			}
		}
		return
	}
	want := ""
	if hasCL {
		n, _ := strconv.Atoi(cl)
		if n > len(c.body) {
			t.Fatalf("capture body shorter than its Content-Length")
		}
		want = c.body[:n]
	}
	if gotBody != want {
		t.Errorf("body %q, want %q", gotBody, want)
	}
}

// Headers the captures removed from every listing (see their introduction),
// and Date/Server.
var commonHeaders = map[string]bool{
	"Date": true, "Server": true, "X-Frame-Options": true, "Vary": true,
	"X-Content-Type-Options": true, "Referrer-Policy": true, "Cross-Origin-Opener-Policy": true,
}

func compareHeaders(t *testing.T, c capture, got http.Header, method string) {
	t.Helper()
	wantNames := map[string]bool{}
	for _, h := range c.headers {
		k := http.CanonicalHeaderKey(h[0])
		wantNames[k] = true
		g := got.Get(k)
		switch k {
		case "Expires":
			if _, err := http.ParseTime(g); err != nil {
				t.Errorf("Expires %q is not an HTTP date", g)
			}
		case "Access-Control-Allow-Methods":
			if methodSet(g) != methodSet(h[1]) {
				t.Errorf("%s: %q, want %q as a set", k, g, h[1])
			}
		case "Content-Length":
			// Compared with the body.
		default:
			if g != h[1] {
				t.Errorf("%s: %q, want %q", k, g, h[1])
			}
		}
	}
	for k := range got {
		if !wantNames[k] && !commonHeaders[k] && k != "Content-Length" {
			t.Errorf("extra header %s: %q", k, got.Get(k))
		}
	}
	for k := range commonHeaders {
		if k != "Date" && k != "Server" && got.Get(k) == "" {
			t.Errorf("missing common header %s", k)
		}
	}
}

func methodSet(s string) string {
	f := strings.Split(s, ", ")
	sort.Strings(f)
	return strings.Join(f, ",")
}

// jsonShape renders JSON as its token stream, keys in order, with the values
// of time-dependent keys replaced by their kind, and badge signatures blanked.
func jsonShape(t *testing.T, s string) string {
	t.Helper()
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	var b strings.Builder
	fuzzy := map[string]bool{"date": true, "last_ping": true, "next_ping": true, "timestamp": true, "duration": true, "last_duration": true}
	sig := regexp.MustCompile(`(/badge/[^/]+/)[A-Za-z0-9_-]{8}`)
	blankNext := false
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("bad JSON %v in %q", err, s)
		}
		switch v := tok.(type) {
		case json.Delim:
			b.WriteString(v.String())
			blankNext = false
			continue
		case string:
			if blankNext {
				b.WriteString("<time> ")
				blankNext = false
				continue
			}
			if fuzzy[v] {
				blankNext = true
			}
			fmt.Fprintf(&b, "%q ", sig.ReplaceAllString(v, "${1}SIG"))
		case json.Number:
			if blankNext {
				b.WriteString("<number> ")
				blankNext = false
				continue
			}
			fmt.Fprintf(&b, "%s ", v)
		default:
			blankNext = false
			fmt.Fprintf(&b, "%v ", v)
		}
	}
	return b.String()
}
