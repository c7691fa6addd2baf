package pgcheck

import (
	"fmt"
	"io"
	"testing"

	"github.com/cronkit/cronkit/lib/pgstat"
)

// bigReport is a report of n tables (2 indexes and a sequence each), the
// shape of scripts/bench-pgreport's database.
func bigReport(n int) *pgstat.Report {
	r := &pgstat.Report{Meta: pgstat.Meta{Version: "1.20", PgreportSchema: "1", At: 1795000000},
		Settings: map[string]pgstat.Setting{"max_connections": {Setting: "100"}, "archive_mode": {Setting: "off"},
			"autovacuum_freeze_max_age": {Setting: "200000000"}, "autovacuum_multixact_freeze_max_age": {Setting: "400000000"}},
		Databases: []pgstat.Database{{Name: "bench", AgeDatFrozenXid: 1000, BlksHit: 1e6, BlksRead: 1e3}},
		Backends:  []pgstat.Backend{{PID: 1, DBName: "bench", State: "active", BackendType: "client backend", QueryStart: 1795000000}},
	}
	px := []pgstat.PreparedXact{}
	r.PreparedXacts = &px
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("x%d", i)
		r.Tables = append(r.Tables, pgstat.Table{OID: int64(i), DBName: "bench", SchemaName: "public", Name: name,
			RelKind: "r", LastAnalyze: 1, Bloat: 8192, Size: 16384})
		for _, ix := range []string{name + "_pkey", name + "_v_idx"} {
			r.Indexes = append(r.Indexes, pgstat.Index{OID: int64(n + i), DBName: "bench", SchemaName: "public",
				TableName: name, Name: ix, Bloat: 0, Size: 8192})
		}
		r.Sequences = append(r.Sequences, pgstat.Sequence{DBName: "bench", SchemaName: "public", Name: name + "_id_seq",
			LastValue: 1, MinValue: 1, MaxValue: 2147483647, UsedPct: 0})
	}
	return r
}

// BenchmarkEvaluate is check's own work on a 10,000-table report, every
// rule enabled; BenchmarkWriteJSON is what `pgreport -f json` does instead
// with the same report.
func BenchmarkEvaluate(b *testing.B) {
	r := bigReport(10000)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		o := Evaluate(r, nil, Options{Bloat: true, State: NewState("b")})
		if err := WriteText(io.Discard, o); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWriteJSON(b *testing.B) {
	r := bigReport(10000)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := pgstat.WriteJSON(io.Discard, r); err != nil {
			b.Fatal(err)
		}
	}
}
