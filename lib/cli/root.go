// Package cli builds the root command every cronkit tool shares: injected
// streams, global flags, configuration binding (flag > env > config file >
// default) and the mapping of errors to exit codes. It is not a public API.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"maps"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/cronkit/cronkit/lib/suggest"
	"github.com/cronkit/cronkit/lib/version"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// Flag annotations read by the binding step.
const (
	annotEnv    = "cronkit.env"    // extra environment variable names, in order of preference
	annotSecret = "cronkit.secret" // value is a secret: redacted from errors, file mode checked
	annotNoEnv  = "cronkit.noenv"  // flag is not read from env or config (e.g. --config itself)
	annotDefer  = "cronkit.defer"  // env vars a library reads itself: when set, config must not fill the flag
	// A hidden old name of a flag (Alias): the new flag reads the old name's
	// env var and config key too, so the alias itself is not bound.
	annotAliasOf = "cronkit.aliasof"
	annotAliases = "cronkit.aliases"
	// The root command's exit-code table, printed after every help.
	annotExitCodes = "cronkit.exitcodes"
)

// Env is what a command may touch of its process: streams and environment.
// Tests build one with buffers and a map.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// LookupEnv reads an environment variable; nil means os.LookupEnv.
	LookupEnv func(string) (string, bool)
}

// OSEnv returns the process's real streams and environment.
func OSEnv() *Env {
	return &Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, LookupEnv: os.LookupEnv}
}

// Getenv returns the value of an environment variable, "" if unset.
func (e *Env) Getenv(key string) string {
	v, _ := e.lookup(key)
	return v
}

func (e *Env) lookup(key string) (string, bool) {
	if e.LookupEnv == nil {
		return os.LookupEnv(key)
	}
	return e.LookupEnv(key)
}

// Tool describes one binary.
type Tool struct {
	Name    string // "statpost"
	Short   string
	Long    string
	Example string
	// ExitCodes replaces the shared exit-code table in --help (runwrap has its own).
	ExitCodes string
	// NoTimeout leaves out the global --timeout flag (runwrap's --timeout means the child's).
	NoTimeout bool
	// OwnSignals: the tool handles SIGINT/SIGTERM itself (runwrap forwards them);
	// Execute then does not cancel the context on signals.
	OwnSignals bool
	// UsageCode replaces exit code 2 for usage errors (bad flags, config):
	// runwrap uses 125, as timeout(1) and env(1) do, so that its own error is
	// never mistaken for the wrapped command's exit 2.
	UsageCode int
	// ParseConfig reads a config file; nil: ParseConfig, YAML and JSON
	// without viper. Tools set ConfigParser(viperconf.Parse) for viper's formats;
	// runwrap keeps nil: linking viper costs every run 0.3M instructions of
	// start-up (package initialisers compiling regexps), file or no file.
	ParseConfig func(path, typ string, data []byte) (Settings, error)
}

// Root is the shared root command and the global options every subcommand reads.
type Root struct {
	Cmd  *cobra.Command
	Env  *Env
	Tool Tool

	ConfigFile string
	Verbose    int
	Quiet      bool
	Timeout    time.Duration

	// Logger writes to stderr: warnings by default, info with -v, debug with -vv,
	// errors only with -q. Set before any subcommand runs.
	Logger *slog.Logger

	secrets []string
	ran     string // command path of the (sub)command that ran, for the help hint
	// configUsed is the config file the settings came from, for messages.
	configUsed string
	// unknown is set when a command group was given a word that is none of
	// its subcommands: cobra would print the group's help and exit 0.
	unknown    error
	helpStrict bool
	// version is --version, lib/cli's own flag rather than cobra's: cobra
	// prints its version line through text/template (see NewRoot).
	version     bool
	versionArgs bool // versionFirst wrapped the root's Args
}

