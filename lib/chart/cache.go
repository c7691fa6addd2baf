package chart

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"sync"
)

// cacheKey is what a response depends on besides the handler's options: a
// struct, so looking up a request's query builds no string.
type cacheKey struct {
	f   Format
	raw string
}

// rendered is a finished response body with its header values made once,
// so that a cache hit builds no string and allocates no slice.
type rendered struct {
	key        cacheKey
	body       []byte
	etag       []string // the ETag header's value
	length     []string // the Content-Length header's value
	prev, next *rendered
}

func newRendered(key cacheKey, body []byte) *rendered {
	return &rendered{key: key, body: body, etag: []string{etagOf(body)}, length: []string{strconv.Itoa(len(body))}}
}

func etagOf(body []byte) string {
	sum := sha256.Sum256(body)
	return `"` + hex.EncodeToString(sum[:12]) + `"`
}

// lru is a cache of rendered charts bounded by bytes. Output is a pure
// function of (format, scale, query), so entries never go stale. The
// recency list runs through the entries themselves: no element to
// allocate on an add, no interface to unwrap on a hit.
type lru struct {
	mu    sync.Mutex
	max   int
	size  int
	head  rendered // head.next is the most recent, head.prev the least
	items map[cacheKey]*rendered
}

func newLRU(maxBytes int) *lru {
	c := &lru{max: maxBytes, items: map[cacheKey]*rendered{}}
	c.head.prev, c.head.next = &c.head, &c.head
	return c
}

const entryOverhead = 192 // map slot, struct and header values, roughly

func cost(r *rendered) int { return len(r.key.raw) + len(r.body) + 2*len(r.etag[0]) + entryOverhead }

func (c *lru) unlink(r *rendered) { r.prev.next, r.next.prev = r.next, r.prev }

func (c *lru) pushFront(r *rendered) {
	r.prev, r.next = &c.head, c.head.next
	c.head.next.prev = r
	c.head.next = r
}

func (c *lru) get(key cacheKey) (*rendered, bool) {
	if c == nil {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	r, ok := c.items[key]
	if !ok {
		return nil, false
	}
	if c.head.next != r {
		c.unlink(r)
		c.pushFront(r)
	}
	return r, true
}

func (c *lru) add(r *rendered) {
	n := cost(r)
	if c == nil || n > c.max/4 { // one huge chart must not flush the rest
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.items[r.key]; ok {
		return
	}
	c.items[r.key] = r
	c.pushFront(r)
	c.size += n
	for c.size > c.max {
		old := c.head.prev
		c.unlink(old)
		old.prev, old.next = nil, nil
		delete(c.items, old.key)
		c.size -= cost(old)
	}
}

// stats returns the number of entries and their accounted bytes.
func (c *lru) stats() (n, bytes int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.items), c.size
}
