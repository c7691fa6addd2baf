package cron

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/cronkit/cronkit/lib/testutil"
)

// diffBases are the base times of the differential test: plain days, the
// EU, US and Lord Howe (half-hour) DST changes on both sides, the year
// 2199 limit.
var diffBases = []string{
	"2026-01-01 00:00:00",
	"2026-02-28 01:00:00",
	"2026-03-07 12:00:00",
	"2026-03-28 12:00:00",
	"2026-03-29 00:00:00",
	"2026-04-04 14:00:00",
	"2026-10-03 14:00:00",
	"2026-10-24 23:00:00",
	"2026-10-25 00:58:00",
	"2026-10-25 01:00:00",
	"2026-10-31 12:00:00",
	"2199-12-30 00:00:00",
}

const diffIterations = 5

// loadCorpus reads testdata/oncalendar/corpus.txt: one expression a line,
// kept byte for byte (leading and trailing blanks are part of some).
func loadCorpus(t testing.TB) []string {
	data, err := os.ReadFile("testdata/oncalendar/corpus.txt")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		if strings.HasPrefix(line, "#") || line == "" {
			continue
		}
		out = append(out, line)
	}
	return out
}

// systemdResult is what systemd-analyze said about one expression.
type systemdResult struct {
	normalized string
	next       []string // "Thu 2026-01-01 00:00:00 UTC"
}

// runSystemd runs systemd-analyze calendar on every expression at once
// with TZ=UTC; refused expressions are absent from the map.
func runSystemd(t *testing.T, prog, base string, exprs []string) map[string]systemdResult {
	args := append([]string{"calendar", "--base-time=" + base + " UTC", fmt.Sprintf("--iterations=%d", diffIterations)}, exprs...)
	cmd := exec.Command(prog, args...)
	cmd.Env = append(os.Environ(), "TZ=UTC", "SYSTEMD_COLORS=0", "SYSTEMD_PAGER=")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	_ = cmd.Run() // exits 1 when any expression is refused
	// A block starts with "Original form" only when it differs from the
	// normalised one, so blocks are matched to the accepted expressions in
	// order; the refused ones are named on stderr.
	refused := map[string]bool{}
	for _, line := range strings.Split(stderr.String(), "\n") {
		if rest, ok := strings.CutPrefix(line, "Failed to parse calendar specification '"); ok {
			refused[rest[:strings.LastIndex(rest, "': ")]] = true
		}
	}
	var blocks []systemdResult
	sc := bufio.NewScanner(&stdout)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ": ")
		if !ok {
			continue
		}
		k = strings.TrimSpace(k)
		switch {
		case k == "Normalized form":
			blocks = append(blocks, systemdResult{normalized: v})
		case len(blocks) == 0:
		case k == "Next elapse" && v == "never":
		case k == "Next elapse" || strings.HasPrefix(k, "Iter. #"):
			blocks[len(blocks)-1].next = append(blocks[len(blocks)-1].next, v)
		}
	}
	out := map[string]systemdResult{}
	for _, e := range exprs {
		if refused[e] {
			continue
		}
		if len(blocks) == 0 {
			t.Fatalf("systemd-analyze printed fewer blocks than it accepted expressions:\n%s%s", stdout.String(), stderr.String())
		}
		out[e], blocks = blocks[0], blocks[1:]
	}
	if len(blocks) != 0 {
		t.Fatalf("systemd-analyze printed %d blocks more than expected", len(blocks))
	}
	return out
}

// TestCalendarMatchesSystemd is the differential test: for every
// expression of the corpus and every base time, ParseCalendar accepts
// exactly what systemd-analyze accepts, String is its normalised form, and
// the next five times are the same (compared to the second, as systemd
// prints them). oncalendar.md: systemd 252 is the reference.
func TestCalendarMatchesSystemd(t *testing.T) {
	prog := testutil.NeedProgram(t, "systemd-analyze")
	exprs := loadCorpus(t)
	bases := diffBases
	if testing.Short() {
		bases = bases[:3]
	}
	checkedParse := false
	for _, base := range bases {
		want := runSystemd(t, prog, base, exprs)
		from, err := time.Parse("2006-01-02 15:04:05", base)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range exprs {
			w, ok := want[e]
			c, err := ParseCalendar(e)
			if !checkedParse {
				switch {
				case ok && err != nil:
					t.Errorf("%q: systemd accepts it (%s), we refuse: %v", e, w.normalized, err)
				case !ok && err == nil:
					t.Errorf("%q: systemd refuses it, we read %s", e, c)
				case ok && c.String() != w.normalized:
					t.Errorf("%q: normalised %q, systemd %q", e, c.String(), w.normalized)
				}
			}
			if !ok || err != nil {
				continue
			}
			var got []string
			for _, n := range c.NextN(from, diffIterations) {
				got = append(got, n.UTC().Format("Mon 2006-01-02 15:04:05 UTC"))
			}
			if strings.Join(got, "\n") != strings.Join(w.next, "\n") {
				t.Errorf("%q from %s:\n got  %q\n want %q", e, base, got, w.next)
			}
		}
		checkedParse = true
	}
}
