package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/spf13/cobra"
)

// testRoot builds a root with one subcommand "show" that prints its options.
func testRoot(t *testing.T, stdout, stderr *bytes.Buffer) (*Root, *struct {
	URL  string
	Key  string
	Tags []string
	N    int
}) {
	t.Helper()
	opts := &struct {
		URL  string
		Key  string
		Tags []string
		N    int
	}{}
	r := NewRoot(&Env{Stdin: strings.NewReader(""), Stdout: stdout, Stderr: stderr}, Tool{Name: "demo", Short: "a demo tool"})
	show := &cobra.Command{
		Use:  "show",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			fmt.Fprintf(cmd.OutOrStdout(), "url=%s key=%s tags=%s n=%d", opts.URL, opts.Key, strings.Join(opts.Tags, "|"), opts.N)
			return nil
		},
	}
	show.Flags().StringVar(&opts.URL, "api-url", "https://default.example", "")
	show.Flags().StringVar(&opts.Key, "api-key", "", "")
	show.Flags().StringSliceVar(&opts.Tags, "tag", nil, "")
	show.Flags().IntVar(&opts.N, "count", 1, "")
	EnvAlias(show.Flags(), "api-url", "HC_API_URL")
	EnvAlias(show.Flags(), "api-key", "HC_API_KEY")
	MarkSecret(show.Flags(), "api-key")
	r.Cmd.AddCommand(show)
	return r, opts
}

func writeFile(t *testing.T, dir, name, content string, mode os.FileMode) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPrecedence(t *testing.T) {
	dir := t.TempDir()
	cfg := writeFile(t, dir, "demo.yaml", "api-url: https://config.example\ncount: 7\ntag: [a, b]\n", 0o600)
	secret := writeFile(t, dir, "key", "s3cr3t-key\n", 0o600)
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"default", nil, []string{"show"}, "url=https://default.example key= tags= n=1"},
		{"config", nil, []string{"show", "--config", cfg}, "url=https://config.example key= tags=a|b n=7"},
		{"xdg config", map[string]string{"XDG_CONFIG_HOME": "XDG"}, []string{"show"}, "url=https://config.example key= tags=a|b n=7"},
		{"env beats config", map[string]string{"DEMO_API_URL": "https://env.example", "DEMO_TAG": "x,y"}, []string{"show", "--config", cfg}, "url=https://env.example key= tags=x|y n=7"},
		{"alias env", map[string]string{"HC_API_URL": "https://alias.example"}, []string{"show"}, "url=https://alias.example key= tags= n=1"},
		{"prefixed env beats alias", map[string]string{"HC_API_URL": "https://alias.example", "DEMO_API_URL": "https://own.example"}, []string{"show"}, "url=https://own.example key= tags= n=1"},
		{"empty env ignored", map[string]string{"DEMO_API_URL": ""}, []string{"show", "--config", cfg}, "url=https://config.example key= tags=a|b n=7"},
		{"flag beats env", map[string]string{"DEMO_API_URL": "https://env.example"}, []string{"show", "--api-url", "https://flag.example", "--tag", "f"}, "url=https://flag.example key= tags=f n=1"},
		{"file: secret from env", map[string]string{"HC_API_KEY": "file:" + secret}, []string{"show"}, "url=https://default.example key=s3cr3t-key tags= n=1"},
		{"file: secret from flag", nil, []string{"show", "--api-key", "file:" + secret}, "url=https://default.example key=s3cr3t-key tags= n=1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, k := range []string{"DEMO_API_URL", "DEMO_TAG", "HC_API_URL", "HC_API_KEY", "DEMO_API_KEY"} {
				t.Setenv(k, "")
				os.Unsetenv(k)
			}
			t.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, "none"))
			for k, v := range tt.env {
				if k == "XDG_CONFIG_HOME" {
					xdg := filepath.Join(dir, "xdg")
					os.MkdirAll(filepath.Join(xdg, "cronkit"), 0o755)
					writeFile(t, filepath.Join(xdg, "cronkit"), "demo.yaml", "api-url: https://config.example\ncount: 7\ntag: [a, b]\n", 0o600)
					v = xdg
				}
				t.Setenv(k, v)
			}
			var out, errb bytes.Buffer
			r, _ := testRoot(t, &out, &errb)
			if code := Execute(r, tt.args); code != 0 {
				t.Fatalf("exit %d, stderr %q", code, errb.String())
			}
			if out.String() != tt.want {
				t.Errorf("got  %q\nwant %q", out.String(), tt.want)
			}
		})
	}
}

