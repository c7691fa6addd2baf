package pgstat

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/cronkit/cronkit/lib/testutil/pgsandbox"
)

// makeSequences creates s1..sN in db, 1,000 per transaction (each CREATE
// holds a lock until commit).
func makeSequences(t *testing.T, c *pgsandbox.Cluster, db string, n int) {
	t.Helper()
	for lo := 1; lo <= n; lo += 1000 {
		c.Exec(t, db, fmt.Sprintf(`DO $$ BEGIN FOR i IN %d..%d LOOP
			EXECUTE format('CREATE SEQUENCE s%%s', i); END LOOP; END $$`, lo, min(lo+999, n)))
	}
}

func seqByName(rep *Report) map[string]Sequence {
	m := map[string]Sequence{}
	for _, s := range rep.Sequences {
		m[s.Name] = s
	}
	return m
}

// 20,000 sequences are read with the same number of statements as 3, as a
// superuser, a pg_monitor member, a plain role and on a hot standby. One
// transaction holding them all would need 20,000 locks: the sandbox's lock
// table has 64 x 60 connections = 3,840 entries, so this also proves that
// the locks go chunk by chunk (pg_sequence_last_value keeps its lock until
// the top-level transaction ends).
func TestSequenceValuesConstantStatements(t *testing.T) {
	c := pgsandbox.Get(t)
	const many = 20000
	small, big := c.CreateDB(t, "seqsmall"), c.CreateDB(t, "seqbig")
	makeSequences(t, c, small, 3)
	makeSequences(t, c, big, many)
	suffix := strconv.Itoa(os.Getpid())
	mon, plain := "seqmon_"+suffix, "seqplain_"+suffix
	c.Exec(t, "postgres", "CREATE ROLE "+mon+" LOGIN IN ROLE pg_monitor", "CREATE ROLE "+plain+" LOGIN")
	t.Cleanup(func() {
		c.Exec(t, small, "DROP OWNED BY "+mon+", "+plain)
		c.Exec(t, big, "DROP OWNED BY "+mon+", "+plain)
		c.Exec(t, "postgres", "DROP ROLE "+mon, "DROP ROLE "+plain)
	})
	for _, db := range []string{small, big} {
		c.Exec(t, db, "SELECT setval('s1', 42)", "SELECT setval('s2', 7)", "SELECT setval('s3', 9)",
			"GRANT SELECT ON SEQUENCE s1 TO "+plain, "GRANT USAGE ON SEQUENCE s2 TO "+plain)
	}
	c.Exec(t, big, fmt.Sprintf("SELECT setval('s%d', 5)", many))

	// want: the values each role may read (-1: not readable or never called).
	check := func(t *testing.T, cl *pgsandbox.Cluster, user, db string, n int, want map[string]int64) int {
		t.Helper()
		rep, err := collect(t, Options{Conn: connOpts(cl, user, db)})
		if err != nil {
			t.Fatalf("Collect %s as %s: %v %+v", db, user, err, rep.Meta.Errors)
		}
		if len(rep.Sequences) != n {
			t.Fatalf("%d sequences, want %d", len(rep.Sequences), n)
		}
		got := seqByName(rep)
		for name, w := range want {
			if got[name].LastValue != w {
				t.Errorf("%s as %s: %s last_value = %d, want %d", db, user, name, got[name].LastValue, w)
			}
		}
		return rep.Meta.Statements
	}
	all := map[string]int64{"s1": 42, "s2": 7, "s3": 9}
	allBig := map[string]int64{"s1": 42, "s2": 7, "s3": 9, "s4": -1, "s" + strconv.Itoa(many): 5}
	// A pg_monitor member has no privilege on the sequences themselves
	// (pg_sequence_last_value needs SELECT or USAGE): it sees none, without error.
	none := map[string]int64{"s1": -1, "s2": -1, "s3": -1}
	granted := map[string]int64{"s1": 42, "s2": 7, "s3": -1}
	for _, tc := range []struct {
		user string
		want map[string]int64
	}{{"postgres", all}, {mon, none}, {plain, granted}} {
		t.Run(strings.Split(tc.user, "_")[0], func(t *testing.T) {
			few := check(t, c, tc.user, small, 3, tc.want)
			w := tc.want
			if tc.user == "postgres" {
				w = allBig
			}
			lots := check(t, c, tc.user, big, many, w)
			if few != lots || few == 0 {
				t.Errorf("statements: %d for 3 sequences, %d for %d", few, lots, many)
			}
		})
	}

	t.Run("standby", func(t *testing.T) {
		standby := c.Standby(t, pgsandbox.Options{})
		few := check(t, standby, "postgres", small, 3, all)
		lots := check(t, standby, "postgres", big, many, allBig)
		if few != lots {
			t.Errorf("standby statements: %d for 3 sequences, %d for %d", few, lots, many)
		}
	})

	// A sequence locked by someone else (ALTER SEQUENCE in an open
	// transaction) costs its chunk, listed with SQLSTATE 55P03 after
	// lock_timeout; the other chunks arrive.
	t.Run("locked chunk", func(t *testing.T) {
		holder := c.Connect(t, big)
		ctx := context.Background()
		if _, err := holder.Exec(ctx, fmt.Sprintf("BEGIN; ALTER SEQUENCE s%d RESTART", many)); err != nil {
			t.Fatal(err)
		}
		defer func() { _, _ = holder.Exec(context.Background(), "ROLLBACK") }()
		rep, err := collect(t, Options{Conn: connOpts(c, "postgres", big)})
		if err == nil || len(rep.Meta.Errors) != 1 {
			t.Fatalf("err = %v, errors %+v: want one sequence_values error", err, rep.Meta.Errors)
		}
		if e := rep.Meta.Errors[0]; e.Section != "sequence_values" || e.Code != "55P03" || e.DB != big {
			t.Errorf("error = %+v", e)
		}
		got := seqByName(rep)
		if got["s1"].LastValue != 42 || got["s"+strconv.Itoa(many)].LastValue != -1 {
			t.Errorf("s1 = %d (want 42), s%d = %d (want -1: its chunk failed)", got["s1"].LastValue, many, got["s"+strconv.Itoa(many)].LastValue)
		}
	})
}

