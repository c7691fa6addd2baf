package main

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/cronkit/cronkit/lib/cli"
	"github.com/cronkit/cronkit/lib/spool"
	"github.com/cronkit/cronkit/lib/testutil/fakestathat"
)

// statpost journals a canonical line it reads as that line, not as the
// record encoded again (issue 13 item 5: the re-encoding was most of the
// journal's cost); other lines are encoded. The journal is read while the
// run waits on its stdin and on a receiver that has not answered yet.
func TestJournalsLinesAsRead(t *testing.T) {
	fake := fakestathat.New(fakestathat.Options{})
	defer fake.Close()
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-release // the receiver answers once the journal has been checked
		fake.Handler().ServeHTTP(w, r)
	}))
	defer srv.Close()
	state := t.TempDir()
	canonical := `{"name":"j.a","kind":"count","value":1,"time":"1700000000"}` // a time in unix seconds, as read
	other := `{"stat":"j.b","value":2,"t":1700000000}`                         // a StatHat item: encoded
	stdin, w := io.Pipe()
	var stderr bytes.Buffer
	env := &cli.Env{Stdin: stdin, Stdout: io.Discard, Stderr: &stderr, LookupEnv: func(k string) (string, bool) {
		switch k {
		case "STATHAT_EZKEY":
			return "k", true
		case "XDG_STATE_HOME":
			return state, true
		}
		return "", false
	}}
	exited := make(chan struct{})
	code := -1
	go func() {
		defer close(exited)
		code = cli.Execute(newRoot(env), []string{"--api-url", srv.URL, "--flush-interval", "10ms"})
	}()
	if _, err := io.WriteString(w, canonical+"\n"+other+"\n"); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(state, "cronkit", "statpost")
	waitFor(t, exited, func() bool {
		m, _ := filepath.Glob(filepath.Join(dir, "*.journal"))
		return len(m) == 1 && journaled(dir, os.Getpid()) == 2
	}, "the journal of 2 records")
	m, _ := filepath.Glob(filepath.Join(dir, "*.journal"))
	b, err := os.ReadFile(m[0])
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.SplitAfter(b, []byte("\n"))
	if want := spool.AppendLine(nil, []byte(canonical)); !bytes.Equal(lines[0], want) {
		t.Errorf("journal entry %q, want the line as read %q", lines[0], want)
	}
	if bytes.Contains(lines[1], []byte(`"stat"`)) || !bytes.Contains(lines[1], []byte(`{"name":"j.b","kind":"value","value":2,"time":"2023-11-14T22:13:20Z"}`)) {
		t.Errorf("journal entry %q, want the StatHat item encoded as a record", lines[1])
	}
	close(release)
	w.Close()
	<-exited
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if _, n := fake.Counts(); n != 2 {
		t.Fatalf("the fake saw %d points, want 2", n)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "*.journal")); len(m) != 0 {
		t.Fatalf("journals left: %v", m)
	}
}
