package chart

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestReadSeries(t *testing.T) {
	in := `# comment
1
2.5
{"name":"db.size","kind":"value","value":10,"time":"2026-11-22T21:05:00Z"}
cpu load 0.5
{"stat":"db.size","value":12,"t":1795381200}
3
`
	ss, err := ReadSeries(strings.NewReader(in), "stdin")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range ss {
		got = append(got, s.Name+":"+strings.Trim(strings.Join(strings.Fields(strings.Trim(fmtVals(s.Values), "[]")), ","), ""))
	}
	if g := strings.Join(got, " "); g != "value:1,2.5,3 db.size:10,12 cpu load:0.5" {
		t.Errorf("series = %s", g)
	}
	_, err = ReadSeries(strings.NewReader("1\n2\nx y z\n"), "stdin")
	if err == nil || err.Error() != `stdin:3: value "z" is not a number` || !IsQueryError(err) {
		t.Errorf("bad line: %v", err)
	}
}

func fmtVals(v []float64) string {
	var b strings.Builder
	for _, x := range v {
		b.WriteString(fnum(x) + " ")
	}
	return b.String()
}

func TestSelectSeries(t *testing.T) {
	var all []Series
	for _, n := range []string{"a.1", "a.2", "b.1", "c", "d", "e"} {
		all = append(all, Series{Name: n, Values: []float64{1}})
	}
	// The caller words the remedy in its own flag (issue 18).
	if _, err := SelectSeries(all, nil); err == nil || !strings.Contains(err.Error(), "6 series") || err.(*Error).Remedy != OptSeries {
		t.Errorf("too many: %v", err)
	}
	got, err := SelectSeries(all, []string{"b.*", "a.*", "a.1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0].Name != "b.1" || got[1].Name != "a.1" || got[2].Name != "a.2" {
		t.Errorf("selected %v", got)
	}
	if _, err := SelectSeries(all, []string{"zz*"}); err == nil || !strings.Contains(err.Error(), `"zz*" matches none`) {
		t.Errorf("no match: %v", err)
	}
	if _, err := SelectSeries(all, []string{"["}); err == nil {
		t.Error("bad glob accepted")
	}
	if _, err := SelectSeries(nil, nil); err == nil || err.Error() != "no data on stdin" {
		t.Errorf("empty: %v", err)
	}
}

func TestBuildQuery(t *testing.T) {
	ten := Series{Name: "value"}
	for i := 1; i <= 10; i++ {
		ten.Values = append(ten.Values, float64(i))
		ten.Times = append(ten.Times, time.Time{}) // bare numbers have no time
	}
	q, err := BuildQuery([]Series{ten}, ChartOptions{W: 580, H: 180, Title: "Ten & more", HL: true})
	if err != nil {
		t.Fatal(err)
	}
	if want := "w=580&h=180&d0=GMSYekqw29&ymin=0&ymax=10&t=Ten+%26+more&hl=1"; q != want {
		t.Errorf("query\n got %s\nwant %s", q, want)
	}
	p, err := Parse(q)
	if err != nil || p.Title != "Ten & more" {
		t.Fatalf("round trip: %v %+v", err, p)
	}
	// Times: sorted, and they give xmin/xmax; equal values get a range.
	in := `{"name":"x","kind":"value","value":5,"time":"2026-11-22T22:00:00Z"}
{"name":"x","kind":"value","value":5,"time":"2026-11-22T21:00:00Z"}
`
	ss, _ := ReadSeries(strings.NewReader(in), "stdin")
	q, err = BuildQuery(ss, ChartOptions{W: 300, H: 100, TZ: "Europe/Paris"})
	if err != nil {
		t.Fatal(err)
	}
	if want := "w=300&h=100&d0=ee&ymin=4.5&ymax=5.5&xmin=1795381200&xmax=1795384800&tz=Europe%2FParis"; q != want {
		t.Errorf("query\n got %s\nwant %s", q, want)
	}
	lo, hi := 0.0, 100.0
	q, _ = BuildQuery([]Series{{Name: "v", Values: []float64{50, 150}}}, ChartOptions{W: 5, H: 5, YMin: &lo, YMax: &hi, Step: true, OnlyLeft: true})
	if want := "w=5&h=5&d0=e9&ymin=0&ymax=100&step=1&ol=1"; q != want {
		t.Errorf("given range: %s", q)
	}
	if _, err := BuildQuery([]Series{{Name: "v", Values: []float64{1}}}, ChartOptions{W: 5, H: 5, YMin: &hi, YMax: &lo}); err == nil {
		t.Error("inverted range accepted")
	}
	// Large values print with an exponent (1.38e+07): the + must survive the round trip.
	q, err = BuildQuery([]Series{{Name: "v", Values: []float64{2.5e6, 13800466}}}, ChartOptions{W: 5, H: 5})
	if err != nil {
		t.Fatal(err)
	}
	if p, err := Parse(q); err != nil || p.YMax != 1.4e7 || !strings.Contains(q, "e%2B07") {
		t.Errorf("exponent round trip: %s: %v", q, err)
	}
	// More points than a dataset holds: downsampled, and said so.
	big := Series{Name: "big", Values: make([]float64, 5760)}
	big.Values[3000] = 7
	var said string
	q, err = BuildQuery([]Series{big}, ChartOptions{W: 5, H: 5, Downsampled: func(n string, from, to int) { said = fmt.Sprintf("%s %d %d", n, from, to) }})
	if err != nil || said != "big 5760 4095" {
		t.Fatalf("5760 points: %v, said %q", err, said)
	}
	if p, err := ParseUnbounded(q); err != nil || len(p.Datasets[0].Points) > MaxPoints || slices.Max(p.Datasets[0].Points) == 0 {
		t.Errorf("downsampled query: %v (the spike must survive)", err)
	}
}

// Series with different times share one time axis: column j is the same
// time in every dataset. A later start is a gap, a missing time in between
// is on the line between its neighbours (held with step); series on the
// same times are unchanged.
func TestBuildQueryAlignsTimes(t *testing.T) {
	rec := func(name string, v float64, hour int) string {
		return fmt.Sprintf(`{"name":%q,"kind":"value","value":%g,"time":"2026-11-22T%02d:00:00Z"}`+"\n", name, v, hour)
	}
	tests := []struct {
		in   string
		step bool
		want string
	}{
		// b starts an hour later: a gap under 21:00, not stretched across.
		{rec("a", 1, 21) + rec("a", 2, 22) + rec("a", 3, 23) + rec("b", 3, 22) + rec("b", 1, 23), false, "d0=Ae9&d1=_9A&"},
		// b has no 22:00: the straight line between its points.
		{rec("a", 1, 21) + rec("a", 2, 22) + rec("a", 3, 23) + rec("b", 1, 21) + rec("b", 3, 23), false, "d0=Ae9&d1=Ae9&"},
		{rec("a", 1, 21) + rec("a", 2, 22) + rec("a", 3, 23) + rec("b", 1, 21) + rec("b", 3, 23), true, "d0=Ae9&d1=AA9&"},
		// b ends early: gaps after its last point.
		{rec("a", 1, 21) + rec("a", 3, 23) + rec("b", 2, 21) + rec("b", 3, 22), false, "d0=Ae9&d1=e9_&"},
		// The same times, in any order: each series in time order, as before.
		{rec("a", 3, 23) + rec("a", 1, 21) + rec("b", 1, 21) + rec("b", 3, 23), false, "d0=A9&d1=A9&"},
		// Two records of one series at one time: nothing is dropped.
		{rec("a", 1, 21) + rec("a", 2, 21) + rec("a", 3, 22) + rec("b", 1, 22), false, "d0=Ae9&d1=A&"},
	}
	for _, tt := range tests {
		ss, err := ReadSeries(strings.NewReader(tt.in), "stdin")
		if err != nil {
			t.Fatal(err)
		}
		q, err := BuildQuery(ss, ChartOptions{W: 300, H: 100, Step: tt.step})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(q, "&"+tt.want) {
			t.Errorf("step=%v: query %s, want %s", tt.step, q, tt.want)
		}
		if _, err := Parse(q); err != nil {
			t.Errorf("%s: %v", q, err)
		}
	}
}

// Transform runs first: what it returns is what is scaled and drawn (the
// hook a counter-to-rate step plugs into), and its error stops the chart.
func TestBuildQueryTransform(t *testing.T) {
	counter := Series{Name: "xact_commit", Values: []float64{100, 110, 130, 160}}
	diff := func(s Series) (Series, error) {
		out := Series{Name: s.Name}
		for i := 1; i < len(s.Values); i++ {
			out.Values = append(out.Values, s.Values[i]-s.Values[i-1])
		}
		return out, nil
	}
	q, err := BuildQuery([]Series{counter}, ChartOptions{W: 100, H: 50, Transform: diff})
	if err != nil {
		t.Fatal(err)
	}
	if want := "w=100&h=50&d0=Ae9&ymin=10&ymax=30"; q != want {
		t.Errorf("got %s, want %s", q, want)
	}
	bad := func(Series) (Series, error) { return Series{}, &Error{Msg: "no rate from one point"} }
	if _, err := BuildQuery([]Series{counter}, ChartOptions{W: 100, H: 50, Transform: bad}); err == nil || err.Error() != "no rate from one point" {
		t.Errorf("transform error: %v", err)
	}
}
