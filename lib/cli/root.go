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
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/cronkit/cronkit/lib/version"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"
)

// Flag annotations read by the binding step.
const (
	annotEnv    = "cronkit.env"    // extra environment variable names, in order of preference
	annotSecret = "cronkit.secret" // value is a secret: redacted from errors, file mode checked
	annotNoEnv  = "cronkit.noenv"  // flag is not read from env or config (e.g. --config itself)
	annotDefer  = "cronkit.defer"  // env vars a library reads itself: when set, config must not fill the flag
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
		Version:       version.String(),
		SilenceErrors: true,
		SilenceUsage:  true,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			return r.bind(cmd)
		},
	}
	cmd.SetIn(env.Stdin)
	cmd.SetOut(env.Stdout)
	cmd.SetErr(env.Stderr)
	cmd.SetVersionTemplate("{{.Name}} {{.Version}}\n")
	cmd.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &ExitError{Code: ExitUsage, Err: err, usage: true}
	})
	codes := tool.ExitCodes
	if codes == "" {
		codes = ExitCodesHelp
	}
	cmd.SetHelpTemplate(helpTemplate + "\n" + codes + "\n")
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
// config file, so business code reads typed options and never viper.
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

	// viper only when there is a file to read: most cron runs have none,
	// and each run would pay for setting it up.
	var v *viper.Viper
	path, explicit := r.configPath()
	if _, err := os.Stat(path); path != "" && (explicit || !errors.Is(err, fs.ErrNotExist)) {
		v = viper.New()
		v.SetConfigFile(path)
		if filepath.Ext(path) == "" {
			v.SetConfigType("yaml")
		}
		if err := v.ReadInConfig(); err != nil {
			return Usagef("config file %s: %v", path, unwrapPathError(err))
		}
	}
	var errs []error
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if f.Annotations[annotNoEnv] != nil || f.Name == "help" || f.Name == "version" {
			return
		}
		secret := f.Annotations[annotSecret] != nil
		if !f.Changed {
			names := append([]string{EnvName(r.Tool.Name, f.Name)}, f.Annotations[annotEnv]...)
			cfg := v
			for _, n := range f.Annotations[annotDefer] {
				if s, found := r.Env.lookup(n); found && s != "" {
					cfg = nil
				}
			}
			val, src, ok := r.lookupSetting(cfg, f.Name, names)
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

// lookupSetting returns the first environment variable that is set and not
// empty, else the config file value for key. src names where it came from.
func (r *Root) lookupSetting(v *viper.Viper, key string, envNames []string) (val, src string, ok bool) {
	for _, n := range envNames {
		if s, found := r.Env.lookup(n); found && s != "" {
			return s, "$" + n, true
		}
	}
	if v != nil && v.InConfig(key) {
		raw := v.Get(key)
		switch x := raw.(type) {
		case []any:
			parts := make([]string, len(x))
			for i, p := range x {
				parts[i] = fmt.Sprint(p)
			}
			return strings.Join(parts, ","), "config " + v.ConfigFileUsed(), true
		case map[string]any:
			keys := slices.Sorted(maps.Keys(x))
			parts := make([]string, len(keys))
			for i, k := range keys {
				parts[i] = k + "=" + fmt.Sprint(x[k])
			}
			return strings.Join(parts, ","), "config " + v.ConfigFileUsed(), true
		default:
			return fmt.Sprint(raw), "config " + v.ConfigFileUsed(), true
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

// Execute runs the root command with args and returns the exit code, printing
// a failing command's error as one line: "tool: what went wrong".
func Execute(r *Root, args []string) int {
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	var got atomic.Value
	if !r.Tool.OwnSignals {
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
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
	r.Cmd.SetArgs(args)
	ran, err := r.Cmd.ExecuteContextC(ctx)
	if ran != nil {
		r.ran = ran.CommandPath()
	}
	s, _ := got.Load().(os.Signal)
	return r.Report(err, s)
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
	var ee *ExitError
	if errors.As(err, &ee) && ee.Err == nil {
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
