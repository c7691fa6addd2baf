package stats

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"
)

// Destination describes where sink s places records: its URL or address and
// everything else that decides which series a record lands in (Pushgateway's
// job and grouping labels, InfluxDB's database or org and bucket, StatHat's
// account, Statuspage's page and metric ids). Two sinks with the same
// destination put a record in the same place, so they share a spool; any
// difference means a different spool (issue 13 item 6: records spooled for
// one Pushgateway job were delivered under another). Secrets are not part of
// it: a StatHat EZ key, which names the account, appears as a hash.
func Destination(s Sink) string {
	switch s := s.(type) {
	case *StatHat:
		return cleanURL(s.URL) + " ezkey " + KeyID(s.EZKey)
	case *StatsD:
		return s.Network + "://" + s.Addr
	case *Graphite:
		return "tcp://" + s.Addr
	case *Influx:
		if s.Bucket != "" {
			return fmt.Sprintf("%s org=%s bucket=%s", cleanURL(s.URL), s.Org, s.Bucket)
		}
		return fmt.Sprintf("%s db=%s", cleanURL(s.URL), s.DB)
	case *Pushgateway:
		var b strings.Builder
		fmt.Fprintf(&b, "%s job=%s", cleanURL(s.URL), s.Job)
		for _, l := range s.Labels {
			fmt.Fprintf(&b, " %s=%s", l[0], l[1])
		}
		return b.String()
	case *Statuspage:
		var b strings.Builder
		fmt.Fprintf(&b, "%s page=%s", cleanURL(s.URL), s.Page)
		for _, name := range slices.Sorted(maps.Keys(s.Metrics)) {
			fmt.Fprintf(&b, " %q=%s", name, s.Metrics[name])
		}
		return b.String()
	}
	return s.Name()
}

// KeyID names a secret without revealing it: "sha256:" and the first 12 hex
// digits of its SHA-256 ("none" for no key).
func KeyID(key string) string {
	if key == "" {
		return "none"
	}
	sum := sha256.Sum256([]byte(key))
	return "sha256:" + hex.EncodeToString(sum[:6])
}

// cleanURL drops a password and a trailing slash, which do not move records.
func cleanURL(s string) string {
	if u, err := url.Parse(s); err == nil && u.User != nil {
		u.User = url.User(u.User.Username())
		s = u.String()
	}
	return strings.TrimRight(s, "/")
}