func TestSecretFileModeWarns(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "key", "abcdef", 0o644)
	var out, errb bytes.Buffer
	r, _ := testRoot(t, &out, &errb)
	if code := Execute(r, []string{"show", "--api-key", "file:" + p}); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if !strings.Contains(errb.String(), "demo: warning: secret file") || !strings.Contains(errb.String(), "chmod 600") {
		t.Errorf("no mode warning: %q", errb.String())
	}
	if strings.Contains(errb.String(), "abcdef") {
		t.Errorf("secret leaked: %q", errb.String())
	}
}

func TestErrorsAndExitCodes(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name     string
		args     []string
		run      error // returned by a "fail" subcommand
		wantCode int
		wantErr  string
	}{
		{"unknown flag", []string{"show", "--nope"}, nil, 2, "demo: unknown flag: --nope (see 'demo show --help')\n"},
		{"extra args", []string{"show", "x"}, nil, 2, "demo: unknown command \"x\" for \"demo show\" (see 'demo show --help')\n"},
		{"unknown command", []string{"frobnicate"}, nil, 2, ""},
		{"missing config", []string{"show", "--config", filepath.Join(dir, "nope.yaml")}, nil, 2, ""},
		{"missing secret file", []string{"show", "--api-key", "file:" + filepath.Join(dir, "nokey")}, nil, 2, ""},
		{"runtime failure", []string{"fail"}, errors.New("connection refused"), 1, "demo: connection refused\n"},
		{"partial", []string{"fail"}, Partialf("2 of 10 records spooled"), 3, "demo: 2 of 10 records spooled\n"},
		{"refused", []string{"fail"}, Refusedf("401 Unauthorized"), 4, "demo: 401 Unauthorized\n"},
		{"silent code", []string{"fail"}, Exit(42), 42, ""},
		{"canceled", []string{"fail"}, fmt.Errorf("posting: %w", context.Canceled), 130, ""},
		{"multi-line squashed", []string{"fail"}, errors.New("a\nb"), 1, "demo: a; b\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("XDG_CONFIG_HOME", dir)
			var out, errb bytes.Buffer
			r, _ := testRoot(t, &out, &errb)
			r.Cmd.AddCommand(&cobra.Command{Use: "fail", RunE: func(*cobra.Command, []string) error { return tt.run }})
			code := Execute(r, tt.args)
			if code != tt.wantCode {
				t.Errorf("code %d, want %d (stderr %q)", code, tt.wantCode, errb.String())
			}
			if tt.wantErr != "" && errb.String() != tt.wantErr {
				t.Errorf("stderr %q, want %q", errb.String(), tt.wantErr)
			}
			if tt.wantCode != 0 && tt.wantCode != 42 && tt.wantCode != 130 && strings.Count(errb.String(), "\n") != 1 {
				t.Errorf("want exactly one line on stderr, got %q", errb.String())
			}
		})
	}
}

func TestSecretRedactedFromErrors(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	var out, errb bytes.Buffer
	r, _ := testRoot(t, &out, &errb)
	r.Cmd.AddCommand(&cobra.Command{Use: "fail", RunE: func(*cobra.Command, []string) error {
		return errors.New("GET https://x.example/api?key=topsecretkey: 500")
	}})
	// The secret flag lives on "show"; put one on "fail" too.
	fail, _, _ := r.Cmd.Find([]string{"fail"})
	var key string
	fail.Flags().StringVar(&key, "api-key", "", "")
	MarkSecret(fail.Flags(), "api-key")
	Execute(r, []string{"fail", "--api-key", "topsecretkey"})
	if strings.Contains(errb.String(), "topsecretkey") || !strings.Contains(errb.String(), "[REDACTED]") {
		t.Errorf("stderr %q", errb.String())
	}
}

func TestReportSignals(t *testing.T) {
	var errb bytes.Buffer
	r := NewRoot(&Env{Stdout: &errb, Stderr: &errb}, Tool{Name: "demo"})
	if got := r.Report(context.Canceled, syscall.SIGINT); got != 130 {
		t.Errorf("SIGINT: %d", got)
	}
	if got := r.Report(fmt.Errorf("x: %w", context.Canceled), syscall.SIGTERM); got != 143 {
		t.Errorf("SIGTERM: %d", got)
	}
}

