package metric

import (
	"bytes"
	"strconv"
	"unicode/utf8"
)

// The fast path: canonical metric-record lines, exactly what Writer writes,
// {"name":..,"kind":..,"value":..[,"time":..][,"tags":{..}]} with no whitespace
// and no escapes, are parsed by hand; every other line (and any
// canonical-looking line the fast path is not sure of) goes through the
// general parser, so records and errors are exactly the same (FuzzFastPath
// checks this). statpost needs it to read 500,000 records/s: encoding/json
// alone manages about half that.

// parseCanonical parses a canonical record line; ok is false when the line
// is anything else or the fast path cannot be sure to agree with the
// general parser (then the caller uses it).
func parseCanonical(s []byte) (rec Record, ok bool) {
	p := s
	if !bytes.HasPrefix(p, []byte(`{"name":`)) {
		return rec, false
	}
	p = p[len(`{"name":`):]
	name, p, ok := plainString(p)
	if !ok {
		return rec, false
	}
	rec.Name = name
	switch {
	case bytes.HasPrefix(p, []byte(`,"kind":"count"`)):
		rec.Kind = Count
		p = p[len(`,"kind":"count"`):]
	case bytes.HasPrefix(p, []byte(`,"kind":"value"`)):
		rec.Kind = Value
		p = p[len(`,"kind":"value"`):]
	case bytes.HasPrefix(p, []byte(`,"kind":"counter"`)):
		rec.Kind = Counter
		p = p[len(`,"kind":"counter"`):]
	default:
		return rec, false
	}
	if !bytes.HasPrefix(p, []byte(`,"value":`)) {
		return rec, false
	}
	p = p[len(`,"value":`):]
	n := jsonNumberLen(p)
	if n == 0 {
		return rec, false
	}
	v, err := strconv.ParseFloat(string(p[:n]), 64)
	if err != nil {
		return rec, false
	}
	rec.Value = v
	p = p[n:]
	if bytes.HasPrefix(p, []byte(`,"time":`)) {
		p = p[len(`,"time":`):]
		var ts string
		if ts, p, ok = plainString(p); !ok {
			return rec, false
		}
		t, err := ParseTime(ts)
		if err != nil {
			return rec, false
		}
		rec.Time = t
	}
	if bytes.HasPrefix(p, []byte(`,"tags":{`)) {
		p = p[len(`,"tags":{`):]
		rec.Tags = map[string]string{}
		for len(p) > 0 && p[0] != '}' {
			var k, v string
			if k, p, ok = plainString(p); !ok || len(p) == 0 || p[0] != ':' {
				return rec, false
			}
			if v, p, ok = plainString(p[1:]); !ok {
				return rec, false
			}
			rec.Tags[k] = v
			if len(p) > 0 && p[0] == ',' && len(p) > 1 && p[1] == '"' {
				p = p[1:]
			} else if len(p) == 0 || p[0] != '}' {
				return rec, false
			}
		}
		if len(p) == 0 {
			return rec, false
		}
		p = p[1:]
	}
	if len(p) != 1 || p[0] != '}' {
		return rec, false
	}
	if rec.Validate() != nil {
		return rec, false
	}
	return rec, true
}

// plainString reads a JSON string with no escapes and no control
// characters, in valid UTF-8; it returns the rest after the closing quote.
func plainString(p []byte) (string, []byte, bool) {
	if len(p) == 0 || p[0] != '"' {
		return "", p, false
	}
	ascii := true
	for i := 1; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '"':
			b := p[1:i]
			if !ascii && !utf8.Valid(b) {
				return "", p, false
			}
			return string(b), p[i+1:], true
		case c == '\\' || c < 0x20:
			return "", p, false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return "", p, false
}

// jsonNumberLen returns the length of the JSON number at the start of p
// (RFC 8259 grammar), or 0 if there is none.
func jsonNumberLen(p []byte) int {
	i := 0
	if i < len(p) && p[i] == '-' {
		i++
	}
	switch {
	case i < len(p) && p[i] == '0':
		i++
	case i < len(p) && p[i] >= '1' && p[i] <= '9':
		for i < len(p) && p[i] >= '0' && p[i] <= '9' {
			i++
		}
	default:
		return 0
	}
	if i < len(p) && p[i] == '.' {
		i++
		if i >= len(p) || p[i] < '0' || p[i] > '9' {
			return 0
		}
		for i < len(p) && p[i] >= '0' && p[i] <= '9' {
			i++
		}
	}
	if i < len(p) && (p[i] == 'e' || p[i] == 'E') {
		i++
		if i < len(p) && (p[i] == '+' || p[i] == '-') {
			i++
		}
		if i >= len(p) || p[i] < '0' || p[i] > '9' {
			return 0
		}
		for i < len(p) && p[i] >= '0' && p[i] <= '9' {
			i++
		}
	}
	return i
}
