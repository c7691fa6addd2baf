//go:build linux

package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cronkit/cronkit/lib/testutil/pgsandbox"
	"github.com/cronkit/cronkit/lib/testutil/ptytest"
	"github.com/jackc/pgx/v5"
)

// ttyReader collects what the program writes to the terminal (the pty
// master), so that the program never blocks on a full pty buffer.
type ttyReader struct {
	ch  chan []byte
	buf bytes.Buffer
}

func readTTY(master *os.File) *ttyReader {
	r := &ttyReader{ch: make(chan []byte, 64)}
	go func() {
		for {
			b := make([]byte, 4096)
			n, err := master.Read(b)
			if n > 0 {
				r.ch <- b[:n]
			}
			if err != nil {
				close(r.ch)
				return
			}
		}
	}()
	return r
}

// waitFor reads until the terminal shows want, or fails after a deadline.
func (r *ttyReader) waitFor(t *testing.T, want string) {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for !strings.Contains(r.buf.String(), want) {
		select {
		case b, ok := <-r.ch:
			if !ok {
				t.Fatalf("terminal closed before %q; got %q", want, r.buf.String())
			}
			r.buf.Write(b)
		case <-deadline:
			t.Fatalf("terminal never showed %q; got %q", want, r.buf.String())
		}
	}
}

// drain takes what is already written (call it after the process exited:
// whatever it wrote is in the pty buffer by then).
func (r *ttyReader) drain(master *os.File) string {
	_ = master.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
	for {
		select {
		case b, ok := <-r.ch:
			if !ok {
				return r.buf.String()
			}
			r.buf.Write(b)
		case <-time.After(300 * time.Millisecond):
			return r.buf.String()
		}
	}
}

// pgreportCmd is the real pgreport (this test binary, installed in $PATH by
// testscript.Main) with a clean libpq environment for user on cluster c.
func pgreportCmd(ctx context.Context, t *testing.T, c *pgsandbox.Cluster, user string, args ...string) *exec.Cmd {
	t.Helper()
	bin, err := exec.LookPath("pgreport")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "XDG_CONFIG_HOME=" + t.TempDir()}
	if c != nil {
		for _, kv := range c.Env("postgres") {
			if !strings.HasPrefix(kv, "PGUSER=") {
				cmd.Env = append(cmd.Env, kv)
			}
		}
		cmd.Env = append(cmd.Env, "PGUSER="+user)
	}
	return cmd
}

// withTerminal makes the pty slave the process's controlling terminal (a
// new session), so that /dev/tty is the pty, as in an interactive shell.
func withTerminal(cmd *exec.Cmd, slave *os.File) {
	cmd.Stdin = slave
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
}

// passwordRole creates a role that must give a password (scram-sha-256 in
// pg_hba.conf, for that role only: the sandbox trusts everyone else).
func passwordRole(t *testing.T, c *pgsandbox.Cluster) (role, password string) {
	t.Helper()
	role, password = fmt.Sprintf("pw_%d", os.Getpid()), fmt.Sprintf("s3cret-%d", os.Getpid())
	c.Exec(t, "postgres", fmt.Sprintf("CREATE ROLE %s LOGIN PASSWORD '%s'", role, password))
	hba := filepath.Join(c.DataDir, "pg_hba.conf")
	orig, err := os.ReadFile(hba)
	if err != nil {
		t.Fatal(err)
	}
	rules := fmt.Sprintf("local all %[1]s scram-sha-256\nhost all %[1]s 127.0.0.1/32 scram-sha-256\n", role)
	if err := os.WriteFile(hba, append([]byte(rules), orig...), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = os.WriteFile(hba, orig, 0o600)
		c.Exec(t, "postgres", "SELECT pg_reload_conf()", "DROP ROLE "+role)
	})
	c.Exec(t, "postgres", "SELECT pg_reload_conf()")
	// The postmaster rereads pg_hba.conf on SIGHUP: poll until a connection
	// without a password is refused.
	deadline := time.Now().Add(30 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		conn, err := pgx.Connect(ctx, fmt.Sprintf("host=%s port=%d user=%s dbname=postgres", c.Host, c.Port, role))
		cancel()
		if err != nil {
			return role, password
		}
		_ = conn.Close(context.Background())
		if time.Now().After(deadline) {
			t.Fatal("pg_hba.conf reload not seen after 30s")
		}
		time.Sleep(20 * time.Millisecond) // polling interval, not synchronisation
	}
}