// NewRoot builds the root command for tool with the global flags, --version,
// completion and the help template with the exit-code table.
func NewRoot(env *Env, tool Tool) *Root {
	// Subcommands may add their own pre-run hooks; the root binding must still run.
	cobra.EnableTraverseRunHooks = true
	r := &Root{Env: env, Tool: tool}
	r.Logger = slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	cmd := &cobra.Command{
		Use:           tool.Name,
		Short:         tool.Short,
		Long:          tool.Long,
		Example:       tool.Example,
		SilenceErrors: true,
		SilenceUsage:  true,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			if r.version { // a runnable root: cobra validated nothing (Execute)
				return r.printVersion()
			}
			return r.bind(cmd)
		},
	}
	cmd.SetIn(env.Stdin)
	cmd.SetOut(env.Stdout)
	cmd.SetErr(env.Stderr)
	cmd.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &ExitError{Code: ExitUsage, Err: err, usage: true}
	})
	codes := tool.ExitCodes
	if codes == "" {
		codes = ExitCodesHelp
	}
	// No SetHelpTemplate or SetVersionTemplate: either links cobra's
	// text/template path, whose reflect.Value.MethodByName makes the linker
	// keep every exported method of every type (runwrap: 9.5 MB instead of
	// 7.6, and every run pays the larger binary's start-up and page faults,
	// docs/benchmarks.md). cobra's default help is our template's text; the
	// exit codes follow it here, and --version is our flag.
	cmd.Annotations = map[string]string{annotExitCodes: codes}
	// cobra answers "hcctl checks pasue x" (a group without a Run of its own
	// and a word that is none of its subcommands) with the group's help and
	// no error; only the root checks its words. Catch it where cobra asks
	// for that help, at any depth, in every tool.
	help := cmd.HelpFunc()
	cmd.SetHelpFunc(func(c *cobra.Command, args []string) {
		if h := c.Flags().Lookup("help"); r.version && c == cmd && (h == nil || !h.Changed) {
			// A root with subcommands only: cobra asks for its help.
			r.unknown = r.printVersion()
			return
		}
		if err := unknownSubcommand(c); err != nil {
			r.unknown = err
			return
		}
		help(c, args)
		if c.HelpTemplate() == helpTemplate { // not a command's own template
			fmt.Fprint(c.OutOrStdout(), "\n"+codes+"\n")
		}
	})
	cmd.Flags().BoolVar(&r.version, "version", false, "version for "+tool.Name)
	_ = cmd.Flags().SetAnnotation("version", cobra.FlagSetByCobraAnnotation, []string{"true"})
	cmd.CompletionOptions.DisableDefaultCmd = true

	pf := cmd.PersistentFlags()
	pf.StringVar(&r.ConfigFile, "config", "", "config file (default $XDG_CONFIG_HOME/cronkit/"+tool.Name+".yaml)")
	_ = pf.SetAnnotation("config", annotNoEnv, []string{"true"})
	pf.CountVarP(&r.Verbose, "verbose", "v", "more detail on stderr (-vv for debug, including HTTP attempts)")
	pf.BoolVarP(&r.Quiet, "quiet", "q", false, "only errors on stderr")
	if !tool.NoTimeout {
		pf.DurationVar(&r.Timeout, "timeout", 0, "overall deadline for the command, e.g. 30s (0: none; each network call keeps its own deadline)")
	}
	cmd.AddCommand(newCompletionCmd(cmd))
	if m := newManCmd(cmd); m != nil { // only in a -tags mangen build
		cmd.AddCommand(m)
	}
	r.Cmd = cmd
	return r
}

// helpTemplate is cobra's default help template: what a command's help
// shows unless it set a template of its own.
const helpTemplate = `{{with (or .Long .Short)}}{{. | trimTrailingWhitespaces}}

{{end}}{{if or .Runnable .HasSubCommands}}{{.UsageString}}{{end}}`

// Env names the environment variables read for a flag, besides the tool's
// own PREFIX_FLAG_NAME, in order of preference (e.g. "HC_API_KEY").
func EnvAlias(fs *pflag.FlagSet, flag string, names ...string) {
	f := fs.Lookup(flag)
	if f == nil {
		panic("cli.EnvAlias: no flag " + flag) // programming error, caught by any test of the command
	}
	_ = fs.SetAnnotation(flag, annotEnv, append(f.Annotations[annotEnv], names...))
}

