//go:build linux

package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cronkit/cronkit/lib/testutil/pgsandbox"
)

// The password comes from PGPASSWORD or a PGPASSFILE (.pgpass format), as
// with libpq; a wrong one fails with exit 4 (refused: SQLSTATE 28P01, as an
// API's 401 in every tool) and never a prompt (no -W).
func TestPasswordSources(t *testing.T) {
	c := pgsandbox.Get(t)
	role, password := passwordRole(t, c)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	passfile := func(pw string) string {
		p := filepath.Join(t.TempDir(), "pgpass")
		line := fmt.Sprintf("%s:%d:*:%s:%s\n", c.Host, c.Port, role, pw)
		if err := os.WriteFile(p, []byte(line), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, tc := range []struct {
		name string
		env  string
		code int
	}{
		{"PGPASSWORD", "PGPASSWORD=" + password, 0},
		{"PGPASSFILE", "PGPASSFILE=" + passfile(password), 0},
		{"wrong PGPASSFILE", "PGPASSFILE=" + passfile("wrong"), 4},
		{"none", "", 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := pgreportCmd(ctx, t, c, role, "-f", "json", "postgres")
			if tc.env != "" {
				cmd.Env = append(cmd.Env, tc.env)
			}
			cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true} // no terminal, like cron
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			code := 0
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if code != tc.code {
				t.Fatalf("exit %d, want %d; stderr %s", code, tc.code, stderr.String())
			}
			if tc.code == 0 && !strings.Contains(stdout.String(), `"user": "`+role+`"`) {
				t.Errorf("stdout lacks meta.user %s: %.300s", role, stdout.String())
			}
			if tc.code == 4 {
				if stdout.Len() != 0 || strings.Count(stderr.String(), "\n") != 1 ||
					!strings.Contains(stderr.String(), "password authentication failed") {
					t.Errorf("stdout %q, stderr %q: want nothing and one line naming the failure", stdout.String(), stderr.String())
				}
				if strings.Contains(stderr.String(), "wrong") {
					t.Errorf("stderr shows the password: %s", stderr.String())
				}
			}
		})
	}
}

// A server that accepts the TCP connection and never answers: the connect
// timeout ends it with exit 1, nothing on stdout and one line on stderr.
func TestConnectTimeout(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	var held []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			held = append(held, conn) // read nothing, answer nothing
		}
	}()
	t.Cleanup(func() {
		l.Close()
		<-done
		for _, c := range held {
			c.Close()
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	port := fmt.Sprint(l.Addr().(*net.TCPAddr).Port)
	cmd := pgreportCmd(ctx, t, nil, "", "-h", "127.0.0.1", "-p", port, "-U", "x", "--connect-timeout", "500ms", "-f", "json")
	cmd.Env = append(cmd.Env, "PGSSLMODE=disable")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err = cmd.Run()
	elapsed := time.Since(start)
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Fatalf("err = %v, want exit 1; stderr %s", err, stderr.String())
	}
	if elapsed > 10*time.Second {
		t.Errorf("took %s: the 500ms connect timeout did not bound it", elapsed)
	}
	if stdout.Len() != 0 || !strings.HasPrefix(stderr.String(), `pgreport: connection to server at "127.0.0.1", port `+port+` failed: `) ||
		strings.Count(stderr.String(), "\n") != 1 {
		t.Errorf("stdout %q, stderr %q", stdout.String(), stderr.String())
	}
}