// -W prompts on the terminal, with echo off, and nowhere else: stdout
// carries only the report and stderr nothing of the prompt. Without -W
// there is never a prompt (cron has no terminal): a server that wants a
// password refuses the connection and pgreport exits 1. -W without a
// terminal is a usage error, not a hang.
func TestPasswordPrompt(t *testing.T) {
	c := pgsandbox.Get(t)
	role, password := passwordRole(t, c)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	t.Run("-W on a terminal", func(t *testing.T) {
		master, slave := ptytest.Open(t)
		tty := readTTY(master)
		cmd := pgreportCmd(ctx, t, c, role, "-W", "-f", "json", "postgres")
		withTerminal(cmd, slave)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		tty.waitFor(t, "Password: ")
		if _, err := master.Write([]byte(password + "\n")); err != nil {
			t.Fatal(err)
		}
		err := cmd.Wait()
		shown := tty.drain(master)
		if err != nil {
			t.Fatalf("pgreport -W: %v; stderr %s", err, stderr.String())
		}
		if strings.Contains(shown, password) {
			t.Errorf("the terminal echoed the password: %q", shown)
		}
		if !strings.HasPrefix(stdout.String(), "{") || strings.Contains(stdout.String(), "Password") {
			t.Errorf("stdout is not just the JSON report: %.80q", stdout.String())
		}
		if !strings.Contains(stdout.String(), `"user":"`+role+`"`) && !strings.Contains(stdout.String(), `"user": "`+role+`"`) {
			t.Errorf("report not collected as %s: %.200q", role, stdout.String())
		}
		if strings.Contains(stderr.String(), "Password") || strings.Contains(stderr.String(), password) {
			t.Errorf("stderr = %q", stderr.String())
		}
	})

	t.Run("no -W: no prompt", func(t *testing.T) {
		master, slave := ptytest.Open(t)
		tty := readTTY(master)
		cmd := pgreportCmd(ctx, t, c, role, "-f", "json", "postgres")
		withTerminal(cmd, slave)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 4 {
			t.Fatalf("err = %v, want exit 4 (no password: refused); stderr %s", err, stderr.String())
		}
		if shown := tty.drain(master); shown != "" {
			t.Errorf("the terminal showed %q, want nothing", shown)
		}
		if stdout.Len() != 0 || !strings.HasPrefix(stderr.String(), "pgreport: ") || strings.Count(stderr.String(), "\n") != 1 {
			t.Errorf("stdout %q, stderr %q: want nothing and one error line", stdout.String(), stderr.String())
		}
	})

	t.Run("-W without a terminal", func(t *testing.T) {
		cmd := pgreportCmd(ctx, t, c, role, "-W", "-f", "json", "postgres")
		cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true} // no controlling terminal, like cron
		cmd.Stdin = strings.NewReader(password + "\n")
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 2 || !strings.Contains(stderr.String(), "-W needs a terminal") {
			t.Fatalf("err = %v, stderr %q: want exit 2, -W needs a terminal", err, stderr.String())
		}
		if stdout.Len() != 0 {
			t.Errorf("stdout = %q", stdout.String())
		}
	})
}

// Without -f, a terminal gets the text report and anything else JSON.
func TestDefaultFormatFollowsTerminal(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	input, err := filepath.Abs("../../lib/pgstat/testdata/pgmetrics-1.19-pg15-superuser.json")
	if err != nil {
		t.Fatal(err)
	}
	master, slave := ptytest.Open(t)
	tty := readTTY(master)
	cmd := pgreportCmd(ctx, t, nil, "", "--input", input)
	withTerminal(cmd, slave)
	cmd.Stdout = slave
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%v: %s", err, stderr.String())
	}
	shown := tty.drain(master)
	if !strings.HasPrefix(shown, "PostgreSQL report: shop") {
		t.Errorf("on a terminal: %.200q, want the text report", shown)
	}

	cmd = pgreportCmd(ctx, t, nil, "", "--input", input)
	var stdout bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%v: %s", err, stderr.String())
	}
	if !strings.HasPrefix(stdout.String(), "{") {
		t.Errorf("in a pipe: %.80q, want JSON", stdout.String())
	}
}
