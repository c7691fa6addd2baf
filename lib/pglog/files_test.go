package pglog

import (
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// sampleNow is just after the captured samples' last entry.
var sampleNow = time.Date(2026, 12, 7, 17, 12, 0, 0, time.UTC)

func copySamples(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, n := range []string{"pg15.log", "pg15.csv", "pg15.json"} {
		b, err := os.ReadFile(filepath.Join("testdata", n))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, strings.Replace(n, "pg15", "postgresql-2026-12-07_171112", 1)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// --log-dir with the three files the collector writes: only the server's
// format is read (else every event would count three times), and each
// format yields the same events.
func TestReadDirPicksServerFormat(t *testing.T) {
	dir := copySamples(t)
	var n []int
	for _, dest := range []string{"stderr", "stderr,csvlog", "jsonlog"} {
		r, _, warn, err := Read(Options{Dir: dir, Span: time.Hour, Now: sampleNow, LogLinePrefix: "%m [%p] %q%u@%d ",
			LogDestination: dest, LoggingCollector: true})
		if err != nil || len(warn) > 0 {
			t.Fatalf("%s: %v %v", dest, err, warn)
		}
		if len(r.Deadlocks) != 1 || len(r.Autovacuums) == 0 {
			t.Errorf("%s: %d deadlocks, %d autovacuums", dest, len(r.Deadlocks), len(r.Autovacuums))
		}
		n = append(n, len(r.LogEntries))
	}
	if n[0] != n[1] || n[1] != n[2] || n[0] == 0 {
		t.Errorf("entries per format = %v", n)
	}
}

func TestReadSpanAndWarnings(t *testing.T) {
	dir := copySamples(t)
	log := filepath.Join(dir, "postgresql-2026-12-07_171112.log")
	o := Options{File: log, Now: sampleNow.Add(time.Hour), LogLinePrefix: "%m [%p] "}
	r, _, _, err := Read(o) // default span: 5 minutes, the log is an hour old
	if err != nil || len(r.LogEntries) != 0 {
		t.Errorf("old log: %d entries, %v", len(r.LogEntries), err)
	}
	// A prefix without time: warning, nothing read (pgmetrics' rule).
	o = Options{File: log, Now: sampleNow, Span: time.Hour, LogLinePrefix: "[%p] "}
	r, _, warn, err := Read(o)
	if err != nil || len(r.LogEntries) != 0 || len(warn) != 1 || !strings.Contains(warn[0], "no %m, %t or %n") {
		t.Errorf("no-time prefix: %d entries, %q, %v", len(r.LogEntries), warn, err)
	}
	// ... but a csvlog carries its own time: read.
	o.File = filepath.Join(dir, "postgresql-2026-12-07_171112.csv")
	if r, _, warn, err = Read(o); err != nil || len(warn) != 0 || len(r.LogEntries) == 0 {
		t.Errorf("csvlog with a no-time prefix: %d entries, %q, %v", len(r.LogEntries), warn, err)
	}
	if _, _, _, err := Read(Options{File: dir}); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("--log-file DIR: %v", err)
	}
	if _, _, warn, _ := Read(Options{LogLinePrefix: "%m "}); len(warn) != 1 || !strings.Contains(warn[0], "no log file found") {
		t.Errorf("no file: %q", warn)
	}
	// pg_current_logfile relative to data_directory.
	r, _, _, err = Read(Options{DataDirectory: dir, CurrentLogfile: map[Format]string{CSV: "postgresql-2026-12-07_171112.csv"},
		LogDestination: "csvlog", LoggingCollector: true, Now: sampleNow, Span: time.Hour})
	if err != nil || len(r.Deadlocks) != 1 {
		t.Errorf("current logfile: %v %+v", err, r.Deadlocks)
	}
}

// The backwards scan finds the window without reading the whole file, and
// loses no entry of it.
func TestTailStart(t *testing.T) {
	p, _ := Compile("%m [%p] ", time.UTC)
	start := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	var b strings.Builder
	for i := 0; i < 20000; i++ {
		fmt.Fprintf(&b, "%s [%d] LOG:  message %d\n\tcontinued\n", start.Add(time.Duration(i)*time.Second).Format("2006-01-02 15:04:05.000 MST"), i, i)
	}
	path := filepath.Join(t.TempDir(), "big.log")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	since := start.Add(19000 * time.Second)
	fh, _ := os.Open(path)
	defer fh.Close()
	off, err := tailStart(fh, int64(b.Len()), p, since)
	if err != nil || off == 0 || off > int64(b.Len())-1000*40 {
		t.Fatalf("offset %d of %d, %v", off, b.Len(), err)
	}
	e, err := readFile(path, Stderr, p, time.UTC, since)
	if err != nil || len(e) != 1000 || e[0].Line != "message 19000\n\tcontinued" {
		t.Fatalf("%d entries, first %+v, %v", len(e), e[0], err)
	}
}

// A file the server names but this user cannot open is a warning (every
// run as a non-postgres user would fail otherwise); one the user names is an error.
func TestReadUnopenable(t *testing.T) {
	dir := t.TempDir()
	r, files, warn, err := Read(Options{DataDirectory: dir, CurrentLogfile: map[Format]string{Stderr: "log/gone.log"},
		LogLinePrefix: "%m ", Now: sampleNow})
	if err != nil || len(files) != 0 || len(r.LogEntries) != 0 || len(warn) != 1 || !strings.Contains(warn[0], "gone.log") {
		t.Errorf("found file: files %v, warn %q, err %v", files, warn, err)
	}
	// The same directory given as --log-dir: its (empty) file is read.
	if err := os.WriteFile(filepath.Join(dir, "a.log"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, files, _, err := Read(Options{Dir: dir, LogLinePrefix: "%m ", Now: sampleNow}); err != nil || len(files) != 1 {
		t.Errorf("--log-dir: files %v, err %v", files, err)
	}
}

// The library names no command's flag (issue 18): the errors and warnings
// name File and Dir by the caller's names (pgreport: --log-file, --log-dir),
// else neutrally, without a hint to give one.
func TestReadNamesOptions(t *testing.T) {
	dir := t.TempDir()
	named := func(o Options) Options { o.FileName, o.DirName = "--log-file", "--log-dir"; return o }
	for _, tt := range []struct {
		name      string
		o         Options
		err, warn string
	}{
		{"file missing", Options{File: filepath.Join(dir, "nope.log")}, "log file: stat " + dir + "/nope.log: no such file or directory", ""},
		{"file is a directory", Options{File: dir}, "log file " + dir + ": not a regular file", ""},
		{"dir missing", Options{Dir: filepath.Join(dir, "nope")}, "log directory: open " + dir + "/nope: no such file or directory", ""},
		{"dir empty", Options{Dir: dir}, "", "log directory " + dir + ": no stderr files"},
		{"none found", Options{}, "", "no log file found"},
		{"unreadable", Options{DataDirectory: dir, CurrentLogfile: map[Format]string{Stderr: "gone.log"}}, "",
			"open " + dir + "/gone.log: no such file or directory (run as a user who may read it)"},
	} {
		for _, o := range []Options{tt.o, named(tt.o)} {
			o.LogLinePrefix, o.Now = "%m ", sampleNow
			err, warn := tt.err, tt.warn
			if o.FileName != "" {
				err = strings.NewReplacer("log file", "--log-file", "log directory", "--log-dir").Replace(err)
				warn = strings.NewReplacer("log directory", "--log-dir", "no log file found", "no log file found (give --log-file or --log-dir)",
					"may read it", "may read it, or give --log-file").Replace(warn)
			}
			_, _, w, e := Read(o)
			if fmt.Sprint(e) != cmp.Or(err, "<nil>") || strings.Join(w, "; ") != warn {
				t.Errorf("%s (names %q %q): err %v, warnings %q; want %q, %q", tt.name, o.FileName, o.DirName, e, w, err, warn)
			}
		}
	}
}
