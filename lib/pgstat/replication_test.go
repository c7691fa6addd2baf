package pgstat

import (
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
