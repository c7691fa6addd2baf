package chart

import (
	"encoding/xml"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParse: any input either parses into something within the documented
// bounds or fails with a short query error; never a panic.
func FuzzParse(f *testing.F) {
	for _, c := range goldenCases {
		f.Add(c.query)
	}
	f.Add("w=5&h=5&d0=A%zz")
	f.Add("w=5&h=5&d0=" + strings.Repeat("AZ9_", 1100) + "&l0=%3Cb%3E&spark=1")
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := Parse(raw)
		if err != nil {
			if !IsQueryError(err) {
				t.Fatalf("not a query error: %v", err)
			}
			if len(err.Error()) > 160 || !utf8.ValidString(err.Error()) {
				t.Fatalf("error message %q", err)
			}
			return
		}
		if q.W < 1 || q.W > MaxSide || q.H < 1 || q.H > MaxSide || len(q.Datasets) < 1 || len(q.Datasets) > MaxDatasets {
			t.Fatalf("out of bounds: %dx%d, %d datasets", q.W, q.H, len(q.Datasets))
		}
		for _, d := range q.Datasets {
			if len(d.Points) == 0 || len(d.Points) > MaxPoints {
				t.Fatalf("%d points", len(d.Points))
			}
			if utf8.RuneCountInString(d.Label) > MaxTitle || !utf8.ValidString(d.Label) {
				t.Fatalf("label %q", d.Label)
			}
			for _, p := range d.Points {
				if p < -1 || p > MaxIndex {
					t.Fatalf("point %d", p)
				}
			}
		}
		if utf8.RuneCountInString(q.Title) > MaxTitle || !utf8.ValidString(q.Title) {
			t.Fatalf("title %q", q.Title)
		}
	})
}

// FuzzRender: whatever parses renders to well-formed SVG with no markup from
// the input and nothing outside the canvas; small ones also to PNG.
func FuzzRender(f *testing.F) {
	for _, c := range goldenCases {
		f.Add(c.query)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := Parse(raw)
		if err != nil {
			return
		}
		s := Layout(q)
		checkBounds(t, s)
		doc := s.SVG()
		checkSVG(t, doc)
		// The title comes back from the XML exactly: text, never markup.
		if q.Title != "" {
			var parsed struct {
				Title string `xml:"title"`
			}
			if err := xml.Unmarshal(doc, &parsed); err != nil || parsed.Title != q.Title {
				t.Fatalf("title %q came back as %q (%v)", q.Title, parsed.Title, err)
			}
		}
		if q.W*q.H <= 300*300 {
			if _, err := s.PNG(1); err != nil {
				t.Fatal(err)
			}
		}
	})
}
