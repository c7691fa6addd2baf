package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/cronkit/cronkit/lib/testutil"
)

var (
	buildOnce sync.Once
	buildBin  string
	buildErr  error
)

// chartdBinary builds the real chartd once for tests that need a process
// (signals, a browser). The build directory lives for the test binary's run.
func chartdBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "chartd-test-")
		if err != nil {
			buildErr = err
			return
		}
		buildBin = filepath.Join(dir, "chartd")
		out, err := exec.Command("go", "build", "-o", buildBin, ".").CombinedOutput()
		if err != nil {
			buildErr = &buildError{err, out}
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return buildBin
}

type buildError struct {
	err error
	out []byte
}

func (e *buildError) Error() string { return e.err.Error() + ": " + string(e.out) }

// server is a running `chartd serve` process.
type server struct {
	cmd    *exec.Cmd
	base   string
	mu     sync.Mutex
	stderr bytes.Buffer
	done   chan error
}

var servingRE = regexp.MustCompile(`^chartd: serving on (http://127\.0\.0\.1:\d+)/$`)

func startServer(t *testing.T, args ...string) *server {
	t.Helper()
	cmd := exec.Command(chartdBinary(t), append([]string{"serve", "--listen", "127.0.0.1:0"}, args...)...)
	pr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{cmd: cmd, done: make(chan error, 1)}
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			line := sc.Text()
			s.mu.Lock()
			s.stderr.WriteString(line + "\n")
			s.mu.Unlock()
			if m := servingRE.FindStringSubmatch(line); m != nil {
				ready <- m[1]
			}
		}
		_, _ = io.Copy(io.Discard, pr)
		s.done <- cmd.Wait()
	}()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
		}
	})
	select {
	case s.base = <-ready:
	case err := <-s.done:
		t.Fatalf("chartd serve exited: %v\n%s", err, s.log())
	case <-time.After(20 * time.Second):
		t.Fatalf("chartd serve did not start\n%s", s.log())
	}
	return s
}

func (s *server) log() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stderr.String()
}

// stop sends sig and waits for a clean exit.
func (s *server) stop(t *testing.T, sig syscall.Signal) {
	t.Helper()
	if err := s.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-s.done:
		if err != nil {
			t.Fatalf("chartd serve after %v: %v\n%s", sig, err, s.log())
		}
	case <-time.After(15 * time.Second):
		t.Fatalf("chartd serve did not stop on %v", sig)
	}
	if !strings.HasSuffix(s.log(), "chartd: stopped\n") {
		t.Errorf("no clean stop in the log:\n%s", s.log())
	}
}

// SIGTERM (as from systemd or docker stop) lets an in-flight request
// finish and exits 0.
func TestServeSIGTERM(t *testing.T) {
	s := startServer(t, "-vv")
	// A long POST keeps a request in flight while the signal arrives: the
	// body is sent in two parts, the second after SIGTERM.
	pr, pw := io.Pipe()
	wrote := make(chan struct{})
	trace := &httptrace.ClientTrace{WroteHeaders: func() { close(wrote) }}
	req, _ := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace), "POST", s.base+"/a.svg", pr)
	type result struct {
		code int
		err  error
	}
	res := make(chan result, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			res <- result{0, err}
			return
		}
		resp.Body.Close()
		res <- result{resp.StatusCode, nil}
	}()
	if _, err := pw.Write([]byte("w=300&h=100&d0=")); err != nil {
		t.Fatal(err)
	}
	// Signal once the handler runs (-vv logs each request as it starts):
	// net/http drops a request whose headers it reads after shutdown began.
	<-wrote
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(s.log(), "msg=request method=POST") {
		if time.Now().After(deadline) {
			t.Fatalf("the request did not reach the handler:\n%s", s.log())
		}
		time.Sleep(5 * time.Millisecond) // polling with a deadline
	}
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	// New connections are refused soon after; poll with a deadline.
	for {
		resp, err := http.Get(s.base + "/healthz")
		if err != nil {
			break
		}
		resp.Body.Close()
		if time.Now().After(deadline) {
			t.Fatal("still serving after SIGTERM")
		}
		time.Sleep(10 * time.Millisecond)
	}
	_, _ = pw.Write([]byte("RXZZfhgd"))
	pw.Close()
	if r := <-res; r.err != nil || r.code != 200 {
		t.Errorf("in-flight request: %d %v", r.code, r.err)
	}
	select {
	case err := <-s.done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v\n%s", err, s.log())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("did not exit after SIGTERM")
	}
	if !strings.Contains(s.log(), `"POST /a.svg HTTP/1.1" 200`) || !strings.HasSuffix(s.log(), "chartd: stopped\n") {
		t.Errorf("log:\n%s", s.log())
	}
}

