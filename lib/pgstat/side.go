package pgstat

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// A second connection per database for the catalog statements that need
// nothing from the sections before them (pg_dump -j's idea, with one
// worker): while the first connection measures tables and indexes, the
// second reads index definitions and bloat. On 10,000 tables that is most
// of a second of server time off the wall clock (issue 19).
//
// Each job runs in its own read-only transaction with its section's
// timeout, as its section would; it only reads (fetch touches no shared
// state) and returns what to write into the report, which its section then
// applies on the collector's goroutine, in the usual order: the report is
// the same as with one connection. A section whose job the second
// connection has not started (it is still connecting, or could not connect:
// a connection limit, max_connections) runs it itself, so a run is never
// slower than with one connection and no statement runs twice; one that
// the second connection lost (its connection broke) runs again.

// fetchFunc reads in tx and returns what to write into the report.
type fetchFunc func(ctx context.Context, tx pgx.Tx) (apply func(), err error)

// sideRun is a job as the second connection runs it, on conn.
type sideRun func(ctx context.Context, conn *pgx.Conn) (apply func(), err error)

// errRunAgain from a sideRun: its section runs the job itself (the
// sequence values' DO block was refused: the section has a fallback).
var errRunAgain = errors.New("run again on the first connection")

type jobState uint8

const (
	jobPending jobState = iota
	jobRunning          // on the second connection
	jobTaken            // by its section, on the first connection
	jobDone             // by the second connection: apply, err
)

type sideJob struct {
	name string
	run  sideRun

	mu    sync.Mutex
	state jobState
	done  chan struct{} // closed when the second connection is done with it
	apply func()
	err   error
	lost  bool // the second connection broke: run it again
}

// side is the second connection's worker for one database.
type side struct {
	jobs   []*sideJob
	cancel context.CancelFunc
	exited chan struct{}
}

// sideUnits are the sections that may run on the second connection, in the
// order it runs them (the order their sections come), with their job.
var sideUnits = []struct {
	name, unit string // the job's name (a section, or sequence_values) and its unit
	run        func(c *collector) sideRun
}{
	{"index_defs", "index_defs", func(c *collector) sideRun { return c.inTx("index_defs", c.indexDefsFetch()) }},
	{"sequence_values", "sequences", (*collector).sequenceValuesSide},
	{"bloat", "bloat", func(c *collector) sideRun { return c.inTx("bloat", c.bloatFetch()) }},
}

// inTx runs fetch as the section name would: in a read-only transaction
// with the section's timeout.
func (c *collector) inTx(name string, fetch fetchFunc) sideRun {
	timeout := c.o.SectionTimeouts[name]
	return func(ctx context.Context, conn *pgx.Conn) (apply func(), err error) {
		err = readOnlyTx(ctx, conn, timeout, func(ctx context.Context, tx pgx.Tx) error {
			apply, err = fetch(ctx, tx)
			return err
		})
		return apply, err
	}
}

// startSide starts the second connection's worker for c.db with the jobs of
// the enabled side units. c.side is nil when there is nothing to do.
func (c *collector) startSide(ctx context.Context) {
	var jobs []*sideJob
	for _, su := range sideUnits {
		if u, ok := unitNamed(su.unit); ok && u.enabled(c) {
			jobs = append(jobs, &sideJob{name: su.name, run: su.run(c), done: make(chan struct{})})
		}
	}
	if len(jobs) == 0 || c.severalServers() {
		return
	}
	ctx, cancel := context.WithCancel(ctx)
	s := &side{jobs: jobs, cancel: cancel, exited: make(chan struct{})}
	c.side = s
	db, o, cnt := c.db, c.o, sideCounter{c.cnt} // not c: the worker shares nothing else
	go func() {
		defer close(s.exited)
		conn, err := o.Conn.Connect(ctx, db, cnt)
		if err != nil {
			o.Logger.Debug("second connection refused: sections run on the first", "db", db, "err", err)
			return
		}
		defer func() {
			// Bounded: stopSide waits for this.
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			_ = conn.Close(ctx)
		}()
		for _, j := range s.jobs {
			if !j.start() {
				continue
			}
			start := time.Now()
			apply, err := j.run(ctx, conn)
			o.Logger.Debug("section read on the second connection", "section", j.name, "db", db,
				"ms", time.Since(start).Milliseconds(), "err", err)
			j.finish(apply, err, conn.IsClosed() || errors.Is(err, errRunAgain))
			if conn.IsClosed() {
				return
			}
		}
	}()
}

