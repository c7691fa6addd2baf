package pgstat

import (
	"fmt"
	"io"
	"testing"

	"github.com/cronkit/cronkit/lib/metric"
)

// bigReport is a synthetic report of n tables, each with 2 indexes and a
// sequence, the shape of the benchmark database in docs/benchmarks.md (pgreport).
func bigReport(n int) *Report {
	r := &Report{Meta: Meta{Version: PgmetricsSchema, At: 1795385522, CollectedDBs: []string{"bench"}}, Settings: map[string]Setting{}}
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("x%d", i)
		r.Tables = append(r.Tables, Table{OID: int64(i), DBName: "bench", SchemaName: "public", Name: name, NLiveTup: 1000, NDeadTup: int64(i), Size: 8192, Bloat: -1, RelKind: "r", RelPersistence: "p"})
		r.Indexes = append(r.Indexes,
			Index{DBName: "bench", SchemaName: "public", TableName: name, Name: name + "_pkey", IsPrimary: true, IsUnique: true, Definition: "CREATE UNIQUE INDEX " + name + "_pkey ON public." + name + " USING btree (id)"},
			Index{DBName: "bench", SchemaName: "public", TableName: name, Name: name + "_v_idx", Definition: "CREATE INDEX " + name + "_v_idx ON public." + name + " USING btree (v)"})
		r.Sequences = append(r.Sequences, Sequence{DBName: "bench", SchemaName: "public", Name: name + "_id_seq", LastValue: 1, MaxValue: 2147483647})
	}
	return r
}

func BenchmarkWriteJSON10k(b *testing.B) {
	r := bigReport(10000)
	b.ReportAllocs()
	for b.Loop() {
		if err := WriteJSON(io.Discard, r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWriteText10k(b *testing.B) {
	r := bigReport(10000)
	b.ReportAllocs()
	for b.Loop() {
		if err := WriteText(io.Discard, r, TextOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMetrics10k(b *testing.B) {
	r := bigReport(10000)
	b.ReportAllocs()
	for b.Loop() {
		w := metric.NewWriter(io.Discard)
		if err := EachMetric(r, nil, w.Write); err != nil {
			b.Fatal(err)
		}
		_ = w.Flush()
	}
}

// BenchmarkWriteTextTables10k: the text report with a block per table (--tables).
func BenchmarkWriteTextTables10k(b *testing.B) {
	r := bigReport(10000)
	b.ReportAllocs()
	for b.Loop() {
		if err := WriteText(io.Discard, r, TextOptions{Tables: true}); err != nil {
			b.Fatal(err)
		}
	}
}
