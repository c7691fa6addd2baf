package metric

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// LineError is a bad input line. The reader skips it and goes on; callers
// report it and decide the exit code.
type LineError struct {
	Source string // "stdin" or a file name
	Line   int
	Err    error
}

func (e *LineError) Error() string { return fmt.Sprintf("%s:%d: %v", e.Source, e.Line, e.Err) }
func (e *LineError) Unwrap() error { return e.Err }

// ReaderOptions configure a Reader.
type ReaderOptions struct {
	Source string // for error positions, default "stdin"
	// TextKind is the kind of "NAME NUMBER" text lines, default Value.
	TextKind Kind
	// BareName, when set, names lines holding just a number (`seq 10 | chartd`);
	// otherwise such a line is an error.
	BareName string
	// MaxLine bounds one line's length, default 16 MiB; longer lines are an error.
	MaxLine int
}

// Reader reads records line by line.
type Reader struct {
	br      *bufio.Reader
	opts    ReaderOptions
	line    int
	pending []Record
	long    []byte
	raw     []byte // the canonical line of the record Next last returned
	noFast  bool   // tests: general parser only
}

// NewReader returns a Reader on r.
func NewReader(r io.Reader, opts ReaderOptions) *Reader {
	if opts.Source == "" {
		opts.Source = "stdin"
	}
	if opts.TextKind == "" {
		opts.TextKind = Value
	}
	if opts.MaxLine <= 0 {
		opts.MaxLine = 16 << 20
	}
	return &Reader{br: bufio.NewReaderSize(r, 64<<10), opts: opts}
}

// Line is the number of the line the last record or error came from.
func (r *Reader) Line() int { return r.line }

// Raw returns the line of the record Next last returned when that line was a
// canonical metric record (ParseCanonical accepts it and gives that record),
// without surrounding whitespace or its newline; nil otherwise. It is valid
// until the next call to Next. statpost journals it as read instead of
// encoding the record again.
func (r *Reader) Raw() []byte { return r.raw }

// ParseCanonical parses a canonical metric-record line, the fast path of
// Reader: ok is false for any other line (the general parser decides those).
// Where it says ok, the record is the one Reader returns for that line.
func ParseCanonical(line []byte) (Record, bool) { return parseCanonical(line) }

// Next returns the next record, a *LineError for a bad line or an
// *ErrorRecord for a producer's failure (call Next again to go on after
// either), or io.EOF at the end. Other errors come from the underlying reader.
func (r *Reader) Next() (Record, error) {
	r.raw = nil
	if len(r.pending) > 0 {
		rec := r.pending[0]
		r.pending = r.pending[1:]
		return rec, nil
	}
	for {
		raw, tooLong, err := r.readLine()
		if err != nil && (err != io.EOF || raw == nil) {
			return Record{}, err
		}
		r.line++
		if tooLong {
			return Record{}, r.lineErr(fmt.Errorf("line longer than %d bytes", r.opts.MaxLine))
		}
		s := bytes.TrimSpace(raw)
		if len(s) == 0 || s[0] == '#' {
			if err == io.EOF {
				return Record{}, io.EOF
			}
			continue
		}
		if !r.noFast {
			if rec, ok := parseCanonical(s); ok {
				r.raw = s
				return rec, nil
			}
		}
		recs, perr := r.parse(s)
		if e, ok := perr.(*ErrorRecord); ok {
			return Record{}, e
		}
		if perr != nil {
			return Record{}, r.lineErr(perr)
		}
		if len(recs) == 0 {
			continue
		}
		r.pending = append(r.pending[:0], recs[1:]...)
		return recs[0], nil
	}
}

func (r *Reader) lineErr(err error) error {
	return &LineError{Source: r.opts.Source, Line: r.line, Err: err}
}

