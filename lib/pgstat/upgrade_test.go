package pgstat

import (
	"encoding/json"
	"testing"
)

// Saved reports keep reading right after the lags changed meaning (schema
// 2): pgreport schema 1 had microseconds under pgmetrics' names.
func TestUpgradeSchema1Lags(t *testing.T) {
	for _, tc := range []struct {
		name, doc          string
		wantSecs, wantMics int64
	}{
		{"pgreport schema 1", `{"meta":{"pgreport_schema":"1"},"replication_outgoing":[{"replay_lag":90400000}]}`, 90, 90_400_000},
		{"schema 1 written with micros", `{"meta":{"pgreport_schema":"1"},"replication_outgoing":[{"replay_lag":90,"replay_lag_micros":90400000}]}`, 90, 90_400_000},
		{"pgreport schema 2", `{"meta":{"pgreport_schema":"2"},"replication_outgoing":[{"replay_lag":90,"replay_lag_micros":90400000}]}`, 90, 90_400_000},
		{"pgmetrics (seconds only)", `{"meta":{"version":"1.19"},"replication_outgoing":[{"replay_lag":90}]}`, 90, 90_000_000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var r Report
			if err := json.Unmarshal([]byte(tc.doc), &r); err != nil {
				t.Fatal(err)
			}
			r.Upgrade()
			o := r.ReplicationOutgoing[0]
			if o.ReplayLagSeconds != tc.wantSecs || o.ReplayLag != tc.wantMics {
				t.Errorf("replay_lag %d s / %d µs, want %d / %d", o.ReplayLagSeconds, o.ReplayLag, tc.wantSecs, tc.wantMics)
			}
			if r.Meta.PgreportSchema == "1" {
				t.Errorf("schema still 1 after Upgrade")
			}
		})
	}
}
