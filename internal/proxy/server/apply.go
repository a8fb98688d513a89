package server

import (
	"maps"

	"github.com/loom-mesh/loom/internal/proxy/cluster"
	"github.com/loom-mesh/loom/internal/proxy/listener"
	"github.com/loom-mesh/loom/internal/proxy/snapshot"
)

// Apply installs a snapshot: clusters first (so routes resolve to them),
// then listeners. It binds sockets (a local operation) but never waits on
// the network; a listener that cannot bind yet is retried every second.
func (s *Server) Apply(snap *snapshot.Snapshot) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.draining.Load() {
		// Listeners are closing, but outbound ones still serve while the
		// inbound ones drain: keep their clusters' endpoints current. The
		// routes stay compiled against the old config, so no cluster they
		// name is removed now.
		if s.snap != nil {
			s.Clusters.Apply(keepClusters(snap, s.snap))
		}
		return
	}
	s.Clusters.Apply(snap)
	s.snap = snap
	s.applyListeners(snap)
	s.applied.Store(true)
}

// applyListeners reconciles the bound listeners with snap. s.mu is held.
func (s *Server) applyListeners(snap *snapshot.Snapshot) {
	c := s.newCompiler(snap)
	c.prevBindErrs, s.bindErrs = s.bindErrs, make(map[string]bindFailure)
	pending := make(map[string]*listener.Config)
	for name, cfg := range snap.Listeners {
		if s.isDrained(cfg) {
			continue
		}
		if !s.applyListener(c, name, cfg) {
			pending[name] = cfg
		}
	}
	for name, a := range s.listeners {
		if cfg, ok := snap.Listeners[name]; !ok || s.isDrained(cfg) {
			delete(s.listeners, name)
			s.Logger.Info("listener removed; draining", "listener", name)
			s.drainLater(a)
		}
	}
	s.pending = pending
	s.tables = c.tables
}

// applyListener adds, updates or replaces one listener. It returns false
// when the listener is not serving yet (warming or bind failure).
func (s *Server) applyListener(c *compiler, name string, cfg *listener.Config) bool {
	hs, ts, ok := c.state(cfg)
	a := s.listeners[name]
	if !ok {
		if a == nil || a.cfg.Chain.HTTP == nil {
			s.Logger.Debug("listener warming: waiting for its routes", "listener", name)
			return false
		}
		// Keep serving the previous routes until the new ones arrive.
		hs = a.httpState.Load()
	}
	if a != nil && sameSocket(a.cfg, cfg) {
		a.cfg = cfg
		if cfg.Chain.HTTP != nil {
			a.httpState.Store(hs)
		} else {
			a.tcpState.Store(ts)
		}
		return ok
	}
	if a != nil {
		// Address or protocol changed: a new socket is needed.
		delete(s.listeners, name)
		s.drainLater(a)
	}
	na, err := s.start(cfg, hs, ts)
	if err != nil {
		if _, known := c.prevBindErrs[name]; !known {
			s.Logger.Error("listener bind failed; retrying every second", "listener", name, "address", cfg.Address, "error", err)
		}
		s.bindErrs[name] = bindFailure{addr: cfg.Address.String(), err: err}
		return false
	}
	s.Logger.Info("listener serving", "listener", name, "address", na.ln.Addr().String())
	s.listeners[name] = na
	return ok
}

// keepClusters is snap with the clusters (and their EDS assignments) of old
// that snap drops put back.
func keepClusters(snap, old *snapshot.Snapshot) *snapshot.Snapshot {
	merged := *snap
	merged.Clusters = maps.Clone(snap.Clusters)
	merged.Endpoints = maps.Clone(snap.Endpoints)
	if merged.Clusters == nil {
		merged.Clusters = map[string]*cluster.Config{}
	}
	if merged.Endpoints == nil {
		merged.Endpoints = map[string]*cluster.Endpoints{}
	}
	for name, cfg := range old.Clusters {
		if _, ok := merged.Clusters[name]; ok {
			continue
		}
		merged.Clusters[name] = cfg
		// The decoder sets EDSServiceName for every EDS cluster; others
		// have none and no assignment to keep.
		if eps := old.Endpoints[cfg.EDSServiceName]; eps != nil && merged.Endpoints[cfg.EDSServiceName] == nil {
			merged.Endpoints[cfg.EDSServiceName] = eps
		}
	}
	return &merged
}