func TestHelpVersionCompletion(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"--help"}, []string{"a demo tool", "Exit codes:", "4    refused: authentication or permission", "--timeout", "--config"}},
		{[]string{"show", "--help"}, []string{"Exit codes:", "--api-url"}},
		{[]string{"--version"}, []string{"demo dev"}},
		{[]string{"completion", "bash"}, []string{"bash completion V2 for demo"}},
		{[]string{"completion", "zsh"}, []string{"#compdef demo"}},
		{[]string{"completion", "fish"}, []string{"complete -c demo"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var out, errb bytes.Buffer
			r, _ := testRoot(t, &out, &errb)
			if code := Execute(r, tt.args); code != 0 {
				t.Fatalf("exit %d: %s", code, errb.String())
			}
			for _, w := range tt.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, out.String())
				}
			}
		})
	}
}

func TestResolveValue(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "v", "value\r\n", 0o600)
	tests := []struct {
		in, want string
		err      bool
	}{
		{"plain", "plain", false},
		{"file:" + p, "value", false},
		{"file:", "", true},
		{"file:" + dir, "", true},
		{"file:" + filepath.Join(dir, "missing"), "", true},
	}
	for _, tt := range tests {
		got, err := ResolveValue(tt.in, true, nil)
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("ResolveValue(%q) = %q, %v", tt.in, got, err)
		}
	}
}

func TestRedact(t *testing.T) {
	if got := Redact("key abcd and abcd, x", "abcd", "x", ""); got != "key [REDACTED] and [REDACTED], x" {
		t.Errorf("got %q", got)
	}
}

func TestUsageCode(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	var out, errb bytes.Buffer
	r := NewRoot(&Env{Stdout: &out, Stderr: &errb}, Tool{Name: "wrap", UsageCode: 125})
	r.Cmd.AddCommand(&cobra.Command{Use: "x", RunE: func(*cobra.Command, []string) error { return nil }})
	if code := Execute(r, []string{"x", "--bogus"}); code != 125 {
		t.Errorf("bad flag: exit %d, want 125", code)
	}
	if code := Execute(r, []string{"x", "--config", "/nonexistent.yaml"}); code != 125 {
		t.Errorf("bad config: exit %d, want 125", code)
	}
	// A code the command chose (a child's exit 2 passed through) stays.
	r = NewRoot(&Env{Stdout: &out, Stderr: &errb}, Tool{Name: "wrap", UsageCode: 125})
	r.Cmd.AddCommand(&cobra.Command{Use: "child", RunE: func(*cobra.Command, []string) error { return Exit(2) }})
	if code := Execute(r, []string{"child"}); code != 2 {
		t.Errorf("passed-through 2: exit %d", code)
	}
}

func TestDeferToEnv(t *testing.T) {
	dir := t.TempDir()
	cfg := writeFile(t, dir, "demo.yaml", "host: cfghost\n", 0o600)
	for _, tt := range []struct {
		pghost, want string
	}{{"", "cfghost"}, {"envhost", ""}} {
		t.Setenv("PGHOST", tt.pghost)
		var out, errb bytes.Buffer
		r := NewRoot(&Env{Stdout: &out, Stderr: &errb}, Tool{Name: "demo"})
		var host string
		c := &cobra.Command{Use: "x", RunE: func(*cobra.Command, []string) error { fmt.Fprint(&out, host); return nil }}
		c.Flags().StringVar(&host, "host", "", "")
		DeferToEnv(c.Flags(), "host", "PGHOST")
		r.Cmd.AddCommand(c)
		if code := Execute(r, []string{"x", "--config", cfg}); code != 0 {
			t.Fatalf("exit %d: %s", code, errb.String())
		}
		// With PGHOST set the flag stays empty: the driver reads PGHOST itself.
		if out.String() != tt.want {
			t.Errorf("PGHOST=%q: host %q, want %q", tt.pghost, out.String(), tt.want)
		}
	}
}

