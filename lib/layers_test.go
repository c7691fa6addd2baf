// Package lib_test enforces the import rules of docs/architecture.md on
// every non-test Go file under cmd/ and lib/:
//
//	cmd -> lib/cli (shell) -> lib/<foundation>
//	cmd -> lib/app/<tool>  -> lib/<domain> -> lib/<foundation>
//
// A domain package imports no other domain package (except the edges in
// allowedDomainEdges), nothing in lib imports lib/cli but the test helpers,
// lib/httpx and lib/cli do not import each other, and only tests import
// lib/testutil.
package lib_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/cronkit/cronkit/"

// foundation: packages that know no service and no tool; they import only
// each other. Every other lib package (but lib/cli and lib/testutil) is a
// domain package.
var foundation = map[string]bool{
	"lib/version": true, "lib/redact": true, "lib/httpx": true, "lib/metric": true,
	"lib/atomicfile": true, "lib/promtext": true, "lib/spool": true, "lib/runner": true,
	"lib/suggest": true, "lib/outcome": true,
}

// allowedDomainEdges are the documented imports between domain packages.
var allowedDomainEdges = map[[2]string]string{
	{"lib/hc", "lib/cron"}:          "hcctl apply validates a check's schedule with the cron cronkit itself uses",
	{"lib/pgcheck", "lib/pgstat"}:   "pgreport check's rules read pgstat's report model, live or saved",
	{"lib/discover", "lib/cron"}:    "hcctl discover parses the schedules it finds with the cron (and OnCalendar) cronkit itself uses",
	{"lib/pgstat", "lib/pglog"}:     "the report (pgmetrics' model) embeds the log records pglog parses, and Collect reads a local server's logs with its settings",
	{"lib/pgstat", "lib/pgbouncer"}: "the report (pgmetrics' model) carries PgBouncer's figures in its pgbouncer key, rendered in text and metrics",
}

type layer int

const (
	foundationLayer layer = iota
	domainLayer
	appLayer   // lib/app/<tool>: one tool's use cases, no flags
	shellLayer // lib/cli
	cmdLayer
	testLayer // lib/testutil and below
)

func (l layer) String() string {
	return [...]string{"foundation", "domain", "app", "shell", "cmd", "testutil"}[l]
}

func layerOf(pkg string) layer {
	switch {
	case strings.HasPrefix(pkg, "cmd/"):
		return cmdLayer
	case pkg == "lib/testutil" || strings.HasPrefix(pkg, "lib/testutil/"):
		return testLayer
	case pkg == "lib/cli" || strings.HasPrefix(pkg, "lib/cli/"): // lib/cli/man: its man-page writer
		return shellLayer
	case strings.HasPrefix(pkg, "lib/app/"):
		return appLayer
	case foundation[pkg]:
		return foundationLayer
	}
	return domainLayer
}

// allowed says whether from may import to, and why not.
func allowed(from, to string) (bool, string) {
	lf, lt := layerOf(from), layerOf(to)
	switch {
	case lt == testLayer && lf != testLayer:
		return false, "only tests import lib/testutil"
	case lt == cmdLayer && strings.HasPrefix(to, from+"/internal/"):
		return true, "" // a command's own internal package (cmd/runwrap/internal/oneproc)
	case lt == cmdLayer:
		return false, "nothing imports a command"
	case from == "lib/httpx" && to == "lib/cli", from == "lib/cli" && to == "lib/httpx":
		return false, "lib/httpx and lib/cli do not import each other (shared pieces live in leaves: lib/redact, lib/version)"
	case lf == cmdLayer || lf == testLayer:
		return true, ""
	case lt == appLayer:
		return false, "only a command imports an app package (app packages do not import each other)"
	case lf == appLayer:
		return lt == foundationLayer || lt == domainLayer, "an app package imports domain and foundation packages only (no lib/cli: it returns typed errors)"
	case lf == shellLayer:
		return lt == foundationLayer || lt == shellLayer, "lib/cli imports only foundation packages (and its own lib/cli/...)"
	case lf == foundationLayer:
		return lt == foundationLayer, "a foundation package imports only foundation packages"
	case lt == domainLayer:
		_, ok := allowedDomainEdges[[2]string{from, to}]
		return ok, "a domain package imports no other domain package (allowed edges: docs/architecture.md)"
	case lt == shellLayer:
		return false, "libraries do not import lib/cli: they return typed errors and lib/cli maps them to exit codes"
	}
	return true, ""
}

