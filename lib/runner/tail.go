package runner

import "sync"

// Tail keeps the last Cap bytes written to it: a ring buffer. Memory is fixed
// at construction whatever is written, and Write never allocates, so a child
// printing gigabytes costs one memcpy per byte.
type Tail struct {
	mu    sync.Mutex
	buf   []byte
	total int64 // bytes ever written
}

// NewTail returns a Tail keeping the last n bytes (n < 1 keeps nothing).
func NewTail(n int) *Tail {
	if n < 0 {
		n = 0
	}
	return &Tail{buf: make([]byte, n)}
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
	kept := min(t.total, size)
	first := t.total - kept // stream offset of the oldest kept byte
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
