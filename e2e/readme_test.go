package e2e

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var tools = []string{"statpost", "runwrap", "pgreport", "chartd", "hcctl"}

// readmeCommands returns the command lines of the README's ```sh blocks that
// run one of the tools (directly or first in a pipeline), whitespace-normalised.
func readmeCommands(t *testing.T) []string {
	t.Helper()
	f, err := os.Open("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cmds []string
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "```sh"):
			in = true
			continue
		case strings.HasPrefix(line, "```"):
			in = false
			continue
		}
		if !in {
			continue
		}
		s := line
		if i := strings.Index(s, "  # "); i >= 0 { // trailing comment
			s = s[:i]
		}
		s = norm(s)
		if s == "" || strings.HasPrefix(s, "#") {
			continue
		}
		for _, tool := range tools {
			if strings.Contains(" "+s, " "+tool+" ") || strings.HasPrefix(s, tool+" ") || strings.Contains(s, "| "+tool) {
				cmds = append(cmds, s)
				break
			}
		}
	}
	return cmds
}

var spaces = regexp.MustCompile(`\s+`)

func norm(s string) string { return strings.TrimSpace(spaces.ReplaceAllString(s, " ")) }

// Every tool command the README shows is run by a test script: the README's
// examples are tested, not decorative.
func TestReadmeCommandsAreTested(t *testing.T) {
	var corpus strings.Builder
	files, _ := filepath.Glob("testdata/*.txtar")
	more, _ := filepath.Glob("../cmd/*/testdata/script/*.txtar")
	// the release test runs the README's install lines from a tarball
	more = append(more, "../scripts/internal/releasetest/release_test.go")
	for _, f := range append(files, more...) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		corpus.WriteString(norm(string(b)))
		corpus.WriteString("\n")
	}
	all := corpus.String()
	cmds := readmeCommands(t)
	if len(cmds) < 10 {
		t.Fatalf("found only %d README commands: is the README's ```sh fencing intact?", len(cmds))
	}
	for _, c := range cmds {
		if !strings.Contains(all, c) {
			t.Errorf("README command not run by any test script: %s", c)
		}
	}
}
