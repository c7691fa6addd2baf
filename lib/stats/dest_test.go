package stats

import (
	"strings"
	"testing"
)

// Issue 13 item 6: everything that places a record is part of its
// destination (and so of its spool's name); secrets are not.
func TestDestination(t *testing.T) {
	base := map[string]Sink{
		"stathat":     &StatHat{URL: "https://api.stathat.com", EZKey: "secret-key-1"},
		"pushgateway": &Pushgateway{URL: "http://127.0.0.1:9091", Job: "jobA", Labels: [][2]string{{"instance", "db7"}}},
		"influx1":     &Influx{URL: "http://127.0.0.1:8086", DB: "statpost"},
		"influx2":     &Influx{URL: "http://127.0.0.1:8086", Org: "o", Bucket: "b", Token: "tok-secret"},
		"statsd":      &StatsD{Network: "udp", Addr: "127.0.0.1:8125"},
		"graphite":    &Graphite{Addr: "127.0.0.1:2003"},
		"statuspage":  &Statuspage{URL: "https://api.statuspage.io", Page: "p1", Metrics: map[string]string{"a": "m1", "b": "m2"}, Key: "sp-secret"},
	}
	differ := []struct {
		name, of string
		s        Sink
	}{
		{"another key", "stathat", &StatHat{URL: "https://api.stathat.com", EZKey: "secret-key-2"}},
		{"another URL", "stathat", &StatHat{URL: "http://127.0.0.1:8080", EZKey: "secret-key-1"}},
		{"another job", "pushgateway", &Pushgateway{URL: "http://127.0.0.1:9091", Job: "jobB", Labels: [][2]string{{"instance", "db7"}}}},
		{"another label", "pushgateway", &Pushgateway{URL: "http://127.0.0.1:9091", Job: "jobA", Labels: [][2]string{{"instance", "db8"}}}},
		{"no label", "pushgateway", &Pushgateway{URL: "http://127.0.0.1:9091", Job: "jobA"}},
		{"another database", "influx1", &Influx{URL: "http://127.0.0.1:8086", DB: "other"}},
		{"another bucket", "influx2", &Influx{URL: "http://127.0.0.1:8086", Org: "o", Bucket: "c"}},
		{"another org", "influx2", &Influx{URL: "http://127.0.0.1:8086", Org: "p", Bucket: "b"}},
		{"another address", "statsd", &StatsD{Network: "udp", Addr: "127.0.0.1:8126"}},
		{"tcp", "statsd", &StatsD{Network: "tcp", Addr: "127.0.0.1:8125"}},
		{"another carbon", "graphite", &Graphite{Addr: "10.0.0.1:2003"}},
		{"another page", "statuspage", &Statuspage{URL: "https://api.statuspage.io", Page: "p2", Metrics: map[string]string{"a": "m1", "b": "m2"}}},
		{"another metric id", "statuspage", &Statuspage{URL: "https://api.statuspage.io", Page: "p1", Metrics: map[string]string{"a": "m1", "b": "m3"}}},
	}
	for _, d := range differ {
		if Destination(d.s) == Destination(base[d.of]) {
			t.Errorf("%s: %s has the same destination %q", d.of, d.name, Destination(d.s))
		}
	}
	same := []struct {
		name, of string
		s        Sink
	}{
		{"a trailing slash", "stathat", &StatHat{URL: "https://api.stathat.com/", EZKey: "secret-key-1"}},
		{"another token", "influx2", &Influx{URL: "http://127.0.0.1:8086", Org: "o", Bucket: "b", Token: "tok-2"}},
	}
	for _, d := range same {
		if Destination(d.s) != Destination(base[d.of]) {
			t.Errorf("%s: %s moved the destination: %q", d.of, d.name, Destination(d.s))
		}
	}
	for name, s := range base {
		for _, secret := range []string{"secret-key-1", "tok-secret", "sp-secret"} {
			if strings.Contains(Destination(s), secret) {
				t.Errorf("%s: destination %q shows a secret", name, Destination(s))
			}
		}
	}
	if got := Destination(&Pushgateway{URL: "http://u:pw@127.0.0.1:9091", Job: "j"}); strings.Contains(got, "pw") {
		t.Errorf("password in %q", got)
	}
}
