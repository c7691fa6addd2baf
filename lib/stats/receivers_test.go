package stats

// Integration tests against real receivers from Debian, started on loopback
// ports with temp dirs and killed by PID (recipes: /work/shared/reference/receivers.md).
// A test skips only when CI is unset and the program is missing.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cronkit/cronkit/lib/httpx"
	"github.com/cronkit/cronkit/lib/metric"
	"github.com/cronkit/cronkit/lib/testutil"
)

// start runs a daemon until the test ends, its output in a log for failures.
func start(t *testing.T, name string, args ...string) {
	t.Helper()
	log, err := os.Create(filepath.Join(t.TempDir(), "daemon.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		testutil.Stop(cmd, 10*time.Second)
		if t.Failed() {
			b, _ := os.ReadFile(log.Name())
			t.Logf("%s log:\n%s", name, tail(b, 3000))
		}
		log.Close()
	})
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}

// startBudget bounds waiting for a receiver to start or to show a point:
// generous, since it only costs time when something is broken.
const startBudget = 90 * time.Second

// eventually polls f until it returns nil or the deadline passes.
func eventually(t *testing.T, d time.Duration, f func() error) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		err := f()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("gave up after %v: %v", d, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func httpGet(u string) (int, string, error) {
	resp, err := http.Get(u)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), nil
}

// client's timeouts only bound a broken run: on a loaded 2-core CI machine a
// receiver that just started can take seconds to answer its first write.
// httpOK: a receiver is ready when it answers 200 (not merely listening).
func httpOK(u string) error {
	st, body, err := httpGet(u)
	if err == nil && st != http.StatusOK {
		err = fmt.Errorf("%s: %d %s", u, st, body)
	}
	return err
}

func client() *httpx.Client {
	return httpx.New(httpx.Options{Tool: "statpost", AttemptTimeout: 30 * time.Second, Deadline: 60 * time.Second})
}

func mustSend(t *testing.T, s Sink, recs ...metric.Record) {
	t.Helper()
	if err := s.Send(context.Background(), recs); err != nil {
		t.Fatalf("%s: %v", s.Name(), err)
	}
}

func count(name string, v float64) metric.Record {
	return metric.Record{Name: name, Kind: metric.Count, Value: v}
}
func value(name string, v float64) metric.Record {
	return metric.Record{Name: name, Kind: metric.Value, Value: v}
}

// receivers.md recipe 1. Counts become a counter NAME_total holding the
// running total (kept in the state file), values a gauge.
func TestPushgatewayReal(t *testing.T) {
	bin := testutil.NeedProgram(t, "prometheus-pushgateway")
	port := testutil.FreePort(t, "tcp")
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	start(t, bin, fmt.Sprintf("--web.listen-address=127.0.0.1:%d", port))
	eventually(t, startBudget, func() error { return httpOK(base + "/-/ready") })

	state := filepath.Join(t.TempDir(), "pg.state")
	p := &Pushgateway{URL: base, Job: "statpost", Labels: [][2]string{{"instance", "db7/a"}}, StateFile: state, Client: client()}
	mustSend(t, p, count("installs", 1), count("installs", 1), value("load avg", 0.73),
		metric.Record{Name: "installs", Kind: metric.Count, Value: 2, Tags: map[string]string{"os": "debian"}},
		metric.Record{Name: "pg.hc.xact_commit", Kind: metric.Counter, Value: 1000}, metric.Record{Name: "requests_total", Kind: metric.Counter, Value: 7})
	// a second run adds to the totals; the other series of the family stays;
	// a cumulative counter is pushed as it is (issue 15)
	p2 := &Pushgateway{URL: base, Job: "statpost", Labels: [][2]string{{"instance", "db7/a"}}, StateFile: state, Client: client()}
	mustSend(t, p2, count("installs", 3), value("load avg", 0.5), metric.Record{Name: "pg.hc.xact_commit", Kind: metric.Counter, Value: 1234})

	_, body, err := httpGet(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`installs_total{instance="db7/a",job="statpost"} 5`,
		`installs_total{instance="db7/a",job="statpost",os="debian"} 2`,
		`load_avg{instance="db7/a",job="statpost"} 0.5`,
		"# TYPE pg_hc_xact_commit_total counter\n",
		`pg_hc_xact_commit_total{instance="db7/a",job="statpost"} 1234`,
		"# TYPE requests_total counter\n",
		`requests_total{instance="db7/a",job="statpost"} 7`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("missing %s in:\n%s", want, grep(body, "installs|load_avg|xact|requests"))
		}
	}
}

