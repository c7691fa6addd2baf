package pgstat

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// The text report's activity blocks: the backends that wait or sit idle in
// a transaction, the blocked queries with what blocks them, and the locks by
// type and mode (pgmetrics' "Backends", "Locks" and "Blocked Queries").

// queryWidth is how much of a query text a line shows.
const queryWidth = 70

// backendIndex finds a backend by pid, client or other process.
type backendIndex map[int]*Backend

func indexBackends(r *Report) backendIndex {
	m := make(backendIndex, len(r.Backends)+len(r.OtherProcesses))
	for _, list := range [][]Backend{r.Backends, r.OtherProcesses} {
		for i := range list {
			m[list[i].PID] = &list[i]
		}
	}
	return m
}

// who is "role@db, app" for a pid, or "not in pg_stat_activity".
func (m backendIndex) who(pid int) string {
	b := m[pid]
	if b == nil {
		return fmt.Sprintf("pid %d (not in pg_stat_activity)", pid)
	}
	s := fmt.Sprintf("pid %d (%s@%s", pid, firstNonEmpty(b.RoleName, "-"), firstNonEmpty(b.DBName, "-"))
	if b.ApplicationName != "" {
		s += ", " + b.ApplicationName
	}
	return s + ")"
}

// stalled says why a backend is listed among the waiting and idle ones:
// "lock" (waits for a lock), "wait" (an active query waits on something
// else: I/O, a latch, a timeout) or "idle in xact"; "" for neither. An idle
// backend waiting for its client is not stalled.
func stalled(b *Backend) string {
	switch {
	case b.WaitEventType == "Lock":
		return "lock"
	case strings.HasPrefix(b.State, "idle in transaction"):
		return "idle in xact"
	case b.State == "active" && b.WaitEventType != "" && b.WaitEventType != "Client":
		return "wait"
	}
	return ""
}

// textStalled lists the client backends waiting for a lock, waiting on
// something else, or idle in a transaction, with how long and their query.
func textStalled(b *strings.Builder, r *Report, o TextOptions) {
	order := map[string]int{"lock": 0, "wait": 1, "idle in xact": 2}
	var list []*Backend
	counts := map[string]int{}
	for i := range r.Backends {
		be := &r.Backends[i]
		if strings.HasPrefix(be.ApplicationName, "pgreport/") {
			continue // our own collection
		}
		if why := stalled(be); why != "" {
			list = append(list, be)
			counts[why]++
		}
	}
	fmt.Fprintf(b, "\nWaiting and idle in transaction: %d waiting for locks, %d waiting on other, %d idle in transaction%s\n",
		counts["lock"], counts["wait"], counts["idle in xact"], shownOf(len(list), o.TopN, "first"))
	if len(list) == 0 {
		return
	}
	sort.SliceStable(list, func(i, j int) bool {
		oi, oj := order[stalled(list[i])], order[stalled(list[j])]
		if oi != oj {
			return oi < oj
		}
		return list[i].PID < list[j].PID
	})
	tw := newTab(b)
	fmt.Fprintln(tw, "  pid\tuser@db\tapp\tstate\twait\tfor\tquery")
	for _, be := range list[:min(len(list), o.TopN)] {
		since := be.QueryStart // a wait: since its query started
		if be.State != "active" {
			since = be.StateChange // idle in transaction: since it went idle
		}
		wait := "-"
		if be.WaitEventType != "" {
			wait = be.WaitEventType + "/" + be.WaitEvent
		}
		fmt.Fprintf(tw, "  %d\t%s@%s\t%s\t%s\t%s\t%s\t%s\n", be.PID, firstNonEmpty(be.RoleName, "-"), firstNonEmpty(be.DBName, "-"),
			firstNonEmpty(be.ApplicationName, "-"), be.State, wait, sinceAt(r.Meta.At, since), oneLine(be.Query, queryWidth))
	}
	tw.Flush()
}

// sinceAt is how long ago unix was, or "-" when unknown.
func sinceAt(now, unix int64) string {
	if unix <= 0 {
		return "-"
	}
	return dur(now - unix)
}

