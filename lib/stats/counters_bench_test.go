package stats

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/cronkit/cronkit/lib/metric"
)

type nopSink struct{ fakeSink }

func (nopSink) Send(context.Context, []metric.Record) error { return nil }

// BenchmarkIncreases: one send of 1,000 counter records with a state of
// `series` counters on disk (read, written ahead, committed).
func BenchmarkIncreases(b *testing.B) {
	for _, series := range []int{1000, 100000} {
		b.Run(fmt.Sprint(series), func(b *testing.B) {
			inc := &Increases{Sink: &nopSink{}, Path: filepath.Join(b.TempDir(), "c.counters")}
			recs := make([]metric.Record, series)
			for i := range recs {
				recs[i] = counter(fmt.Sprintf("pg.db.public.table_%d.seq_scan", i), 1)
			}
			for i := 0; i < series; i += 1000 {
				if err := inc.Send(context.Background(), recs[i:i+1000]); err != nil {
					b.Fatal(err)
				}
			}
			batch := recs[:1000]
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				for j := range batch {
					batch[j].Value++
				}
				if err := inc.Send(context.Background(), batch); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
