package chart

import "strings"

// ErrorScene lays out a small image that shows msg: an <img> has no other
// way to tell its user what was wrong with the URL (ref §2.5).
func ErrorScene(msg string) *Scene {
	msg = "chartd: " + strings.TrimSpace(cleanText(msg))
	const fs, h = 12.0, 28
	w := int(min(max(textWidth(msg, fs, false)+20, 120), 600))
	msg = fitText(msg, fs, false, float64(w)-20)
	return &Scene{W: w, H: h, Title: msg, Items: []Item{
		{Kind: KindRect, Size: Pt{float64(w), h}, Fill: Color{0xFF, 0xF4, 0xF4, 0xFF}},
		{Kind: KindPath, Stroke: Color{0xD9, 0x30, 0x25, 0xFF}, Width: 1,
			Lines: [][]Pt{{{0.5, 0.5}, {float64(w) - 0.5, 0.5}, {float64(w) - 0.5, h - 0.5}, {0.5, h - 0.5}, {0.5, 0.5}}}},
		{Kind: KindText, At: Pt{10, h/2 + fs*0.35}, Text: msg, Font: fs, Fill: Color{0x9B, 0x1C, 0x1C, 0xFF}},
	}}
}
