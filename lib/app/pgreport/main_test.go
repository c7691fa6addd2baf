package pgreport

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cronkit/cronkit/lib/testutil/pgsandbox"
)

// TestMain stops the shared PostgreSQL cluster after the tests.
func TestMain(m *testing.M) { os.Exit(pgsandbox.Main(m)) }

// testEnv is an Env on buffers, with no libpq environment of the process
// leaking in through Getenv, and a Prompt that fails the test: a run must
// not ask for a password unless the test says so.
func testEnv(t *testing.T, stdin string) (Env, *bytes.Buffer) {
	t.Helper()
	var out bytes.Buffer
	return Env{
		Stdin: strings.NewReader(stdin), Stdout: &out,
		Warnf:  func(f string, args ...any) { t.Errorf("unexpected warning: "+f, args...) },
		Getenv: func(string) string { return "" },
		Prompt: func() (string, error) { t.Error("asked for a password"); return "", errors.New("no prompt") },
	}, &out
}

// asUsage fails t unless err is a *UsageError whose message holds want.
func asUsage(t *testing.T, err error, want string) {
	t.Helper()
	var ue *UsageError
	if !errors.As(err, &ue) || !ue.BadInput() || !strings.Contains(err.Error(), want) {
		t.Errorf("err = %v (%T), want a *UsageError with %q", err, err, want)
	}
}

// fixture is a saved report from lib/pgstat's testdata (a real pgmetrics 1.19 report).
func fixture(name string) string { return filepath.Join("..", "..", "pgstat", "testdata", name) }
