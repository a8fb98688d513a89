// Package upstream is the proxy's cluster manager: the live clusters named by
// the config, their endpoints, load balancers and circuit breakers, and the
// connection pools keyed by endpoint that survive config swaps.
package upstream

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/loom-mesh/loom/internal/proxy/cluster"
	"github.com/loom-mesh/loom/internal/proxy/http1"
	"github.com/loom-mesh/loom/internal/proxy/lb"
	"github.com/loom-mesh/loom/internal/proxy/snapshot"
	"github.com/loom-mesh/loom/internal/proxy/stats"
)

// janitorPeriod is how often idle connections are checked and evicted.
const janitorPeriod = time.Second

// Manager owns every cluster. Apply installs a snapshot's clusters; Lookup
// resolves names (once per config, by the listener manager).
type Manager struct {
	logger   *slog.Logger
	stats    *stats.Store
	codec    *http1.Pool
	registry lb.Registry

	mu       sync.Mutex
	clusters map[string]*Cluster
	removed  []*Cluster // retired clusters whose hosts are not closed yet
	dns      map[string]*dnsResolver
	dnsWake  chan struct{}
}

// NewManager returns an empty manager whose HTTP/1.1 connections take their
// buffers from codec. Run must be called for idle eviction and DNS resolution.
func NewManager(logger *slog.Logger, st *stats.Store, codec *http1.Pool) *Manager {
	return &Manager{
		logger:   logger,
		stats:    st,
		codec:    codec,
		registry: lb.DefaultRegistry(),
		clusters: make(map[string]*Cluster),
		dns:      make(map[string]*dnsResolver),
		dnsWake:  make(chan struct{}, 1),
	}
}

// Apply installs the clusters of snap: new ones are created, changed ones
// get the new settings and endpoints (keeping pools of endpoints that stay),
// removed ones close their idle connections.
func (m *Manager) Apply(snap *snapshot.Snapshot) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for name, cfg := range snap.Clusters {
		c := m.clusters[name]
		if c == nil {
			c = newCluster(name, m.stats.Cluster(name), m.codec)
			m.clusters[name] = c
		}
		c.update(cfg, m.endpointsFor(cfg, snap), m.registry)
	}
	for name, c := range m.clusters {
		if _, ok := snap.Clusters[name]; !ok {
			c.retire()
			m.removed = append(m.removed, c)
			delete(m.clusters, name)
			delete(m.dns, name)
		}
	}
	select {
	case m.dnsWake <- struct{}{}:
	default:
	}
}

// endpointsFor returns a cluster's endpoints: inline for STATIC, from the
// snapshot's assignments for EDS, the last resolution for STRICT_DNS.
func (m *Manager) endpointsFor(cfg *cluster.Config, snap *snapshot.Snapshot) *cluster.Endpoints {
	switch cfg.Discovery {
	case cluster.EDS:
		name := cfg.EDSServiceName
		if name == "" {
			name = cfg.Name
		}
		return snap.Endpoints[name]
	case cluster.StrictDNS:
		r := m.dns[cfg.Name]
		if r == nil || !r.sameTargets(cfg) {
			r = newDNSResolver(cfg)
			m.dns[cfg.Name] = r
		}
		return r.current()
	}
	return cfg.Endpoints
}

// Lookup returns the live cluster named name, or nil.
func (m *Manager) Lookup(name string) *Cluster {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.clusters[name]
}

// Run evicts idle connections and resolves STRICT_DNS clusters until ctx
// ends, then closes every pool.
func (m *Manager) Run(ctx context.Context) {
	tick := time.NewTicker(janitorPeriod)
	defer tick.Stop()
	defer m.closeAll()
	for {
		m.resolveDue(ctx)
		select {
		case <-ctx.Done():
			return
		case now := <-tick.C:
			m.evict(now)
		case <-m.dnsWake:
		}
	}
}

func (m *Manager) evict(now time.Time) {
	live, removed := m.snapshotClusters()
	for _, c := range live {
		c.evict(now)
	}
	var still, gone []*Cluster
	for _, c := range removed {
		// Kept until its hosts are closed and its last connection (a
		// long stream, a TCP session) is gone, with its stats.
		if c.evict(now) || c.conns.Load() > 0 {
			still = append(still, c)
		} else {
			gone = append(gone, c)
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	// Keep clusters removed since the snapshot was taken.
	m.removed = append(still, m.removed[len(removed):]...)
	// A cluster whose last connections closed takes its stats with it, as in
	// Envoy, unless a later config brought the name back (the new cluster
	// then shares them).
	for _, c := range gone {
		if m.clusters[c.Name] == nil && !m.pendingRemoval(c.Name) {
			m.stats.RemoveCluster(c.Name)
		}
	}
}

// pendingRemoval reports whether a retired cluster named name is still
// kept (hosts not closed yet, or connections open). m.mu is held.
func (m *Manager) pendingRemoval(name string) bool {
	for _, c := range m.removed {
		if c.Name == name {
			return true
		}
	}
	return false
}

func (m *Manager) snapshotClusters() (live, removed []*Cluster) {
	m.mu.Lock()
	defer m.mu.Unlock()
	live = make([]*Cluster, 0, len(m.clusters))
	for _, c := range m.clusters {
		live = append(live, c)
	}
	return live, append([]*Cluster(nil), m.removed...)
}

func (m *Manager) closeAll() {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, c := range m.clusters {
		c.close()
	}
	for _, c := range m.removed {
		c.close()
	}
	m.removed = nil
}