// imports reads the cronkit imports of each package's non-test files under
// root/dir (all build tags: the union is what matters).
func imports(t *testing.T, root string, dirs ...string) map[string]map[string]bool {
	t.Helper()
	out := map[string]map[string]bool{}
	for _, dir := range dirs {
		err := filepath.WalkDir(filepath.Join(root, dir), func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) {
				return filepath.SkipDir
			}
			if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return nil
			}
			f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(root, filepath.Dir(path))
			pkg := filepath.ToSlash(rel)
			if out[pkg] == nil {
				out[pkg] = map[string]bool{}
			}
			for _, im := range f.Imports {
				p, _ := strconv.Unquote(im.Path.Value)
				if rest, ok := strings.CutPrefix(p, module); ok {
					out[pkg][rest] = true
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func TestImportRules(t *testing.T) {
	graph := imports(t, "..", "cmd", "lib")
	if len(graph) < 10 || graph["cmd/runwrap"] == nil {
		t.Fatalf("found %d packages: is the module root ..?", len(graph))
	}
	var pkgs []string
	for p := range graph {
		pkgs = append(pkgs, p)
	}
	sort.Strings(pkgs)
	for _, from := range pkgs {
		for to := range graph[from] {
			if ok, why := allowed(from, to); !ok {
				t.Errorf("%s (%s) imports %s (%s): %s", from, layerOf(from), to, layerOf(to), why)
			}
		}
	}
}

// The rules themselves, on edges the code does not have (so that a rule
// that stopped biting would show).
func TestAllowed(t *testing.T) {
	for _, tt := range []struct {
		from, to string
		ok       bool
	}{
		{"cmd/runwrap", "lib/wrap", true},
		{"cmd/runwrap", "lib/cli", true},
		{"lib/wrap", "lib/runner", true},
		{"lib/hc", "lib/cron", true},
		{"lib/wrap", "lib/hc", false},
		{"lib/cron", "lib/hc", false},
		{"lib/stats", "lib/cli", false},
		{"lib/cli", "lib/httpx", false},
		{"lib/httpx", "lib/cli", false},
		{"lib/cli", "lib/redact", true},
		{"lib/runner", "lib/hc", false},
		{"lib/metric", "lib/atomicfile", true},
		{"lib/pgdash", "lib/testutil/fakepgdash", false},
		{"lib/testutil", "lib/cli", true},
		{"cmd/hcctl", "cmd/runwrap", false},
		{"cmd/runwrap", "cmd/runwrap/internal/oneproc", true},
		{"cmd/hcctl", "cmd/runwrap/internal/oneproc", false},
		{"cmd/hcctl", "lib/app/hcctl", true},
		{"lib/app/hcctl", "lib/hc", true},
		{"lib/app/hcctl", "lib/discover", true},
		{"lib/app/hcctl", "lib/cli", false},
		{"lib/app/hcctl", "lib/app/statpost", false},
		{"lib/hc", "lib/app/hcctl", false},
		{"lib/cli", "lib/outcome", true},
		{"lib/app/statpost", "lib/outcome", true},
		{"lib/outcome", "lib/cli", false},
	} {
		if ok, _ := allowed(tt.from, tt.to); ok != tt.ok {
			t.Errorf("allowed(%s, %s) = %v, want %v", tt.from, tt.to, ok, tt.ok)
		}
	}
}

// App packages hold a tool's behaviour without its flags: they must not
// import cobra, pflag or viper, so that everything they do is testable by a
// plain function call with injected streams.
func TestAppPackagesHaveNoFlags(t *testing.T) {
	err := filepath.WalkDir("app", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, im := range f.Imports {
			if p, _ := strconv.Unquote(im.Path.Value); strings.HasPrefix(p, "github.com/spf13/") {
				t.Errorf("%s imports %s: flags and config binding belong in cmd/", path, p)
			}
		}
		return nil
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
}

// docs/architecture.md names every foundation package and every allowed
// domain edge the rules here use: the picture matches the code.
func TestArchitectureDocMatches(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "docs", "architecture.md"))
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	for p := range foundation {
		if !strings.Contains(doc, "`"+p+"`") {
			t.Errorf("docs/architecture.md does not name the foundation package `%s`", p)
		}
	}
	for e := range allowedDomainEdges {
		if !strings.Contains(doc, "`"+e[0]+"` → `"+e[1]+"`") {
			t.Errorf("docs/architecture.md does not document the edge `%s` → `%s`", e[0], e[1])
		}
	}
}
