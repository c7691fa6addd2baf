package main

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http/httptest"
	"testing"

	"github.com/cronkit/cronkit/lib/cli"
	"github.com/cronkit/cronkit/lib/testutil/fakestathat"
)

func benchInput(n int) []byte {
	var b bytes.Buffer
	for i := 0; i < n; i++ {
		if i%2 == 0 {
			fmt.Fprintf(&b, `{"name":"bench.requests.%d","kind":"count","value":1,"time":"2026-11-22T21:05:00Z"}`+"\n", i%100)
		} else {
			fmt.Fprintf(&b, `{"name":"bench.latency.%d","kind":"value","value":%d.%03d,"time":"2026-11-22T21:05:00Z","tags":{"server":"db7"}}`+"\n", i%100, i%97, i%1000)
		}
	}
	return b.Bytes()
}

// BenchmarkPost: records on stdin through the real root command to the fake
// StatHat (bulk) and to a UDP socket (StatsD), with the journal on (the
// default) and, for the ratio, off. Whole-process figures are in
// scripts/bench-statpost.
func BenchmarkPost(b *testing.B) {
	const n = 100000
	input := benchInput(n)
	f := fakestathat.New(fakestathat.Options{Light: true})
	srv := httptest.NewServer(f.Handler())
	defer srv.Close()
	udp, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer udp.Close()
	go func() {
		buf := make([]byte, 65536)
		for {
			if _, _, err := udp.ReadFrom(buf); err != nil {
				return
			}
		}
	}()
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"stathat", []string{"--api-url", srv.URL}},
		{"stathat-no-journal", []string{"--api-url", srv.URL, "--journal=false"}},
		{"statsd", []string{"--sink", "statsd=udp://" + udp.LocalAddr().String()}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			dir := b.TempDir()
			for i := 0; i < b.N; i++ {
				env := &cli.Env{Stdin: bytes.NewReader(input), Stdout: io.Discard, Stderr: io.Discard,
					LookupEnv: func(k string) (string, bool) {
						switch k {
						case "STATHAT_EZKEY":
							return "k", true
						case "XDG_STATE_HOME":
							return dir, true
						}
						return "", false
					}}
				if code := cli.Execute(newRoot(env), tc.args); code != 0 {
					b.Fatalf("exit %d", code)
				}
			}
			b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "records/s")
		})
	}
}
