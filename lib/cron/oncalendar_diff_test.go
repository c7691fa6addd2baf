package cron

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"math/rand"
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
	failed     bool     // an iteration failed (not "never"): no output at all
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
	// An expression whose first next time fails (past the year 2199, or
	// systemd's "Resource deadlock avoided" when normalising would go
	// back) prints no block: it has no next time, as Next's zero Time.
	refused := map[string]bool{}
	failed := map[string]bool{}
	for _, line := range strings.Split(stderr.String(), "\n") {
		if rest, ok := strings.CutPrefix(line, "Failed to parse calendar specification '"); ok {
			refused[rest[:strings.LastIndex(rest, "': ")]] = true
		}
		if rest, ok := strings.CutPrefix(line, "Failed to determine next elapse for '"); ok {
			failed[rest[:strings.LastIndex(rest, "': ")]] = true
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
		if failed[e] {
			out[e] = systemdResult{failed: true}
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
	bases := diffBases
	if testing.Short() {
		bases = bases[:3]
	}
	compareWithSystemd(t, prog, loadCorpus(t), bases)
}

func compareWithSystemd(t *testing.T, prog string, exprs, bases []string) {
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
				case ok && w.normalized != "" && c.String() != w.normalized:
					t.Errorf("%q: normalised %q, systemd %q", e, c.String(), w.normalized)
				}
			}
			if !ok || err != nil {
				continue
			}
			var got []string
			failed := false
			for at, i := from, 0; i < diffIterations; i++ {
				n, err := c.next(at)
				if err != nil {
					failed = true
					break
				}
				if n.IsZero() {
					break
				}
				got = append(got, n.UTC().Format("Mon 2006-01-02 15:04:05 UTC"))
				at = n
			}
			if failed != w.failed {
				t.Errorf("%q from %s: systemd failed: %v, we failed: %v (after %q)", e, base, w.failed, failed, got)
				continue
			}
			if failed {
				continue
			}
			if strings.Join(got, "\n") != strings.Join(w.next, "\n") {
				t.Errorf("%q from %s:\n got  %q\n want %q", e, base, got, w.next)
			}
		}
		checkedParse = true
	}
}

var (
	randomExprs = flag.Int("calendar.random", 0, "TestCalendarRandomMatchesSystemd: how many generated OnCalendar expressions to compare with systemd-analyze")
	randomSeed  = flag.Int64("calendar.seed", 8, "seed of the generated expressions")
)

// genCalendar makes a random OnCalendar expression from the grammar:
// weekdays, dates (with "~"), times with lists, ranges and repeats, zones.
func genCalendar(r *rand.Rand) string {
	comp := func(lo, hi, width int) string {
		if r.Float64() < 0.25 {
			return "*"
		}
		var items []string
		for n := 1 + r.Intn(3); n > 0; n-- {
			a := lo + r.Intn(hi-lo+1)
			switch k := r.Float64(); {
			case k < 0.4:
				items = append(items, fmt.Sprintf("%0*d", 1+r.Intn(2)*(width-1), a))
			case k < 0.6:
				items = append(items, fmt.Sprintf("%d..%d", a, a+r.Intn(hi-a+1)))
			case k < 0.8:
				items = append(items, fmt.Sprintf("%d/%d", a, 1+r.Intn(max(1, (hi-lo)/2))))
			default:
				b := a + r.Intn(hi-a+1)
				items = append(items, fmt.Sprintf("%d..%d/%d", a, b, 1+r.Intn(b-a+1)))
			}
		}
		return strings.Join(items, ",")
	}
	days := []string{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}
	zones := []string{"", "", " UTC", " Europe/Riga", " America/New_York", " Australia/Lord_Howe", " Pacific/Auckland", " Asia/Kolkata"}
	var parts []string
	if r.Float64() < 0.3 {
		a := r.Intn(7)
		b := a + r.Intn(7-a)
		if a == b || r.Float64() < 0.5 {
			parts = append(parts, days[a])
		} else {
			parts = append(parts, days[a]+".."+days[b])
		}
	}
	if r.Float64() < 0.7 {
		y := "*"
		if r.Float64() < 0.2 {
			y = comp(2026, 2040, 4)
		}
		sep, d := "-", comp(1, 31, 2)
		if r.Float64() < 0.15 {
			sep, d = "~", comp(1, 28, 2)
		}
		parts = append(parts, y+"-"+comp(1, 12, 2)+sep+d)
	}
	if r.Float64() < 0.9 {
		t := comp(0, 23, 2) + ":" + comp(0, 59, 2)
		if r.Float64() < 0.4 {
			t += ":" + comp(0, 59, 2)
		}
		parts = append(parts, t)
	}
	if len(parts) == 0 {
		parts = []string{"daily"}
	}
	return strings.Join(parts, " ") + zones[r.Intn(len(zones))]
}

// TestCalendarRandomMatchesSystemd compares -calendar.random generated
// expressions (seed -calendar.seed) with systemd-analyze, as
// TestCalendarMatchesSystemd does the corpus. Off by default (slow); run
//
//	go test ./lib/cron -run Random -calendar.random 1600
func TestCalendarRandomMatchesSystemd(t *testing.T) {
	if *randomExprs == 0 {
		t.Skip("-calendar.random N not given")
	}
	prog := testutil.NeedProgram(t, "systemd-analyze")
	r := rand.New(rand.NewSource(*randomSeed))
	exprs := make([]string, *randomExprs)
	for i := range exprs {
		exprs[i] = genCalendar(r)
	}
	compareWithSystemd(t, prog, exprs, diffBases)
}