// textBlocked shows each blocked query: the waiter's query, the lock it
// waits for, and each blocker with its state and query.
func textBlocked(b *strings.Builder, r *Report, o TextOptions) {
	waiting := map[int]*Lock{}
	for i := range r.Locks {
		if l := &r.Locks[i]; !l.Granted && l.PID != 0 {
			waiting[l.PID] = l
		}
	}
	pids := make([]int, 0, len(waiting)+len(r.BlockingPIDs))
	for pid := range waiting {
		pids = append(pids, pid)
	}
	for pid := range r.BlockingPIDs {
		if waiting[pid] == nil {
			pids = append(pids, pid)
		}
	}
	if len(pids) == 0 {
		return
	}
	sort.Ints(pids)
	fmt.Fprintf(b, "\nBlocked queries (%d%s)\n", len(pids), shownOf(len(pids), o.TopN, "first"))
	bes := indexBackends(r)
	names := relNames{r: r}
	for _, pid := range pids[:min(len(pids), o.TopN)] {
		l := waiting[pid]
		what := "a lock"
		if l != nil {
			what = names.describe(l)
		}
		fmt.Fprintf(b, "  %s waits%s for %s\n", bes.who(pid), waitedFor(r, bes[pid], l), what)
		tw := newTab(b)
		if be := bes[pid]; be != nil {
			fmt.Fprintf(tw, "    query:\t%s\n", oneLine(be.Query, queryWidth))
		}
		by := r.BlockingPIDs[pid]
		if len(by) == 0 {
			fmt.Fprintf(tw, "    blocked by:\tunknown (pg_blocking_pids() not collected)\n")
		}
		for _, holder := range by {
			be := bes[holder]
			state := ""
			if be != nil && be.State != "" {
				state = ", " + be.State
				if be.State != "active" {
					state += " for " + sinceAt(r.Meta.At, be.StateChange)
				}
			}
			fmt.Fprintf(tw, "    blocked by:\t%s%s%s\n", bes.who(holder), state, holds(r, holder, l))
			if be != nil {
				label := "its query" // running now
				if be.State != "active" {
					label = "last query" // it ran and ended; the transaction stays open
				}
				fmt.Fprintf(tw, "    %s:\t%s\n", label, oneLine(be.Query, queryWidth))
			}
		}
		tw.Flush()
	}
}

// waitedFor is " 12s" since the lock wait began (pg_locks.waitstart,
// PostgreSQL 14+), else since the query started; "" when unknown.
func waitedFor(r *Report, be *Backend, l *Lock) string {
	start := int64(0)
	if l != nil {
		start = l.WaitStart
	}
	if start <= 0 && be != nil {
		start = be.QueryStart
	}
	if start <= 0 {
		return ""
	}
	return " " + dur(r.Meta.At-start)
}

// holds is ", holds ShareLock" when the blocker holds a lock on the same
// relation the waiter waits for; other lock kinds (a transaction ID, a
// tuple) are not identified in pg_locks' collected columns.
func holds(r *Report, pid int, waited *Lock) string {
	if waited == nil || waited.LockType != "relation" {
		return ""
	}
	var modes []string
	for _, l := range r.Locks {
		if l.PID == pid && l.Granted && l.LockType == "relation" && l.RelationOID == waited.RelationOID && l.DBName == waited.DBName {
			modes = append(modes, l.Mode)
		}
	}
	if len(modes) == 0 {
		return ""
	}
	return ", holds " + strings.Join(modes, ", ")
}

// relNames names relations by (database, OID) from the tables and indexes
// collected; built on first use.
type relNames struct {
	r *Report
	m map[dbOID]string
}

type dbOID struct {
	db  string
	oid int64
}

// describe is "relation RowExclusiveLock on public.t", or the lock type and
// mode alone.
func (n *relNames) describe(l *Lock) string {
	s := l.LockType + " " + l.Mode
	if l.LockType != "relation" || l.RelationOID == 0 {
		return s
	}
	if n.m == nil {
		n.m = make(map[dbOID]string, len(n.r.Tables)+len(n.r.Indexes))
		for _, t := range n.r.Tables {
			n.m[dbOID{t.DBName, t.OID}] = t.SchemaName + "." + t.Name
		}
		for _, x := range n.r.Indexes {
			n.m[dbOID{x.DBName, x.OID}] = "index " + x.SchemaName + "." + x.Name
		}
	}
	name, ok := n.m[dbOID{l.DBName, l.RelationOID}]
	if !ok {
		name = "oid " + strconv.FormatInt(l.RelationOID, 10)
		if l.DBName != "" {
			name += " in " + l.DBName
		}
	}
	return s + " on " + name
}

// textLocks: the counts, then locks by type and mode, granted and waiting.
func textLocks(b *strings.Builder, r *Report, _ TextOptions) {
	type key struct{ typ, mode string }
	type count struct{ granted, waiting int }
	counts := map[key]*count{}
	waiting := 0
	for _, l := range r.Locks {
		k := key{l.LockType, l.Mode}
		c := counts[k]
		if c == nil {
			c = &count{}
			counts[k] = c
		}
		if l.Granted {
			c.granted++
		} else {
			c.waiting++
			waiting++
		}
	}
	fmt.Fprintf(b, "\nLocks: %d held, %d waiting\n", len(r.Locks)-waiting, waiting)
	if len(counts) == 0 {
		return
	}
	keys := make([]key, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].typ != keys[j].typ {
			return keys[i].typ < keys[j].typ
		}
		return keys[i].mode < keys[j].mode
	})
	tw := newTab(b)
	fmt.Fprintln(tw, "  type\tmode\tgranted\twaiting")
	for _, k := range keys {
		fmt.Fprintf(tw, "  %s\t%s\t%d\t%d\n", k.typ, k.mode, counts[k].granted, counts[k].waiting)
	}
	tw.Flush()
}