// severalServers: the connection string names more than one server
// (host1,host2 for fail-over). A second connection could then reach
// another server than the first did (the first one down for a moment), and
// mix two servers' figures in one report: one connection does it all.
func (c *collector) severalServers() bool {
	cfg, err := c.o.Conn.Config(c.db)
	if err != nil {
		return true
	}
	for _, fb := range cfg.Fallbacks { // sslmode=prefer adds the same server without TLS
		if fb.Host != cfg.Host || fb.Port != cfg.Port {
			return true
		}
	}
	return false
}

// start claims j for the second connection unless its section took it.
func (j *sideJob) start() bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.state != jobPending {
		return false
	}
	j.state = jobRunning
	return true
}

func (j *sideJob) finish(apply func(), err error, lost bool) {
	j.mu.Lock()
	j.state, j.apply, j.err, j.lost = jobDone, apply, err, lost
	j.mu.Unlock()
	close(j.done)
}

// take claims j for its section if the second connection has not started
// it; else it says whether it is running or done.
func (j *sideJob) take() jobState {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.state == jobPending {
		j.state = jobTaken
		return jobPending
	}
	return j.state
}

// fromSide is the section's run for a side unit: what the second
// connection read, or the same statement on the first connection in tx.
func (c *collector) fromSide(ctx context.Context, tx pgx.Tx, name string, fetch fetchFunc) error {
	if ran, err := c.waitSide(ctx, name); ran {
		return err
	}
	apply, err := fetch(ctx, tx)
	if err != nil {
		return err
	}
	apply()
	return nil
}

// waitSide applies job name's result if the second connection ran it
// (ran: err is its error), waiting for it if it is running. ran is false
// when the caller must run it: no such job, not started (now taken), or
// lost.
func (c *collector) waitSide(ctx context.Context, name string) (ran bool, err error) {
	j := c.side.job(name)
	if j == nil {
		return false, nil
	}
	if st := j.take(); st != jobRunning && st != jobDone {
		return false, nil
	}
	select {
	case <-j.done:
	case <-ctx.Done():
		return true, ctx.Err()
	}
	if j.lost {
		return false, nil
	}
	if j.err == nil {
		j.apply()
	}
	return true, j.err
}

func (s *side) job(name string) *sideJob {
	if s == nil {
		return nil
	}
	for _, j := range s.jobs {
		if j.name == name {
			return j
		}
	}
	return nil
}

// stopSide ends the worker (a job not started is left undone: its section
// ran it or was not reached) and waits for its connection to close.
func (c *collector) stopSide() {
	if c.side == nil {
		return
	}
	for _, j := range c.side.jobs {
		j.take()
	}
	c.side.cancel()
	<-c.side.exited
	c.side = nil
}

// sideCounter counts the second connection's statements in meta.statements
// except its transaction control and settings (BEGIN, COMMIT, SET), which a
// job run by its section shares with the section: the figure is then the
// same whichever connection ran a job.
type sideCounter struct{ *counter }

func (s sideCounter) TraceQueryStart(ctx context.Context, conn *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	verb, _, _ := strings.Cut(strings.TrimSpace(d.SQL), " ")
	switch strings.ToLower(verb) {
	case "begin", "commit", "rollback", "set":
		return ctx
	}
	return s.counter.TraceQueryStart(ctx, conn, d)
}
