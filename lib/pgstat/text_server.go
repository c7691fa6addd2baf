package pgstat

import (
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
)

// The text report's server figures that pgmetrics derives: checkpoint rate
// and write throughput since the statistics were reset ("BG Writer"), the
// standby's replay lag in bytes ("Recovery Status"), and the settings that
// matter, grouped (reference/pgmetrics.md §1.3).

// settingGroups are the settings the text report shows, by group; a
// setting the server does not have (an older version) is left out.
var settingGroups = []struct {
	name  string
	names []string
}{
	{"Memory", []string{"max_connections", "shared_buffers", "effective_cache_size", "work_mem", "maintenance_work_mem",
		"autovacuum_work_mem", "temp_buffers", "wal_buffers", "huge_pages"}},
	{"WAL", []string{"wal_level", "max_wal_size", "min_wal_size", "wal_keep_size", "wal_compression", "synchronous_commit",
		"full_page_writes", "archive_mode", "archive_timeout"}},
	{"Checkpoints", []string{"checkpoint_timeout", "checkpoint_completion_target", "checkpoint_warning", "bgwriter_delay",
		"bgwriter_lru_maxpages", "bgwriter_lru_multiplier"}},
	{"Autovacuum", []string{"autovacuum", "autovacuum_max_workers", "autovacuum_naptime", "autovacuum_vacuum_threshold",
		"autovacuum_vacuum_scale_factor", "autovacuum_analyze_scale_factor", "autovacuum_vacuum_cost_limit",
		"autovacuum_vacuum_cost_delay", "autovacuum_freeze_max_age"}},
}

// knownUnits are the PostgreSQL units of the settings the text report
// shows (pg_settings.unit, PostgreSQL 15): pgmetrics reports carry none.
var knownUnits = map[string]string{"shared_buffers": "8kB", "effective_cache_size": "8kB", "work_mem": "kB",
	"maintenance_work_mem": "kB", "autovacuum_work_mem": "kB", "temp_buffers": "8kB", "wal_buffers": "8kB",
	"max_wal_size": "MB", "min_wal_size": "MB", "wal_keep_size": "MB", "archive_timeout": "s",
	"checkpoint_timeout": "s", "checkpoint_warning": "s", "bgwriter_delay": "ms", "autovacuum_naptime": "s",
	"autovacuum_vacuum_cost_delay": "ms"}

// textSettings: how many settings and how many changed, then each group's
// settings, a changed one marked "*".
func textSettings(b *strings.Builder, r *Report, _ TextOptions) {
	changed := 0
	for _, s := range r.Settings {
		if isChanged(s) {
			changed++
		}
	}
	fmt.Fprintf(b, "\nSettings (%d, %d changed from default, marked *)\n", len(r.Settings), changed)
	tw := newTab(b)
	for _, g := range settingGroups {
		var parts []string
		for _, name := range g.names {
			if s, ok := r.Settings[name]; ok {
				mark := ""
				if isChanged(s) {
					mark = "*"
				}
				parts = append(parts, name+"="+settingHuman(name, s)+mark)
			}
		}
		for i, line := range wrapJoin(parts, settingsWidth) {
			if i == 0 {
				row(tw, g.name, line)
			} else {
				fmt.Fprintf(tw, "  \t%s\n", line)
			}
		}
	}
	tw.Flush()
}

// settingsWidth is where a group's line of settings wraps.
const settingsWidth = 90