// MarkSecret marks a flag whose value must never be printed: it is redacted
// from error messages and, when read from a file, the file's mode is checked.
func MarkSecret(fs *pflag.FlagSet, flag string) {
	_ = fs.SetAnnotation(flag, annotSecret, []string{"true"})
}

// NoEnv keeps flags out of the environment and config binding: per-object
// values (a check's --name, a confirmation's --yes) that must come from the
// command line of this run, never from a stray HCCTL_NAME.
func NoEnv(fs *pflag.FlagSet, names ...string) {
	for _, n := range names {
		if fs.Lookup(n) == nil {
			panic("cli.NoEnv: no flag " + n) // programming error, caught by any test of the command
		}
		_ = fs.SetAnnotation(n, annotNoEnv, []string{"true"})
	}
}

// DeferToEnv is for flags whose environment variables a library reads
// itself (PGHOST for pgx): when one of names is set, the config file does not
// fill the flag, so that the environment still beats the config file while a
// connection string keeps its own precedence over the environment.
func DeferToEnv(fs *pflag.FlagSet, flag string, names ...string) {
	if fs.Lookup(flag) == nil {
		panic("cli.DeferToEnv: no flag " + flag)
	}
	_ = fs.SetAnnotation(flag, annotDefer, names)
}

// EnvName is the tool-prefixed environment variable for a flag: STATPOST_API_URL.
func EnvName(tool, flag string) string {
	return strings.ToUpper(strings.ReplaceAll(tool+"_"+flag, "-", "_"))
}

// printVersion prints "tool version" for --version.
func (r *Root) printVersion() error {
	_, err := fmt.Fprintf(r.Cmd.OutOrStdout(), "%s %s\n", r.Cmd.Name(), version.String())
	return errVersion{err}
}

// errVersion ends a run whose --version was printed: no binding, no Run.
// Execute reports the write's error, if any, else success.
type errVersion struct{ err error }

func (e errVersion) Error() string {
	if e.err == nil {
		return "version printed"
	}
	return e.err.Error()
}

func (e errVersion) Unwrap() error { return e.err }

// Secrets returns the secret values resolved for this run, for redaction.
func (r *Root) Secrets() []string { return r.secrets }

// Warnf prints "tool: warning: ..." on stderr unless --quiet.
func (r *Root) Warnf(format string, args ...any) {
	if r.Quiet {
		return
	}
	fmt.Fprintf(r.Env.Stderr, "%s: warning: %s\n", r.Tool.Name, fmt.Sprintf(format, args...))
}

// Context returns a context bounded by --timeout when it is set.
func (r *Root) Context(ctx context.Context) (context.Context, context.CancelFunc) {
	if r.Timeout > 0 {
		return context.WithTimeout(ctx, r.Timeout)
	}
	return context.WithCancel(ctx)
}

// configPath picks --config, else $XDG_CONFIG_HOME/cronkit/<tool>.yaml.
func (r *Root) configPath() (path string, explicit bool) {
	if r.ConfigFile != "" {
		return r.ConfigFile, true
	}
	dir := r.Env.Getenv("XDG_CONFIG_HOME")
	if dir == "" {
		home := r.Env.Getenv("HOME")
		if home == "" {
			return "", false
		}
		dir = filepath.Join(home, ".config")
	}
	return filepath.Join(dir, "cronkit", r.Tool.Name+".yaml"), false
}

