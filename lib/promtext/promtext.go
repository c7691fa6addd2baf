// Package promtext reads the Prometheus text exposition format (version
// 0.0.4, as served on /metrics) and turns it into metric records for
// statpost --from prometheus: gauges and untyped samples become values;
// counters (and the _sum/_count of histograms and summaries) become records
// of kind counter, their cumulative value, which statpost's sinks turn into
// increases (per destination) or counters. It is not a public API.
package promtext

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/cronkit/cronkit/lib/metric"
)

// Sample is one exposition line.
type Sample struct {
	Name   string
	Labels map[string]string
	Value  float64
	TS     int64 // milliseconds, 0 if absent
}

// Parser reads samples and remembers # TYPE lines.
type Parser struct {
	br    *bufio.Reader
	line  int
	types map[string]string
}

// NewParser reads r.
func NewParser(r io.Reader) *Parser {
	return &Parser{br: bufio.NewReaderSize(r, 64<<10), types: map[string]string{}}
}

// Line is the current line number.
func (p *Parser) Line() int { return p.line }

// Type returns the declared type of a sample's family ("counter", "gauge",
// "histogram", "summary", "untyped") and the family name.
func (p *Parser) Type(name string) (typ, family string) {
	if t, ok := p.types[name]; ok {
		return t, name
	}
	for _, suf := range []string{"_total", "_sum", "_count", "_bucket", "_created"} {
		if base, ok := strings.CutSuffix(name, suf); ok {
			if t, ok := p.types[base]; ok {
				return t, base
			}
		}
	}
	return "untyped", name
}

// Next returns the next sample, a *metric.LineError for a bad line, or io.EOF.
func (p *Parser) Next() (Sample, error) {
	for {
		raw, err := p.br.ReadString('\n')
		if raw == "" && err != nil {
			return Sample{}, err
		}
		p.line++
		s := strings.TrimSpace(raw)
		if s == "" {
			continue
		}
		if s[0] == '#' {
			f := strings.Fields(s)
			if len(f) >= 4 && f[1] == "TYPE" {
				p.types[f[2]] = f[3]
			}
			continue
		}
		smp, perr := ParseSample(s)
		if perr != nil {
			return Sample{}, &metric.LineError{Source: "stdin", Line: p.line, Err: perr}
		}
		return smp, nil
	}
}

// ParseSample parses `name{label="value",...} value [timestamp]`.
func ParseSample(s string) (Sample, error) {
	var smp Sample
	i := 0
	for i < len(s) && isNameChar(s[i], i == 0) {
		i++
	}
	if i == 0 {
		return smp, fmt.Errorf("line %q does not start with a metric name", clip(s))
	}
	smp.Name = s[:i]
	if i < len(s) && s[i] == '{' {
		i++
		smp.Labels = map[string]string{}
		for {
			for i < len(s) && s[i] == ' ' {
				i++
			}
			if i < len(s) && s[i] == '}' {
				i++
				break
			}
			j := i
			for j < len(s) && isNameChar(s[j], j == i) && s[j] != ':' {
				j++
			}
			if j == i || j+1 >= len(s) || s[j] != '=' || s[j+1] != '"' {
				return smp, fmt.Errorf("bad label at byte %d in %q", i+1, clip(s))
			}
			key := s[i:j]
			i = j + 2
			var val strings.Builder
			closed := false
			for i < len(s) {
				c := s[i]
				if c == '\\' && i+1 < len(s) {
					switch s[i+1] {
					case 'n':
						val.WriteByte('\n')
					case '\\', '"':
						val.WriteByte(s[i+1])
					default:
						val.WriteByte('\\')
						val.WriteByte(s[i+1])
					}
					i += 2
					continue
				}
				if c == '"' {
					closed = true
					i++
					break
				}
				val.WriteByte(c)
				i++
			}
			if !closed {
				return smp, fmt.Errorf("unterminated label value in %q", clip(s))
			}
			smp.Labels[key] = val.String()
			for i < len(s) && s[i] == ' ' {
				i++
			}
			if i < len(s) && s[i] == ',' {
				i++
				continue
			}
			if i < len(s) && s[i] == '}' {
				i++
				break
			}
			return smp, fmt.Errorf("bad label list in %q", clip(s))
		}
	}
	rest := strings.Fields(s[i:])
	if len(rest) < 1 || len(rest) > 2 {
		return smp, fmt.Errorf("line %q: want NAME[{LABELS}] VALUE [TIMESTAMP]", clip(s))
	}
	v, err := parseFloat(rest[0])
	if err != nil {
		return smp, fmt.Errorf("value %q is not a number", rest[0])
	}
	smp.Value = v
	if len(rest) == 2 {
		ts, err := strconv.ParseInt(rest[1], 10, 64)
		if err != nil {
			return smp, fmt.Errorf("timestamp %q is not integer milliseconds", rest[1])
		}
		smp.TS = ts
	}
	return smp, nil
}

func parseFloat(s string) (float64, error) {
	switch s {
	case "+Inf", "Inf":
		return math.Inf(1), nil
	case "-Inf":
		return math.Inf(-1), nil
	case "NaN":
		return math.NaN(), nil
	}
	return strconv.ParseFloat(s, 64)
}

func isNameChar(c byte, first bool) bool {
	return c == '_' || c == ':' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || (!first && c >= '0' && c <= '9')
}

func clip(s string) string {
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}

// Reader turns samples into records, statpost-style (see the package comment).
type Reader struct {
	p       *Parser
	Skipped int // samples that are not posted: buckets, quantiles, NaN/Inf
}

// NewReader reads r.
func NewReader(r io.Reader) *Reader {
	return &Reader{p: NewParser(r)}
}

// Line is the current line number.
func (r *Reader) Line() int { return r.p.Line() }

// Next returns the next record (io.EOF at the end, *metric.LineError for a bad line).
func (r *Reader) Next() (metric.Record, error) {
	for {
		smp, err := r.p.Next()
		if err != nil {
			return metric.Record{}, err
		}
		typ, _ := r.p.Type(smp.Name)
		rec := metric.Record{Name: smp.Name, Tags: smp.Labels, Value: smp.Value}
		if len(rec.Tags) == 0 {
			rec.Tags = nil
		}
		if smp.TS != 0 {
			rec.Time = time.UnixMilli(smp.TS).UTC()
		}
		if math.IsNaN(smp.Value) || math.IsInf(smp.Value, 0) {
			r.Skipped++
			continue
		}
		counter := typ == "counter" ||
			(typ == "histogram" || typ == "summary") && (strings.HasSuffix(smp.Name, "_sum") || strings.HasSuffix(smp.Name, "_count"))
		switch {
		case counter:
			rec.Kind = metric.Counter
		case typ == "histogram" || typ == "summary":
			r.Skipped++ // buckets and quantiles have no count/value meaning
			continue
		default:
			rec.Kind = metric.Value
		}
		return rec, nil
	}
}

// SeriesKey names a series: the metric name and its sorted labels.
func SeriesKey(name string, labels map[string]string) string {
	keys := make([]string, 0, len(labels))
	for k := range labels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(name)
	for _, k := range keys {
		b.WriteString("," + k + "=" + strconv.Quote(labels[k]))
	}
	return b.String()
}
