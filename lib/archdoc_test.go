package lib_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Issue 18, "make the picture match the code": docs/architecture.md names
// every package under lib/ (TestArchitectureDocMatches checks the
// foundation packages and the allowed edges; this, that a new domain or app
// package is placed in a layer there too). lib/testutil's fakes are named as
// a group.
func TestArchitectureDocNamesEveryPackage(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "docs", "architecture.md"))
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	pkgs := imports(t, "..", "lib")
	if len(pkgs) < 10 {
		t.Fatalf("found %d packages under lib", len(pkgs))
	}
	for p := range pkgs {
		if layerOf(p) == testLayer {
			continue
		}
		if !strings.Contains(doc, "`"+p+"`") {
			t.Errorf("docs/architecture.md does not name `%s` (%s layer)", p, layerOf(p))
		}
	}
}
