package man_test

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cronkit/cronkit/lib/cli"
	"github.com/cronkit/cronkit/lib/cli/man"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// demoRoot: a tool built the way the five are (cli.NewRoot), with one
// subcommand, a hidden one, and texts that Markdown would misread.
func demoRoot() (*cli.Root, *cobra.Command) {
	var out bytes.Buffer
	r := cli.NewRoot(&cli.Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &out}, cli.Tool{
		Name:  "demo",
		Short: "a demo tool",
		Long:  "Posts *all* the_metrics.\n\nA schedule:\n\n  */5 * * * *  demo show\n  # not a heading",
	})
	show := &cobra.Command{Use: "show", Short: "Show [the] options", RunE: func(*cobra.Command, []string) error { return nil }}
	show.Flags().String("api-url", "https://default.example", "site root (self-hosted: your SITE_ROOT)")
	show.Flags().Int("count", 1, "how *many*")
	r.Cmd.AddCommand(show, &cobra.Command{Use: "secret", Hidden: true, Run: func(*cobra.Command, []string) {}})
	return r, show
}

func helpOf(t *testing.T, c *cobra.Command) string {
	t.Helper()
	var b bytes.Buffer
	c.SetOut(&b)
	defer c.SetOut(nil)
	if err := c.Help(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func readPage(t *testing.T, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestWrite(t *testing.T) {
	r, show := demoRoot()
	show.InitDefaultHelpFlag() // as Execute does before --help
	helpBefore := helpOf(t, show)

	dir := t.TempDir()
	date := time.Unix(1700000000, 0).UTC()
	if err := man.Write(r.Cmd, dir, date, "cronkit v1.2.3", cli.ExitCodesOf); err != nil {
		t.Fatal(err)
	}
	var names []string
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		names = append(names, e.Name())
	}
	// Every visible command, not the hidden one.
	if want := []string{"demo-completion.1", "demo-show.1", "demo.1"}; !slices.Equal(names, want) {
		t.Fatalf("pages = %v, want %v", names, want)
	}
	root := readPage(t, dir, "demo.1")
	for _, want := range []string{
		`.TH "DEMO" "1" "Nov 2023" "cronkit v1.2.3" "cronkit manual"`,
		`Posts *all* the_metrics.`,                              // plain text, not Markdown emphasis
		".EX\n  */5 * * * *  demo show\n  # not a heading\n.EE", // indented block kept as typed
		".SH EXIT STATUS\n.nf\n  0    success\n",                // the --help table
		`\fB--config\fP`,
	} {
		if !strings.Contains(root, want) {
			t.Errorf("demo.1 lacks %q:\n%s", want, root)
		}
	}
	if strings.Contains(root, "Exit codes:") {
		t.Errorf("demo.1 repeats the --help heading:\n%s", root)
	}
	if strings.Index(root, ".SH EXIT STATUS") > strings.Index(root, ".SH SEE ALSO") {
		t.Errorf("EXIT STATUS after SEE ALSO:\n%s", root)
	}
	page := readPage(t, dir, "demo-show.1")
	for _, want := range []string{"demo-show - Show [the] options", "how *many*", "your SITE_ROOT"} {
		if !strings.Contains(page, want) {
			t.Errorf("demo-show.1 lacks %q:\n%s", want, page)
		}
	}
	// Every flag --help lists is in the page: they come from the same command.
	for _, fs := range []*pflag.FlagSet{show.Flags(), show.InheritedFlags()} {
		fs.VisitAll(func(f *pflag.Flag) {
			if !strings.Contains(page, `\fB--`+f.Name+`\fP`) {
				t.Errorf("demo-show.1 lacks --%s", f.Name)
			}
		})
	}
	// The Markdown escaping was undone: --help is unchanged.
	if got := helpOf(t, show); got != helpBefore {
		t.Errorf("--help changed by Write:\nbefore:\n%s\nafter:\n%s", helpBefore, got)
	}
}

func TestExitCodesOwnTemplate(t *testing.T) {
	r, show := demoRoot()
	show.SetHelpTemplate("{{.Short}}\n")
	dir := t.TempDir()
	if err := man.Write(r.Cmd, dir, time.Now(), "cronkit", cli.ExitCodesOf); err != nil {
		t.Fatal(err)
	}
	if page := readPage(t, dir, "demo-show.1"); strings.Contains(page, "EXIT STATUS") {
		t.Errorf("a command with its own help template got the shared table:\n%s", page)
	}
}
