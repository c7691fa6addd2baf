package metric

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode"
)

// ErrorRecord is the optional third record shape of schema version 1: a
// producer that fails part-way says so in the stream before it exits
// non-zero, so that a consumer at the end of a pipeline fails too even
// where the shell has no pipefail (dash, DESIGN.md §1):
//
//	{"error":"connection refused","source":"pgreport","time":"2026-11-22T21:05:00Z"}
//
// The Reader returns it as the error of Next (call Next again to go on,
// as after a *LineError); it is never a Record.
type ErrorRecord struct {
	Msg    string    // "error": what went wrong (required, non-empty)
	Source string    // "source": the producer, e.g. "pgreport" (optional)
	Time   time.Time // "time": when it failed (optional)

	// Where a Reader found it; not written.
	Input string
	Line  int
}

// maxErrorMsg bounds the message a consumer repeats: one stderr line.
const maxErrorMsg = 500

// Error is one line: "stdin:12: pgreport failed: connection refused".
func (e *ErrorRecord) Error() string {
	var b strings.Builder
	if e.Input != "" {
		fmt.Fprintf(&b, "%s:%d: ", e.Input, e.Line)
	}
	who := oneLine(e.Source)
	if who == "" {
		who = "the producer"
	}
	b.WriteString(who)
	b.WriteString(" failed: ")
	b.WriteString(e.Message())
	return b.String()
}

// Message is the producer's message on one line, clipped to a readable length.
func (e *ErrorRecord) Message() string {
	s := oneLine(e.Msg)
	if len(s) > maxErrorMsg {
		cut := maxErrorMsg
		for cut > 0 && s[cut]&0xC0 == 0x80 { // not inside a UTF-8 sequence
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

// oneLine turns control characters (newlines, tabs) into spaces, collapses runs, trims.
func oneLine(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }), " ")
}

// AppendErrorJSON appends e as one JSON object: error, source, time.
func AppendErrorJSON(b []byte, e ErrorRecord) []byte {
	b = append(b, `{"error":`...)
	b = appendString(b, e.Msg)
	if e.Source != "" {
		b = append(b, `,"source":`...)
		b = appendString(b, e.Source)
	}
	if !e.Time.IsZero() {
		b = append(b, `,"time":"`...)
		b = e.Time.UTC().AppendFormat(b, time.RFC3339Nano)
		b = append(b, '"')
	}
	return append(b, '}')
}

// WriteError writes an error record and a newline. A producer calls it (and
// Flush) just before it exits non-zero; an empty message is written as
// "failed" so that the record stays valid.
func (w *Writer) WriteError(e ErrorRecord) error {
	if strings.TrimSpace(e.Msg) == "" {
		e.Msg = "failed"
	}
	w.buf = AppendErrorJSON(w.buf[:0], e)
	w.buf = append(w.buf, '\n')
	_, err := w.w.Write(w.buf)
	return err
}

// fromErrorWire checks an object that has "error": nothing of another shape
// may be mixed in, so that a metric record is never mistaken for a failure.
func fromErrorWire(w *wire) (*ErrorRecord, error) {
	if w.Name != nil || w.Stat != nil || w.Data != nil || w.Kind != "" || w.Value != nil || w.Cnt != nil || w.T != nil || w.Tags != nil || w.EZKey != nil {
		return nil, fmt.Errorf(`object has "error" (error record) and fields of another record`)
	}
	e := &ErrorRecord{}
	if err := json.Unmarshal(w.Error, &e.Msg); err != nil || string(w.Error) == "null" {
		return nil, fmt.Errorf(`error record: "error" is not a string`)
	}
	if strings.TrimSpace(e.Msg) == "" {
		return nil, fmt.Errorf(`error record with an empty "error"`)
	}
	if w.Source != nil {
		e.Source = *w.Source
	}
	if w.Time != nil {
		t, err := jsonTime(w.Time)
		if err != nil {
			return nil, fmt.Errorf("error record: %w", err)
		}
		e.Time = t
	}
	return e, nil
}
