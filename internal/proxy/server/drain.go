package server

import "github.com/loom-mesh/loom/internal/proxy/listener"

// DrainListeners stops accepting on every listener (inbound ones only when
// inboundOnly) and drains their connections, as Envoy's /drain_listeners.
// Drained listeners stay closed: later snapshots do not bind them again.
func (s *Server) DrainListeners(inboundOnly bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if inboundOnly {
		s.drained = max(s.drained, drainedInbound)
	} else {
		s.drained = drainedAll
	}
	for name, a := range s.listeners {
		if s.isDrained(a.cfg) {
			delete(s.listeners, name)
			s.Logger.Info("listener drained by admin request", "listener", name)
			s.drainLater(a)
		}
	}
	for name, cfg := range s.pending {
		if s.isDrained(cfg) {
			delete(s.pending, name)
			delete(s.bindErrs, name)
		}
	}
}

// Which listeners /drain_listeners closed.
const (
	drainedNone = iota
	drainedInbound
	drainedAll
)

func (s *Server) isDrained(cfg *listener.Config) bool {
	return s.drained == drainedAll || s.drained == drainedInbound && cfg.Direction == listener.Inbound
}
