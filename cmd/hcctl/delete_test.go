package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/cronkit/cronkit/lib/cli"
	"github.com/cronkit/cronkit/lib/testutil/fakehc"
)

// delete asks on a terminal and deletes only on "y" or "yes".
func TestDeletePrompt(t *testing.T) {
	old := stdinIsTerminal
	stdinIsTerminal = func(any) bool { return true }
	defer func() { stdinIsTerminal = old }()
	tests := []struct {
		answer  string
		code    int
		deleted bool
	}{
		{"n\n", 1, false},
		{"\n", 1, false},
		{"", 1, false}, // EOF: no answer is no
		{"yes\n", 0, true},
	}
	for _, tt := range tests {
		f := fakehc.Start(t, fakehc.Options{})
		id := f.AddCheck(fakehc.Spec{Name: "old", Slug: "old"})
		var out, errb bytes.Buffer
		env := &cli.Env{Stdin: strings.NewReader(tt.answer), Stdout: &out, Stderr: &errb,
			LookupEnv: func(k string) (string, bool) {
				v, ok := map[string]string{"HC_API_URL": f.URL, "HC_API_KEY": fakehc.DefaultAPIKey}[k]
				return v, ok
			}}
		code := cli.Execute(newRoot(env), []string{"checks", "delete", "old"})
		if code != tt.code {
			t.Errorf("%q: exit %d, want %d (%s)", tt.answer, code, tt.code, errb.String())
		}
		if !strings.HasPrefix(errb.String(), `Delete check "old" (`+id+`)? [y/N] `) {
			t.Errorf("%q: prompt %q", tt.answer, errb.String())
		}
		if _, exists := f.Check(id); exists == tt.deleted {
			t.Errorf("%q: exists=%v", tt.answer, exists)
		}
	}
}
