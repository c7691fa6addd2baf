package lib_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// A command's flag (--tolerate) or environment variable (HC_PING_KEY) in a
// string literal of a domain or foundation package.
var (
	cmdFlagRE = regexp.MustCompile(`(?:^|[^-\w])(--[a-z][a-z0-9-]*)`)
	cmdEnvRE  = regexp.MustCompile(`\b((?:HC|RUNWRAP|HCCTL|STATPOST|PGREPORT|CHARTD|PGDASH|STATHAT)_[A-Z_]+|PING_KEY|CHECK_UUID|CHECK_SLUG|DATABASE_URL)\b`)
)

// libCommandNames are the places a library may name a command's flag or
// environment variable: content it produces by design, and (gap: true) the
// error and warning wordings issue 18 wants moved to the command, each with
// where its hint belongs. An entry that matches nothing any more fails the
// test: the list only shrinks.
var libCommandNames = map[string]struct {
	gap bool
	why string
}{
	// Content: what the library writes or documents, not an error's hint.
	"lib/discover --slug":           {false, "the runwrap command line discover writes into a crontab or a drop-in"},
	"lib/discover --undo":           {false, "the header of the drop-in file discover writes says how to remove it"},
	"lib/wrap RUNWRAP_ATTEMPT":      {false, "the environment runwrap gives the child"},
	"lib/wrap RUNWRAP_RUN_ID":       {false, "the environment runwrap gives the child"},
	"lib/pgstat --all-dbs":          {false, "a section's condition in docs/pgreport.md's generated table (issue 18: the docs come from the registry)"},
	"lib/pgstat --bloat":            {false, "a section's condition in docs/pgreport.md's generated table"},
	"lib/pgstat --sql-length":       {false, "a section's line in docs/pgreport.md's generated table"},
	"lib/pgstat --statements-limit": {false, "a section's line in docs/pgreport.md's generated table"},
}

// Libraries do not know the commands (issue 18): a domain or foundation
// package returns typed errors and lets the command word the hint in its own
// flags (docs/architecture.md, "Who may import whom"). lib/cli (the shell
// every command shares), lib/app/<tool> (one tool's use cases) and
// lib/testutil are the command side and are not scanned.
func TestLibrariesNameNoCommandFlags(t *testing.T) {
	found := map[string][]string{} // "pkg name" -> file:line
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path == "cli" || path == "app" || path == "testutil" || d.Name() == "testdata" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		pkg := "lib/" + filepath.ToSlash(filepath.Dir(path))
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil {
				return true
			}
			var names []string
			for _, m := range cmdFlagRE.FindAllStringSubmatch(s, -1) {
				names = append(names, m[1])
			}
			for _, m := range cmdEnvRE.FindAllStringSubmatch(s, -1) {
				names = append(names, m[1])
			}
			for _, name := range names {
				k := pkg + " " + name
				found[k] = append(found[k], fset.Position(lit.Pos()).String())
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(found) == 0 {
		t.Fatal("no command names found anywhere: is the scan looking at lib/?")
	}
	keys := make([]string, 0, len(found))
	for k := range found {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		e, ok := libCommandNames[k]
		switch {
		case !ok:
			t.Errorf("%s names %s (%s): return a typed error and let the command word the hint in its flags",
				strings.Fields(k)[0], strings.Fields(k)[1], strings.Join(found[k], ", "))
		case e.gap:
			t.Logf("known gap: %s at %s: %s", k, strings.Join(found[k], ", "), e.why)
		}
	}
	for k, e := range libCommandNames {
		if _, ok := found[k]; !ok {
			t.Errorf("libCommandNames[%q] (%s) matches nothing any more: remove the entry", k, e.why)
		}
	}
}
