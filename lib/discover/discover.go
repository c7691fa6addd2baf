// Package discover finds the scheduled jobs of a host (crontabs and, on
// request, systemd timers), derives a Healthchecks check for each one, and
// rewrites the job so that it runs under runwrap: the engine of `hcctl
// discover`. It reads and writes files only; talking to the API is the
// caller's job (cmd/hcctl turns Jobs into checks with lib/hc).
//
// Everything is relative to a root directory, so a mounted image or a test's
// scratch tree works like the live system. Facts about what Cronitor's
// `discover` does, and what this does better, are in
// /work/shared/reference/cronitor-discover.md.
//
// This package is internal to cronkit and not a public API.
package discover

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Options tune a scan.
type Options struct {
	Root    string // "/" by default
	Host    string // host name in slugs (required)
	Systemd bool   // also read systemd timers
	Convert bool   // offer runitor lines as a rewrite to runwrap
	Runwrap string // the runwrap command written into jobs; default "runwrap"
	// Grace is the default grace period in seconds (0: one hour).
	Grace int64
	// Live installs user crontabs with `crontab -u USER FILE` instead of
	// writing the spool file; the default is true when Root is "/".
	Live *bool
}

func (o *Options) fill() {
	if o.Root == "" {
		o.Root = "/"
	}
	if o.Runwrap == "" {
		o.Runwrap = "runwrap"
	}
	if o.Grace == 0 {
		o.Grace = 3600
	}
}

// IsLive reports whether user crontabs are installed through crontab(1).
func (o Options) IsLive() bool {
	if o.Live != nil {
		return *o.Live
	}
	return filepath.Clean(o.Root) == "/"
}

// Job states.
const (
	StateNew       = "new"       // to be wrapped
	StateWrapped   = "wrapped"   // already runs under runwrap --slug: check kept in step
	StateConvert   = "convert"   // a runitor line to be rewritten to runwrap (--convert)
	StateRunitor   = "runitor"   // runs under runitor: left alone
	StateCurl      = "curl"      // pings Healthchecks itself (curl/wget hc-ping): left alone
	StateReboot    = "reboot"    // @reboot: no schedule, left alone
	StateIgnored   = "ignored"   // "# hcctl: ignore" above it
	StateRunParts  = "run-parts" // the distribution's run-parts lines: left alone
	StateUnwrapped = "skipped"   // cannot be wrapped (reason in Note)
)

// Job is one scheduled job.
type Job struct {
	File     string   `json:"file"` // path under the root, e.g. /etc/crontab
	Line     int      `json:"line"` // 1-based; 0 for timers
	Kind     string   `json:"kind"` // "cron" or "timer"
	User     string   `json:"user"`
	Unit     string   `json:"unit,omitempty"` // timer: the timer unit
	Raw      string   `json:"raw_schedule"`   // as written (@daily, OnCalendar lines)
	Schedule string   `json:"schedule"`       // as sent to Healthchecks
	TZ       string   `json:"tz"`
	Command  string   `json:"command"` // the job's own command (unwrapped)
	State    string   `json:"state"`
	Note     string   `json:"note,omitempty"`
	Slug     string   `json:"slug,omitempty"`
	Grace    int64    `json:"grace,omitempty"` // seconds
	Tags     []string `json:"tags,omitempty"`
	Desc     string   `json:"desc,omitempty"`
	// Convert: a runitor line with -slug, left alone; the command words
	// the hint to convert it (lib/discover names no flag of hcctl's).
	Convert bool `json:"convertible,omitempty"`
}

// Monitored reports whether the job has a check that discover keeps.
func (j Job) Monitored() bool {
	return j.Slug != "" && (j.State == StateNew || j.State == StateWrapped || j.State == StateConvert)
}

// Problem is a line that could not be read: reported, skipped, never
// rewritten.
type Problem struct {
	File string `json:"file"`
	Line int    `json:"line"`
	Msg  string `json:"msg"`
}

func (p Problem) String() string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Msg)
	}
	return p.File + ": " + p.Msg
}

// Plan is the outcome of a scan: the jobs, the lines that could not be
// read, and the files to write.
type Plan struct {
	Host     string    `json:"host"`
	Jobs     []Job     `json:"jobs"`
	Problems []Problem `json:"problems"`
	Files    []*File   `json:"files"`
	opts     Options
}

