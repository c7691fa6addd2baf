// Package man writes the man pages of a cobra command tree with cobra/doc.
// It is compiled into the binaries only with the build tag mangen (the
// hidden "TOOL __man DIR" command scripts/release runs), so the shipped tools
// carry neither cobra/doc nor its Markdown parser. It is not a public API.
package man

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
	"github.com/spf13/pflag"
)

// Write writes NAME.1 for root and NAME-SUB[-SUB].1 for each visible
// subcommand into dir. source names the release in the footer ("cronkit
// v1.2.3"); exitCodes gives the exit-code table --help prints for a command
// (without its heading), written as the EXIT STATUS section.
func Write(root *cobra.Command, dir string, date time.Time, source string, exitCodes func(*cobra.Command) string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	header := &doc.GenManHeader{
		Section: "1",
		Manual:  "cronkit manual",
		Source:  source,
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
