package discover

import (
	"crypto/sha1"
	"encoding/hex"
	"path"
	"strings"
)

// wrapped is what recognise found about a command.
type wrapped struct {
	kind  string // "", runwrap, runitor, curl
	slug  string
	inner string   // the command it runs (after --)
	flags []string // runitor's flags, for --convert
}

// shellWords splits a command into words the way sh would for simple
// commands: blanks separate, quotes group and are removed, backslash
// escapes. ok is false when the text has shell syntax a simple split gets
// wrong (operators, unbalanced quotes).
func shellWords(s string) (words []string, ok bool) {
	var cur strings.Builder
	in := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t':
			if in {
				words = append(words, cur.String())
				cur.Reset()
				in = false
			}
		case c == '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return nil, false
			}
			cur.WriteString(s[i+1 : i+1+j])
			i += j + 1
			in = true
		case c == '"':
			i++
			for ; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) && strings.IndexByte("\"\\$`", s[i+1]) >= 0 {
					i++
				}
				cur.WriteByte(s[i])
			}
			if i >= len(s) {
				return nil, false
			}
			in = true
		case c == '\\' && i+1 < len(s):
			i++
			cur.WriteByte(s[i])
			in = true
		case strings.IndexByte(";&|<>()`", c) >= 0:
			return nil, false
		default:
			cur.WriteByte(c)
			in = true
		}
	}
	if in {
		words = append(words, cur.String())
	}
	return words, true
}

// afterDashDash returns the text after the first " -- " word of command.
func afterDashDash(command string) (string, bool) {
	for i := 0; i+2 <= len(command); i++ {
		if command[i:i+2] == "--" && (i == 0 || command[i-1] == ' ' || command[i-1] == '\t') &&
			(i+2 == len(command) || command[i+2] == ' ' || command[i+2] == '\t') {
			return strings.TrimLeft(command[i+2:], " \t"), true
		}
	}
	return "", false
}

// recognise tells whether a command already reports to Healthchecks.
func recognise(command string) wrapped {
	head := command
	if i := strings.Index(command, " -- "); i >= 0 {
		head = command[:i]
	}
	words, _ := shellWords(head)
	if len(words) > 0 {
		switch path.Base(words[0]) {
		case "runwrap":
			w := wrapped{kind: "runwrap"}
			w.slug = flagValue(words[1:], "slug")
			w.inner, _ = afterDashDash(command)
			w.inner = unwrapShell(w.inner)
			return w
		case "runitor":
			w := wrapped{kind: "runitor"}
			w.slug = flagValue(words[1:], "slug")
			w.inner, _ = afterDashDash(command)
			for _, f := range words[1:] {
				if f == "--" {
					break
				}
				w.flags = append(w.flags, f)
			}
			return w
		}
	}
	low := strings.ToLower(command)
	if (strings.Contains(low, "curl") || strings.Contains(low, "wget")) &&
		(strings.Contains(low, "hc-ping") || strings.Contains(low, "/ping/")) {
		return wrapped{kind: "curl"}
	}
	return wrapped{}
}

// flagValue finds -name V, --name V, -name=V or --name=V before "--".
func flagValue(words []string, name string) string {
	for i, w := range words {
		if w == "--" {
			break
		}
		f := strings.TrimLeft(w, "-")
		if f == w {
			continue
		}
		if v, ok := strings.CutPrefix(f, name+"="); ok {
			return v
		}
		if f == name && i+1 < len(words) {
			return words[i+1]
		}
	}
	return ""
}

// runitor flags with the same meaning in runwrap (runitor.md §1.1), and
// the two renamed ones.
var runitorToRunwrap = map[string]string{
	"slug": "slug", "uuid": "uuid", "ping-key": "ping-key", "create": "create", "api-url": "api-url",
	"api-retries": "api-retries", "api-timeout": "api-timeout", "every": "every",
	"no-start-ping": "no-start-ping", "no-output-in-ping": "no-output-in-ping", "no-run-id": "no-run-id",
	"ping-body-limit": "ping-body-limit", "on-success": "on-success", "on-nonzero-exit": "on-nonzero-exit",
	"on-exec-fail": "on-exec-fail", "req-header": "req-header",
	"quiet": "discard-stdout", "silent": "silent",
}

var runitorBool = map[string]bool{"create": true, "no-start-ping": true, "no-output-in-ping": true, "no-run-id": true, "quiet": true, "silent": true}

// converted is the runitor line's command rewritten to runwrap, keeping the
// flags runwrap shares and the command after -- as written.
func (w wrapped) converted(runwrap string) string {
	var args []string
	for i := 0; i < len(w.flags); i++ {
		f := strings.TrimLeft(w.flags[i], "-")
		name, val, hasVal := strings.Cut(f, "=")
		to, ok := runitorToRunwrap[name]
		if !ok {
			continue
		}
		switch {
		case hasVal:
			args = append(args, "--"+to+"="+shellQuote(val))
		case runitorBool[name]:
			args = append(args, "--"+to)
		case i+1 < len(w.flags):
			i++
			args = append(args, "--"+to, shellQuote(w.flags[i]))
		}
	}
	return runwrap + " " + strings.Join(args, " ") + " -- " + w.inner
}

