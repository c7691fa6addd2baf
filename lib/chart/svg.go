package chart

import (
	"bytes"
	"math"
	"strconv"
	"sync"
)

// RenderSVG renders q as a standalone, responsive SVG document.
func RenderSVG(q *Query) []byte {
	s := Layout(q)
	out := s.SVG()
	s.release()
	return out
}

var svgBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// SVG writes the scene. Output is a deterministic function of the scene.
//
// Security (ref §2.5): the only user text is escaped character data; colours
// and numbers are formatted from parsed values, so no input can add markup.
// The document has no script, no foreignObject and no external references.
func (s *Scene) SVG() []byte {
	b := svgBuffers.Get().(*bytes.Buffer)
	b.Reset()
	defer svgBuffers.Put(b)
	size := 1024 + len(s.Title)*2
	for i := range s.Items {
		size += 160 + len(s.Items[i].Text)
		for _, l := range s.Items[i].Lines {
			size += 14 * len(l)
		}
	}
	b.Grow(size)
	w, h := strconv.Itoa(s.W), strconv.Itoa(s.H)
	b.WriteString(`<svg xmlns="http://www.w3.org/2000/svg" width="` + w + `" height="` + h +
		`" viewBox="0 0 ` + w + ` ` + h + `" preserveAspectRatio="xMidYMid meet" role="img"`)
	if s.Title != "" {
		b.WriteString(` aria-label="`)
		escape(b, s.Title)
		b.WriteString(`"><title>`)
		escape(b, s.Title)
		b.WriteString(`</title>`)
	} else {
		b.WriteString(`>`)
	}
	b.WriteString("\n")
	inText := false
	for i := range s.Items {
		it := &s.Items[i]
		if it.Kind == KindText && !inText {
			b.WriteString(`<g font-family="` + svgFontFamily + `">` + "\n")
			inText = true
		} else if it.Kind != KindText && inText {
			b.WriteString("</g>\n")
			inText = false
		}
		switch it.Kind {
		case KindRect:
			b.WriteString(`<rect x="`)
			num(b, it.At.X)
			b.WriteString(`" y="`)
			num(b, it.At.Y)
			b.WriteString(`" width="`)
			num(b, it.Size.X)
			b.WriteString(`" height="`)
			num(b, it.Size.Y)
			b.WriteString(`"`)
			paint(b, "fill", it.Fill)
			b.WriteString("/>\n")
		case KindPath:
			b.WriteString(`<path d="`)
			for _, l := range it.Lines {
				for j, p := range l {
					if j == 0 {
						b.WriteByte('M')
					} else {
						b.WriteByte('L')
					}
					num(b, p.X)
					b.WriteByte(' ')
					num(b, p.Y)
				}
				if it.Fill.A != 0 {
					b.WriteByte('Z')
				}
			}
			b.WriteString(`"`)
			paint(b, "fill", it.Fill)
			paint(b, "stroke", it.Stroke)
			if it.Stroke.A != 0 {
				b.WriteString(` stroke-width="`)
				num(b, it.Width)
				b.WriteString(`" stroke-linejoin="round"`)
				if d := dashArray(it.Dash, it.Width); d != nil {
					b.WriteString(` stroke-dasharray="`)
					num(b, d[0])
					b.WriteByte(' ')
					num(b, d[1])
					b.WriteString(`"`)
				} else {
					b.WriteString(` stroke-linecap="round"`)
				}
			}
			b.WriteString("/>\n")
		case KindCircle:
			b.WriteString(`<circle cx="`)
			num(b, it.At.X)
			b.WriteString(`" cy="`)
			num(b, it.At.Y)
			b.WriteString(`" r="`)
			num(b, it.R)
			b.WriteString(`"`)
			paint(b, "fill", it.Fill)
			paint(b, "stroke", it.Stroke)
			if it.Stroke.A != 0 {
				b.WriteString(` stroke-width="`)
				num(b, it.Width)
				b.WriteString(`"`)
			}
			b.WriteString("/>\n")
		case KindText:
			b.WriteString(`<text x="`)
			num(b, it.At.X)
			b.WriteString(`" y="`)
			num(b, it.At.Y)
			b.WriteString(`" font-size="`)
			num(b, it.Font)
			b.WriteString(`"`)
			switch it.Anchor {
			case Middle:
				b.WriteString(` text-anchor="middle"`)
			case End:
				b.WriteString(` text-anchor="end"`)
			}
			if it.Bold {
				b.WriteString(` font-weight="600"`)
			}
			paint(b, "fill", it.Fill)
			b.WriteString(`>`)
			escape(b, it.Text)
			b.WriteString("</text>\n")
		}
	}
	if inText {
		b.WriteString("</g>\n")
	}
	b.WriteString("</svg>\n")
	out := make([]byte, b.Len())
	copy(out, b.Bytes())
	return out
}

// dashArray is the on/off pattern for a stroke style, nil when solid.
func dashArray(d Dash, width float64) []float64 {
	switch d {
	case Dashed:
		return []float64{4 * width, 3 * width}
	case Dotted:
		return []float64{width, 1.5 * width}
	}
	return nil
}

const hexDigits = "0123456789abcdef"

// paint writes ` name="#rrggbb"` (and an opacity when not opaque), or
// ` name="none"` for a transparent colour.
func paint(b *bytes.Buffer, name string, c Color) {
	b.WriteString(" " + name + `="`)
	if c.A == 0 {
		b.WriteString(`none"`)
		return
	}
	b.WriteByte('#')
	for _, v := range [3]uint8{c.R, c.G, c.B} {
		b.WriteByte(hexDigits[v>>4])
		b.WriteByte(hexDigits[v&15])
	}
	b.WriteString(`"`)
	if c.A != 0xFF {
		b.WriteString(" " + name + `-opacity="`)
		num(b, float64(c.A)/255)
		b.WriteString(`"`)
	}
}

// num writes v with at most two decimals and no trailing zeros. Hot: a
// 4,096-point path has 8,192 of them, so it avoids strconv's float path.
func num(b *bytes.Buffer, v float64) {
	if math.IsNaN(v) || math.Abs(v) > 1e12 {
		b.WriteString(strconv.FormatFloat(v, 'f', 2, 64)) // never for layout output
		return
	}
	c := int64(math.Round(v * 100))
	if c < 0 {
		b.WriteByte('-')
		c = -c
	}
	var tmp [24]byte
	i := len(tmp)
	if f := c % 100; f != 0 {
		if f%10 != 0 {
			i--
			tmp[i] = byte('0' + f%10)
		}
		i -= 2
		tmp[i], tmp[i+1] = '.', byte('0'+f/10)
	}
	n := c / 100
	for {
		i--
		tmp[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			break
		}
	}
	b.Write(tmp[i:])
}

// escape writes s as XML character data safe in both text and attributes.
// s has already been cleaned of characters XML forbids (cleanText).
func escape(b *bytes.Buffer, s string) {
	last := 0
	for i := 0; i < len(s); i++ {
		var r string
		switch s[i] {
		case '&':
			r = "&amp;"
		case '<':
			r = "&lt;"
		case '>':
			r = "&gt;"
		case '"':
			r = "&quot;"
		case '\'':
			r = "&#39;"
		default:
			continue
		}
		b.WriteString(s[last:i])
		b.WriteString(r)
		last = i + 1
	}
	b.WriteString(s[last:])
}
