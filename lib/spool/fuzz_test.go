package spool

import (
	"testing"

	"github.com/cronkit/cronkit/lib/metric"
)

// FuzzDecodeEntry: any line either decodes to a valid record that frames back
// to the same bytes' record, or is rejected; never a panic.
func FuzzDecodeEntry(f *testing.F) {
	f.Add([]byte(`1c291ca3 {"name":"a","kind":"count","value":1}`))
	f.Add(AppendEntry(nil, metric.Record{Name: "x y", Kind: metric.Value, Value: 1.5})[:10])
	f.Add([]byte("zzzzzzzz {}"))
	asRead := AppendLine(nil, []byte(`{"name":"a","kind":"count","value":1,"time":"1700000000"}`))
	f.Add(asRead[:len(asRead)-1]) // a line journaled as read
	f.Fuzz(func(t *testing.T, line []byte) {
		rec, ok := decodeEntry(line)
		if !ok {
			return
		}
		if err := rec.Validate(); err != nil {
			t.Fatalf("decoded invalid record %+v: %v", rec, err)
		}
		again, ok := decodeEntry(AppendEntry(nil, rec)[:len(AppendEntry(nil, rec))-1])
		if !ok || again.Name != rec.Name || again.Value != rec.Value || !again.Time.Equal(rec.Time) {
			t.Fatalf("round trip %+v -> %+v", rec, again)
		}
	})
}
