package fakehc

import (
	"bytes"
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// kv is one member of an ordered JSON object.
type kv struct {
	K string
	V any
}

// obj is a JSON object that keeps its key order, as Django's JsonResponse
// does with Python dicts.
type obj []kv

func (o obj) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := marshal(m.K)
		b.Write(k)
		b.WriteByte(':')
		v, err := marshal(m.V)
		if err != nil {
			return nil, err
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// pyFloat prints like Python's float repr: 2.0 rather than 2.
type pyFloat float64

func (f pyFloat) MarshalJSON() ([]byte, error) {
	s := strconv.FormatFloat(float64(f), 'f', -1, 64)
	if !bytes.ContainsAny([]byte(s), ".eE") {
		s += ".0"
	}
	return []byte(s), nil
}

// pyJSON encodes v the way Python's json.dumps does by default: one line with
// ", " and ": " separators. Non-ASCII is escaped as \uXXXX like Python's
// ensure_ascii.
func pyJSON(v any) []byte {
	raw, err := marshal(v)
	if err != nil {
		// Only our own values are encoded here; a failure is a bug in the fake.
		raw = []byte(`{"error": "fake: ` + err.Error() + `"}`)
	}
	var out bytes.Buffer
	out.Grow(len(raw) + len(raw)/8)
	inStr, esc := false, false
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case inStr && c >= utf8.RuneSelf:
			r, size := utf8.DecodeRune(raw[i:])
			writeUEscape(&out, r)
			i += size - 1
		case inStr:
			switch {
			case esc:
				esc = false
			case c == '\\':
				esc = true
			case c == '"':
				inStr = false
			}
			out.WriteByte(c)
		case c == '"':
			inStr = true
			out.WriteByte(c)
		case c == ',' || c == ':':
			out.WriteByte(c)
			out.WriteByte(' ')
		default:
			out.WriteByte(c)
		}
	}
	return out.Bytes()
}

func writeUEscape(b *bytes.Buffer, r rune) {
	hex := func(v rune) {
		s := strconv.FormatInt(int64(v), 16)
		b.WriteString(`\u`)
		for i := len(s); i < 4; i++ {
			b.WriteByte('0')
		}
		b.WriteString(s)
	}
	if r > 0xffff {
		r -= 0x10000
		hex(0xd800 + (r>>10)&0x3ff)
		hex(0xdc00 + r&0x3ff)
		return
	}
	hex(r)
}

// marshal is json.Marshal without the HTML escaping Python does not do.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	e := json.NewEncoder(&b)
	e.SetEscapeHTML(false)
	if err := e.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}