// A word that is none of a group's subcommands is a usage error at any
// depth (cobra itself checks only the root's), with a suggestion when one is
// close; the group alone, its --help and "help GROUP" still print the help.
func TestUnknownSubcommand(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	build := func(out, errb *bytes.Buffer) *Root {
		r := NewRoot(&Env{Stdin: strings.NewReader(""), Stdout: out, Stderr: errb}, Tool{Name: "demo"})
		noop := func(*cobra.Command, []string) error { return nil }
		checks := &cobra.Command{Use: "checks", Short: "manage checks"}
		checks.AddCommand(&cobra.Command{Use: "pause", RunE: noop}, &cobra.Command{Use: "list", RunE: noop})
		deep := &cobra.Command{Use: "deep"}
		deep.AddCommand(&cobra.Command{Use: "er", RunE: noop})
		checks.AddCommand(deep)
		r.Cmd.AddCommand(checks)
		return r
	}
	tests := []struct {
		args   []string
		code   int
		stderr string
		inHelp bool
	}{
		{[]string{"checks", "pasue", "x"}, 2, "demo: unknown command \"pasue\" for \"demo checks\" (did you mean \"pause\"?) (see 'demo checks --help')\n", false},
		{[]string{"checks", "zzzzzz"}, 2, "demo: unknown command \"zzzzzz\" for \"demo checks\" (see 'demo checks --help')\n", false},
		{[]string{"checks", "deep", "nope"}, 2, "demo: unknown command \"nope\" for \"demo checks deep\" (see 'demo checks deep --help')\n", false},
		{[]string{"-v", "checks", "--quiet", "pasue"}, 2, "", false},
		{[]string{"nope"}, 2, "", false},
		{[]string{"checks"}, 0, "", true},
		{[]string{"checks", "--help"}, 0, "", true},
		{[]string{"checks", "pause", "--help"}, 0, "", false},
		{[]string{"help", "checks"}, 0, "", true},
		{[]string{"help", "nope"}, 2, "demo: help nope: unknown command \"nope\" for \"demo\" (see 'demo --help')\n", false},
		{[]string{"help", "checks", "pasue"}, 2, "demo: help checks pasue: unknown command \"pasue\" for \"demo checks\" (see 'demo --help')\n", false},
		{[]string{"help", "checks", "pause"}, 0, "", false},
		{[]string{"checks", "pause"}, 0, "", false},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var out, errb bytes.Buffer
			r := build(&out, &errb)
			if code := Execute(r, tt.args); code != tt.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, tt.code, errb.String())
			}
			if tt.stderr != "" && errb.String() != tt.stderr {
				t.Errorf("stderr %q\nwant   %q", errb.String(), tt.stderr)
			}
			if tt.code != 0 && out.Len() != 0 {
				t.Errorf("a usage error printed help on stdout: %q", out.String())
			}
			if got := strings.Contains(out.String(), "Available Commands:"); got != tt.inHelp {
				t.Errorf("help printed: %v, want %v: %q", got, tt.inHelp, out.String())
			}
		})
	}
}

// Only a config file named with --config is required: a default one that
// cannot be read is left out with one warning and the command still runs
// (issue 13: runwrap exited 125 without running the job, statpost dropped
// the piped records).
func TestUnreadableDefaultConfig(t *testing.T) {
	for _, tt := range []struct {
		name  string
		setup func(t *testing.T, path string)
	}{
		{"a directory in its place", func(t *testing.T, path string) {
			if err := os.Mkdir(path, 0o755); err != nil {
				t.Fatal(err)
			}
		}},
		{"mode 000", func(t *testing.T, path string) {
			if os.Geteuid() == 0 {
				t.Skip("root reads a file of any mode")
			}
			writeFile(t, filepath.Dir(path), filepath.Base(path), "api-url: https://config.example\n", 0o000)
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			xdg := t.TempDir()
			os.MkdirAll(filepath.Join(xdg, "cronkit"), 0o755)
			path := filepath.Join(xdg, "cronkit", "demo.yaml")
			tt.setup(t, path)
			t.Setenv("XDG_CONFIG_HOME", xdg)
			t.Setenv("DEMO_API_URL", "")
			var out, errb bytes.Buffer
			r, _ := testRoot(t, &out, &errb)
			if code := Execute(r, []string{"show"}); code != 0 {
				t.Fatalf("exit %d, stderr %q", code, errb.String())
			}
			if out.String() != "url=https://default.example key= tags= n=1" {
				t.Errorf("stdout %q: the command did not run on defaults", out.String())
			}
			want := "demo: warning: config file " + path + ": "
			if s := errb.String(); strings.Count(s, "\n") != 1 || !strings.HasPrefix(s, want) || !strings.Contains(s, "ignored") {
				t.Errorf("stderr %q, want one warning line starting %q", s, want)
			}
			// Named with --config, the same file is required: exit 2.
			errb.Reset()
			r, _ = testRoot(t, &out, &errb)
			if code := Execute(r, []string{"show", "--config", path}); code != 2 {
				t.Errorf("--config %s: exit %d, want 2 (stderr %q)", path, code, errb.String())
			}
		})
	}
}