// Without plpgsql (dropped, or USAGE revoked) the values are read in
// chunks of 1,000 sequences per statement, without any error listed.
func TestSequenceValuesWithoutPlpgsql(t *testing.T) {
	c := pgsandbox.Get(t)
	suffix := strconv.Itoa(os.Getpid())
	plain := "noplpgsql_" + suffix
	c.Exec(t, "postgres", "CREATE ROLE "+plain+" LOGIN")
	dropped, revoked := c.CreateDB(t, "noplpgsql"), c.CreateDB(t, "revoked")
	t.Cleanup(func() {
		c.Exec(t, dropped, "DROP OWNED BY "+plain)
		c.Exec(t, revoked, "DROP OWNED BY "+plain)
		c.Exec(t, "postgres", "DROP ROLE "+plain)
	})
	for _, db := range []string{dropped, revoked} {
		makeSequences(t, c, db, 2500)
		c.Exec(t, db, "SELECT setval('s1', 42)", "SELECT setval('s2500', 3)",
			"GRANT SELECT ON ALL SEQUENCES IN SCHEMA public TO "+plain)
	}
	c.Exec(t, dropped, "DROP EXTENSION plpgsql")
	c.Exec(t, revoked, "REVOKE USAGE ON LANGUAGE plpgsql FROM PUBLIC")
	for _, tc := range []struct{ user, db string }{{"postgres", dropped}, {plain, revoked}} {
		var log bytes.Buffer
		rep, err := collect(t, Options{Conn: connOpts(c, tc.user, tc.db),
			Logger: slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))})
		if err != nil {
			t.Fatalf("%s as %s: %v %+v", tc.db, tc.user, err, rep.Meta.Errors)
		}
		if !strings.Contains(log.String(), "DO block refused") {
			t.Errorf("%s as %s: the fallback did not run; log:\n%s", tc.db, tc.user, log.String())
		}
		got := seqByName(rep)
		if got["s1"].LastValue != 42 || got["s2500"].LastValue != 3 || got["s2"].LastValue != -1 {
			t.Errorf("%s as %s: s1 %d s2500 %d s2 %d", tc.db, tc.user, got["s1"].LastValue, got["s2500"].LastValue, got["s2"].LastValue)
		}
	}
}