// wrapJoin joins parts with ", " into lines of at most width bytes (a part
// longer than that gets a line of its own).
func wrapJoin(parts []string, width int) []string {
	var lines []string
	cur := ""
	for _, p := range parts {
		switch {
		case cur == "":
			cur = p
		case len(cur)+2+len(p) <= width:
			cur += ", " + p
		default:
			lines = append(lines, cur+",")
			cur = p
		}
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	return lines
}

func isChanged(s Setting) bool { return s.Source != "" && s.Source != "default" }

// settingHuman shows a setting in its unit: memory in bytes units ("16384"
// x "8kB" -> 128.0 MiB), times with their unit ("300s"); -1 (off, or "use
// the other setting") as it is.
func settingHuman(name string, s Setting) string {
	mult := map[string]int64{"B": 1, "kB": 1 << 10, "8kB": 8 << 10, "MB": 1 << 20, "16MB": 16 << 20, "GB": 1 << 30}
	unit := s.Unit
	if unit == "" {
		unit = knownUnits[name]
	}
	n, err := strconv.ParseInt(s.Setting, 10, 64)
	switch {
	case unit == "" || err != nil || n < 0:
		return s.Setting
	case mult[unit] > 0:
		return bytesIEC(n * mult[unit])
	case unit == "ms" || unit == "s" || unit == "min":
		return s.Setting + unit
	}
	return s.Setting + " " + unit
}

// blockSize is the server's block size in bytes (8 KiB unless built otherwise).
func blockSize(r *Report) int64 {
	if n, err := strconv.ParseInt(r.Settings["block_size"].Setting, 10, 64); err == nil && n > 0 {
		return n
	}
	return 8192
}

// rateRows: checkpoints per hour (and the share requested rather than
// timed: requested ones mean max_wal_size is too small for the load) and
// the buffers written per second by checkpoints, the background writer
// and backends, each since its view's statistics were reset.
func rateRows(tw *tabwriter.Writer, r *Report) {
	bg := r.BGWriter
	timed, requested, byCheckpoints, cpReset := bg.CheckpointsTimed, bg.CheckpointsRequested, bg.BuffersCheckpoint, bg.StatsReset
	byBackends := bg.BuffersBackend
	if cp := r.Checkpointer; cp != nil { // PostgreSQL 17+: backends' writes are in pg_stat_io only
		timed, requested, byCheckpoints, cpReset, byBackends = cp.NumTimed, cp.NumRequested, cp.BuffersWritten, cp.StatsReset, 0
	}
	if hours := float64(r.Meta.At-cpReset) / 3600; cpReset > 0 && hours > 0 {
		req := "-"
		if n := timed + requested; n > 0 {
			req = fmt.Sprintf("%.0f%%", 100*float64(requested)/float64(n))
		}
		row(tw, "Checkpoint rate", fmt.Sprintf("%.2f per hour, %s requested, since %s", float64(timed+requested)/hours, req, ts(cpReset)))
	}
	perSec := func(buffers, reset int64) float64 {
		if secs := r.Meta.At - reset; reset > 0 && secs > 0 {
			return float64(buffers*blockSize(r)) / float64(secs)
		}
		return 0
	}
	cps, bgw, bes := perSec(byCheckpoints, cpReset), perSec(bg.BuffersClean, bg.StatsReset), perSec(byBackends, bg.StatsReset)
	if cpReset > 0 || bg.StatsReset > 0 {
		s := fmt.Sprintf("%s/s: checkpoints %s/s, bgwriter %s/s", bytesIEC(int64(cps+bgw+bes)), bytesIEC(int64(cps)), bytesIEC(int64(bgw)))
		if r.Checkpointer == nil {
			s += fmt.Sprintf(", backends %s/s", bytesIEC(int64(bes)))
		}
		row(tw, "Write rate", s)
	}
}

// parseLSN reads "16/B374D848" as a byte position.
func parseLSN(s string) (int64, bool) {
	hi, lo, ok := strings.Cut(s, "/")
	if !ok {
		return 0, false
	}
	h, err1 := strconv.ParseUint(hi, 16, 31) // within int64
	l, err2 := strconv.ParseUint(lo, 16, 32)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return int64(h<<32 | l), true
}

// standbyReplayLag is how many bytes of received WAL this standby has not
// replayed yet; ok is false when it is not a standby or an LSN is missing.
func standbyReplayLag(r *Report) (lag int64, ok bool) {
	recv, ok1 := parseLSN(r.LastWALReceiveLSN)
	replay, ok2 := parseLSN(r.LastWALReplayLSN)
	if !ok1 || !ok2 {
		return 0, false
	}
	return max(0, recv-replay), true
}
