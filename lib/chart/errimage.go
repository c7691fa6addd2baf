package chart

import (
	"math"
	"strings"
)

// Error image geometry: one line is 28 px high; a long message wraps onto
// at most errMaxLines lines of at most errMaxW px.
const (
	errFont     = 12.0
	errLineH    = 16.0
	errMaxW     = 600.0
	errMaxLines = 3

	errMinW           = 100.0
	errMaxLinesNarrow = 8
)

// ErrorScene lays out a small image that shows msg: an <img> has no other
// way to tell its user what was wrong with the URL (ref §2.5). The whole
// message is shown, wrapped, unless it is longer than three lines.
func ErrorScene(msg string) *Scene { return ErrorSceneWidth(msg, 0) }

// ErrorSceneWidth is ErrorScene at most maxW px wide (the width of the chart
// it replaces, so that a page keeps its layout; at least errMinW, and 0 for
// errMaxW), on more lines when narrow.
func ErrorSceneWidth(msg string, maxW int) *Scene {
	msg = "chartd: " + strings.TrimSpace(cleanText(msg))
	limit, nLines := errMaxW, errMaxLines
	if maxW > 0 && float64(maxW) < errMaxW {
		limit = max(float64(maxW), errMinW)
		nLines = errMaxLinesNarrow
	}
	lines := wrapText(msg, errFont, limit-20, nLines)
	tw := 0.0
	for _, l := range lines {
		tw = max(tw, textWidth(l, errFont, false))
	}
	// Round up: a width rounded down would cut the last character.
	w := int(math.Ceil(min(max(tw+20, min(120, limit)), limit)))
	h := 28 + errLineH*float64(len(lines)-1)
	s := &Scene{W: w, H: int(h), Title: clip(msg, 400), Items: []Item{
		{Kind: KindRect, Size: Pt{float64(w), h}, Fill: Color{0xFF, 0xF4, 0xF4, 0xFF}},
		{Kind: KindPath, Stroke: Color{0xD9, 0x30, 0x25, 0xFF}, Width: 1,
			Lines: [][]Pt{{{0.5, 0.5}, {float64(w) - 0.5, 0.5}, {float64(w) - 0.5, h - 0.5}, {0.5, h - 0.5}, {0.5, 0.5}}}},
	}}
	for i, l := range lines {
		s.Items = append(s.Items, Item{Kind: KindText, At: Pt{10, 14 + errFont*0.35 + errLineH*float64(i)}, Text: l,
			Font: errFont, Fill: Color{0x9B, 0x1C, 0x1C, 0xFF}})
	}
	return s
}

// wrapText breaks s at spaces into at most n lines of at most width px (a
// word wider than a line is broken where it must be); the last line is
// shortened with an ellipsis if the text does not fit.
func wrapText(s string, size, width float64, n int) []string {
	var out []string
	for len(out) < n-1 && textWidth(s, size, false) > width {
		words := strings.Fields(s)
		line := words[0]
		if textWidth(line, size, false) > width {
			r := []rune(line)
			k := len(r) - 1
			for k > 1 && textWidth(string(r[:k]), size, false) > width {
				k--
			}
			out = append(out, string(r[:k]))
			s = strings.Join(append([]string{string(r[k:])}, words[1:]...), " ")
			continue
		}
		k := 1
		for ; k < len(words); k++ {
			next := line + " " + words[k]
			if textWidth(next, size, false) > width {
				break
			}
			line = next
		}
		if k == len(words) { // cannot happen: the whole text did not fit
			break
		}
		out = append(out, line)
		s = strings.Join(words[k:], " ")
	}
	return append(out, fitText(s, size, false, width))
}
