package discover

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/cronkit/cronkit/lib/cron"
)

// line is one line of a crontab, kept byte for byte.
type line struct {
	text    string // without the line ending
	eol     string // "\n", or "" for a last line without one
	rewrite string // the wrapped line, when the job is to be rewritten
	slug    string
}

type scanner struct {
	p     *Plan
	o     Options
	zone  string
	slugs map[string]int // slug -> job index
}

func (s *scanner) problem(file string, n int, format string, args ...any) {
	s.p.Problems = append(s.p.Problems, Problem{File: file, Line: n, Msg: fmt.Sprintf(format, args...)})
}

// envLine matches NAME=VALUE as Debian cron's load_env reads it: blanks
// around = allowed, any name without blanks or =, and a value that is not
// empty ("CRON_TZ=" is not a setting for cron, and crontab(1) refuses it
// as a bad job line; write CRON_TZ="" instead).
var envLine = regexp.MustCompile(`^[ \t]*([^ \t=#]+)[ \t]*=[ \t]*(.*[^ \t].*)$`)

// cron's macros; @reboot has no schedule.
var cronMacros = map[string]string{
	"@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *",
	"@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
}

// directive is a "# hcctl: slug=x grace=1h tags=a,b" (or "ignore") comment.
type directive struct {
	slug   string
	grace  int64
	tags   []string
	ignore bool
}

func parseDirective(text string) (*directive, bool, error) {
	t := strings.TrimLeft(text, " \t")
	rest, ok := strings.CutPrefix(t, "#")
	if !ok {
		return nil, false, nil
	}
	rest, ok = strings.CutPrefix(strings.TrimLeft(rest, " \t"), "hcctl:")
	if !ok {
		return nil, false, nil
	}
	d := &directive{}
	for _, w := range strings.Fields(rest) {
		if w == "ignore" {
			d.ignore = true
			continue
		}
		k, v, ok := strings.Cut(w, "=")
		if !ok || v == "" {
			return nil, true, fmt.Errorf("hcctl comment: %q: want slug=, grace=, tags= or ignore", w)
		}
		switch k {
		case "slug":
			if !validSlug(v) {
				return nil, true, fmt.Errorf("hcctl comment: slug %q: want a-z, 0-9, - and _ only", v)
			}
			d.slug = v
		case "grace":
			g, err := parseDuration(v)
			if err != nil || g < 60 || g > 31536000 {
				return nil, true, fmt.Errorf("hcctl comment: grace %q: want a duration from 1m to 365d", v)
			}
			d.grace = g
		case "tags":
			for _, tag := range strings.Split(v, ",") {
				if tag != "" {
					d.tags = append(d.tags, tag)
				}
			}
		default:
			return nil, true, fmt.Errorf("hcctl comment: unknown key %q (want slug, grace, tags or ignore)", k)
		}
	}
	return d, true, nil
}

// parseDuration reads seconds or a duration with s, m, h or d units.
func parseDuration(v string) (int64, error) {
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		return n, nil
	}
	if d, ok := strings.CutSuffix(v, "d"); ok {
		n, err := strconv.ParseInt(d, 10, 64)
		return n * 86400, err
	}
	d, err := time.ParseDuration(v)
	return int64(d / time.Second), err
}

func validSlug(s string) bool {
	if s == "" || len(s) > 100 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// splitLines keeps each line's ending so the file can be put back together
// byte for byte.
func splitLines(data []byte) []*line {
	var out []*line
	s := string(data)
	for s != "" {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			out = append(out, &line{text: s})
			break
		}
		out = append(out, &line{text: s[:i], eol: "\n"})
		s = s[i+1:]
	}
	return out
}

// fieldSpans returns the start and end of the first n blank-separated
// fields of text, and where the rest starts.
func fieldSpans(text string, n int) ([][2]int, int) {
	var spans [][2]int
	i := 0
	for len(spans) < n {
		for i < len(text) && (text[i] == ' ' || text[i] == '\t') {
			i++
		}
		if i >= len(text) {
			break
		}
		j := i
		for j < len(text) && text[j] != ' ' && text[j] != '\t' {
			j++
		}
		spans = append(spans, [2]int{i, j})
		i = j
	}
	for i < len(text) && (text[i] == ' ' || text[i] == '\t') {
		i++
	}
	return spans, i
}

