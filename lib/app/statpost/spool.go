package statpost

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"time"

	"github.com/cronkit/cronkit/lib/spool"
	"github.com/cronkit/cronkit/lib/stats"
)

// spools returns the spools of the configured destinations (when they can be
// built, e.g. the key is set) and every other spool present, legacy ones too.
func (o Options) spools() ([]*spool.Spool, error) {
	dir, err := o.spoolDirectory()
	if err != nil {
		return nil, err
	}
	var out []*spool.Spool
	seen := map[string]bool{}
	if targets, err := o.targets(); err == nil {
		for _, t := range targets {
			out = append(out, t.Spool)
			seen[t.Spool.Name()] = true
		}
	}
	present, err := spool.List(dir)
	if err != nil {
		return nil, err
	}
	sort.Slice(present, func(i, j int) bool { return present[i].Name() < present[j].Name() })
	for _, s := range present {
		if !seen[s.Name()] {
			out = append(out, s)
		}
	}
	return out, nil
}

// legacyNote explains a spool written before spools were keyed by destination.
const legacyNote = "destination unknown: spooled by an older statpost, before spools were keyed by destination; " +
	"`statpost spool flush --adopt %[1]s` sends it to the configured %[1]s destination, `statpost spool drop %[1]s` discards it"

// warnLegacy says when a legacy spool of a configured sink kind holds records:
// they are kept, but no run sends them on its own.
func (o Options) warnLegacy(targets []stats.Target) {
	for _, t := range targets {
		if t.Spool == nil {
			continue
		}
		legacy := spool.Open(filepath.Dir(t.Spool.Path()), t.Spool.Kind())
		if st, err := legacy.Status(); err == nil && st.Records > 0 {
			o.Warnf("%s: %s in %s: "+legacyNote, st.Kind, records(st.Records), st.Path)
		}
	}
}

// SpoolStatus prints, per spool, how many records wait for which
// destination.
func SpoolStatus(_ context.Context, o Options) error {
	o = o.withDefaults()
	sps, err := o.spools()
	if err != nil {
		return err
	}
	out := o.Stdout
	for _, s := range sps {
		st, err := s.Status()
		if err != nil {
			return fmt.Errorf("%s: %w", s.Name(), err)
		}
		// Records waiting, wherever they wait: the spool, or the journal of
		// an interrupted or killed run (moved into the spool by the next run).
		fmt.Fprintf(out, "%s: %s", st.Kind, records(st.Records+st.Journaled))
		if st.Records > 0 {
			fmt.Fprintf(out, ", %d bytes, oldest %s, newest %s", st.Bytes, st.Oldest.UTC().Format(time.RFC3339), st.Newest.UTC().Format(time.RFC3339))
		}
		if st.Journaled > 0 {
			fmt.Fprintf(out, ", %d of them in the journals of interrupted or killed runs", st.Journaled)
		}
		if st.Damaged > 0 {
			fmt.Fprintf(out, ", %d damaged lines (skipped)", st.Damaged)
		}
		if st.Dest != "" {
			fmt.Fprintf(out, "; to %s", st.Dest)
		} else {
			fmt.Fprintf(out, "; "+legacyNote, st.Kind)
		}
		fmt.Fprintf(out, " (%s)\n", st.Path)
	}
	return nil
}

// FlushOptions are `statpost spool flush`: the destinations, and the spools
// to adopt first.
type FlushOptions struct {
	Options
	Adopt []string
}

// SpoolFlush sends the spooled records of the configured destinations.
func SpoolFlush(ctx context.Context, f FlushOptions) error {
	o := f.Options.withDefaults()
	if o.DryRun {
		return usagef("spool flush has no --dry-run; use spool status")
	}
	targets, err := o.targets()
	if err != nil {
		return err
	}
	if err := o.adopt(ctx, targets, f.Adopt); err != nil {
		return err
	}
	o.warnLegacy(targets)
	p := stats.NewPoster(ctx, stats.PostOptions{Targets: targets, AtLeastOnce: o.AtLeastOnce, Warn: o.Warnf, FlushEvery: -1})
	res := p.Close()
	for _, t := range res.Targets {
		fmt.Fprintf(o.Stdout, "%s: %s sent\n", t.Name, records(t.FromSpool))
	}
	return o.report(ctx, res, 0, nil, false)
}

// adopt moves the named spools into the spools of the targets of their kind.
func (o Options) adopt(ctx context.Context, targets []stats.Target, names []string) error {
	for _, n := range names {
		var to *stats.Target
		for i, t := range targets {
			if t.Spool.Kind() == spool.Open("", n).Kind() {
				to = &targets[i]
			}
		}
		if to == nil {
			return usagef("--adopt %s: no --sink %s is configured to send its records to", n, spool.Open("", n).Kind())
		}
		if n == to.Spool.Name() {
			continue
		}
		from := spool.Open(filepath.Dir(to.Spool.Path()), n)
		if _, err := os.Stat(from.Path()); err != nil {
			return usagef("--adopt %s: no such spool (%s)", n, from.Path())
		}
		res, err := from.MoveTo(ctx, to.Spool)
		if err != nil {
			return fmt.Errorf("%s: adopting %s: %w", to.Sink.Name(), from.Path(), err)
		}
		fmt.Fprintf(o.Stdout, "%s: %s adopted from %s for %s\n", to.Sink.Name(), records(res.Sent), from.Path(), to.Spool.Destination())
	}
	return nil
}

// DropOptions are `statpost spool drop`: spools by name or sink kind, or
// all of them.
type DropOptions struct {
	Options
	Names []string
	All   bool
}

// SpoolDrop discards spooled records.
func SpoolDrop(_ context.Context, d DropOptions) error {
	o := d.Options.withDefaults()
	if d.All == (len(d.Names) > 0) {
		return usagef("name the sinks whose spool to drop, or give --all")
	}
	dir, err := o.spoolDirectory()
	if err != nil {
		return err
	}
	present, err := spool.List(dir)
	if err != nil {
		return err
	}
	names := d.Names
	if d.All {
		names = nil
		for _, s := range present {
			names = append(names, s.Name())
		}
	}
	for _, n := range names {
		_, kindErr := stats.ParseSpec(n)
		var sps []*spool.Spool
		for _, s := range present {
			if s.Name() == n || kindErr == nil && s.Kind() == n {
				sps = append(sps, s)
			}
		}
		if kindErr != nil && len(sps) == 0 {
			return usagef("%v, and no spool is named %q", kindErr, n)
		}
		dropped := 0
		for _, s := range sps {
			k, err := s.Drop()
			if err != nil {
				return fmt.Errorf("%s: %w", s.Name(), err)
			}
			dropped += k
		}
		fmt.Fprintf(o.Stdout, "%s: %s dropped\n", n, records(dropped))
	}
	return nil
}

// records is "1 record" or "N records".
func records[T ~int | ~int64](n T) string {
	if n == 1 {
		return "1 record"
	}
	return strconv.FormatInt(int64(n), 10) + " records"
}