// readLine returns one line without its newline, of any length up to MaxLine
// (bufio.Scanner stops at 64 KiB by default, which metric lines can exceed).
func (r *Reader) readLine() (line []byte, tooLong bool, err error) {
	frag, err := r.br.ReadSlice('\n')
	if err == nil || err == io.EOF {
		if err == io.EOF && len(frag) == 0 {
			return nil, false, io.EOF
		}
		return bytes.TrimSuffix(frag, []byte{'\n'}), false, err
	}
	if err != bufio.ErrBufferFull {
		return nil, false, err
	}
	r.long = append(r.long[:0], frag...)
	for {
		frag, err = r.br.ReadSlice('\n')
		if len(r.long)+len(frag) > r.opts.MaxLine {
			tooLong = true
		} else if !tooLong {
			r.long = append(r.long, frag...)
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil && err != io.EOF {
			return nil, false, err
		}
		if tooLong {
			return []byte{}, true, err
		}
		return bytes.TrimSuffix(r.long, []byte{'\n'}), false, err
	}
}

// wire is every field any accepted JSON shape may have.
type wire struct {
	Name  *string           `json:"name"`
	Kind  string            `json:"kind"`
	Value json.RawMessage   `json:"value"`
	Time  json.RawMessage   `json:"time"`
	Tags  map[string]string `json:"tags"`
	// StatHat bulk item: {"stat":"x","count":1,"t":1700000000} or "value".
	Stat  *string         `json:"stat"`
	Cnt   json.RawMessage `json:"count"`
	T     json.RawMessage `json:"t"`
	Data  []wire          `json:"data"` // {"ezkey":"...","data":[items]}
	EZKey *string         `json:"ezkey"`
	// Error record: {"error":"...","source":"pgreport","time":...}.
	Error  json.RawMessage `json:"error"`
	Source *string         `json:"source"`
}

func (r *Reader) parse(s []byte) ([]Record, error) {
	if s[0] == '{' {
		var w wire
		if err := json.Unmarshal(s, &w); err != nil {
			return nil, fmt.Errorf("invalid JSON: %s", jsonMsg(err))
		}
		if w.Error != nil {
			e, err := fromErrorWire(&w)
			if err != nil {
				return nil, err
			}
			e.Input, e.Line = r.opts.Source, r.line
			return nil, e
		}
		if w.Data != nil {
			out := make([]Record, 0, len(w.Data))
			for i := range w.Data {
				rec, err := fromWire(&w.Data[i])
				if err != nil {
					return nil, fmt.Errorf("data[%d]: %w", i, err)
				}
				out = append(out, rec)
			}
			return out, nil
		}
		rec, err := fromWire(&w)
		if err != nil {
			return nil, err
		}
		return []Record{rec}, nil
	}
	rec, err := r.parseText(string(s))
	if err != nil {
		return nil, err
	}
	return []Record{rec}, nil
}

func jsonMsg(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("%v (at byte %d)", se, se.Offset)
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

func fromWire(w *wire) (Record, error) {
	var rec Record
	switch {
	case w.Stat != nil:
		rec.Name = *w.Stat
		switch {
		case w.Cnt != nil && w.Value != nil:
			return rec, fmt.Errorf("stat %q has both count and value", rec.Name)
		case w.Cnt != nil:
			rec.Kind = Count
			v, err := number(w.Cnt)
			if err != nil {
				return rec, err
			}
			rec.Value = v
		case w.Value != nil:
			rec.Kind = Value
			v, err := number(w.Value)
			if err != nil {
				return rec, err
			}
			rec.Value = v
		default:
			return rec, fmt.Errorf("stat %q has neither count nor value", rec.Name)
		}
		if w.T != nil {
			t, err := jsonTime(w.T)
			if err != nil {
				return rec, err
			}
			rec.Time = t
		}
	case w.Name != nil:
		rec.Name = *w.Name
		if w.Kind == "" {
			return rec, fmt.Errorf("record %q has no kind (count or value)", rec.Name)
		}
		k, err := ParseKind(w.Kind)
		if err != nil {
			return rec, err
		}
		rec.Kind = k
		if w.Value == nil {
			return rec, fmt.Errorf("record %q has no value", rec.Name)
		}
		v, err := number(w.Value)
		if err != nil {
			return rec, err
		}
		rec.Value = v
		if w.Time != nil {
			t, err := jsonTime(w.Time)
			if err != nil {
				return rec, err
			}
			rec.Time = t
		}
		rec.Tags = w.Tags
	default:
		return rec, errors.New(`object has neither "name" (metric record) nor "stat" (StatHat item)`)
	}
	if err := rec.Validate(); err != nil {
		return rec, err
	}
	return rec, nil
}

func number(raw json.RawMessage) (float64, error) {
	s := string(raw)
	if len(s) > 0 && s[0] == '"' {
		// Tolerate quoted numbers ("12"): some shell pipelines produce them.
		var str string
		if err := json.Unmarshal(raw, &str); err != nil {
			return 0, fmt.Errorf("value %s is not a number", s)
		}
		s = str
	}
	return ParseValue(s)
}

func jsonTime(raw json.RawMessage) (time.Time, error) {
	s := string(raw)
	if s == "null" {
		return time.Time{}, nil
	}
	if len(s) > 0 && s[0] == '"' {
		if err := json.Unmarshal(raw, &s); err != nil {
			return time.Time{}, fmt.Errorf("time %s: %v", raw, err)
		}
	}
	return ParseTime(s)
}

// parseText reads "NAME NUMBER": the last field is the number, the rest
// (which may contain spaces) is the name.
func (r *Reader) parseText(s string) (Record, error) {
	i := strings.LastIndexAny(s, " \t")
	if i < 0 {
		if r.opts.BareName != "" {
			v, err := ParseValue(s)
			if err != nil {
				return Record{}, err
			}
			return Record{Name: r.opts.BareName, Kind: r.opts.TextKind, Value: v}, nil
		}
		if _, err := ParseValue(s); err == nil {
			return Record{}, fmt.Errorf("line %q has a number but no name (want NAME NUMBER)", s)
		}
		return Record{}, fmt.Errorf("line %q is not NAME NUMBER", clip(s))
	}
	name := strings.TrimSpace(s[:i])
	v, err := ParseValue(s[i+1:])
	if err != nil {
		return Record{}, err
	}
	rec := Record{Name: name, Kind: r.opts.TextKind, Value: v}
	if err := rec.Validate(); err != nil {
		return Record{}, err
	}
	return rec, nil
}

func clip(s string) string {
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}
