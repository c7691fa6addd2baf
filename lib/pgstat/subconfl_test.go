package pgstat

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/cronkit/cronkit/lib/testutil/pgsandbox"
)

// PostgreSQL 18's subscriptions[].confl_* (issue 19, "missing on PG16+"),
// from a real conflict: a subscriber that already has the row the publisher
// inserts counts an insert_exists conflict in pg_stat_subscription_stats,
// and the report carries it under pgmetrics' name. (TestEachSectionVersions
// only runs the query on 18, with no subscription to read.)
func TestSubscriptionConflictsPG18(t *testing.T) {
	bindir := pgsandbox.PinnedVersions(t)[18]
	if bindir == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("PostgreSQL 18 binaries are not in the cache (scripts/pg-versions)")
		}
		t.Skip("PostgreSQL 18 not fetched: run scripts/pg-versions")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c, err := pgsandbox.Start(ctx, pgsandbox.Options{BinDir: bindir,
		Settings: map[string]string{"wal_level": "logical", "wal_retrieve_retry_interval": "100ms"}})
	if err != nil {
		pgsandbox.SkipOrFail(t, err)
	}
	t.Cleanup(func() { _ = c.Stop() })
	c.Exec(t, "postgres", "CREATE DATABASE pub", "CREATE DATABASE sub")
	c.Exec(t, "pub", "CREATE TABLE t (id int PRIMARY KEY)", "CREATE PUBLICATION p FOR TABLE t",
		// A subscription to its own cluster cannot create its slot (the
		// command would wait for itself): the slot is made here.
		"SELECT pg_create_logical_replication_slot('s18', 'pgoutput')")
	c.Exec(t, "sub", "CREATE TABLE t (id int PRIMARY KEY)", "INSERT INTO t VALUES (1)",
		fmt.Sprintf("CREATE SUBSCRIPTION s18 CONNECTION 'host=%s port=%d user=%s dbname=pub' PUBLICATION p "+
			"WITH (create_slot = false, slot_name = 's18', copy_data = false)", c.Host, c.Port, c.User))
	t.Cleanup(func() {
		c.Exec(t, "sub", "ALTER SUBSCRIPTION s18 DISABLE", "ALTER SUBSCRIPTION s18 SET (slot_name = NONE)", "DROP SUBSCRIPTION s18")
	})
	// The worker is streaming once the slot is in use; then the row it
	// cannot insert is a conflict, counted on every retry.
	pgsandbox.WaitFor(t, c.Connect(t, "pub"), "SELECT active FROM pg_replication_slots WHERE slot_name = 's18'")
	c.Exec(t, "pub", "INSERT INTO t VALUES (1)")
	pgsandbox.WaitFor(t, c.Connect(t, "sub"), "SELECT confl_insert_exists > 0 FROM pg_stat_subscription_stats WHERE subname = 's18'")

	rep, err := collect(t, Options{Conn: connOpts(c, c.User, "sub")})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Subscriptions) != 1 {
		t.Fatalf("subscriptions = %+v", rep.Subscriptions)
	}
	s := rep.Subscriptions[0]
	if s.Name != "s18" || s.ConflInsertExists <= 0 || s.ApplyErrorCount <= 0 || s.ConflUpdateMissing != 0 {
		t.Errorf("subscription = %+v, want insert_exists conflicts and apply errors counted", s)
	}
	var buf bytes.Buffer
	if err := WriteJSON(&buf, rep); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Subscriptions []map[string]any `json:"subscriptions"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil || len(doc.Subscriptions) != 1 {
		t.Fatalf("%v: %s", err, buf.Bytes())
	}
	if v, ok := doc.Subscriptions[0]["confl_insert_exists"].(float64); !ok || v <= 0 {
		t.Errorf("subscriptions[0].confl_insert_exists = %v in the JSON", doc.Subscriptions[0]["confl_insert_exists"])
	}
}
