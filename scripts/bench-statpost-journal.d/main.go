// Command bench-statpost-journal.d is the floor for scripts/bench-statpost-journal:
// the smallest program doing statpost's work with a journal. It reads stdin in
// 64 KiB reads, appends each read as it is to a journal file before parsing
// it (-journal DIR; none without), parses the lines with lib/metric's fast
// path (the same parser statpost uses, so the difference left is everything
// else), and posts them as StatHat bulk JSON, 1,000 items a request, to URL
// over one keep-alive connection, checking each answer's status. No spool,
// no acknowledgements, no validation beyond the parser's. The journal is
// removed at the end, as statpost removes its own. Not a cronkit tool; built
// and run only by the benchmark script.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"

	"github.com/cronkit/cronkit/lib/metric"
)

func main() {
	journal := flag.String("journal", "", "directory for the journal (none: no journal)")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: bench-statpost-journal.d [-journal DIR] URL")
		os.Exit(2)
	}
	if err := run(os.Stdin, flag.Arg(0), *journal); err != nil {
		fmt.Fprintln(os.Stderr, "floor:", err)
		os.Exit(1)
	}
}

func run(in io.Reader, url, dir string) error {
	var j *os.File
	if dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return err
		}
		var err error
		if j, err = os.OpenFile(filepath.Join(dir, "floor.journal"), os.O_WRONLY|os.O_CREATE|os.O_TRUNC|os.O_APPEND, 0o600); err != nil {
			return err
		}
	}
	buf := make([]byte, 64<<10)
	var carry, body []byte
	items := 0
	post := func() error {
		body = append(body, "]}"...)
		resp, err := http.Post(url+"/ez", "application/json", bytes.NewReader(body))
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode/100 != 2 {
			return fmt.Errorf("status %s", resp.Status)
		}
		body, items = body[:0], 0
		return nil
	}
	line := func(l []byte) error {
		rec, ok := metric.ParseCanonical(l)
		if !ok {
			return nil
		}
		if items == 0 {
			body = append(body, `{"ezkey":"bench-key","data":[`...)
		} else {
			body = append(body, ',')
		}
		body = append(body, `{"stat":`...)
		body = metric.AppendString(body, rec.Name)
		if rec.Kind == metric.Count {
			body = append(body, `,"count":`...)
		} else {
			body = append(body, `,"value":`...)
		}
		body = metric.AppendNumber(body, rec.Value)
		if !rec.Time.IsZero() {
			body = append(body, `,"t":`...)
			body = strconv.AppendInt(body, rec.Time.Unix(), 10)
		}
		body = append(body, '}')
		if items++; items == 1000 {
			return post()
		}
		return nil
	}
	for {
		n, rerr := in.Read(buf)
		if n > 0 && j != nil {
			if _, err := j.Write(buf[:n]); err != nil {
				return err
			}
		}
		p := buf[:n]
		for {
			i := bytes.IndexByte(p, '\n')
			if i < 0 {
				break
			}
			l := p[:i]
			if len(carry) > 0 {
				l = append(carry, l...)
				carry = carry[:0]
			}
			if err := line(l); err != nil {
				return err
			}
			p = p[i+1:]
		}
		carry = append(carry, p...)
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return rerr
		}
	}
	if len(carry) > 0 {
		if err := line(carry); err != nil {
			return err
		}
	}
	if items > 0 {
		if err := post(); err != nil {
			return err
		}
	}
	if j != nil {
		j.Close()
		return os.Remove(j.Name())
	}
	return nil
}
