package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

func TestManPages(t *testing.T) {
	var stdout, stderr bytes.Buffer
	r, _ := testRoot(t, &stdout, &stderr)
	r.Cmd.Long = "Posts *all* the_metrics.\n\nA schedule:\n\n  */5 * * * *  demo show\n  # not a heading"
	show, _, _ := r.Cmd.Find([]string{"show"})
	show.Short = "Show [the] options"
	show.InitDefaultHelpFlag() // as Execute does
	helpBefore := helpOf(t, r, "show")

	dir := t.TempDir()
	t.Setenv("SOURCE_DATE_EPOCH", "1700000000")
	if code := Execute(r, []string{"__man", dir}); code != 0 {
		t.Fatalf("__man exit %d: %s", code, stderr.String())
	}
	var names []string
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		names = append(names, e.Name())
	}
	// Every visible command, none of the hidden ones (__man, __complete).
	if want := []string{"demo-completion.1", "demo-show.1", "demo.1"}; !slices.Equal(names, want) {
		t.Fatalf("pages = %v, want %v", names, want)
	}
	root := readPage(t, dir, "demo.1")
	for _, want := range []string{
		`.TH "DEMO" "1" "Nov 2023" "cronkit `,                   // date from SOURCE_DATE_EPOCH
		`Posts *all* the_metrics.`,                              // plain text, not Markdown emphasis
		".EX\n  */5 * * * *  demo show\n  # not a heading\n.EE", // indented block kept as typed
		".SH EXIT STATUS\n.nf\n  0    success\n",                // the --help table
		`\fB--config\fP`,
	} {
		if !strings.Contains(root, want) {
			t.Errorf("demo.1 lacks %q:\n%s", want, root)
		}
	}
	if strings.Index(root, ".SH EXIT STATUS") > strings.Index(root, ".SH SEE ALSO") {
		t.Errorf("EXIT STATUS after SEE ALSO:\n%s", root)
	}
	page := readPage(t, dir, "demo-show.1")
	if !strings.Contains(page, "demo-show - Show [the] options") {
		t.Errorf("demo-show.1 NAME line:\n%s", page)
	}
	// Every flag --help lists is in the page: they come from the same command.
	show.Flags().VisitAll(func(f *pflag.Flag) {
		if !strings.Contains(page, `\fB--`+f.Name+`\fP`) {
			t.Errorf("demo-show.1 lacks --%s", f.Name)
		}
	})
	show.InheritedFlags().VisitAll(func(f *pflag.Flag) {
		if !strings.Contains(page, `\fB--`+f.Name+`\fP`) {
			t.Errorf("demo-show.1 lacks inherited --%s", f.Name)
		}
	})
	// The Markdown escaping was undone: --help is unchanged.
	if got := helpOf(t, r, "show"); got != helpBefore {
		t.Errorf("--help changed by __man:\nbefore:\n%s\nafter:\n%s", helpBefore, got)
	}
}

func TestManPagesBadSourceDate(t *testing.T) {
	var stdout, stderr bytes.Buffer
	r, _ := testRoot(t, &stdout, &stderr)
	t.Setenv("SOURCE_DATE_EPOCH", "yesterday")
	if code := Execute(r, []string{"__man", t.TempDir()}); code != ExitUsage {
		t.Fatalf("exit %d, want %d", code, ExitUsage)
	}
	if !strings.Contains(stderr.String(), `SOURCE_DATE_EPOCH="yesterday"`) {
		t.Errorf("stderr = %q", stderr.String())
	}
}

func TestManHiddenFromHelp(t *testing.T) {
	var stdout, stderr bytes.Buffer
	r, _ := testRoot(t, &stdout, &stderr)
	if code := Execute(r, []string{"--help"}); code != 0 {
		t.Fatal(stderr.String())
	}
	if strings.Contains(stdout.String(), "__man") {
		t.Errorf("--help lists __man:\n%s", stdout.String())
	}
}

func helpOf(t *testing.T, r *Root, sub string) string {
	t.Helper()
	c, _, err := r.Cmd.Find([]string{sub})
	if err != nil {
		t.Fatal(err)
	}
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
