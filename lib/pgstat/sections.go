package pgstat

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// A unit is one section of the report: one collector with its name, its
// version gate and the statement(s) it runs, registered in units. Like
// postgres_exporter's registered collectors, everything that lists sections
// (--section-timeout, meta.errors, docs/pgreport.md's table) is made from
// that one list; unlike them, the list is ordered: the sections run in this
// order, cluster-wide ones once, per-database ones for each database.
type unit struct {
	name  string
	scope scope
	// since is the first server_version_num the section runs on; 0: every
	// supported server (12+). Column-level differences stay in the query (c.since).
	since int
	// when, if set, decides from the options or earlier sections (--bloat,
	// --all-dbs, pg_stat_statements installed) whether the section runs.
	when func(c *collector) bool
	// run collects into c.rep inside the section's own read-only transaction.
	run func(c *collector, ctx context.Context, tx pgx.Tx) error
	// once: a per-database section that runs in the first database where
	// it is enabled only (pg_stat_statements is cluster-wide).
	once bool
	// sized sections measure relations: a lock timeout re-runs them with
	// estimated sizes (lockFallback); run reads c.exact and c.measureNew.
	sized bool
	// after runs outside the transaction once the section is done, failed
	// or not (sequences: their values, in a DO block of its own).
	after func(c *collector, ctx context.Context)
	// doc is the section's line in docs/pgreport.md: what it reads.
	doc string
	// condition is when, for people ("--bloat"); "" for always.
	condition string
}

type scope uint8

const (
	clusterWide scope = iota // once, from the first database
	perDB                    // in every database reported on
)

func (s scope) String() string {
	if s == perDB {
		return "per database"
	}
	return "cluster"
}

// units is the one list of sections, in the order they run.
var units = []unit{
	serverUnit, settingsUnit, controlUnit, walPositionUnit, walFilesUnit, walArchivingUnit,
	bgWriterUnit, checkpointerUnit, walUnit, statIOUnit,
	replicationOutgoingUnit, replicationIncomingUnit, replicationSlotsUnit,
	backendsUnit, locksUnit, preparedXactsUnit, progressUnit,
	rolesUnit, databasesUnit, tablespacesUnit, databasesListUnit,
	tablesUnit, indexesUnit, indexDefsUnit, sequencesUnit, userFunctionsUnit, extensionsUnit,
	disabledTriggersUnit, publicationsUnit, subscriptionsUnit, statementsUnit, bloatUnit,
}

// Sections is SectionNames(), made once from the registered units.
var Sections = SectionNames()

// SectionNames lists every section, in the order they run, as meta.errors
// and --section-timeout name them (sequence_values and connect are not
// sections: no transaction or timeout of their own).
func SectionNames() []string {
	names := make([]string, len(units))
	for i, u := range units {
		names[i] = u.name
	}
	return names
}

// IsSection reports whether name is a section --section-timeout accepts.
func IsSection(name string) bool {
	_, ok := unitNamed(name)
	return ok
}

func unitNamed(name string) (unit, bool) {
	for _, u := range units {
		if u.name == name {
			return u, true
		}
	}
	return unit{}, false
}

// enabled applies the unit's version and option gates.
func (u unit) enabled(c *collector) bool {
	return c.ver >= u.since && !(u.once && c.ran[u.name]) && (u.when == nil || u.when(c))
}

// runUnits runs the enabled units of one scope, in order.
func (c *collector) runUnits(ctx context.Context, s scope) {
	for _, u := range units {
		if u.scope == s && u.enabled(c) {
			c.runUnit(ctx, u)
		}
	}
}

// runUnit runs one unit in its own transaction (section), or through
// lockFallback if it measures relations.
func (c *collector) runUnit(ctx context.Context, u unit) {
	if u.once {
		c.ran[u.name] = true // also when it fails: not again in the next database
	}
	run := func(ctx context.Context, tx pgx.Tx) error { return u.run(c, ctx, tx) }
	if u.sized {
		c.lockFallback(ctx, u.name, run)
	} else {
		c.section(ctx, u.name, u.scope == perDB, run)
	}
	if u.after != nil {
		u.after(c, ctx)
	}
}

// SectionsMarkdown is docs/pgreport.md's table of sections, made from the
// registered units (TestSectionsDoc keeps the doc in step).
func SectionsMarkdown() string {
	var b strings.Builder
	b.WriteString("| section | scope | PostgreSQL | runs | reads |\n|---|---|---|---|---|\n")
	for _, u := range units {
		ver := "12+"
		if u.since > 0 {
			ver = fmt.Sprintf("%d+", u.since/10000)
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s |\n", u.name, u.scope, ver, firstNonEmpty(u.condition, "always"), u.doc)
	}
	return b.String()
}