// File is a file discover reads and may rewrite.
type File struct {
	Path  string `json:"path"`           // under the root
	Kind  string `json:"kind"`           // system (user column), user (spool), dropin
	User  string `json:"user,omitempty"` // the spool file's user
	abs   string
	mode  os.FileMode
	uid   int
	gid   int
	exist bool
	old   []byte
	lines []*line // crontabs
	// dropin: the new content, computed per job
	dropin func(slugOK func(string) bool) []byte
	jobs   []int // indexes into Plan.Jobs
}

// Old returns the file's current content (nil for a drop-in to create).
func (f *File) Old() []byte { return f.old }

// New returns the content after rewriting the jobs whose slug ok accepts
// (nil: every job to wrap).
func (f *File) New(ok func(slug string) bool) []byte {
	if ok == nil {
		ok = func(string) bool { return true }
	}
	if f.dropin != nil {
		return f.dropin(ok)
	}
	var b strings.Builder
	for _, l := range f.lines {
		if l.rewrite != "" && ok(l.slug) {
			b.WriteString(l.rewrite)
		} else {
			b.WriteString(l.text)
		}
		b.WriteString(l.eol)
	}
	return []byte(b.String())
}

// Changes reports whether rewriting changes the file.
func (f *File) Changes(ok func(string) bool) bool {
	return string(f.New(ok)) != string(f.old)
}

// Scan reads the root's crontabs (and timers with Systemd) and plans the
// rewrite. I/O errors on files that exist are problems of that file; only
// an unreadable root is an error.
func Scan(o Options) (*Plan, error) {
	o.fill()
	if o.Host == "" {
		return nil, fmt.Errorf("discover: no host name")
	}
	if st, err := os.Stat(o.Root); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("root %s: not a directory", o.Root)
	}
	p := &Plan{Host: o.Host, opts: o}
	zone, err := systemZone(o.Root)
	if err != nil {
		p.Problems = append(p.Problems, Problem{File: "/etc/timezone", Msg: err.Error()})
		zone = "UTC"
	}
	s := &scanner{p: p, o: o, zone: zone, slugs: map[string]int{}}
	s.crontab("/etc/crontab", "system", "")
	for _, d := range []struct{ dir, kind string }{{"/etc/cron.d", "system"}, {"/var/spool/cron/crontabs", "user"}} {
		names, err := readDir(filepath.Join(o.Root, d.dir))
		if err != nil {
			// Not silently: an unreadable spool (not root) hides jobs.
			p.Problems = append(p.Problems, Problem{File: d.dir, Msg: err.Error()})
		}
		for _, name := range names {
			if !cronFileName(name) {
				continue
			}
			user := ""
			if d.kind == "user" {
				user = name
			}
			s.crontab(d.dir+"/"+name, d.kind, user)
		}
	}
	if o.Systemd {
		s.timers()
	}
	return p, nil
}

// cronFileName: Debian's cron skips names with dots or other characters
// outside [A-Za-z0-9_-] (so backups .NAME.hcctl-orig are never run).
func cronFileName(name string) bool {
	if name == "" {
		return false
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

func listDir(dir string) []string {
	names, _ := readDir(dir)
	return names
}

// readDir lists the regular files and links of dir, sorted; a missing
// directory is no error.
func readDir(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, nil
		}
		return nil, err
	}
	var out []string
	for _, e := range ents {
		if e.Type().IsRegular() || e.Type()&os.ModeSymlink != 0 {
			out = append(out, e.Name())
		}
	}
	sort.Strings(out)
	return out, nil
}

// systemZone reads the root's zone: /etc/timezone, else the target of the
// /etc/localtime link, else UTC.
func systemZone(root string) (string, error) {
	if b, err := os.ReadFile(filepath.Join(root, "etc/timezone")); err == nil {
		z := strings.TrimSpace(string(b))
		if _, err := time.LoadLocation(z); err != nil || z == "" || z == "Local" {
			return "", fmt.Errorf("zone %q is not an IANA time zone", z)
		}
		return z, nil
	}
	if t, err := os.Readlink(filepath.Join(root, "etc/localtime")); err == nil {
		if i := strings.Index(t, "zoneinfo/"); i >= 0 {
			z := t[i+len("zoneinfo/"):]
			if _, err := time.LoadLocation(z); err == nil && z != "" {
				return z, nil
			}
		}
	}
	return "UTC", nil
}
