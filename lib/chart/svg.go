package chart

import (
	"math"
	"slices"
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

var svgBuffers = sync.Pool{New: func() any { return new([]byte) }}

// SVG writes the scene. Output is a deterministic function of the scene.
//
// Security (ref §2.5): the only user text is escaped character data; colours
// and numbers are formatted from parsed values, so no input can add markup.
// The document has no script, no foreignObject and no external references.
func (s *Scene) SVG() []byte {
	pb := svgBuffers.Get().(*[]byte)
	defer svgBuffers.Put(pb)
	size := 1024 + len(s.Title)*2
	for i := range s.Items {
		size += 160 + len(s.Items[i].Text)
		for _, l := range s.Items[i].Lines {
			size += 14 * len(l)
		}
	}
	b := slices.Grow((*pb)[:0], size)
	defer func() { *pb = b[:0] }()
	w, h := strconv.Itoa(s.W), strconv.Itoa(s.H)
	b = append(b, `<svg xmlns="http://www.w3.org/2000/svg" width="`+w+`" height="`+h+
		`" viewBox="0 0 `+w+` `+h+`" preserveAspectRatio="xMidYMid meet" role="img"`...)
	if s.Title != "" {
		b = append(b, ` aria-label="`...)
		b = escape(b, s.Title)
		b = append(b, `"><title>`...)
		b = escape(b, s.Title)
		b = append(b, `</title>`...)
	} else {
		b = append(b, `>`...)
	}
	b = append(b, "\n"...)
	inText := false
	for i := range s.Items {
		it := &s.Items[i]
		if it.Kind == KindText && !inText {
			b = append(b, `<g font-family="`+svgFontFamily+`">`+"\n"...)
			inText = true
		} else if it.Kind != KindText && inText {
			b = append(b, "</g>\n"...)
			inText = false
		}
		switch it.Kind {
		case KindRect:
			b = append(b, `<rect`...)
			b = attr(b, ` x="`, it.At.X)
			b = attr(b, ` y="`, it.At.Y)
			b = attr(b, ` width="`, it.Size.X)
			b = attr(b, ` height="`, it.Size.Y)
			b = paint(b, "fill", it.Fill)
			b = append(b, "/>\n"...)
		case KindPath:
			b = append(b, `<path d="`...)
			for _, l := range it.Lines {
				for j, p := range l {
					if j == 0 {
						b = append(b, 'M')
					} else {
						b = append(b, 'L')
					}
					b = num(b, p.X)
					b = append(b, ' ')
					b = num(b, p.Y)
				}
				if it.Fill.A != 0 {
					b = append(b, 'Z')
				}
			}
			b = append(b, `"`...)
			b = paint(b, "fill", it.Fill)
			b = paint(b, "stroke", it.Stroke)
			if it.Stroke.A != 0 {
				b = attr(b, ` stroke-width="`, it.Width)
				b = append(b, ` stroke-linejoin="round"`...)
				if d := dashArray(it.Dash, it.Width); d != nil {
					b = append(b, ` stroke-dasharray="`...)
					b = num(b, d[0])
					b = append(b, ' ')
					b = num(b, d[1])
					b = append(b, `"`...)
				} else {
					b = append(b, ` stroke-linecap="round"`...)
				}
			}
			b = append(b, "/>\n"...)
		case KindCircle:
			b = append(b, `<circle`...)
			b = attr(b, ` cx="`, it.At.X)
			b = attr(b, ` cy="`, it.At.Y)
			b = attr(b, ` r="`, it.R)
			b = paint(b, "fill", it.Fill)
			b = paint(b, "stroke", it.Stroke)
			if it.Stroke.A != 0 {
				b = attr(b, ` stroke-width="`, it.Width)
			}
			b = append(b, "/>\n"...)
		case KindText:
			b = append(b, `<text`...)
			b = attr(b, ` x="`, it.At.X)
			b = attr(b, ` y="`, it.At.Y)
			b = attr(b, ` font-size="`, it.Font)
			switch it.Anchor {
			case Middle:
				b = append(b, ` text-anchor="middle"`...)
			case End:
				b = append(b, ` text-anchor="end"`...)
			}
			if it.Bold {
				b = append(b, ` font-weight="600"`...)
			}
			b = paint(b, "fill", it.Fill)
			b = append(b, `>`...)
			b = escape(b, it.Text)
			b = append(b, "</text>\n"...)
		}
	}
	if inText {
		b = append(b, "</g>\n"...)
	}
	b = append(b, "</svg>\n"...)
	out := make([]byte, len(b))
	copy(out, b)
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

// attr writes a number attribute: open is ` name="`, the closing quote is added.
func attr(b []byte, open string, v float64) []byte {
	b = append(b, open...)
	b = num(b, v)
	return append(b, '"')
}

const hexDigits = "0123456789abcdef"

// paint writes ` name="#rrggbb"` (and an opacity when not opaque), or
// ` name="none"` for a transparent colour.
func paint(b []byte, name string, c Color) []byte {
	b = append(b, " "+name+`="`...)
	if c.A == 0 {
		b = append(b, `none"`...)
		return b
	}
	b = append(b, '#')
	for _, v := range [3]uint8{c.R, c.G, c.B} {
		b = append(b, hexDigits[v>>4])
		b = append(b, hexDigits[v&15])
	}
	b = append(b, `"`...)
	if c.A != 0xFF {
		b = append(b, " "+name+`-opacity="`...)
		b = num(b, float64(c.A)/255)
		b = append(b, `"`...)
	}
	return b
}

// num writes v with at most two decimals and no trailing zeros. Hot: a
// 4,096-point path has 8,192 of them, so it avoids strconv's float path.
func num(b []byte, v float64) []byte {
	if math.IsNaN(v) || math.Abs(v) > 1e12 {
		return strconv.AppendFloat(b, v, 'f', 2, 64) // never for layout output
	}
	c := int64(math.Round(v * 100))
	if c < 0 {
		b = append(b, '-')
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
	return append(b, tmp[i:]...)
}

// escape writes s as XML character data safe in both text and attributes.
// s has already been cleaned of characters XML forbids (cleanText).
func escape(b []byte, s string) []byte {
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
		b = append(b, s[last:i]...)
		b = append(b, r...)
		last = i + 1
	}
	return append(b, s[last:]...)
}
