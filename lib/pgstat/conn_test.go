package pgstat

import (
	"context"
	"errors"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cronkit/cronkit/lib/testutil"
)

func TestConnConfig(t *testing.T) {
	t.Setenv("PGHOST", "envhost")
	t.Setenv("PGPORT", "6000")
	t.Setenv("PGUSER", "envuser")
	t.Setenv("PGDATABASE", "envdb")
	t.Setenv("PGCONNECT_TIMEOUT", "")
	t.Setenv("PGSSLMODE", "disable") // else sslmode=prefer adds a plain-text fallback per host
	for _, tc := range []struct {
		name               string
		o                  ConnOptions
		db                 string
		host, user, dbname string
		port               uint16
		fallbacks          int
		tsa                bool // target_session_attrs set: a ValidateConnect hook
		err                string
	}{
		{name: "env only", host: "envhost", port: 6000, user: "envuser", dbname: "envdb"},
		{name: "flags beat env", o: ConnOptions{Host: "/run/pg", Port: "5433", User: "u", DBName: "d"}, host: "/run/pg", port: 5433, user: "u", dbname: "d"},
		{name: "db argument beats -d", o: ConnOptions{DBName: "d"}, db: "arg", host: "envhost", port: 6000, user: "envuser", dbname: "arg"},
		{name: "kv dsn, flag overrides", o: ConnOptions{DSN: "host=h1 user=dsnuser dbname=x", User: "u"}, host: "h1", port: 6000, user: "u", dbname: "x"},
		{name: "url", o: ConnOptions{DSN: "postgres://uu@db7:5544/shop?sslmode=disable"}, host: "db7", port: 5544, user: "uu", dbname: "shop"},
		{name: "url, db argument", o: ConnOptions{DSN: "postgres://uu@db7:5544/shop?sslmode=disable"}, db: "other", host: "db7", port: 5544, user: "uu", dbname: "other"},
		{name: "multi-host url", o: ConnOptions{DSN: "postgres://m@a:1,b:2/x?sslmode=disable&target_session_attrs=read-write"}, host: "a", port: 1, user: "m", dbname: "x", fallbacks: 1, tsa: true},
		{name: "multi-host flag", o: ConnOptions{Host: "a,b", Port: "1,2", DSN: "sslmode=disable target_session_attrs=primary"}, host: "a", port: 1, user: "envuser", dbname: "envdb", fallbacks: 1, tsa: true},
		{name: "url with -h", o: ConnOptions{DSN: "postgres://x@h/d", Host: "y"}, err: "cannot be combined"},
		{name: "bad dsn", o: ConnOptions{DSN: "host='unterminated"}, err: "connection string"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.o.AppName = "pgreport/test"
			cfg, err := tc.o.Config(tc.db)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Host != tc.host || cfg.Port != tc.port || cfg.User != tc.user || cfg.Database != tc.dbname {
				t.Errorf("got host=%s port=%d user=%s db=%s", cfg.Host, cfg.Port, cfg.User, cfg.Database)
			}
			if len(cfg.Fallbacks) != tc.fallbacks {
				t.Errorf("fallbacks = %d, want %d", len(cfg.Fallbacks), tc.fallbacks)
			}
			if (cfg.ValidateConnect != nil) != tc.tsa {
				t.Errorf("target_session_attrs check present = %v, want %v", cfg.ValidateConnect != nil, tc.tsa)
			}
			rp := cfg.RuntimeParams
			if rp["application_name"] != "pgreport/test" || rp["statement_timeout"] != "5000" ||
				rp["lock_timeout"] != "50" || rp["jit"] != "off" {
				t.Errorf("runtime params = %v", rp)
			}
			// With target_session_attrs, Connect sets it after the server passed
			// the check (TestReplication), else the server judges our session.
			if ro := rp["default_transaction_read_only"]; (ro == "on") == tc.tsa || (ro != "on" && ro != "") {
				t.Errorf("default_transaction_read_only = %q with target_session_attrs %v", ro, tc.tsa)
			}
			// pgmetrics' 5 s when nothing sets one (issue 19).
			if cfg.ConnectTimeout != 5*time.Second {
				t.Errorf("connect timeout = %s, want pgmetrics' 5s", cfg.ConnectTimeout)
			}
		})
	}
}

func TestConnectTimeoutFromEnvWins(t *testing.T) {
	t.Setenv("PGCONNECT_TIMEOUT", "3")
	cfg, err := ConnOptions{Host: "h", ConnectTimeout: 20 * time.Second, StatementTimeout: time.Second, LockTimeout: time.Second}.Config("")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.ConnectTimeout != 3*time.Second || cfg.RuntimeParams["statement_timeout"] != "1000" {
		t.Errorf("connect timeout %s, params %v", cfg.ConnectTimeout, cfg.RuntimeParams)
	}
}

