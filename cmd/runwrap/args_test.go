package main

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/cronkit/cronkit/lib/cli"
)

func testRoot() *cli.Root {
	return newRoot(&cli.Env{Stdin: strings.NewReader(""), Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{},
		LookupEnv: func(string) (string, bool) { return "", false }})
}

func TestNormalizeArgs(t *testing.T) {
	tests := []struct {
		name string
		in   []string
		want []string
	}{
		{"runitor flags", []string{"-uuid", "U", "-every", "5m", "--", "cmd", "-uuid"},
			[]string{"--uuid", "U", "--every", "5m", "--", "cmd", "-uuid"}},
		{"with =", []string{"-uuid=U", "-create=true", "cmd"}, []string{"--uuid=U", "--create=true", "cmd"}},
		{"bool flags take no value", []string{"-no-start-ping", "-no-run-id", "cmd", "-x"},
			[]string{"--no-start-ping", "--no-run-id", "cmd", "-x"}},
		{"runitor -quiet drops stdout", []string{"-quiet", "cmd"}, []string{"--discard-stdout", "cmd"}},
		{"--quiet is runwrap's", []string{"--quiet", "cmd"}, []string{"--quiet", "cmd"}},
		{"shorthands untouched", []string{"-v", "-q", "-vv", "cmd"}, []string{"-v", "-q", "-vv", "cmd"}},
		{"stops at the command", []string{"cmd", "-uuid", "x"}, []string{"cmd", "-uuid", "x"}},
		{"value that looks like a flag", []string{"-slug", "-uuid", "cmd"}, []string{"--slug", "-uuid", "cmd"}},
		{"double-dash value skipped", []string{"--on-success", "log", "-every", "1m", "c"},
			[]string{"--on-success", "log", "--every", "1m", "c"}},
		{"repeatable header", []string{"-req-header", "A: 1", "-req-header", "B: 2", "c"},
			[]string{"--req-header", "A: 1", "--req-header", "B: 2", "c"}},
		{"unknown single-dash word left for pflag", []string{"-bogus", "c"}, []string{"-bogus", "c"}},
		{"help and version", []string{"-help"}, []string{"--help"}},
		{"version", []string{"-version"}, []string{"--version"}},
		{"lone dash is the command", []string{"-", "x"}, []string{"-", "x"}},
		{"trailing value-less flag", []string{"-uuid"}, []string{"--uuid"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := rootArgs(testRoot(), tt.in)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("rootArgs(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// FuzzNormalizeArgs: normalising never drops or reorders arguments, never
// touches anything after the command starts, and is idempotent.
func FuzzNormalizeArgs(f *testing.F) {
	f.Add("-uuid U -every 5m -- cmd -uuid")
	f.Add("-quiet -v cmd")
	f.Add("--slug -x -create=1 c")
	r := testRoot()
	f.Fuzz(func(t *testing.T, s string) {
		in := strings.Fields(s)
		got := rootArgs(r, in)
		if len(got) != len(in) {
			t.Fatalf("%q -> %q: length changed", in, got)
		}
		for i := range in {
			if got[i] != in[i] && "-"+strings.TrimPrefix(got[i], "--") != in[i] && got[i] != "--discard-stdout" &&
				!strings.HasPrefix(in[i], "-quiet=") {
				t.Fatalf("%q -> %q: arg %d changed beyond a dash", in, got, i)
			}
		}
		if again := rootArgs(r, got); !reflect.DeepEqual(again, got) {
			t.Fatalf("not idempotent: %q -> %q -> %q", in, got, again)
		}
	})
}

// A flag error names the flag as the user spelled it: runitor's -uuid
// stays -uuid in the message, pflag's --uuid stays --uuid (exit 125 both).
func TestFlagErrorsKeepRunitorSpelling(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"-uuid"}, "runwrap: flag needs an argument: -uuid (see 'runwrap --help')\n"},
		{[]string{"--uuid"}, "runwrap: flag needs an argument: --uuid (see 'runwrap --help')\n"},
		{[]string{"-every=xx", "--", "true"}, `runwrap: invalid argument "xx" for "-every" flag: time: invalid duration "xx" (see 'runwrap --help')` + "\n"},
		{[]string{"-every-x", "--", "true"}, "runwrap: unknown shorthand flag: 'e' in -every-x (see 'runwrap --help')\n"},
	} {
		var stderr bytes.Buffer
		r := newRoot(&cli.Env{Stdin: strings.NewReader(""), Stdout: &bytes.Buffer{}, Stderr: &stderr,
			LookupEnv: func(string) (string, bool) { return "", false }})
		if code := cli.Execute(r, rootArgs(r, tt.args)); code != 125 || stderr.String() != tt.want {
			t.Errorf("%q: exit %d, stderr %q, want 125 and %q", tt.args, code, stderr.String(), tt.want)
		}
	}
}
