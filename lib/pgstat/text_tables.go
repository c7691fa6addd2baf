package pgstat

import (
	"fmt"
	"strconv"
	"strings"
)

// textTables: with TextOptions.Tables (pgreport --tables), one block per
// table of each database collected, like pgmetrics' "Table #n in db"
// blocks (reference/pgmetrics.md §1.3): size and bloat, rows, changes,
// vacuum and analyze, scans, cache hits, then its indexes.
func textTables(b *strings.Builder, r *Report, o TextOptions) {
	if !o.Tables {
		return
	}
	type tableKey struct{ db, schema, name string }
	idx := map[tableKey][]*Index{}
	for i := range r.Indexes {
		x := &r.Indexes[i]
		k := tableKey{x.DBName, x.SchemaName, x.TableName}
		idx[k] = append(idx[k], x)
	}
	for _, db := range r.Meta.CollectedDBs {
		n := 0
		for i := range r.Tables {
			t := &r.Tables[i]
			if t.DBName != db {
				continue
			}
			n++
			fmt.Fprintf(b, "\nTable #%d in %q: %s.%s\n", n, db, t.SchemaName, t.Name)
			tableRows(b, r, t)
			tableIndexes(b, idx[tableKey{db, t.SchemaName, t.Name}])
		}
	}
}

func tableRows(b *strings.Builder, r *Report, t *Table) {
	tw := newTab(b)
	if a := tableAttrs(t); a != "" {
		row(tw, "Attributes", a)
	}
	if t.TablespaceName != "" {
		row(tw, "Tablespace", t.TablespaceName)
	}
	size := sizeOrDash(t.Size)
	if t.Bloat >= 0 {
		size += ", bloat " + bytesIEC(t.Bloat)
		if t.Size > 0 {
			size += fmt.Sprintf(" (%.1f%%)", 100*float64(t.Bloat)/float64(t.Size))
		}
	} else {
		size += ", bloat not estimated"
	}
	row(tw, "Size", size)
	row(tw, "Rows", fmt.Sprintf("%d live, %d dead (%s), %d modified since analyze, %d inserted since vacuum",
		t.NLiveTup, t.NDeadTup, pct(t.NDeadTup, t.NLiveTup+t.NDeadTup), t.NModSinceAnalyze, t.NInsSinceVacuum))
	row(tw, "Changes", fmt.Sprintf("%d inserted, %d updated (%s HOT), %d deleted", t.NTupIns, t.NTupUpd,
		pct(t.NTupHotUpd, t.NTupUpd), t.NTupDel))
	row(tw, "Vacuum", fmt.Sprintf("manual %s; auto %s%s", countAndLast(r, t.VacuumCount, t.LastVacuum),
		countAndLast(r, t.AutovacuumCount, t.LastAutovacuum), totalTimes(t.TotalVacuumTime, t.TotalAutovacuumTime)))
	row(tw, "Analyze", fmt.Sprintf("manual %s; auto %s%s", countAndLast(r, t.AnalyzeCount, t.LastAnalyze),
		countAndLast(r, t.AutoanalyzeCount, t.LastAutoanalyze), totalTimes(t.TotalAnalyzeTime, t.TotalAutoanalyzeTime)))
	row(tw, "Scans", fmt.Sprintf("%d sequential (%s rows each), %d index (%s rows each)", t.SeqScan, perScan(t.SeqTupRead, t.SeqScan),
		t.IdxScan, perScan(t.IdxTupFetch, t.IdxScan)))
	row(tw, "Cache hits", fmt.Sprintf("heap %s, indexes %s, toast %s", ratio(t.HeapBlksHit, t.HeapBlksRead),
		ratio(t.IdxBlksHit, t.IdxBlksRead), ratio(t.ToastBlksHit+t.TidxBlksHit, t.ToastBlksRead+t.TidxBlksRead)))
	row(tw, "Frozen XID age", strconv.FormatInt(t.AgeRelFrozenXid, 10))
	if t.ACL != "" {
		row(tw, "ACL", t.ACL)
	}
	tw.Flush()
}

// tableIndexes: one line per index of the table.
func tableIndexes(b *strings.Builder, idx []*Index) {
	fmt.Fprintf(b, "  Indexes (%d)\n", len(idx))
	if len(idx) == 0 {
		return
	}
	tw := newTab(b)
	fmt.Fprintln(tw, "    index\ttype\tsize\tbloat\tcache hit\tscans\trows read/scan\trows fetched/scan")
	for _, x := range idx {
		fmt.Fprintf(tw, "    %s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\n", x.Name, firstNonEmpty(x.AmName, "-"), sizeOrDash(x.Size), sizeOrDash(x.Bloat),
			ratio(x.IdxBlksHit, x.IdxBlksRead), x.IdxScan, perScan(x.IdxTupRead, x.IdxScan), perScan(x.IdxTupFetch, x.IdxScan))
	}
	tw.Flush()
}

// tableAttrs: persistence, kind and partitioning, as pgmetrics names them.
func tableAttrs(t *Table) string {
	var a []string
	switch t.RelPersistence {
	case "u":
		a = append(a, "unlogged")
	case "t":
		a = append(a, "temporary")
	}
	switch t.RelKind {
	case "m":
		a = append(a, "materialized view")
	case "p":
		a = append(a, "partition parent")
	}
	switch {
	case t.ParentName != "" && t.PartitionCV != "":
		a = append(a, "partition of "+t.ParentName+" "+t.PartitionCV)
	case t.ParentName != "":
		a = append(a, "inherits from "+t.ParentName)
	case t.RelIsPartition:
		a = append(a, "partition")
	}
	return strings.Join(a, ", ")
}

// countAndLast is "3, last 2h0m ago", or "never".
func countAndLast(r *Report, n, last int64) string {
	if n == 0 && last <= 0 {
		return "never"
	}
	return fmt.Sprintf("%d, last %s", n, ago(r.Meta.At, last))
}

// totalTimes: PostgreSQL 18's cumulative manual and automatic times.
func totalTimes(manual, auto float64) string {
	if manual == 0 && auto == 0 {
		return ""
	}
	return fmt.Sprintf(" (total %s manual, %s auto)", ms(manual), ms(auto))
}

// pct is part of whole as "12.5%", or "-" when whole is 0.
func pct(part, whole int64) string {
	if whole <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", 100*float64(part)/float64(whole))
}

// perScan is rows per scan with one decimal, or "-" without scans.
func perScan(rows, scans int64) string {
	if scans <= 0 {
		return "-"
	}
	return strconv.FormatFloat(float64(rows)/float64(scans), 'f', 1, 64)
}
