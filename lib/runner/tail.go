package runner

import "sync"

// Tail keeps the last Cap bytes written to it: a ring buffer. Memory is fixed
// (at construction or by SetCap) whatever is written, and Write never
// allocates, so a child printing gigabytes costs one memcpy per byte.
type Tail struct {
	mu    sync.Mutex
	buf   []byte
	total int64 // bytes ever written
	kept  int64 // bytes of the stream's end held in buf (≤ len(buf))
}

// NewTail returns a Tail keeping the last n bytes (n < 1 keeps nothing).
func NewTail(n int) *Tail {
	if n < 0 {
		n = 0
	}
	return &Tail{buf: make([]byte, n)}
}

// SetCap changes how many bytes are kept, keeping the newest of what is held:
// runwrap learns the server's Ping-Body-Limit while the command already runs.
// What is held stays a contiguous end of the stream, so Bytes and Since keep
// their meaning; output dropped before a larger cap arrived stays dropped.
func (t *Tail) SetCap(n int) {
	n = max(n, 0)
	t.mu.Lock()
	defer t.mu.Unlock()
	if n == len(t.buf) {
		return
	}
	old, size := t.buf, int64(len(t.buf))
	keep := min(t.kept, int64(n))
	t.buf = make([]byte, n)
	for x := t.total - keep; x < t.total; x++ { // stream offset x: old[x mod size] → buf[x mod n]
		t.buf[x%int64(n)] = old[x%size]
	}
	t.kept = keep
}

// Cap is the number of bytes kept.
func (t *Tail) Cap() int { return len(t.buf) }

// Write keeps the tail of p. It never fails.
func (t *Tail) Write(p []byte) (int, error) {
	n := len(p)
	t.mu.Lock()
	defer t.mu.Unlock()
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
