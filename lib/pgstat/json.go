package pgstat

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"reflect"
)

// reportHead is the report without its big per-object lists: the shallower
// fields shadow Report's (encoding/json's dominance rule) and, being nil,
// are omitted. WriteJSON streams the lists after it.
type reportHead struct {
	*Report
	Tables     *struct{} `json:"tables,omitempty"`
	Indexes    *struct{} `json:"indexes,omitempty"`
	Sequences  *struct{} `json:"sequences,omitempty"`
	Statements *struct{} `json:"statements,omitempty"`
	Locks      *struct{} `json:"locks,omitempty"`
	Backends   *struct{} `json:"backends,omitempty"`
	Other      *struct{} `json:"other_processes,omitempty"`
}

// WriteJSON writes the report as pgmetrics does (two-space indentation)
// but one object at a time, so memory does not hold a second copy of a
// 10,000-table report as text.
func WriteJSON(w io.Writer, r *Report) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	head, err := marshalIndentNoEscape(reportHead{Report: r}, "")
	if err != nil {
		return err
	}
	head = bytes.TrimRight(bytes.TrimSuffix(head, []byte("}")), "\n")
	bw.Write(head)
	lists := []struct {
		name      string
		v         any
		omitEmpty bool
	}{
		{"backends", r.Backends, false},
		{"other_processes", r.OtherProcesses, true},
		{"locks", r.Locks, true},
		{"tables", r.Tables, false},
		{"indexes", r.Indexes, false},
		{"sequences", r.Sequences, false},
		{"statements", r.Statements, true},
	}
	for _, l := range lists {
		rv := reflect.ValueOf(l.v)
		if l.omitEmpty && rv.Len() == 0 {
			continue
		}
		bw.WriteString(",\n  \"" + l.name + "\": ")
		if rv.IsNil() {
			bw.WriteString("null")
			continue
		}
		if rv.Len() == 0 {
			bw.WriteString("[]")
			continue
		}
		bw.WriteString("[")
		// One encoder for all elements: its buffer is reused.
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		enc.SetIndent("    ", "  ")
		for i := 0; i < rv.Len(); i++ {
			buf.Reset()
			if err := enc.Encode(rv.Index(i).Interface()); err != nil {
				return err
			}
			if i > 0 {
				bw.WriteString(",")
			}
			bw.WriteString("\n    ")
			bw.Write(bytes.TrimRight(buf.Bytes(), "\n"))
		}
		bw.WriteString("\n  ]")
	}
	bw.WriteString("\n}\n")
	return bw.Flush()
}

func marshalIndentNoEscape(v any, prefix string) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent(prefix, "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}