// When the fallback fails too (a chunk locked), the DO block's refusal is
// listed beside the chunk's error, so that both causes show.
func TestSequenceValuesBothFail(t *testing.T) {
	c := pgsandbox.Get(t)
	db := c.CreateDB(t, "bothfail")
	makeSequences(t, c, db, 1500)
	c.Exec(t, db, `DO $$ BEGIN FOR i IN 1..1500 LOOP PERFORM setval('s' || i, 5); END LOOP; END $$`, "DROP EXTENSION plpgsql")
	holder := c.Connect(t, db)
	if _, err := holder.Exec(context.Background(), "BEGIN; ALTER SEQUENCE s1500 RESTART"); err != nil {
		t.Fatal(err)
	}
	defer func() { _, _ = holder.Exec(context.Background(), "ROLLBACK") }()
	rep, err := collect(t, Options{Conn: connOpts(c, "postgres", db)})
	if err == nil || len(rep.Meta.Errors) != 2 {
		t.Fatalf("err = %v, errors %+v: want the locked chunk and the DO block", err, rep.Meta.Errors)
	}
	chunk, do := rep.Meta.Errors[0], rep.Meta.Errors[1]
	if chunk.Section != "sequence_values" || chunk.Code != "55P03" {
		t.Errorf("chunk error = %+v", chunk)
	}
	if do.Section != "sequence_values" || do.Code != "42704" || !strings.Contains(do.Error, "DO block: language \"plpgsql\" does not exist") {
		t.Errorf("DO error = %+v", do)
	}
	// Chunks follow the report's order (by name); the one with s1500 is lost.
	read := 0
	for _, sq := range rep.Sequences {
		if sq.LastValue == 5 {
			read++
		}
	}
	if got := seqByName(rep)["s1500"].LastValue; got != -1 || (read != 1000 && read != 500) {
		t.Errorf("s1500 = %d (want -1), %d sequences read (want the other chunk's 500 or 1000)", got, read)
	}
}

func TestParseSeqValues(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want map[int64]int64
		bad  bool
	}{
		{"", map[int64]int64{}, false},
		{"16388 1", map[int64]int64{16388: 1}, false},
		{"1 -1,2 9223372036854775807", map[int64]int64{1: -1, 2: 9223372036854775807}, false},
		{"1", nil, true},
		{"1 x", nil, true},
		{"1 2,", nil, true},
	} {
		got, err := parseSeqValues(tc.in)
		if (err != nil) != tc.bad {
			t.Errorf("%q: err %v", tc.in, err)
			continue
		}
		if !tc.bad && fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("%q: got %v, want %v", tc.in, got, tc.want)
		}
	}
}

// FuzzParseSeqValues: the DO block's hand-out never panics the parser, and
// what it accepts is exactly a list of "oid value" pairs.
func FuzzParseSeqValues(f *testing.F) {
	f.Add("")
	f.Add("16388 1,16390 -1")
	f.Add("1 9223372036854775807,2 -9223372036854775808")
	f.Add("1 2,")
	f.Fuzz(func(t *testing.T, s string) {
		vals, err := parseSeqValues(s)
		if err != nil {
			return
		}
		if s == "" {
			if len(vals) != 0 {
				t.Fatalf("%q: %v", s, vals)
			}
			return
		}
		items := strings.Split(s, ",")
		if len(vals) > len(items) {
			t.Fatalf("%q: %d values from %d items", s, len(vals), len(items))
		}
		for _, it := range items {
			o, v, _ := strings.Cut(it, " ")
			oid, _ := strconv.ParseInt(o, 10, 64)
			want, _ := strconv.ParseInt(v, 10, 64)
			if got, ok := vals[oid]; !ok || (got != want && strings.Count(s, o+" ") == 1) {
				t.Fatalf("%q: item %q parsed as %v", s, it, vals)
			}
		}
	})
}
