package pgbouncer

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/cronkit/cronkit/lib/testutil/pgbouncerbox"
	"github.com/cronkit/cronkit/lib/testutil/pgsandbox"
	"github.com/jackc/pgx/v5"
)

func TestMain(m *testing.M) { os.Exit(pgsandbox.Main(m)) }

// TestCollectRealPgBouncer: Debian's PgBouncer (1.18) in front of the
// sandbox, pool size 2, two clients holding servers in transactions and a
// third queued behind them; the five SHOW commands must show exactly that
// (reference pgmetrics-logs-pgbouncer.md §2).
func TestCollectRealPgBouncer(t *testing.T) {
	pg := pgsandbox.Get(t)
	b := pgbouncerbox.Start(t, pg, map[string]string{"default_pool_size": "2"})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	client := func() *pgx.Conn {
		cfg, err := pgx.ParseConfig(b.URL("postgres"))
		if err != nil {
			t.Fatal(err)
		}
		cfg.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
		c, err := pgx.ConnectConfig(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.Close(context.Background()) })
		return c
	}
	c1, c2, c3 := client(), client(), client()
	for _, c := range []*pgx.Conn{c1, c2} {
		if _, err := c.Exec(ctx, "BEGIN; SELECT 1"); err != nil {
			t.Fatal(err)
		}
	}
	queued := make(chan error, 1)
	go func() { _, err := c3.Exec(ctx, "SELECT 1"); queued <- err }()

	admin, err := pgx.ConnectConfig(ctx, adminConfig(t, b.URL("pgbouncer")))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(context.Background())
	// Wait (bounded) until PgBouncer has queued the third client.
	var pb *PgBouncer
	for deadline := time.Now().Add(20 * time.Second); ; {
		var errs []error
		pb, errs = Collect(ctx, admin, 5*time.Second)
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		if pb.CCWaiting == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no waiting client: %+v", pb)
		}
		time.Sleep(50 * time.Millisecond)
	}
	pool := find(pb.Pools, func(p Pool) bool { return p.Database == "postgres" })
	if pool == nil || pool.ClActive != 2 || pool.ClWaiting != 1 || pool.SvActive != 2 || pool.Mode != "session" ||
		pool.UserName != pg.User || pool.MaxWait < 0 {
		t.Errorf("pool = %+v", pool)
	}
	if find(pb.Pools, func(p Pool) bool { return p.Database == "pgbouncer" }) == nil {
		t.Errorf("no internal pgbouncer pool: %+v", pb.Pools)
	}
	// Servers: the two held ones are active; clients: 2 active + 1 waiting
	// (+ this admin connection, active).
	if pb.SCActive != 2 || pb.CCActive < 2 || pb.CCWaiting != 1 || pb.CCMaxWait < 0 || pb.CCAvgWait != pb.CCMaxWait {
		t.Errorf("aggregates = %+v", pb)
	}
	db := find(pb.DBs, func(d Database) bool { return d.Database == "postgres" })
	if db == nil || db.Port != pg.Port || db.Host != pg.Host || db.SourceDatabase != "postgres" || db.Paused || db.Disabled ||
		db.CurrConn != 2 {
		t.Errorf("db = %+v", db)
	}
	if find(pb.Stats, func(s Stat) bool { return s.Database == "postgres" && s.TotalQueryCount >= 2 }) == nil {
		t.Errorf("stats = %+v", pb.Stats)
	}
	// pgmetrics' field names; 1.18 has no cl_cancel_req (1.16-1.17 only),
	// and the cancel counters are 0 so omitted.
	j, _ := json.Marshal(pb)
	t.Logf("%s", j)
	for _, k := range []string{`"pools":`, `"stats":`, `"dbs":`, `"sc_active":2`, `"cc_waiting":1`, `"cc_avgwait":`,
		`"db_name":"postgres"`, `"pool_mode":"session"`, `"srcdb_name":"postgres"`, `"avg_received":`, `"total_wait_time":`} {
		if !strings.Contains(string(j), k) {
			t.Errorf("JSON lacks %s: %s", k, j)
		}
	}
	if strings.Contains(string(j), `"cl_cancel_req"`) {
		t.Errorf("cl_cancel_req on 1.18: %s", j)
	}
	// Release the queue.
	if _, err := c1.Exec(ctx, "COMMIT"); err != nil {
		t.Fatal(err)
	}
	_ = c1.Close(ctx)
	if err := <-queued; err != nil {
		t.Errorf("queued client: %v", err)
	}
}

// A command the console does not know fails alone; the rest is collected.
func TestCommandErrorIsolated(t *testing.T) {
	pg := pgsandbox.Get(t)
	b := pgbouncerbox.Start(t, pg, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, err := pgx.ConnectConfig(ctx, adminConfig(t, b.URL("pgbouncer")))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(context.Background())
	var got []string
	err = show(ctx, admin, time.Second, "SHOW NOSUCH", func(r row) error { return nil })
	if err == nil {
		t.Fatal("SHOW NOSUCH succeeded")
	}
	err = show(ctx, admin, time.Second, "SHOW POOLS", func(r row) error { got = append(got, r.str("database")); return nil })
	if err != nil || len(got) == 0 {
		t.Errorf("after a failed command: %v %v", got, err)
	}
}

// Config strips what the console rejects: pgreport's connection sets
// statement_timeout, lock_timeout, jit and a read-only default.
func TestConfigStripsStartupParameters(t *testing.T) {
	pg := pgsandbox.Get(t)
	b := pgbouncerbox.Start(t, pg, nil)
	cfg, err := pgx.ParseConfig(b.URL("pgbouncer"))
	if err != nil {
		t.Fatal(err)
	}
	cfg.RuntimeParams["statement_timeout"] = "5000"
	cfg.RuntimeParams["lock_timeout"] = "50"
	cfg.RuntimeParams["application_name"] = "pgreport/test"
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if c, err := pgx.ConnectConfig(ctx, cfg); err == nil {
		_ = c.Close(ctx)
		t.Fatal("the console accepted statement_timeout: the test proves nothing")
	} else if !strings.Contains(err.Error(), "unsupported startup parameter") {
		t.Fatalf("unexpected: %v", err)
	}
	c, err := pgx.ConnectConfig(ctx, Config(cfg))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	pb, errs := Collect(ctx, c, 5*time.Second)
	if len(errs) > 0 || len(pb.Pools) == 0 {
		t.Fatalf("%+v %v", pb, errs)
	}
}

func adminConfig(t *testing.T, url string) *pgx.ConnConfig {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	return Config(cfg)
}

func find[T any](xs []T, f func(T) bool) *T {
	for i := range xs {
		if f(xs[i]) {
			return &xs[i]
		}
	}
	return nil
}
