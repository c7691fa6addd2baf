package chart

import (
	"container/list"
	"sync"
)

// rendered is a finished response body.
type rendered struct {
	key  string
	body []byte
	etag string
}

// lru is a cache of rendered charts bounded by bytes. Output is a pure
// function of (format, scale, query), so entries never go stale.
type lru struct {
	mu    sync.Mutex
	max   int
	size  int
	ll    *list.List // front = most recent
	items map[string]*list.Element
}

func newLRU(maxBytes int) *lru {
	return &lru{max: maxBytes, ll: list.New(), items: map[string]*list.Element{}}
}

const entryOverhead = 128 // map, list element and struct, roughly

func (c *lru) get(key string) (*rendered, bool) {
	if c == nil {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.items[key]
	if !ok {
		return nil, false
	}
	c.ll.MoveToFront(e)
	return e.Value.(*rendered), true
}

func (c *lru) add(r *rendered) {
	n := len(r.key) + len(r.body) + len(r.etag) + entryOverhead
	if c == nil || n > c.max/4 { // one huge chart must not flush the rest
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.items[r.key]; ok {
		return
	}
	c.items[r.key] = c.ll.PushFront(r)
	c.size += n
	for c.size > c.max {
		e := c.ll.Back()
		old := e.Value.(*rendered)
		c.ll.Remove(e)
		delete(c.items, old.key)
		c.size -= len(old.key) + len(old.body) + len(old.etag) + entryOverhead
	}
}

// stats returns the number of entries and their accounted bytes.
func (c *lru) stats() (n, bytes int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.items), c.size
}
