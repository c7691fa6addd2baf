package runner

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestTail(t *testing.T) {
	tests := []struct {
		name   string
		cap    int
		writes []string
		want   string
		total  int64
	}{
		{"empty", 4, nil, "", 0},
		{"fits", 8, []string{"ab", "cd"}, "abcd", 4},
		{"exact", 4, []string{"ab", "cd"}, "abcd", 4},
		{"wraps", 4, []string{"abc", "def"}, "cdef", 6},
		{"one big write", 4, []string{"abcdefghij"}, "ghij", 10},
		{"big write after wrap", 4, []string{"x", "abcdefghij"}, "ghij", 11},
		{"many small", 3, []string{"a", "b", "c", "d", "e"}, "cde", 5},
		{"zero cap", 0, []string{"abc"}, "", 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tl := NewTail(tt.cap)
			for _, w := range tt.writes {
				if n, err := tl.Write([]byte(w)); n != len(w) || err != nil {
					t.Fatalf("Write(%q) = %d, %v", w, n, err)
				}
			}
			if got := string(tl.Bytes()); got != tt.want {
				t.Errorf("Bytes() = %q, want %q", got, tt.want)
			}
			if tl.Total() != tt.total {
				t.Errorf("Total() = %d, want %d", tl.Total(), tt.total)
			}
		})
	}
}

func TestTailSince(t *testing.T) {
	tl := NewTail(4)
	_, _ = tl.Write([]byte("ab"))
	b, next, lost := tl.Since(0)
	if string(b) != "ab" || next != 2 || lost {
		t.Fatalf("Since(0) = %q, %d, %v", b, next, lost)
	}
	_, _ = tl.Write([]byte("c"))
	b, next, lost = tl.Since(next)
	if string(b) != "c" || next != 3 || lost {
		t.Fatalf("Since(2) = %q, %d, %v", b, next, lost)
	}
	_, _ = tl.Write([]byte("defgh")) // total 8, keeps "efgh"
	b, next, lost = tl.Since(next)
	if string(b) != "efgh" || next != 8 || !lost {
		t.Fatalf("Since(3) after overwrite = %q, %d, %v", b, next, lost)
	}
	b, next, lost = tl.Since(next)
	if len(b) != 0 || next != 8 || lost {
		t.Fatalf("Since(8) = %q, %d, %v", b, next, lost)
	}
}

func TestTailWriteDoesNotAllocate(t *testing.T) {
	tl := NewTail(1000)
	p := bytes.Repeat([]byte("x"), 700)
	if n := testing.AllocsPerRun(100, func() { _, _ = tl.Write(p) }); n != 0 {
		t.Errorf("Write allocates %v times per call", n)
	}
}

// FuzzTail checks the ring against the obvious model: the last cap bytes of
// everything written.
func FuzzTail(f *testing.F) {
	f.Add(5, []byte("hello world"), 3)
	f.Add(1, []byte("ab"), 1)
	f.Add(100, []byte(strings.Repeat("xyz", 50)), 7)
	f.Fuzz(func(t *testing.T, capacity int, data []byte, chunk int) {
		if capacity < 0 || capacity > 1<<16 || chunk < 1 {
			t.Skip()
		}
		tl := NewTail(capacity)
		for i := 0; i < len(data); i += chunk {
			_, _ = tl.Write(data[i:min(i+chunk, len(data))])
		}
		want := data[max(0, len(data)-capacity):]
		if got := tl.Bytes(); !bytes.Equal(got, want) {
			t.Fatalf("Bytes() = %q, want %q", got, want)
		}
	})
}

func BenchmarkTailWrite(b *testing.B) {
	tl := NewTail(100_000)
	p := make([]byte, 64<<10)
	b.SetBytes(int64(len(p)))
	for b.Loop() {
		_, _ = tl.Write(p)
	}
}

// SetCap keeps the newest held bytes and the stream offsets: what Since
// returns before and after a resize is the same contiguous end of the output.
func TestTailSetCap(t *testing.T) {
	tests := []struct {
		name    string
		cap     int
		before  string
		newCap  int
		after   string
		want    string
		wantCap int
	}{
		{"grow, nothing dropped", 4, "abc", 8, "defgh", "abcdefgh", 8},
		{"grow after drop keeps a contiguous end", 4, "abcdef", 8, "gh", "cdefgh", 8},
		{"grow then wrap", 4, "abcdef", 6, "ghijk", "fghijk", 6},
		{"shrink keeps the newest", 8, "abcdef", 3, "", "def", 3},
		{"shrink then write", 8, "abcdef", 3, "xy", "fxy", 3},
		{"shrink after wrap", 4, "abcdefg", 2, "", "fg", 2},
		{"to zero", 4, "abc", 0, "d", "", 0},
		{"from zero", 0, "abc", 4, "de", "de", 4},
		{"same cap", 4, "abcdef", 4, "g", "defg", 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tl := NewTail(tt.cap)
			_, _ = tl.Write([]byte(tt.before))
			tl.SetCap(tt.newCap)
			_, _ = tl.Write([]byte(tt.after))
			if got := string(tl.Bytes()); got != tt.want {
				t.Errorf("Bytes() = %q, want %q", got, tt.want)
			}
			if tl.Cap() != tt.wantCap {
				t.Errorf("Cap() = %d, want %d", tl.Cap(), tt.wantCap)
			}
			if want := int64(len(tt.before) + len(tt.after)); tl.Total() != want {
				t.Errorf("Total() = %d, want %d", tl.Total(), want)
			}
			// Since(0) reports the loss exactly when bytes were dropped.
			_, _, lost := tl.Since(0)
			if wantLost := len(tt.want) < len(tt.before)+len(tt.after); lost != wantLost {
				t.Errorf("Since(0) lost = %v, want %v", lost, wantLost)
			}
		})
	}
}

// The ring only grows as far as the output needs: a quiet command costs no
// buffer, a chatty one at most Cap.
func TestTailGrowsLazily(t *testing.T) {
	tl := NewTail(100_000)
	if len(tl.buf) != 0 {
		t.Fatalf("new tail holds %d bytes, want 0", len(tl.buf))
	}
	_, _ = tl.Write([]byte("hello\n"))
	if len(tl.buf) > 4096 {
		t.Errorf("after 6 bytes the ring is %d bytes, want ≤ 4096", len(tl.buf))
	}
	_, _ = tl.Write(bytes.Repeat([]byte("x"), 300_000))
	if len(tl.buf) != 100_000 {
		t.Errorf("after 300 kB the ring is %d bytes, want the cap 100000", len(tl.buf))
	}
}

// Against a model: the tail holds the last k bytes of the stream, where k
// grows with each write up to the cap and shrinks with a smaller cap.
func TestTailModel(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 200 {
		limit := rng.IntN(64)
		tl := NewTail(limit)
		var stream []byte
		k := 0
		for step := range 40 {
			if rng.IntN(5) == 0 {
				limit = rng.IntN(64)
				tl.SetCap(limit)
				k = min(k, limit)
				continue
			}
			p := make([]byte, rng.IntN(40))
			for i := range p {
				p[i] = byte('a' + rng.IntN(26))
			}
			_, _ = tl.Write(p)
			stream = append(stream, p...)
			k = min(k+len(p), limit)
			if got, want := string(tl.Bytes()), string(stream[len(stream)-k:]); got != want {
				t.Fatalf("round %d step %d (cap %d): Bytes() = %q, want %q", round, step, limit, got, want)
			}
		}
	}
}
