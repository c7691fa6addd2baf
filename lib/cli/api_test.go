package cli

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
)

// TestAPIFlags: the runitor spellings (reference/runitor.md §1.1), the old
// hidden names, both names' env vars and config keys, in precedence order.
func TestAPIFlags(t *testing.T) {
	old := OldAPINames{Retries: "retries", Timeout: "attempt-timeout", Deadline: "deadline"}
	tests := []struct {
		name   string
		args   []string
		env    map[string]string
		config string
		want   string
	}{
		{"defaults", nil, nil, "", "4 30s 2m0s"},
		{"new names", []string{"--api-retries", "1", "--api-timeout", "2s", "--api-deadline", "3s"}, nil, "", "1 2s 3s"},
		{"old names", []string{"--retries", "1", "--attempt-timeout", "2s", "--deadline", "3s"}, nil, "", "1 2s 3s"},
		{"new env", nil, map[string]string{"PGREPORT_API_RETRIES": "0", "PGREPORT_API_TIMEOUT": "2s", "PGREPORT_API_DEADLINE": "3s"}, "", "0 2s 3s"},
		{"old env", nil, map[string]string{"PGREPORT_RETRIES": "0", "PGREPORT_ATTEMPT_TIMEOUT": "2s", "PGREPORT_DEADLINE": "3s"}, "", "0 2s 3s"},
		{"new env beats old", nil, map[string]string{"PGREPORT_API_TIMEOUT": "2s", "PGREPORT_ATTEMPT_TIMEOUT": "9s"}, "", "4 2s 2m0s"},
		{"old flag beats new env", []string{"--attempt-timeout", "7s"}, map[string]string{"PGREPORT_API_TIMEOUT": "2s"}, "", "4 7s 2m0s"},
		{"new flag beats old env", []string{"--api-timeout", "7s"}, map[string]string{"PGREPORT_ATTEMPT_TIMEOUT": "2s"}, "", "4 7s 2m0s"},
		{"old config key", nil, nil, "attempt-timeout: 4s\nretries: 3\n", "3 4s 2m0s"},
		{"new config key beats old", nil, nil, "attempt-timeout: 4s\napi-timeout: 6s\n", "4 6s 2m0s"},
		{"env beats config", nil, map[string]string{"PGREPORT_ATTEMPT_TIMEOUT": "1s"}, "api-timeout: 6s\n", "4 1s 2m0s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			env := &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, LookupEnv: func(k string) (string, bool) {
				v, ok := tt.env[k]
				return v, ok
			}}
			r := NewRoot(env, Tool{Name: "pgreport"})
			var p API
			c := &cobra.Command{Use: "push", RunE: func(cmd *cobra.Command, args []string) error {
				fmt.Fprintf(&out, "%d %s %s", p.Retries, p.Timeout, p.Deadline)
				return nil
			}}
			AddAPIFlags(c.Flags(), "pgreport", &p, old)
			r.Cmd.AddCommand(c)
			args := append([]string{"push"}, tt.args...)
			if tt.config != "" {
				args = append(args, "--config", writeFile(t, t.TempDir(), "c.yaml", tt.config, 0o600))
			}
			if code := Execute(r, args); code != 0 {
				t.Fatalf("exit %d: %s", code, errb.String())
			}
			if out.String() != tt.want {
				t.Errorf("got %q, want %q", out.String(), tt.want)
			}
			if errb.Len() != 0 {
				t.Errorf("stderr: %s", errb.String())
			}
		})
	}
}

// TestAPIFlagsHidden: --help shows the new names only.
func TestAPIFlagsHidden(t *testing.T) {
	var out, errb bytes.Buffer
	r := NewRoot(&Env{Stdout: &out, Stderr: &errb}, Tool{Name: "statpost"})
	var p API
	AddAPIFlags(r.Cmd.Flags(), "statpost", &p, OldAPINames{Timeout: "attempt-timeout", Deadline: "post-deadline"})
	r.Cmd.RunE = func(*cobra.Command, []string) error { return nil }
	if code := Execute(r, []string{"--help"}); code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, s := range []string{"--api-retries", "--api-timeout", "--api-deadline"} {
		if !strings.Contains(out.String(), s) {
			t.Errorf("--help lacks %s", s)
		}
	}
	for _, s := range []string{"attempt-timeout", "post-deadline"} {
		if strings.Contains(out.String(), s) {
			t.Errorf("--help shows the old name %s", s)
		}
	}
}

func TestAPICheckOptions(t *testing.T) {
	for _, tt := range []struct {
		p    API
		want string
	}{
		{API{-1, time.Second, time.Second}, "--api-retries must not be negative"},
		{API{0, 0, time.Second}, "--api-timeout must be positive"},
		{API{0, time.Second, 0}, "--api-deadline must be positive"},
	} {
		if err := tt.p.Check(); err == nil || err.Error() != tt.want || Code(err) != 2 {
			t.Errorf("%+v: %v", tt.p, err)
		}
	}
	if err := APIDefaults("runwrap").Check(); err != nil {
		t.Error(err)
	}
	// runitor: 2 retries, 5s an attempt (reference/runitor.md §1.1).
	if d := APIDefaults("runwrap"); d.Retries != 2 || d.Timeout != 5*time.Second {
		t.Errorf("runwrap defaults %+v, want runitor's", d)
	}
	if r := (API{Retries: 0}).RetryMax(); r != -1 {
		t.Errorf("RetryMax of 0 retries = %d, want -1 (none, not httpx's default)", r)
	}
	if r := (API{Retries: 3}).RetryMax(); r != 3 {
		t.Errorf("RetryMax of 3 retries = %d", r)
	}
}