// crontab reads one crontab file. kind is "system" (a user column) or
// "user" (the spool file of user).
func (s *scanner) crontab(rel, kind, user string) {
	abs := filepath.Join(s.o.Root, rel)
	st, err := os.Stat(abs)
	if err != nil {
		if !os.IsNotExist(err) {
			s.problem(rel, 0, "%v", err)
		}
		return
	}
	data, err := os.ReadFile(abs)
	if err != nil {
		s.problem(rel, 0, "%v", err)
		return
	}
	f := &File{Path: rel, Kind: kind, User: user, abs: abs, mode: st.Mode().Perm(), exist: true, old: data, lines: splitLines(data), uid: -1, gid: -1}
	if sys, ok := st.Sys().(*syscall.Stat_t); ok {
		f.uid, f.gid = int(sys.Uid), int(sys.Gid)
	}
	s.p.Files = append(s.p.Files, f)
	env := map[string]string{}
	var dir *directive
	for i, l := range f.lines {
		n := i + 1
		text := strings.TrimRight(l.text, "\r")
		trimmed := strings.TrimLeft(text, " \t")
		prevDir := dir
		dir = nil
		switch {
		case trimmed == "":
			continue
		case strings.HasPrefix(trimmed, "#"):
			d, ok, err := parseDirective(trimmed)
			if err != nil {
				s.problem(rel, n, "%v", err)
			} else if ok {
				dir = d
			}
			continue
		}
		if l.eol == "" {
			// crontab(5): cron needs a newline after every entry; crontab(1)
			// refuses such a file and the daemon does not run the line.
			s.problem(rel, n, "no newline at the end of the file: cron ignores this line (add one)")
			continue
		}
		if m := envLine.FindStringSubmatch(text); m != nil {
			env[m[1]] = unquoteEnv(m[2])
			continue
		}
		s.cronLine(f, l, n, text, kind, user, env, prevDir)
	}
}

// unquoteEnv strips one pair of matching quotes, as cron does.
func unquoteEnv(v string) string {
	v = strings.TrimRight(v, " \t")
	if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
		return v[1 : len(v)-1]
	}
	return v
}