// shellQuote quotes s for sh when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=@,+") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// shell builtins runwrap cannot exec.
var builtins = map[string]bool{"cd": true, ".": true, "source": true, "export": true, "exec": true, "eval": true,
	"ulimit": true, "umask": true, "set": true, "unset": true, "if": true, "for": true, "while": true, "until": true,
	"case": true, "!": true, "{": true, "[[": true, "function": true, "alias": true, "trap": true, "wait": true}

// needsShell reports whether the command uses shell syntax that must run
// inside a shell rather than as runwrap's argv.
func needsShell(cmd string) bool {
	if strings.ContainsAny(cmd, ";&|<>()`\n") || strings.Contains(cmd, "$(") || strings.Contains(cmd, "${") {
		return true
	}
	words, ok := shellWords(cmd)
	if !ok || len(words) == 0 {
		return true
	}
	if builtins[words[0]] || envLine.MatchString(strings.Fields(cmd)[0]) {
		return true
	}
	return false
}

// splitPercent cuts the command at its first unescaped %: cron turns the
// rest into the command's standard input (crontab(5)), so it must stay
// outside any quoting discover adds.
func splitPercent(cmd string) (string, string) {
	for i := 0; i < len(cmd); i++ {
		switch cmd[i] {
		case '\\':
			i++
		case '%':
			return cmd[:i], cmd[i:]
		}
	}
	return cmd, ""
}

// wrapCommand is the crontab command that runs command under runwrap:
// plain commands as runwrap's arguments, shell syntax inside SHELL -c '…'
// (the crontab's SHELL, sh when unset). Trailing blanks and the %-stdin
// part stay where they were.
func wrapCommand(runwrap, slug, command, shell string) string {
	head, tail := splitPercent(command)
	body := strings.TrimRight(head, " \t")
	pad := head[len(body):]
	if shell == "" {
		shell = "sh"
	}
	if needsShell(body) {
		body = shell + " -c " + "'" + strings.ReplaceAll(body, "'", `'\''`) + "'"
	}
	return runwrap + " --slug " + slug + " -- " + body + pad + tail
}

// unwrapShell undoes wrapCommand's "SHELL -c '…'" to show the job's own
// command.
func unwrapShell(inner string) string {
	words, ok := shellWords(inner)
	if ok && len(words) == 3 && words[1] == "-c" && strings.HasSuffix(strings.TrimRight(inner, " \t"), "'") {
		return words[2]
	}
	return inner
}

// deriveSlug makes a readable slug from host, user and the command's
// program and arguments: "web1-root-backup-sh-full". Redirections, cd
// prefixes and variable settings are left out; paths become their last
// element.
func deriveSlug(host, user, command string) string {
	cmd, _ := splitPercent(command)
	// The interesting part is the last "&&" step's first pipeline stage.
	if i := strings.LastIndex(cmd, "&&"); i >= 0 {
		cmd = cmd[i+2:]
	}
	for _, sep := range []string{"||", "|", ";", ">", "<", "&", "(", ")", "`"} {
		if i := strings.Index(cmd, sep); i >= 0 && strings.TrimSpace(cmd[:i]) != "" {
			cmd = cmd[:i]
		}
	}
	var parts []string
	for _, w := range strings.Fields(cmd) {
		if envLine.MatchString(w) && len(parts) == 0 {
			continue
		}
		w = strings.Trim(w, `"'`)
		w = path.Base(strings.TrimRight(w, "/"))
		if w == "." || w == "/" {
			continue
		}
		parts = append(parts, w)
	}
	if len(parts) > 2 && (parts[0] == "sh" || parts[0] == "bash") && parts[1] == "-c" {
		parts = parts[2:]
	}
	s := slugify(strings.Join(parts, " "))
	if s == "" {
		s = "job"
	}
	out := slugify(host) + "-" + slugify(user) + "-" + s
	if len(out) > 64 {
		out = strings.TrimRight(out[:64], "-_")
	}
	return strings.Trim(out, "-")
}

// slugify lowers s and turns runs of anything outside [a-z0-9_] into "-".
func slugify(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
		} else {
			dash = true
		}
	}
	return b.String()
}

// uniqueSlug appends a short hash of key until the slug is free.
func uniqueSlug(base, key string, taken map[string]int) string {
	for i := 0; ; i++ {
		h := sha1.Sum([]byte(key + strings.Repeat("\x00", i)))
		s := base
		if len(s) > 57 {
			s = strings.TrimRight(s[:57], "-_")
		}
		s += "-" + hex.EncodeToString(h[:])[:6]
		if _, ok := taken[s]; !ok {
			return s
		}
	}
}
