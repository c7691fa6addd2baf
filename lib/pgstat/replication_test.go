package pgstat

import (
	"encoding/json"
	"strings"
	"testing"
)

// On PostgreSQL 13+ received_lsn is empty (as in pgmetrics): the text
// report's "Received LSN" shows flushed_lsn, its successor, instead.
func TestTextIncomingFlushedLSN(t *testing.T) {
	for _, tc := range []struct {
		in   ReplicationIn
		want string
	}{
		{ReplicationIn{Status: "streaming", FlushedLSN: "0/3000000", WrittenLSN: "0/3000100"}, "0/3000000"},
		{ReplicationIn{Status: "streaming", ReceivedLSN: "0/2000000"}, "0/2000000"}, // PostgreSQL 12
	} {
		var b strings.Builder
		textReplication(&b, &Report{ReplicationIncoming: &tc.in}, TextOptions{})
		if !strings.Contains(b.String(), "Received LSN:  "+tc.want+"\n") {
			t.Errorf("%+v: want Received LSN %s in:\n%s", tc.in, tc.want, b.String())
		}
	}
}

// A pgmetrics document has the lags in whole seconds only: they give the
// microseconds the text report, the metrics and pgreport check read.
// pgreport's own keep their microseconds.
func TestReplicationOutLagsFromJSON(t *testing.T) {
	for _, tc := range []struct {
		doc                    string
		replay, write, seconds int64
	}{
		{`{"replay_lag": 90, "write_lag": 1}`, 90e6, 1e6, 90},                                   // pgmetrics
		{`{"replay_lag": 2, "replay_lag_micros": 1500000, "write_lag_micros": 7}`, 1.5e6, 7, 2}, // pgreport
		{`{}`, 0, 0, 0},
	} {
		var o ReplicationOut
		if err := json.Unmarshal([]byte(tc.doc), &o); err != nil {
			t.Fatal(err)
		}
		if o.ReplayLag != tc.replay || o.WriteLag != tc.write || o.ReplayLagSeconds != tc.seconds || o.FlushLag != 0 {
			t.Errorf("%s: replay %d µs, write %d µs, flush %d µs, replay %d s; want %d, %d, 0, %d",
				tc.doc, o.ReplayLag, o.WriteLag, o.FlushLag, o.ReplayLagSeconds, tc.replay, tc.write, tc.seconds)
		}
	}
	// In a whole report too (pgreport check and --input decode reports).
	var rep Report
	if err := json.Unmarshal([]byte(`{"replication_outgoing":[{"application_name":"s","replay_lag":3}]}`), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.ReplicationOutgoing) != 1 || rep.ReplicationOutgoing[0].ReplayLag != 3e6 {
		t.Errorf("report: %+v", rep.ReplicationOutgoing)
	}
}