func grep(s, pat string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		for _, p := range strings.Split(pat, "|") {
			if strings.Contains(l, p) {
				out = append(out, l)
				break
			}
		}
	}
	return strings.Join(out, "\n")
}

// receivers.md recipe 3: InfluxDB 1.6 /write, read back with /query.
func TestInfluxV1Real(t *testing.T) {
	bin := testutil.NeedProgram(t, "influxd")
	dir := t.TempDir()
	port, rpc := testutil.FreePort(t, "tcp"), testutil.FreePort(t, "tcp")
	conf := fmt.Sprintf(`reporting-disabled = true
bind-address = "127.0.0.1:%d"
[meta]
  dir = "%s/meta"
[data]
  dir = "%s/data"
  wal-dir = "%s/wal"
[http]
  bind-address = "127.0.0.1:%d"
[monitor]
  store-enabled = false
`, rpc, dir, dir, dir, port)
	cf := filepath.Join(dir, "influxdb.conf")
	if err := os.WriteFile(cf, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	start(t, bin, "-config", cf)
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	eventually(t, startBudget, func() error {
		st, _, err := httpGet(base + "/ping")
		if err == nil && st != 204 {
			err = fmt.Errorf("ping %d", st)
		}
		return err
	})
	resp, err := http.PostForm(base+"/query", url.Values{"q": {"CREATE DATABASE statpost"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	eventually(t, startBudget, func() error {
		_, body, err := httpGet(base + "/query?q=" + url.QueryEscape("SHOW DATABASES"))
		if err == nil && !strings.Contains(body, `["statpost"]`) {
			err = fmt.Errorf("no database yet: %s", body)
		}
		return err
	})

	t0 := time.Unix(1700000000, 0).UTC()
	s := &Influx{URL: base, DB: "statpost", Client: client(), Now: time.Now}
	mustSend(t, s,
		metric.Record{Name: "installs", Kind: metric.Count, Value: 1, Time: t0, Tags: map[string]string{"server": "db 7"}},
		metric.Record{Name: "installs", Kind: metric.Count, Value: 2, Time: t0.Add(time.Second), Tags: map[string]string{"server": "db 7"}},
		metric.Record{Name: "load avg", Kind: metric.Value, Value: 0.73, Time: t0},
		// a cumulative counter is stored as it is; a query derives the rate
		metric.Record{Name: "xact_commit", Kind: metric.Counter, Value: 1000, Time: t0},
		metric.Record{Name: "xact_commit", Kind: metric.Counter, Value: 1600, Time: t0.Add(time.Minute)})
	_, body, err := httpGet(base + "/query?db=statpost&q=" + url.QueryEscape(`SELECT non_negative_derivative("value", 1s) FROM "xact_commit"`))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(body, `["2023-11-14T22:14:20Z",10]`) {
		t.Errorf("xact_commit rate: %s", body)
	}
	_, body, err = httpGet(base + "/query?db=statpost&q=" + url.QueryEscape(`SELECT sum("count") FROM "installs"`))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(body, `"sum"],"values":[["1970-01-01T00:00:00Z",3]]`) {
		t.Errorf("sum: %s", body)
	}
	_, body, _ = httpGet(base + "/query?db=statpost&q=" + url.QueryEscape(`SELECT "value" FROM "load avg"`))
	if !strings.Contains(body, `["2023-11-14T22:13:20Z",0.73]`) {
		t.Errorf("load: %s", body)
	}
	// A missing database is a 404: a permanent rejection, not spooled.
	bad := &Influx{URL: base, DB: "nosuchdb", Client: client(), Now: time.Now}
	err = bad.Send(context.Background(), []metric.Record{value("x", 1)})
	if se := AsSendError(err); err == nil || !se.Permanent {
		t.Errorf("missing db: %v (%+v)", err, se)
	}
}

// receivers.md recipe 2: VictoriaMetrics takes Influx line protocol on
// /write and Graphite plaintext; read back with /api/v1/export.
func TestVictoriaMetricsReal(t *testing.T) {
	bin := testutil.NeedProgram(t, "victoria-metrics")
	dir := t.TempDir()
	port, gport := testutil.FreePort(t, "tcp"), testutil.FreePort(t, "tcp")
	start(t, bin, "-storageDataPath="+dir, fmt.Sprintf("-httpListenAddr=127.0.0.1:%d", port),
		fmt.Sprintf("-graphiteListenAddr=127.0.0.1:%d", gport))
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	eventually(t, startBudget, func() error { return httpOK(base + "/health") })

	t0 := time.Now().Add(-time.Minute).Truncate(time.Second).UTC()
	in := &Influx{URL: base, DB: "statpost", Client: client(), Now: time.Now}
	mustSend(t, in, metric.Record{Name: "installs", Kind: metric.Count, Value: 1, Time: t0},
		metric.Record{Name: "installs", Kind: metric.Count, Value: 2, Time: t0.Add(time.Second)})
	g, err := NewGraphite(fmt.Sprintf("tcp://127.0.0.1:%d", gport))
	if err != nil {
		t.Fatal(err)
	}
	mustSend(t, g, metric.Record{Name: "statpost.load avg", Kind: metric.Value, Value: 0.73, Time: t0})
	g.Close()

	eventually(t, startBudget, func() error {
		_, _, _ = httpGet(base + "/internal/force_flush")
		resp, err := http.PostForm(base+"/api/v1/export", url.Values{"match[]": {`{__name__=~"installs_count|statpost.load_avg"}`}})
		if err != nil {
			return err
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		got := map[string]string{}
		for _, l := range bytes.Split(bytes.TrimSpace(b), []byte("\n")) {
			var row struct {
				Metric     map[string]string `json:"metric"`
				Values     []float64         `json:"values"`
				Timestamps []int64           `json:"timestamps"`
			}
			if json.Unmarshal(l, &row) == nil {
				got[row.Metric["__name__"]] = fmt.Sprint(row.Values, row.Timestamps)
			}
		}
		ms := t0.UnixMilli()
		want := map[string]string{
			"installs_count":    fmt.Sprint([]float64{1, 2}, []int64{ms, ms + 1000}),
			"statpost.load_avg": fmt.Sprint([]float64{0.73}, []int64{ms}),
		}
		for k, v := range want {
			if got[k] != v {
				return fmt.Errorf("%s = %q, want %q (export: %s)", k, got[k], v, b)
			}
		}
		return nil
	})
}

// receivers.md recipe 4: carbon-cache, read back with whisper-fetch.
func TestGraphiteCarbonReal(t *testing.T) {
	bin := testutil.NeedProgram(t, "carbon-cache")
	fetch := testutil.NeedProgram(t, "whisper-fetch")
	dir := t.TempDir()
	line, pickle, query := testutil.FreePort(t, "tcp"), testutil.FreePort(t, "tcp"), testutil.FreePort(t, "tcp")
	conf := fmt.Sprintf(`[cache]
STORAGE_DIR = %[1]s/storage
LOCAL_DATA_DIR = %[1]s/storage/whisper
WHITELISTS_DIR = %[1]s/lists
CONF_DIR = %[1]s
LOG_DIR = %[1]s/log
PID_DIR = %[1]s
LINE_RECEIVER_INTERFACE = 127.0.0.1
LINE_RECEIVER_PORT = %[2]d
PICKLE_RECEIVER_INTERFACE = 127.0.0.1
PICKLE_RECEIVER_PORT = %[3]d
CACHE_QUERY_INTERFACE = 127.0.0.1
CACHE_QUERY_PORT = %[4]d
ENABLE_UDP_LISTENER = False
MAX_CREATES_PER_MINUTE = inf
MAX_UPDATES_PER_SECOND = inf
WHISPER_AUTOFLUSH = True
`, dir, line, pickle, query)
	_ = os.WriteFile(filepath.Join(dir, "carbon.conf"), []byte(conf), 0o644)
	_ = os.WriteFile(filepath.Join(dir, "storage-schemas.conf"), []byte("[all]\npattern = .*\nretentions = 1s:1h,60s:1d\n"), 0o644)
	start(t, bin, "--config="+filepath.Join(dir, "carbon.conf"), "--nodaemon", "start")
	addr := fmt.Sprintf("127.0.0.1:%d", line)
	eventually(t, startBudget, func() error {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
		}
		return err
	})
	ts := time.Now().Add(-10 * time.Second).Truncate(time.Second)
	g, _ := NewGraphite(addr)
	mustSend(t, g, metric.Record{Name: "statpost.load avg", Kind: metric.Value, Value: 0.73, Time: ts},
		// a cumulative counter is stored as it is (perSecond() derives the rate)
		metric.Record{Name: "statpost.xact_commit", Kind: metric.Counter, Value: 123456, Time: ts})
	g.Close()
	for file, v := range map[string]string{"load_avg.wsp": "0.730000", "xact_commit.wsp": "123456.000000"} {
		wsp := filepath.Join(dir, "storage", "whisper", "statpost", file)
		want := fmt.Sprintf("%d\t%s", ts.Unix(), v)
		eventually(t, startBudget, func() error {
			out, err := exec.Command(fetch, fmt.Sprintf("--from=%d", ts.Unix()-5), wsp).CombinedOutput()
			if err != nil {
				return fmt.Errorf("%v: %s", err, out)
			}
			if !strings.Contains(string(out), want) {
				return fmt.Errorf("no %q in %s", want, out)
			}
			return nil
		})
	}
}

// receivers.md recipe 5: collectd's statsd plugin writing CSV. Counters are
// cumulative (derive), gauges exact; a negative gauge arrives as set, not as
// a decrement.
func TestStatsDCollectdReal(t *testing.T) {
	bin := testutil.NeedProgram(t, "collectd")
	dir := t.TempDir()
	port := testutil.FreePort(t, "udp")
	conf := fmt.Sprintf(`Hostname "statpost-test"
FQDNLookup false
Interval 1
BaseDir "%[1]s"
PIDFile "%[1]s/collectd.pid"
PluginDir "/usr/lib/collectd"
TypesDB "/usr/share/collectd/types.db"
LoadPlugin statsd
LoadPlugin csv
<Plugin statsd>
  Host "127.0.0.1"
  Port "%[2]d"
</Plugin>
<Plugin csv>
  DataDir "%[1]s/csv"
  StoreRates false
</Plugin>
`, dir, port)
	cf := filepath.Join(dir, "collectd.conf")
	_ = os.WriteFile(cf, []byte(conf), 0o644)
	start(t, bin, "-C", cf, "-f")
	s, err := NewStatsD(fmt.Sprintf("udp://127.0.0.1:%d", port))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	csvDir := filepath.Join(dir, "csv", "statpost-test", "statsd")
	lastField := func(name string) (string, error) {
		// collectd names the file by the day the line is written: a run
		// across midnight goes on in the next day's file.
		b, err := os.ReadFile(filepath.Join(csvDir, name+"-"+time.Now().Format("2006-01-02")))
		if err != nil {
			return "", err
		}
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		f := strings.Split(lines[len(lines)-1], ",")
		return f[len(f)-1], nil
	}
	// collectd binds its socket a moment after starting: send until the
	// counter shows up, then send the measured points once.
	eventually(t, startBudget, func() error {
		_ = s.Send(context.Background(), []metric.Record{count("probe", 1)}) // refused until it listens
		_, err := lastField("derive-probe")
		return err
	})
	mustSend(t, s, count("installs", 1), count("installs", 1), count("installs", 3), value("load avg", 0.73), value("temp", -2.5))
	// cumulative counters arrive as their increases (issue 15): 42 in all
	inc := &Increases{Sink: s, Path: filepath.Join(dir, "statsd.counters")}
	mustSend(t, inc, metric.Record{Name: "xact_commit", Kind: metric.Counter, Value: 1000})
	mustSend(t, inc, metric.Record{Name: "xact_commit", Kind: metric.Counter, Value: 1040}, metric.Record{Name: "xact_commit", Kind: metric.Counter, Value: 1042})
	eventually(t, startBudget, func() error {
		for name, want := range map[string]string{"derive-installs": "5", "gauge-load_avg": "0.730000", "gauge-temp": "-2.500000", "derive-xact_commit": "42"} {
			got, err := lastField(name)
			if err != nil {
				return err
			}
			if got != want {
				return fmt.Errorf("%s = %s, want %s", name, got, want)
			}
		}
		return nil
	})
}
