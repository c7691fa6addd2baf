package pgstat

import (
	"context"
	"testing"

	"github.com/cronkit/cronkit/lib/testutil/pgsandbox"
)

// pgreport's session runs with default_transaction_read_only=on and jit=off
// (startup parameters), but the report gives the server's values, as
// pgmetrics (which sets neither) does: issue 19 "same meaning by default".
// The values come from ALTER ROLE/DATABASE, the files, or the boot value.
func TestSettingsAreTheServers(t *testing.T) {
	c := pgsandbox.Get(t)
	db := c.CreateDB(t, "settings")
	c.Exec(t, "postgres", "DROP ROLE IF EXISTS pgreport_ro", "CREATE ROLE pgreport_ro LOGIN")
	c.Exec(t, "postgres", "ALTER DATABASE "+db+" SET jit = false",
		"ALTER ROLE pgreport_ro IN DATABASE "+db+" SET default_transaction_read_only = on")
	t.Cleanup(func() { c.Exec(t, "postgres", "DROP DATABASE IF EXISTS "+db, "DROP ROLE IF EXISTS pgreport_ro") })

	for _, tc := range []struct {
		name, user, db     string
		jit, jitSrc        string
		dtro, dtroSrc, tro string
	}{
		{"defaults", "postgres", "postgres", "on", "", "off", "", "off"},
		{"ALTER DATABASE", "postgres", db, "off", "database", "off", "", "off"},
		// A role without pg_read_all_settings: no files, the rest still resolved.
		{"ALTER ROLE IN DATABASE", "pgreport_ro", db, "off", "database", "on", "database user", "on"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := collect(t, Options{Conn: connOpts(c, tc.user, tc.db)})
			if err != nil {
				t.Fatalf("err = %v (%+v)", err, rep.Meta.Errors)
			}
			check := func(name, want, wantSrc string) {
				t.Helper()
				s := rep.Settings[name]
				if s.Setting != want || s.Source != wantSrc || (wantSrc != "" && s.BootVal == "") {
					t.Errorf("%s = %+v, want %q from %q", name, s, want, wantSrc)
				}
			}
			check("jit", tc.jit, tc.jitSrc)
			check("default_transaction_read_only", tc.dtro, tc.dtroSrc)
			if s := rep.Settings["transaction_read_only"]; s.Setting != tc.tro {
				t.Errorf("transaction_read_only = %+v, want %s", s, tc.tro)
			}
		})
	}

	// The session itself stays read-only and without JIT all the same.
	conn, err := connOpts(c, "postgres", db).Connect(context.Background(), db, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var ro, jit string
	if err := conn.QueryRow(context.Background(), "SELECT current_setting('default_transaction_read_only'), current_setting('jit')").Scan(&ro, &jit); err != nil || ro != "on" || jit != "off" {
		t.Errorf("session: default_transaction_read_only=%s jit=%s (%v), want on/off", ro, jit, err)
	}
}