// checkPage is served beside the docs page (same origin, through a proxy to
// chartd serve): it frames the docs page and, once everything loaded, writes
// each example image's natural size and count of non-white pixels into the
// DOM that --dump-dom prints. The docs page itself runs no script (its CSP
// forbids it).
const checkPage = `<!doctype html><html><body><pre id="result">pending</pre>
<iframe id="docs" src="/" width="1000" height="800"></iframe>
<script>
document.getElementById('docs').addEventListener('load', function () {
  var doc = this.contentDocument, out = [];
  var imgs = doc.querySelectorAll('img.example');
  for (var i = 0; i < imgs.length; i++) {
    var im = imgs[i], ink = -1;
    try {
      var c = document.createElement('canvas');
      c.width = im.naturalWidth; c.height = im.naturalHeight;
      var g = c.getContext('2d');
      g.drawImage(im, 0, 0);
      var d = g.getImageData(0, 0, c.width, c.height).data;
      ink = 0;
      for (var j = 0; j < d.length; j += 4) {
        if (d[j+3] > 0 && (d[j] < 200 || d[j+1] < 200 || d[j+2] < 200)) ink++;
      }
    } catch (e) { ink = 'error:' + e; }
    out.push('IMG ' + im.getAttribute('src') + ' ' + im.naturalWidth + 'x' + im.naturalHeight + ' ink=' + ink);
  }
  document.getElementById('result').textContent = 'checked ' + imgs.length + '\n' + out.join('\n');
});
</script></body></html>`

// TestBrowserDocs: headless Chromium (Debian chromium) loads the docs page
// from chartd serve and every example image renders: a non-zero natural
// size and pixels that are not blank.
func TestBrowserDocs(t *testing.T) {
	browser := testutil.NeedProgram(t, "chromium", "chromium-browser", "google-chrome")
	s := startServer(t)
	target, _ := url.Parse(s.base)
	proxy := httputil.NewSingleHostReverseProxy(target)
	mux := http.NewServeMux()
	mux.HandleFunc("/__check.html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, checkPage)
	})
	mux.Handle("/", proxy)
	front := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	ln := listenLoopback(t)
	go func() { _ = front.Serve(ln) }()
	defer front.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
		"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-dev-shm-usage", "--user-data-dir="+t.TempDir(), "--virtual-time-budget=15000",
		"--dump-dom", "http://"+ln.Addr().String()+"/__check.html")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium: %v\n%s", err, stderr.String())
	}
	dom := string(out)
	m := regexp.MustCompile(`checked (\d+)`).FindStringSubmatch(dom)
	if m == nil {
		t.Fatalf("the check did not run:\n%s\n%s", dom, stderr.String())
	}
	imgRE := regexp.MustCompile(`IMG (\S+) (\d+)x(\d+) ink=(\S+)`)
	lines := imgRE.FindAllStringSubmatch(dom, -1)
	if len(lines) < 10 || m[1] != itoa(len(lines)) {
		t.Fatalf("checked %s images, parsed %d:\n%s", m[1], len(lines), dom)
	}
	for _, l := range lines {
		if l[2] == "0" || l[3] == "0" {
			t.Errorf("image did not render: %s", l[0])
		}
		if l[4] == "0" || strings.HasPrefix(l[4], "error") || strings.HasPrefix(l[4], "-") {
			t.Errorf("image is blank or unreadable: %s", l[0])
		}
	}
	t.Logf("%d example images rendered in %s:\n%s", len(lines), filepath.Base(browser), strings.Join(imgLines(lines), "\n"))
	// Every image request reached chartd serve (and the docs page did).
	if !strings.Contains(s.log(), `"GET / HTTP/1.1" 200`) {
		t.Errorf("docs page not served by chartd:\n%s", s.log())
	}
	s.stop(t, syscall.SIGINT)
}

func itoa(n int) string { return strconv.Itoa(n) }

func listenLoopback(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

func imgLines(m [][]string) []string {
	var out []string
	for _, l := range m {
		out = append(out, l[0])
	}
	return out
}
