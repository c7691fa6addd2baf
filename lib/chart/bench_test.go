package chart

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
)

// The Temperature chart from the chartd.co page (issue 7's benchmark chart).
func BenchmarkParse(b *testing.B) {
	for b.Loop() {
		if _, err := Parse(temperature); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRenderSVG(b *testing.B) {
	q := mustParse(b, temperature)
	b.ReportAllocs()
	for b.Loop() {
		_ = RenderSVG(q)
	}
}

func BenchmarkRenderSVG169(b *testing.B) {
	q := mustParse(b, goldenCases[3].query)
	b.ReportAllocs()
	for b.Loop() {
		_ = RenderSVG(q)
	}
}

func BenchmarkRenderPNG(b *testing.B) {
	q := mustParse(b, temperature)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := RenderPNG(q, 2); err != nil {
			b.Fatal(err)
		}
	}
}

type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(p []byte) (int, error) { return len(p), nil }
func (d *discard) WriteHeader(int)             {}

func benchHandler(b *testing.B, distinct bool, ext string) {
	h := NewHandler(HandlerOptions{})
	req := httptest.NewRequest("GET", "/a."+ext+"?"+temperature, nil)
	w := &discard{h: http.Header{}}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if distinct {
			i++
			req.URL.RawQuery = temperature + "&n=" + strconv.Itoa(i) // unknown param: a new cache key, same chart
		}
		clear(w.h)
		h.ServeHTTP(w, req)
	}
}

func BenchmarkHandlerRepeatedSVG(b *testing.B) { benchHandler(b, false, "svg") }
func BenchmarkHandlerDistinctSVG(b *testing.B) { benchHandler(b, true, "svg") }
func BenchmarkHandlerDistinctPNG(b *testing.B) { benchHandler(b, true, "png") }

// Five crossing series do not fit a palette: the true-colour fallback.
func BenchmarkRenderPNGFiveSeries(b *testing.B) {
	q := mustParse(b, fiveSeries)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := RenderPNG(q, 2); err != nil {
			b.Fatal(err)
		}
	}
}
