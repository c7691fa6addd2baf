package pglog

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Options say which files to read and how (pgmetrics' --log-file,
// --log-dir, --log-span, plus the server settings it reads).
type Options struct {
	File string        // this one file
	Dir  string        // every plain file but *.gz and *.bz2
	Span time.Duration // keep entries of the last Span (pgmetrics' default 5 min)
	Now  time.Time
	// FileName and DirName are the caller's names for File and Dir (a
	// command's flags), in errors and warnings and in the hints to give
	// one; "": "log file" and "log directory", and no hints.
	FileName, DirName string

	// From pg_settings.
	LogLinePrefix    string
	LogDestination   string
	LoggingCollector bool
	LogTimezone      string
	DataDirectory    string
	// CurrentLogfile is pg_current_logfile(format) per format, as the
	// server returned it (relative to DataDirectory or absolute); may be empty.
	CurrentLogfile map[Format]string
	// DefaultDir is the last resort: its newest file (pgmetrics:
	// /var/log/postgresql). Empty: none.
	DefaultDir string
}

// DefaultSpan is pgmetrics' --log-span default.
const DefaultSpan = 5 * time.Minute

// ServerFormat is the format pgmetrics assumes for every file: csvlog when
// log_destination has csvlog and the logging collector runs, else stderr.
// pgmetrics never reads jsonlog; here jsonlog is chosen when it is the
// collector's only structured destination.
func ServerFormat(dest string, collector bool) Format {
	has := func(f string) bool {
		for _, d := range strings.Split(dest, ",") {
			if strings.TrimSpace(d) == f {
				return true
			}
		}
		return false
	}
	switch {
	case collector && has("csvlog"):
		return CSV
	case collector && has("jsonlog"):
		return JSONLog
	}
	return Stderr
}

// fileFormat is a file's format by its extension (the logging collector
// names them .csv and .json), else the server's.
func fileFormat(path string, server Format) Format {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		return CSV
	case ".json":
		return JSONLog
	case ".log":
		return Stderr
	}
	return server
}

// Read finds the log files (the first of: File, Dir, CurrentLogfile,
// DefaultDir's newest file), reads the last Span of each and derives the
// records. Warnings are what pgmetrics prints and goes on (no file found, a
// prefix without time); an error is a file that could not be read or parsed
// (the records read before it are still returned). files are the files read;
// one found on its own (not --log-file/--log-dir) that cannot be opened is a warning.
func Read(o Options) (recs Records, files, warn []string, err error) {
	if o.Span <= 0 {
		o.Span = DefaultSpan
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	since := o.Now.Add(-o.Span)
	loc := time.UTC
	if o.LogTimezone != "" {
		if l, err := time.LoadLocation(o.LogTimezone); err == nil {
			loc = l
		}
	}
	server := ServerFormat(o.LogDestination, o.LoggingCollector)
	files, warn, err = o.files(server)
	if err != nil || len(files) == 0 {
		return Records{}, nil, warn, err
	}
	prefix, perr := Compile(o.LogLinePrefix, loc)
	var all []Entry
	var read []string
	for _, f := range files {
		ff := fileFormat(f, server)
		if ff == Stderr && perr != nil {
			warn = append(warn, fmt.Sprintf("%s: not read: %v", f, perr))
			continue
		}
		entries, err := readFile(f, ff, prefix, loc, since)
		all = append(all, entries...)
		if err != nil && o.File == "" && o.Dir == "" && (errors.Is(err, fs.ErrPermission) || errors.Is(err, fs.ErrNotExist)) {
			// A file found on our own (pg_current_logfile, /var/log/postgresql)
			// that this user may not read: a gap, not a failure of every run.
			hint := "run as a user who may read it"
			if o.FileName != "" {
				hint += ", or give " + o.FileName
			}
			warn = append(warn, fmt.Sprintf("%v (%s)", err, hint))
			continue
		}
		if err != nil {
			return Derive(all), read, warn, fmt.Errorf("%s: %w", f, err)
		}
		read = append(read, f)
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].AtFull < all[j].AtFull })
	return Derive(all), read, warn, nil
}

