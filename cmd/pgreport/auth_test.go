package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cronkit/cronkit/lib/cli"
	"github.com/cronkit/cronkit/lib/testutil/pgsandbox"
)

// An authentication failure is exit 4 in every tool (README exit codes):
// for pgreport, the server's SQLSTATE 28P01 (wrong password) and 28000 (no
// pg_hba.conf entry), against the real throwaway cluster.
func TestAuthFailureExits4(t *testing.T) {
	c := pgsandbox.Get(t)
	c.Exec(t, "postgres",
		"DROP ROLE IF EXISTS pgreport_pw", "CREATE ROLE pgreport_pw LOGIN PASSWORD 'right-password'",
		"DROP ROLE IF EXISTS pgreport_rejected", "CREATE ROLE pgreport_rejected LOGIN")
	// The sandbox trusts every local connection: these two roles alone need
	// a password or are rejected (the first matching line wins).
	hba := filepath.Join(c.DataDir, "pg_hba.conf")
	old, err := os.ReadFile(hba)
	if err != nil {
		t.Fatal(err)
	}
	lines := "local all pgreport_pw scram-sha-256\nlocal all pgreport_rejected reject\n" +
		"host all pgreport_pw 127.0.0.1/32 scram-sha-256\n"
	if err := os.WriteFile(hba, append([]byte(lines), old...), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = os.WriteFile(hba, old, 0o600)
		c.Exec(t, "postgres", "SELECT pg_reload_conf()")
	})
	c.Exec(t, "postgres", "SELECT pg_reload_conf()")

	socket := fmt.Sprintf("host=%s port=%d dbname=postgres sslmode=disable", c.Host, c.Port)
	for _, tt := range []struct {
		name, dsn, stderr string
	}{
		{"wrong password", socket + " user=pgreport_pw password=wrong-password", "(SQLSTATE 28P01)"},
		{"rejected by pg_hba.conf", socket + " user=pgreport_rejected", "(SQLSTATE 28000)"},
		// Over TCP with libpq's default sslmode=prefer the server (no TLS here)
		// refuses TLS first: the line must name the password, not "tls error"
		// (issue 19).
		{"wrong password, sslmode=prefer", fmt.Sprintf("host=127.0.0.1 port=%d dbname=postgres sslmode=prefer user=pgreport_pw password=wrong-password", c.Port),
			"password authentication failed for user \"pgreport_pw\" (SQLSTATE 28P01)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			env := &cli.Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb,
				LookupEnv: func(k string) (string, bool) { return map[string]string{"HOME": t.TempDir()}[k], k == "HOME" }}
			dsn := tt.dsn
			code := cli.Execute(newRoot(env), []string{"-f", "json", "--dsn", dsn})
			if code != cli.ExitRefused {
				t.Errorf("exit %d, want 4; stderr %q", code, errb.String())
			}
			if !strings.Contains(errb.String(), tt.stderr) || strings.Count(errb.String(), "\n") != 1 {
				t.Errorf("stderr %q, want one line with %q", errb.String(), tt.stderr)
			}
			if strings.Contains(errb.String(), "tls") {
				t.Errorf("stderr %q: the TLS refusal hides the password failure", errb.String())
			}
			if strings.Contains(errb.String(), "wrong-password") || out.Len() != 0 {
				t.Errorf("password printed or output written: %q %q", errb.String(), out.String())
			}
		})
	}
}
