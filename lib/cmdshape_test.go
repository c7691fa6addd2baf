package lib_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// cmdFiles parses every non-test Go file under ../cmd.
func cmdFiles(t *testing.T) (*token.FileSet, map[string]*ast.File) {
	t.Helper()
	fset := token.NewFileSet()
	files := map[string]*ast.File{}
	err := filepath.WalkDir(filepath.Join("..", "cmd"), func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "testdata" {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		files[path] = f
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 10 {
		t.Fatalf("found %d files under ../cmd", len(files))
	}
	return fset, files
}

// Issue 18, "logic out of main": no function in cmd/ over 60 lines (the
// behaviour lives in lib/, where it is tested without a process).
func TestCmdFunctionsShort(t *testing.T) {
	const most = 60
	fset, files := cmdFiles(t)
	for path, f := range files {
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok {
				continue
			}
			if n := fset.Position(fn.End()).Line - fset.Position(fn.Pos()).Line + 1; n > most {
				t.Errorf("%s: %s is %d lines, at most %d (move its logic into lib/)", path, fn.Name.Name, n, most)
			}
		}
	}
}

// Issue 18, "one spelling per option": the options structs of every tool
// have unexported fields, as hcctl's. A struct declared in cmd/ is the
// command's own (flag targets, wiring): nothing outside the package reads
// it. An embedded library type (runwrap's wrap.Config) is the library's
// shape, not a field declared here.
func TestCmdFieldsUnexported(t *testing.T) {
	_, files := cmdFiles(t)
	for path, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			ts, ok := n.(*ast.TypeSpec)
			if !ok {
				return true
			}
			st, ok := ts.Type.(*ast.StructType)
			if !ok {
				return true
			}
			for _, field := range st.Fields.List {
				for _, name := range field.Names {
					if name.IsExported() {
						t.Errorf("%s: %s.%s is exported: cmd's fields are unexported", path, ts.Name.Name, name.Name)
					}
				}
			}
			return true
		})
	}
}

// Issue 18's target: cmd/ under 3,000 lines in all (non-test Go files):
// flags, binding and wording; the behaviour is in lib/app and below.
func TestCmdUnder3000Lines(t *testing.T) {
	const most = 3000
	fset, files := cmdFiles(t)
	total := 0
	for _, f := range files {
		total += fset.File(f.FileStart).LineCount()
	}
	if total >= most {
		t.Errorf("cmd/ has %d lines of non-test Go, want under %d: move behaviour into lib/app/<tool>", total, most)
	}
	t.Logf("cmd/: %d lines in %d files", total, len(files))
}
