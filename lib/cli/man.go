package cli

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/cronkit/cronkit/lib/version"
	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
	"github.com/spf13/pflag"
)

// newManCmd is the hidden "__man DIR" command scripts/release runs to write
// a man page for every command and subcommand. The pages come from the same
// cobra commands as --help, so they cannot drift from it.
func newManCmd(root *cobra.Command) *cobra.Command {
	return &cobra.Command{
		Use:    "__man DIR",
		Short:  "Write the man pages of every command into DIR (for packaging)",
		Hidden: true,
		Args:   cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			date, err := sourceDate()
			if err != nil {
				return Usagef("%v", err)
			}
			return WriteManPages(root, args[0], date)
		},
	}
}

// sourceDate is SOURCE_DATE_EPOCH (the reproducible-builds convention) or now:
// the date in the pages' footer.
func sourceDate() (time.Time, error) {
	s := os.Getenv("SOURCE_DATE_EPOCH")
	if s == "" {
		return time.Now().UTC(), nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("SOURCE_DATE_EPOCH=%q: not a Unix time", s)
	}
	return time.Unix(n, 0).UTC(), nil
}

// WriteManPages writes NAME.1 for root and NAME-SUB[-SUB].1 for each visible
// subcommand into dir, with an EXIT STATUS section holding the exit-code table
// that --help prints.
func WriteManPages(root *cobra.Command, dir string, date time.Time) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	header := &doc.GenManHeader{
		Section: "1",
		Manual:  "cronkit manual",
		Source:  "cronkit " + version.String(),
		Date:    &date,
	}
	var walk func(c *cobra.Command) error
	walk = func(c *cobra.Command) error {
		for _, sub := range c.Commands() {
			if !sub.IsAvailableCommand() || sub.IsAdditionalHelpTopicCommand() {
				continue
			}
			if err := walk(sub); err != nil {
				return err
			}
		}
		c.DisableAutoGenTag = true // no "auto generated" line with a date
		var buf bytes.Buffer
		h := *header // GenMan fills Title per command
		restore := asMarkdown(c)
		err := doc.GenMan(c, &h, &buf)
		restore()
		if err != nil {
			return fmt.Errorf("man page for %s: %w", c.CommandPath(), err)
		}
		page := withExitStatus(buf.Bytes(), exitCodes(c))
		name := strings.ReplaceAll(c.CommandPath(), " ", "-") + ".1"
		return os.WriteFile(filepath.Join(dir, name), page, 0o644)
	}
	return walk(root)
}

// exitCodes is the table NewRoot appended to the help template, as --help
// shows it for c ("" if c has a template of its own).
func exitCodes(c *cobra.Command) string {
	codes, ok := strings.CutPrefix(c.HelpTemplate(), helpTemplate+"\n")
	if !ok {
		return ""
	}
	codes = strings.TrimSpace(codes)
	_, codes, _ = strings.Cut(codes, "\n") // drop the "Exit codes:" heading
	return codes
}

// withExitStatus inserts an EXIT STATUS section before SEE ALSO (its place in
// man-pages(7)), or at the end.
func withExitStatus(page []byte, codes string) []byte {
	if strings.TrimSpace(codes) == "" {
		return page
	}
	var sec bytes.Buffer
	sec.WriteString(".SH EXIT STATUS\n.nf\n")
	for _, line := range strings.Split(codes, "\n") {
		line = strings.ReplaceAll(strings.TrimRight(line, " "), `\`, `\e`)
		line = strings.ReplaceAll(line, "-", `\-`)
		if strings.HasPrefix(line, ".") || strings.HasPrefix(line, "'") {
			line = `\&` + line
		}
		sec.WriteString(line + "\n")
	}
	sec.WriteString(".fi\n\n")
	if i := bytes.Index(page, []byte(".SH SEE ALSO")); i >= 0 {
		return append(append(append([]byte{}, page[:i]...), sec.Bytes()...), page[i:]...)
	}
	return append(page, sec.Bytes()...)
}

// asMarkdown rewrites c's texts for cobra/doc, which reads them as Markdown
// while --help prints them as plain text: "*/5 * * * *" must not turn into
// italics, and an indented block (a YAML file, a table) must keep its lines.
// It returns the function that puts the plain texts back.
func asMarkdown(c *cobra.Command) (restore func()) {
	short, long := c.Short, c.Long
	c.Short, c.Long = mdEscape(c.Short), mdLong(c.Long)
	type saved struct {
		f     *pflag.Flag
		usage string
	}
	var flags []saved
	seen := map[*pflag.Flag]bool{} // inherited flags are shared: escape once
	visit := func(f *pflag.Flag) {
		if !seen[f] {
			seen[f] = true
			flags = append(flags, saved{f, f.Usage})
			f.Usage = mdEscape(f.Usage)
		}
	}
	c.NonInheritedFlags().VisitAll(visit)
	c.InheritedFlags().VisitAll(visit)
	return func() {
		c.Short, c.Long = short, long
		for _, s := range flags {
			s.f.Usage = s.usage
		}
	}
}

// mdLong: paragraphs with an indented line become code blocks (shown as
// typed); the others are prose with Markdown's special characters escaped.
func mdLong(s string) string {
	paras := strings.Split(strings.TrimSpace(s), "\n\n")
	for i, p := range paras {
		indented := false
		for _, line := range strings.Split(p, "\n") {
			if strings.HasPrefix(line, " ") || strings.HasPrefix(line, "\t") {
				indented = true
			}
		}
		if indented {
			paras[i] = "```\n" + p + "\n```"
		} else {
			paras[i] = mdEscape(p)
		}
	}
	return strings.Join(paras, "\n\n")
}

var mdSpecial = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", `*`, `\*`, `_`, `\_`, `[`, `\[`, `]`, `\]`,
	`<`, `\<`, `>`, `\>`, `#`, `\#`, `|`, `\|`, `~`, `\~`,
)

func mdEscape(s string) string { return mdSpecial.Replace(s) }
