package xds

import (
	"sync"
	"sync/atomic"
)

// memo computes each value once per key, however many goroutines ask at once.
// Construction runs outside the map lock, so building one entry never blocks
// lookups of others.
type memo[K comparable, V any] struct {
	mu sync.Mutex
	m  map[K]*memoEntry[V]
}

type memoEntry[V any] struct {
	once sync.Once
	v    V
	done atomic.Bool
}

func newMemo[K comparable, V any]() *memo[K, V] {
	return &memo[K, V]{m: make(map[K]*memoEntry[V])}
}

// get returns the value for k, calling build the first time k is asked for.
func (m *memo[K, V]) get(k K, build func() V) V {
	m.mu.Lock()
	e := m.m[k]
	if e == nil {
		e = &memoEntry[V]{}
		m.m[k] = e
	}
	m.mu.Unlock()
	e.once.Do(func() {
		e.v = build()
		e.done.Store(true)
	})
	return e.v
}

// peek returns the value for k if it has been built; it never waits.
func (m *memo[K, V]) peek(k K) (V, bool) {
	var zero V
	if m == nil {
		return zero, false
	}
	m.mu.Lock()
	e := m.m[k]
	m.mu.Unlock()
	if e == nil || !e.done.Load() {
		return zero, false
	}
	return e.v, true
}

// resourceCache holds the resources one Push built, keyed by everything that
// went into each (a key struct per resource kind). A new Push looks up the
// previous Push's cache first, so a resource whose inputs did not change is
// the same *Resource, already validated and marshaled, and the xDS server
// sees at once that it need not be resent.
type resourceCache struct {
	cur  *memo[any, *Resource]
	prev *memo[any, *Resource] // read-only; nil for the first push
}

func newResourceCache(prev *resourceCache) *resourceCache {
	c := &resourceCache{cur: newMemo[any, *Resource]()}
	if prev != nil {
		c.prev = prev.cur // only one generation back: pushes never chain
	}
	return c
}

// get returns the resource for key, reusing the previous push's when it has one.
func (c *resourceCache) get(key any, build func() *Resource) *Resource {
	return c.cur.get(key, func() *Resource {
		if r, ok := c.prev.peek(key); ok {
			return r
		}
		return build()
	})
}