// bind fills every flag the user did not set from the environment, then the
// config file, so business code reads typed options and never the file.
func (r *Root) bind(cmd *cobra.Command) error {
	level := slog.LevelWarn
	switch {
	case r.Quiet:
		level = slog.LevelError
	case r.Verbose == 1:
		level = slog.LevelInfo
	case r.Verbose >= 2:
		level = slog.LevelDebug
	}
	r.Logger = slog.New(slog.NewTextHandler(r.Env.Stderr, &slog.HandlerOptions{Level: level}))

	v, err := r.readConfig(cmd)
	if err != nil {
		return err
	}
	var errs []error
	fs := cmd.Flags()
	fs.VisitAll(func(f *pflag.Flag) {
		// An old name on the command line beats the new name's env var.
		if a := f.Annotations[annotAliasOf]; a != nil && f.Changed {
			fs.Lookup(a[0]).Changed = true
		}
	})
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Annotations[annotNoEnv] != nil || f.Annotations[annotAliasOf] != nil || f.Name == "help" || f.Name == "version" {
			return
		}
		secret := f.Annotations[annotSecret] != nil
		if !f.Changed {
			keys := append([]string{f.Name}, f.Annotations[annotAliases]...)
			names := []string{}
			for _, k := range keys {
				names = append(names, EnvName(r.Tool.Name, k))
			}
			names = append(names, f.Annotations[annotEnv]...)
			cfg := v
			for _, n := range f.Annotations[annotDefer] {
				if s, found := r.Env.lookup(n); found && s != "" {
					cfg = nil
				}
			}
			val, src, ok := r.lookupSetting(cfg, keys, names)
			if ok {
				if err := setFlag(f, val); err != nil {
					errs = append(errs, Usagef("%s: invalid value for --%s: %v", src, f.Name, err))
					return
				}
				f.Changed = true
			}
		}
		if f.Value.Type() == "string" && strings.HasPrefix(f.Value.String(), FilePrefix) {
			val, err := ResolveValue(f.Value.String(), secret, func(msg string) { r.Warnf("%s", msg) })
			if err != nil {
				errs = append(errs, Usagef("--%s: %v", f.Name, err))
				return
			}
			_ = f.Value.Set(val)
		}
		if secret && f.Value.String() != "" {
			r.secrets = append(r.secrets, f.Value.String())
		}
	})
	return errors.Join(errs...)
}

// readConfig reads --config, else the default file if there is one, parsed
// only when there is a file to read: most cron runs have none, and each run
// would pay for setting it up. Only a file named with --config is required:
// a default file that cannot be read (its mode, a directory in its place) is
// left out with one warning, so that a stray file never stops a cron job or
// loses the records piped into it. A default file that reads but does not
// parse is still an error: it says what the user meant.
func (r *Root) readConfig(cmd *cobra.Command) (Settings, error) {
	path, explicit := r.configPath()
	if path == "" {
		return nil, nil
	}
	data, err := os.ReadFile(path)
	switch {
	case err != nil && explicit:
		return nil, Usagef("config file %s: %v", path, unwrapPathError(err))
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil
	case err != nil:
		r.Warnf("config file %s: %v; ignored (only a file given with --config must be readable)", path, unwrapPathError(err))
		return nil, nil
	}
	typ := strings.TrimPrefix(filepath.Ext(path), ".")
	if typ == "" || typ == "yml" {
		typ = "yaml"
	}
	parse := r.Tool.ParseConfig
	if parse == nil {
		parse = ParseConfig
	}
	v, err := parse(path, typ, data)
	if err != nil {
		return nil, Usagef("config file %s: %v", path, unwrapPathError(err))
	}
	r.configUsed = path
	r.warnUnknownKeys(cmd, v, path)
	return v, nil
}