func (o Options) files(server Format) ([]string, []string, error) {
	switch {
	case o.File != "":
		st, err := os.Stat(o.File)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", o.fileName(), err)
		}
		if !st.Mode().IsRegular() {
			return nil, nil, fmt.Errorf("%s %s: not a regular file", o.fileName(), o.File)
		}
		return []string{o.File}, nil, nil
	case o.Dir != "":
		ents, err := os.ReadDir(o.Dir)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", o.dirName(), err)
		}
		var out []string
		for _, e := range ents {
			n := e.Name()
			if e.IsDir() || strings.HasSuffix(n, ".gz") || strings.HasSuffix(n, ".bz2") {
				continue
			}
			// The collector writes one file per format with the same
			// messages: read the server's format only, or entries would count twice.
			if fileFormat(n, server) != server {
				continue
			}
			out = append(out, filepath.Join(o.Dir, n))
		}
		if len(out) == 0 {
			return nil, []string{fmt.Sprintf("%s %s: no %s files", o.dirName(), o.Dir, server)}, nil
		}
		return out, nil, nil
	}
	if f := o.CurrentLogfile[server]; f != "" {
		if !filepath.IsAbs(f) {
			f = filepath.Join(o.DataDirectory, f)
		}
		return []string{f}, nil, nil
	}
	if o.DefaultDir != "" {
		ents, _ := os.ReadDir(o.DefaultDir)
		var newest string
		var mt time.Time
		for _, e := range ents {
			if st, err := e.Info(); err == nil && st.Mode().IsRegular() && st.ModTime().After(mt) {
				newest, mt = filepath.Join(o.DefaultDir, e.Name()), st.ModTime()
			}
		}
		if newest != "" {
			return []string{newest}, nil, nil
		}
	}
	if o.FileName == "" || o.DirName == "" {
		return nil, []string{"no log file found"}, nil
	}
	return nil, []string{"no log file found (give " + o.FileName + " or " + o.DirName + ")"}, nil
}

func (o Options) fileName() string { return cmp.Or(o.FileName, "log file") }
func (o Options) dirName() string  { return cmp.Or(o.DirName, "log directory") }

// tailBlock is the step of the backwards scan for the window's start.
const tailBlock = 64 << 10

func readFile(path string, f Format, p *Prefix, loc *time.Location, since time.Time) ([]Entry, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	var r io.Reader = fh
	if f == Stderr {
		st, err := fh.Stat()
		if err != nil {
			return nil, err
		}
		off, err := tailStart(fh, st.Size(), p, since)
		if err != nil {
			return nil, err
		}
		r = io.NewSectionReader(fh, off, st.Size()-off)
	}
	return Parse(r, f, p, loc, since)
}

// tailStart finds where to start reading a text log so that nothing after
// since is missed without reading the whole file: it steps back block by
// block until a block's first dated line is older than since (pgmetrics
// does the same in 4 KiB blocks).
func tailStart(r io.ReaderAt, size int64, p *Prefix, since time.Time) (int64, error) {
	buf := make([]byte, tailBlock)
	for off := size - tailBlock; ; off -= tailBlock {
		if off <= 0 {
			return 0, nil
		}
		n, err := r.ReadAt(buf, off)
		if err != nil && !errors.Is(err, io.EOF) {
			return 0, err
		}
		b := buf[:n]
		// Skip the partial first line, then look for the first dated one.
		pos := bytes.IndexByte(b, '\n')
		for pos >= 0 && pos+1 < len(b) {
			rest := b[pos+1:]
			end := bytes.IndexByte(rest, '\n')
			if end < 0 {
				break
			}
			if h, ok := p.match(string(rest[:end])); ok {
				if h.at.Before(since) {
					return off + int64(pos) + 1, nil
				}
				break
			}
			pos += end + 1
		}
	}
}