// A name that cannot resolve (RFC 2606 .invalid) is said once, as libpq
// does ("could not translate host name"), not pgx's doubled resolver text.
func TestConnectErrorUnresolvableHost(t *testing.T) {
	t.Setenv("PGSSLMODE", "prefer") // two attempts: still one clause
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := ConnOptions{Host: "nosuchhost.invalid", Port: "5432", ConnectTimeout: 5 * time.Second}.Connect(ctx, "postgres", nil)
	if err == nil {
		t.Fatal("connected to nosuchhost.invalid")
	}
	got := err.Error()
	const want = `could not translate host name "nosuchhost.invalid" to address: `
	if !strings.HasPrefix(got, want) || strings.Count(got, "nosuchhost") != 1 || strings.Contains(got, "\n") {
		t.Errorf("error = %q, want one clause starting %q", got, want)
	}
}

// Connection failures read like libpq's, one clause per host tried, on one
// line (pgx's own text is multi-line for several hosts).
func TestConnectErrorLibpqStyle(t *testing.T) {
	t.Setenv("PGSSLMODE", "disable")
	t.Setenv("PGCONNECT_TIMEOUT", "")
	port := strconv.Itoa(testutil.FreePort(t, "tcp"))
	sock := t.TempDir()
	for _, tc := range []struct {
		name string
		o    ConnOptions
		want string
	}{
		{"tcp", ConnOptions{Host: "127.0.0.1", Port: port},
			`connection to server at "127.0.0.1", port ` + port + ` failed: connection refused`},
		// sslmode=prefer dials twice (TLS, then plain): one clause.
		{"tcp, sslmode=prefer", ConnOptions{Host: "127.0.0.1", Port: port, DSN: "sslmode=prefer"},
			`connection to server at "127.0.0.1", port ` + port + ` failed: connection refused`},
		{"socket", ConnOptions{Host: sock, Port: "5999"},
			`connection to server on socket "` + sock + `/.s.PGSQL.5999" failed: no such file or directory`},
		{"two hosts", ConnOptions{Host: "127.0.0.1," + sock, Port: port + ",5999"},
			`connection to server at "127.0.0.1", port ` + port + ` failed: connection refused; ` +
				`connection to server on socket "` + sock + `/.s.PGSQL.5999" failed: no such file or directory`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			tc.o.ConnectTimeout = 5 * time.Second
			_, err := tc.o.Connect(ctx, "postgres", nil)
			var ce *ConnectError
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v (%T), want a *ConnectError", err, err)
			}
			if got := err.Error(); got != tc.want {
				t.Errorf("error:\n got %s\nwant %s", got, tc.want)
			}
		})
	}
}

// A server that accepts and never answers, with libpq's default
// sslmode=prefer (TLS, then plain): the connect timeout bounds both attempts
// together, and the line says the timeout once, in libpq's words (issue 19:
// "one clear line, like libpq's").
func TestConnectErrorSilentServerPrefer(t *testing.T) {
	t.Setenv("PGSSLMODE", "prefer")
	t.Setenv("PGCONNECT_TIMEOUT", "")
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	accepted := make(chan net.Conn, 4)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				close(accepted)
				return
			}
			accepted <- c // read nothing, answer nothing
		}
	}()
	t.Cleanup(func() {
		l.Close()
		for c := range accepted {
			c.Close()
		}
	})
	port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	const timeout = 300 * time.Millisecond
	start := time.Now()
	_, err = ConnOptions{Host: "127.0.0.1", Port: port, ConnectTimeout: timeout}.Connect(context.Background(), "postgres", nil)
	if el := time.Since(start); el >= 2*timeout {
		t.Errorf("took %s: each attempt had its own %s", el, timeout)
	}
	want := `connection to server at "127.0.0.1", port ` + port + ` failed: timeout expired`
	if err == nil || err.Error() != want {
		t.Errorf("error:\n got %v\nwant %s", err, want)
	}
}

// Several hosts, one of them unresolvable: each host tried has its clause,
// as libpq lists them; the resolver's failure does not hide the others.
func TestConnectErrorUnresolvableAmongHosts(t *testing.T) {
	t.Setenv("PGCONNECT_TIMEOUT", "")
	port := strconv.Itoa(testutil.FreePort(t, "tcp"))
	refused := `connection to server at "127.0.0.1", port ` + port + ` failed: connection refused`
	for _, sslmode := range []string{"disable", "prefer"} {
		t.Run(sslmode, func(t *testing.T) {
			t.Setenv("PGSSLMODE", sslmode)
			_, err := ConnOptions{Host: "nosuchhost.invalid,127.0.0.1", Port: "5432," + port, ConnectTimeout: 5 * time.Second}.
				Connect(context.Background(), "postgres", nil)
			if err == nil {
				t.Fatal("connected")
			}
			got := err.Error()
			if !strings.HasPrefix(got, `could not translate host name "nosuchhost.invalid" to address: `) ||
				!strings.HasSuffix(got, "; "+refused) || strings.Count(got, "nosuchhost") != 1 || strings.Contains(got, "\n") {
				t.Errorf("error = %q, want the lookup failure, then %q", got, refused)
			}
		})
	}
}