// Unknown keys in a config file are warned about, one line each naming the
// file and the key, with the setting meant when it is a typo away; keys of
// another subcommand of the tool are not unknown, and the run goes on.
func TestConfigUnknownKeys(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, "none"))
	cfg := writeFile(t, dir, "demo.yaml", "api-ulr: https://typo.example\ncount: 3\nlimit: 5\nzzz-unrelated: 1\nname: x\n", 0o600)
	var out, errb bytes.Buffer
	r, _ := testRoot(t, &out, &errb)
	other := &cobra.Command{Use: "other", RunE: func(*cobra.Command, []string) error { return nil }}
	var limit int
	var name string
	other.Flags().IntVar(&limit, "limit", 0, "")
	other.Flags().StringVar(&name, "name", "", "")
	NoEnv(other.Flags(), "name")
	r.Cmd.AddCommand(other)
	if code := Execute(r, []string{"show", "--config", cfg}); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if out.String() != "url=https://default.example key= tags= n=3" {
		t.Errorf("stdout %q", out.String())
	}
	want := "demo: warning: config file " + cfg + `: unknown key "api-ulr" (did you mean "api-url"?)` + "\n" +
		"demo: warning: config file " + cfg + `: key "name" is not read from a config file (give --name on the command line)` + "\n" +
		"demo: warning: config file " + cfg + `: unknown key "zzz-unrelated"` + "\n"
	if errb.String() != want {
		t.Errorf("stderr\n%s\nwant\n%s", errb.String(), want)
	}
}

// --help and --version without cobra's templates (NewRoot) print what the
// templates printed: cobra's default help, a blank line and the exit codes;
// "name version"; help wins over --version; --version answers before a
// runnable root checks its arguments (runwrap --version has no command); a
// command's own help template is left alone, without our exit codes.
func TestHelpVersionWithoutTemplates(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	var out, errb bytes.Buffer
	r, _ := testRoot(t, &out, &errb)
	if Execute(r, []string{"--help"}) != 0 {
		t.Fatal(errb.String())
	}
	want := "a demo tool\n\n" + r.Cmd.UsageString() + "\n" + ExitCodesHelp + "\n"
	if out.String() != want {
		t.Errorf("--help:\n%s\nwant:\n%s", out.String(), want)
	}
	if ExitCodesOf(r.Cmd) == "" || strings.Contains(ExitCodesOf(r.Cmd), "Exit codes:") {
		t.Errorf("ExitCodesOf = %q", ExitCodesOf(r.Cmd))
	}
	for _, tt := range []struct {
		args     []string
		runnable bool
		want     string
	}{
		{[]string{"--version"}, false, "demo dev\n"},
		{[]string{"--version"}, true, "demo dev\n"},
		{[]string{"--version", "--help"}, false, "a demo tool\n"},
		{[]string{"--help", "--version"}, true, "a demo tool\n"},
	} {
		var out, errb bytes.Buffer
		r, _ := testRoot(t, &out, &errb)
		ran := false
		if tt.runnable {
			r.Cmd.Args = cobra.MinimumNArgs(1)
			r.Cmd.RunE = func(*cobra.Command, []string) error { ran = true; return nil }
		}
		if code := Execute(r, tt.args); code != 0 || ran || !strings.HasPrefix(out.String(), tt.want) {
			t.Errorf("%v (runnable %v): exit %d, ran %v, stdout %q, stderr %q", tt.args, tt.runnable, code, ran, out.String(), errb.String())
		}
	}
	out.Reset()
	r, _ = testRoot(t, &out, &errb)
	own := &cobra.Command{Use: "own", Run: func(*cobra.Command, []string) {}}
	own.SetHelpTemplate("own help\n")
	r.Cmd.AddCommand(own)
	if Execute(r, []string{"own", "--help"}) != 0 || out.String() != "own help\n" || ExitCodesOf(own) != "" {
		t.Errorf("own template: %q, ExitCodesOf %q", out.String(), ExitCodesOf(own))
	}
}
