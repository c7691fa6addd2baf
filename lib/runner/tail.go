package runner

import "sync"

// Tail keeps the last Cap bytes written to it: a ring buffer. Memory is
// bounded by Cap whatever is written; the ring grows (doubling) only as far as
// the output needs, so a quiet command costs no buffer at all, and once full
// Write never allocates: a child printing gigabytes costs one memcpy per byte.
type Tail struct {
	mu    sync.Mutex
	buf   []byte
	limit int   // Cap
	total int64 // bytes ever written
	kept  int64 // bytes of the stream's end held in buf (≤ len(buf))
}

// NewTail returns a Tail keeping the last n bytes (n < 1 keeps nothing).
func NewTail(n int) *Tail {
	return &Tail{limit: max(n, 0)}
}

// SetCap changes how many bytes are kept, keeping the newest of what is held:
// runwrap learns the server's Ping-Body-Limit while the command already runs.
// What is held stays a contiguous end of the stream, so Bytes and Since keep
// their meaning; output dropped before a larger cap arrived stays dropped.
func (t *Tail) SetCap(n int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.limit = max(n, 0)
	if len(t.buf) > t.limit {
		t.resize(t.limit)
	}
}

// resize re-lays the ring into a buffer of n bytes, keeping the newest.
func (t *Tail) resize(n int) {
	old, size := t.buf, int64(len(t.buf))
	keep := min(t.kept, int64(n))
	t.buf = make([]byte, n)
	if n > 0 {
		for x := t.total - keep; x < t.total; x++ { // stream offset x: old[x mod size] → buf[x mod n]
			t.buf[x%int64(n)] = old[x%size]
		}
	}
	t.kept = keep
}

// Cap is the number of bytes kept.
func (t *Tail) Cap() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.limit
}

// Write keeps the tail of p. It never fails.
func (t *Tail) Write(p []byte) (int, error) {
	n := len(p)
	t.mu.Lock()
	defer t.mu.Unlock()
	if need := t.kept + int64(n); need > int64(len(t.buf)) && len(t.buf) < t.limit {
		t.resize(int(min(int64(t.limit), max(need, 2*int64(len(t.buf)), 4096))))
	}
	t.total += int64(n)
	size := len(t.buf)
	if size == 0 {
		return n, nil
	}
	t.kept = min(t.kept+int64(n), int64(size))
	if len(p) > size {
		p = p[len(p)-size:]
	}
	// The byte at stream offset x lives at index x mod size.
	start := int((t.total - int64(len(p))) % int64(size))
	c := copy(t.buf[start:], p)
	if c < len(p) {
		copy(t.buf, p[c:])
	}
	return n, nil
}

// Total is the number of bytes ever written.
func (t *Tail) Total() int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.total
}

// Bytes returns a copy of the kept bytes, oldest first.
func (t *Tail) Bytes() []byte {
	b, _, _ := t.Since(0)
	return b
}

// Since returns a copy of what was written from stream offset pos on (pos is
// a value of Total), the offset to pass next time, and whether some of it was
// already overwritten (then only what is still kept is returned).
func (t *Tail) Since(pos int64) (b []byte, next int64, lost bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	size := int64(len(t.buf))
	first := t.total - t.kept // stream offset of the oldest kept byte
	if pos < first {
		lost = true
		pos = first
	}
	if pos >= t.total {
		return nil, t.total, lost
	}
	n := t.total - pos
	out := make([]byte, n)
	start := int(pos % size)
	c := copy(out, t.buf[start:])
	if int64(c) < n {
		copy(out[c:], t.buf[:n-int64(c)])
	}
	return out, t.total, lost
}