// warnUnknownKeys warns, one line a key, about config keys that name no
// setting of the tool ("api-ulr"), with the closest one when it is close.
// A key of another subcommand of the tool is known: one file serves them all.
func (r *Root) warnUnknownKeys(cmd *cobra.Command, v Settings, path string) {
	known, ignored := map[string]bool{}, map[string]bool{}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, set := range []*pflag.FlagSet{c.LocalFlags(), c.PersistentFlags()} {
			set.VisitAll(func(f *pflag.Flag) {
				if f.Annotations[annotNoEnv] != nil || f.Name == "help" || f.Name == "version" {
					ignored[f.Name] = true
				} else {
					known[f.Name] = true
				}
			})
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(cmd.Root())
	for _, k := range slices.Sorted(maps.Keys(v.AllSettings())) {
		switch {
		case known[k]:
		case ignored[k]:
			r.Warnf("config file %s: key %q is not read from a config file (give --%s on the command line)", path, k, k)
		default:
			hint := ""
			if c := closest(k, slices.Collect(maps.Keys(known))); c != "" {
				hint = fmt.Sprintf(" (did you mean %q?)", c)
			}
			r.Warnf("config file %s: unknown key %q%s", path, k, hint)
		}
	}
}

// closest is the candidate nearest to s, if it is at most 2 edits away (a
// typo, a swapped pair); "" otherwise.
func closest(s string, candidates []string) string {
	slices.Sort(candidates) // ties go to the first name, the same every run
	return suggest.Closest(s, candidates, 2)
}

// lookupSetting returns the first environment variable that is set and not
// empty, else the config file value of the first of keys it has. src names
// where it came from.
func (r *Root) lookupSetting(v Settings, keys []string, envNames []string) (val, src string, ok bool) {
	for _, n := range envNames {
		if s, found := r.Env.lookup(n); found && s != "" {
			return s, "$" + n, true
		}
	}
	i := slices.IndexFunc(keys, func(k string) bool { return v != nil && v.InConfig(k) })
	if i >= 0 {
		raw := v.Get(keys[i])
		switch x := raw.(type) {
		case []any:
			parts := make([]string, len(x))
			for i, p := range x {
				parts[i] = fmt.Sprint(p)
			}
			return strings.Join(parts, ","), "config " + r.configUsed, true
		case map[string]any:
			keys := slices.Sorted(maps.Keys(x))
			parts := make([]string, len(keys))
			for i, k := range keys {
				parts[i] = k + "=" + fmt.Sprint(x[k])
			}
			return strings.Join(parts, ","), "config " + r.configUsed, true
		default:
			return fmt.Sprint(raw), "config " + r.configUsed, true
		}
	}
	return "", "", false
}

// setFlag sets a flag from one env or config string. Slice flags take a
// comma-separated list; array flags (which append on every Set) get one Set per item.
func setFlag(f *pflag.Flag, val string) error {
	if sv, ok := f.Value.(pflag.SliceValue); ok {
		items := []string{}
		if val != "" {
			items = strings.Split(val, ",")
			for i := range items {
				items[i] = strings.TrimSpace(items[i])
			}
		}
		return sv.Replace(items)
	}
	return f.Value.Set(val)
}

func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Notify is signal.Notify, then a yield: Notify leaves the runtime's
// signal-mask goroutine (locked to its own thread) runnable after its last
// reply, and left for later it takes the P when the tool next blocks; with
// runwrap's one P that was the command's start, and the thread wake-ups of
// the hand-off delayed the start ping by 0.3 ms a run (runtime trace;
// docs/benchmarks.md, runwrap). Parked now, it costs one wake-up while
// nothing waits.
func Notify(c chan<- os.Signal, sig ...os.Signal) {
	signal.Notify(c, sig...)
	runtime.Gosched()
}

// Execute runs the root command with args and returns the exit code, printing
// a failing command's error as one line: "tool: what went wrong".
func Execute(r *Root, args []string) int {
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	var got atomic.Value
	if !r.Tool.OwnSignals {
		sig := make(chan os.Signal, 1)
		Notify(sig, os.Interrupt, syscall.SIGTERM)
		defer signal.Stop(sig)
		go func() {
			select {
			case s := <-sig:
				got.Store(s)
				stop()
				// Restore the default action: a second Ctrl-C ends a stuck process.
				signal.Stop(sig)
			case <-ctx.Done():
			}
		}()
	}
	r.strictHelp()
	r.versionFirst()
	r.Cmd.SetArgs(args)
	r.unknown = nil
	ran, err := r.Cmd.ExecuteContextC(ctx)
	if ran != nil {
		r.ran = ran.CommandPath()
	}
	if err == nil {
		err = r.unknown
	}
	if ve, ok := err.(errVersion); ok {
		err = ve.err
	}
	s, _ := got.Load().(os.Signal)
	return r.Report(err, s)
}

// strictHelp makes "tool help TOPIC" a usage error when TOPIC is no
// command, as "tool TOPIC" is: cobra prints "Unknown help topic" and exits 0.
func (r *Root) strictHelp() {
	if r.helpStrict {
		return
	}
	r.helpStrict = true
	r.Cmd.InitDefaultHelpCmd()
	var help *cobra.Command
	for _, c := range r.Cmd.Commands() {
		if c.Name() == "help" {
			help = c
		}
	}
	if help == nil || help.Run == nil {
		return
	}
	run := help.Run
	help.Run = nil
	help.RunE = func(c *cobra.Command, args []string) error {
		target, rest, err := c.Root().Find(args)
		if err == nil && target != nil && !target.Runnable() && target.HasSubCommands() && len(rest) > 0 {
			err = fmt.Errorf("unknown command %q for %q", rest[0], target.CommandPath())
		}
		if err != nil {
			return &ExitError{Code: ExitUsage, usage: true,
				Err: fmt.Errorf("help %s: %v (see '%s --help')", strings.Join(args, " "), firstLine(err), r.Cmd.Name())}
		}
		run(c, args)
		return nil
	}
}

// versionFirst lets --version answer before the root's arguments are
// checked, as cobra's own --version did (runwrap --version has no command).
func (r *Root) versionFirst() {
	if r.versionArgs {
		return
	}
	r.versionArgs = true
	check := r.Cmd.Args
	if check == nil {
		return
	}
	r.Cmd.Args = func(c *cobra.Command, args []string) error {
		if r.version {
			return nil
		}
		return check(c, args)
	}
}

func firstLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}

