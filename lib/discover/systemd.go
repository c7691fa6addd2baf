package discover

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/cronkit/cronkit/lib/cron"
)

// unitDirs are systemd's system unit directories, highest precedence
// first (systemd.unit(5)).
var unitDirs = []string{"/etc/systemd/system", "/run/systemd/system", "/usr/local/lib/systemd/system", "/lib/systemd/system", "/usr/lib/systemd/system"}

// DropInName is the drop-in discover writes beside a service; its presence
// marks the service as wrapped, and --undo removes it.
const DropInName = "hcctl-discover.conf"

const dropInHeader = "# Written by hcctl discover: runs the service under runwrap so that\n" +
	"# Healthchecks hears of every run. The vendor unit is untouched;\n" +
	"# `hcctl discover --undo` removes this file.\n"

// unitFile is the settings of one unit file and its drop-ins.
type unitFile struct {
	path string              // under the root, where the unit was found
	keys map[string][]string // "Section.Key" -> values in order
}

// readUnit reads NAME from the first unit directory that has it, then its
// drop-ins (NAME.d/*.conf in every directory, sorted by file name; a file
// name in a higher directory hides the same name below). skip names a
// drop-in to leave out.
func readUnit(root, name, skip string) (*unitFile, error) {
	u := &unitFile{keys: map[string][]string{}}
	for _, d := range unitDirs {
		p := filepath.Join(root, d, name)
		if data, err := os.ReadFile(p); err == nil {
			u.path = filepath.Join(d, name)
			parseUnit(string(data), u.keys)
			break
		} else if !os.IsNotExist(err) {
			return nil, err
		}
	}
	if u.path == "" {
		return nil, os.ErrNotExist
	}
	drop := map[string]string{}
	for i := len(unitDirs) - 1; i >= 0; i-- {
		dir := filepath.Join(root, unitDirs[i], name+".d")
		for _, f := range listDir(dir) {
			if strings.HasSuffix(f, ".conf") && f != skip {
				drop[f] = filepath.Join(dir, f)
			}
		}
	}
	names := make([]string, 0, len(drop))
	for n := range drop {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if data, err := os.ReadFile(drop[n]); err == nil {
			parseUnit(string(data), u.keys)
		}
	}
	return u, nil
}

// parseUnit adds a unit file's settings; an empty value resets the list.
func parseUnit(text string, keys map[string][]string) {
	section := ""
	var pending string
	for _, raw := range strings.Split(text, "\n") {
		l := strings.TrimSpace(raw)
		if pending != "" {
			l = pending + l
			pending = ""
		}
		if strings.HasSuffix(l, "\\") {
			pending = strings.TrimSuffix(l, "\\") + " "
			continue
		}
		if l == "" || l[0] == '#' || l[0] == ';' {
			continue
		}
		if l[0] == '[' && l[len(l)-1] == ']' {
			section = l[1 : len(l)-1]
			continue
		}
		k, v, ok := strings.Cut(l, "=")
		if !ok {
			continue
		}
		key := section + "." + strings.TrimSpace(k)
		v = strings.TrimSpace(v)
		if v == "" {
			keys[key] = nil
			continue
		}
		keys[key] = append(keys[key], v)
	}
}

// timers reads every *.timer with OnCalendar= and plans a drop-in for its
// service.
func (s *scanner) timers() {
	seen := map[string]bool{}
	var names []string
	for _, d := range unitDirs {
		for _, f := range listDir(filepath.Join(s.o.Root, d)) {
			if strings.HasSuffix(f, ".timer") && !seen[f] {
				seen[f] = true
				names = append(names, f)
			}
		}
	}
	sort.Strings(names)
	for _, name := range names {
		s.timer(name)
	}
}

func (s *scanner) timer(name string) {
	t, err := readUnit(s.o.Root, name, "")
	if err != nil {
		s.problem(name, 0, "%v", err)
		return
	}
	cals := t.keys["Timer.OnCalendar"]
	if len(cals) == 0 {
		return // monotonic timers (OnBootSec=...) have no calendar to monitor
	}
	unit := strings.TrimSuffix(name, ".timer") + ".service"
	if u := t.keys["Timer.Unit"]; len(u) > 0 {
		unit = u[len(u)-1]
	}
	schedule := strings.Join(cals, "\n")
	if _, err := cron.ParseAny(schedule); err != nil {
		s.problem(t.path, 0, "OnCalendar: %v", err)
		return
	}
	if len(schedule) > 100 {
		s.problem(t.path, 0, "OnCalendar: %d characters; Healthchecks takes at most 100", len(schedule))
		return
	}
	svc, err := readUnit(s.o.Root, unit, DropInName)
	if err != nil {
		s.problem(t.path, 0, "its service %s: %v", unit, err)
		return
	}
	user := "root"
	if u := svc.keys["Service.User"]; len(u) > 0 {
		user = u[len(u)-1]
	}
	j := Job{File: t.path, Kind: "timer", Unit: name, User: user, Raw: strings.Join(cals, "; "), Schedule: schedule, TZ: s.zone, Grace: s.o.Grace}
	execs := svc.keys["Service.ExecStart"]
	dropRel := filepath.Join("/etc/systemd/system", unit+".d", DropInName)
	dropAbs := filepath.Join(s.o.Root, dropRel)
	old, oerr := os.ReadFile(dropAbs)
	f := &File{Path: dropRel, Kind: "dropin", abs: dropAbs, mode: 0o644, uid: -1, gid: -1, exist: oerr == nil, old: old}
	switch {
	case len(execs) != 1:
		j.State, j.Note = StateUnwrapped, fmt.Sprintf("%s has %d ExecStart= lines: not wrapped (one is needed)", unit, len(execs))
		s.add(f, j)
		return
	}
	prefix, command := splitExecPrefix(execs[0])
	j.Command = command
	if w := recognise(command); w.kind != "" {
		j.State, j.Note = StateUnwrapped, fmt.Sprintf("%s already runs under %s: left alone", unit, w.kind)
		s.add(f, j)
		return
	}
	j.State = StateNew
	j.Slug = strings.Trim(slugify(s.o.Host)+"-"+slugify(strings.TrimSuffix(name, ".timer")), "-")
	if f.exist {
		// Our drop-in is there: keep its slug, rewrite it only if the
		// service's command changed under it.
		if w := recognise(dropInExec(string(old))); w.kind == "runwrap" && w.slug != "" {
			j.State, j.Slug = StateWrapped, w.slug
		}
	}
	idx := s.add(f, j)
	if idx < 0 {
		return
	}
	slug := s.p.Jobs[idx].Slug
	content := []byte(dropInHeader + "[Service]\nExecStart=\nExecStart=" + prefix + s.o.Runwrap + " --slug " + slug + " -- " + command + "\n")
	f.dropin = func(ok func(string) bool) []byte {
		if !ok(slug) {
			return f.old
		}
		return content
	}
	s.p.Files = append(s.p.Files, f)
}

// splitExecPrefix separates ExecStart='s special prefixes (-, @, :, +, !,
// !!) from the command line.
func splitExecPrefix(v string) (string, string) {
	i := 0
	for i < len(v) && strings.IndexByte("-@:+!", v[i]) >= 0 {
		i++
	}
	return v[:i], strings.TrimLeft(v[i:], " \t")
}

// dropInExec is the last non-empty ExecStart= of a drop-in we wrote.
func dropInExec(text string) string {
	keys := map[string][]string{}
	parseUnit(text, keys)
	e := keys["Service.ExecStart"]
	if len(e) == 0 {
		return ""
	}
	_, c := splitExecPrefix(e[len(e)-1])
	return c
}
