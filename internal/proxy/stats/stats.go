// Package stats holds the proxy's counters: cheap atomic counters per listener
// and per cluster (Envoy's names), and Istio's standard request metrics for
// inbound listeners. Counters live in a Store keyed by name so they survive
// config swaps; the data path looks them up once per config, never per request.
package stats

import (
	"sort"
	"sync"
	"sync/atomic"
)

// Counter is a monotonically increasing count.
type Counter struct{ v atomic.Uint64 }

// Inc adds one.
func (c *Counter) Inc() { c.v.Add(1) }

// Add adds n.
func (c *Counter) Add(n uint64) { c.v.Add(n) }

// Value reads the count.
func (c *Counter) Value() uint64 { return c.v.Load() }

// Gauge is a value that goes up and down.
type Gauge struct{ v atomic.Int64 }

// Inc adds one.
func (g *Gauge) Inc() { g.v.Add(1) }

// Dec subtracts one.
func (g *Gauge) Dec() { g.v.Add(-1) }

// Value reads the gauge.
func (g *Gauge) Value() int64 { return g.v.Load() }

// Store owns every stat of one proxy.
type Store struct {
	mu        sync.Mutex
	listeners map[string]*Listener
	http      map[string]*HTTP
	clusters  map[string]*Cluster
	istio     map[string]*Istio
}

// NewStore returns an empty Store.
func NewStore() *Store {
	return &Store{
		listeners: make(map[string]*Listener),
		http:      make(map[string]*HTTP),
		clusters:  make(map[string]*Cluster),
		istio:     make(map[string]*Istio),
	}
}

// Listener returns the stats of the listener named name, creating them.
func (s *Store) Listener(name string) *Listener {
	return getOrCreate(s, s.listeners, name, func() *Listener { return &Listener{} })
}

// HTTP returns the HTTP connection manager stats for a stat prefix.
func (s *Store) HTTP(prefix string) *HTTP {
	return getOrCreate(s, s.http, prefix, func() *HTTP { return &HTTP{} })
}

// Cluster returns the stats of the cluster named name, creating them.
func (s *Store) Cluster(name string) *Cluster {
	return getOrCreate(s, s.clusters, name, func() *Cluster { return &Cluster{} })
}

// RemoveCluster forgets a removed cluster's stats.
func (s *Store) RemoveCluster(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.clusters, name)
}

// Istio returns the Istio metrics recorder for an inbound workload identity.
// Recorders are keyed by the identity's labels, so a config swap that keeps
// them keeps the series.
func (s *Store) Istio(w Workload) *Istio {
	return getOrCreate(s, s.istio, w.key(), func() *Istio { return newIstio(w) })
}

func getOrCreate[T any](s *Store, m map[string]*T, name string, mk func() *T) *T {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := m[name]
	if !ok {
		v = mk()
		m[name] = v
	}
	return v
}

// sortedKeys returns m's keys in order, for stable output.
func sortedKeys[T any](m map[string]T) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