// unknownSubcommand is the usage error for a group (a command with
// subcommands and no Run) that cobra is about to answer with its help
// although it was given a word: "checks pasue" is a typo, not a request for
// help. "checks", "checks --help" and "help checks" still print the help.
func unknownSubcommand(c *cobra.Command) error {
	if c.Runnable() || !c.HasSubCommands() {
		return nil
	}
	if h := c.Flags().Lookup("help"); h != nil && h.Changed {
		return nil
	}
	args := c.Flags().Args()
	if len(args) == 0 {
		return nil
	}
	msg := fmt.Sprintf("unknown command %q for %q", args[0], c.CommandPath())
	if c.SuggestionsMinimumDistance <= 0 {
		c.SuggestionsMinimumDistance = 2 // cobra's default for the root
	}
	if s := c.SuggestionsFor(args[0]); len(s) > 0 {
		msg += fmt.Sprintf(" (did you mean %q?)", s[0])
	}
	return &ExitError{Code: ExitUsage, Err: errors.New(msg), usage: true}
}

// Report prints err (if it says anything) and returns its exit code. sig is
// the signal that interrupted the run, if any.
func (r *Root) Report(err error, sig os.Signal) int {
	if err == nil {
		return ExitOK
	}
	code := Code(err)
	if r.Tool.UsageCode != 0 && isUsage(err) {
		code = r.Tool.UsageCode
	}
	if sig != nil && (code == ExitInterrupted || errors.Is(err, context.Canceled)) {
		code = ExitInterrupted
		if sig == syscall.SIGTERM {
			code = 128 + int(syscall.SIGTERM)
		}
	}
	if silent(err) {
		return code
	}
	msg := Redact(err.Error(), r.secrets...)
	msg = strings.ReplaceAll(strings.TrimSpace(msg), "\n", "; ")
	if isUsage(err) && !strings.Contains(msg, "--help") {
		path := r.ran
		if path == "" {
			path = r.Cmd.Name()
		}
		msg += " (see '" + path + " --help')"
	}
	fmt.Fprintf(r.Env.Stderr, "%s: %s\n", r.Tool.Name, msg)
	return code
}