func (s *scanner) cronLine(f *File, l *line, n int, text, kind, user string, env map[string]string, dir *directive) {
	rel := f.Path
	nsched := 5
	if strings.HasPrefix(strings.TrimLeft(text, " \t"), "@") {
		nsched = 1
	}
	want := nsched + 1 // + command
	if kind == "system" {
		want++
	}
	spans, cmdStart := fieldSpans(text, want-1)
	if len(spans) < want-1 || cmdStart >= len(text) {
		s.problem(rel, n, "not a cron job, environment setting or comment: want %d schedule fields%s and a command", nsched, map[bool]string{true: ", a user", false: ""}[kind == "system"])
		return
	}
	var fields []string
	for _, sp := range spans[:nsched] {
		fields = append(fields, text[sp[0]:sp[1]])
	}
	raw := strings.Join(fields, " ")
	if kind == "system" {
		user = text[spans[nsched][0]:spans[nsched][1]]
	}
	command := text[cmdStart:]
	j := Job{File: rel, Line: n, Kind: "cron", User: user, Raw: raw, Command: strings.TrimRight(command, " \t"), Grace: s.o.Grace}
	j.TZ = s.zone
	if z := env["CRON_TZ"]; z != "" {
		j.TZ = z
	} else if z := env["TZ"]; z != "" {
		j.TZ = z
	}
	if nsched == 1 {
		low := strings.ToLower(raw)
		if low == "@reboot" {
			j.State, j.Note = StateReboot, "@reboot has no schedule to monitor: left alone"
			s.add(f, j)
			return
		}
		exp, ok := cronMacros[low]
		if !ok {
			s.problem(rel, n, "unknown macro %q (want @hourly, @daily, @weekly, @monthly, @yearly, @annually, @midnight or @reboot)", raw)
			return
		}
		j.Schedule = exp
	} else {
		if _, err := cron.Parse(raw); err != nil {
			s.problem(rel, n, "schedule %q: %v", raw, err)
			return
		}
		if len(raw) > 100 {
			// Check.schedule is max_length=100 (oncalendar.md "Limits").
			s.problem(rel, n, "schedule %q: %d characters; Healthchecks takes at most 100", raw, len(raw))
			return
		}
		j.Schedule = raw
	}
	if _, err := time.LoadLocation(j.TZ); err != nil || j.TZ == "Local" {
		s.problem(rel, n, "time zone %q (CRON_TZ/TZ) is not an IANA zone", j.TZ)
		return
	}
	if dir != nil {
		if dir.ignore {
			j.State, j.Note = StateIgnored, "# hcctl: ignore"
			s.add(f, j)
			return
		}
		if dir.grace > 0 {
			j.Grace = dir.grace
		}
		j.Tags = dir.tags
	}
	shell := env["SHELL"]
	w := recognise(command)
	switch {
	case w.kind == "runwrap" && w.slug != "":
		j.State, j.Slug, j.Command = StateWrapped, w.slug, w.inner
	case w.kind == "runwrap":
		j.State, j.Note = StateUnwrapped, "runs under runwrap without --slug: left alone"
	case w.kind == "runitor" && s.o.Convert && w.slug != "":
		j.State, j.Slug, j.Command = StateConvert, w.slug, w.inner
		l.rewrite = text[:cmdStart] + w.converted(s.o.Runwrap)
		l.slug = j.Slug
	case w.kind == "runitor":
		j.State, j.Note, j.Convert = StateRunitor, "runs under runitor: left alone", w.slug != ""
		if w.slug == "" && s.o.Convert {
			j.Note = "runs under runitor without -slug: left alone"
		}
	case w.kind == "curl":
		j.State, j.Note = StateCurl, "pings Healthchecks itself: left alone"
	case strings.Contains(command, "run-parts"):
		j.State, j.Note = StateRunParts, "runs run-parts (the distribution's cron.daily etc.): left alone"
	default:
		j.State = StateNew
		j.Slug = deriveSlug(s.o.Host, user, command)
		if dir != nil && dir.slug != "" {
			j.Slug = dir.slug
		}
	}
	if dir != nil && dir.slug != "" && j.State != StateNew && j.Slug != "" && j.Slug != dir.slug {
		j.Note = fmt.Sprintf("the line runs under slug %s; the comment's slug=%s is not applied", j.Slug, dir.slug)
	}
	idx := s.add(f, j)
	if idx < 0 {
		l.rewrite = ""
		return
	}
	j = s.p.Jobs[idx]
	if j.State == StateNew {
		l.rewrite = text[:cmdStart] + wrapCommand(s.o.Runwrap, j.Slug, command, shell)
		l.slug = j.Slug
	}
	if l.rewrite != "" && strings.HasSuffix(l.text, "\r") {
		l.rewrite += "\r" // a CRLF file stays CRLF
	}
}

// add appends a job, making its slug unique: a later job whose slug is
// taken gets a short hash of where and what it is. It returns the job's
// index, or -1 when an explicit slug collides (a problem).
func (s *scanner) add(f *File, j Job) int {
	if j.Slug != "" {
		if prev, taken := s.slugs[j.Slug]; taken {
			if j.State != StateNew {
				s.problem(j.File, j.Line, "slug %s is also used by %s:%d", j.Slug, s.p.Jobs[prev].File, s.p.Jobs[prev].Line)
				return -1
			}
			j.Slug = uniqueSlug(j.Slug, j.File+"\x00"+j.User+"\x00"+j.Raw+"\x00"+j.Command, s.slugs)
		}
		s.slugs[j.Slug] = len(s.p.Jobs)
		j.Desc = fmt.Sprintf("%s job in %s on %s (hcctl discover)", j.Kind, j.File, s.o.Host)
	}
	s.p.Jobs = append(s.p.Jobs, j)
	f.jobs = append(f.jobs, len(s.p.Jobs)-1)
	return len(s.p.Jobs) - 1
}
