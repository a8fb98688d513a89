package server

import (
	"fmt"

	"github.com/loom-mesh/loom/internal/proxy/listener"
	"github.com/loom-mesh/loom/internal/proxy/route"
	"github.com/loom-mesh/loom/internal/proxy/router"
	"github.com/loom-mesh/loom/internal/proxy/snapshot"
	"github.com/loom-mesh/loom/internal/proxy/stats"
	"github.com/loom-mesh/loom/internal/proxy/tcpproxy"
)

// compiler turns a snapshot's listeners into data-path state. It caches
// compiled route tables by config pointer: snapshots share unchanged route
// configurations, so a cluster-only update recompiles nothing but the
// cluster pointers.
type compiler struct {
	s      *Server
	snap   *snapshot.Snapshot
	tables map[*route.Config]*route.Table
	// prevBindErrs are the bind failures of the previous pass, so a failure
	// is logged when it starts rather than on every retry.
	prevBindErrs map[string]bindFailure
}

func (s *Server) newCompiler(snap *snapshot.Snapshot) *compiler {
	return &compiler{s: s, snap: snap, tables: make(map[*route.Config]*route.Table)}
}

// httpState builds an HTTP listener's state. ok is false while the
// listener's RDS configuration has not arrived (the listener warms).
func (c *compiler) httpState(cfg *listener.Config) (*router.Listener, bool) {
	hcm := cfg.Chain.HTTP
	rc := hcm.InlineRoutes
	if rc == nil {
		rc = c.snap.Routes[hcm.RouteConfigName]
		if rc == nil {
			return nil, false
		}
	}
	st := &router.Listener{
		Name:      cfg.Name,
		Direction: cfg.Direction,
		HCM:       hcm,
		Routes:    router.CompileTable(c.table(rc), c.s.Clusters.Lookup),
		Stats:     c.s.Stats.HTTP(statPrefix(cfg, hcm.StatPrefix)),
	}
	for _, w := range st.Routes.Warnings {
		c.s.Logger.Warn("config not fully applied", "listener", cfg.Name, "detail", w)
	}
	if cfg.Direction == listener.Inbound {
		st.Istio = c.s.Stats.Istio(workload(cfg.Workload))
	}
	return st, true
}

func (c *compiler) table(rc *route.Config) *route.Table {
	if t := c.tables[rc]; t != nil {
		return t
	}
	t := c.s.tables[rc]
	if t == nil {
		t = route.Compile(rc)
	}
	c.tables[rc] = t
	return t
}

// tcpState builds a TCP listener's state.
func (c *compiler) tcpState(cfg *listener.Config) *tcpproxy.State {
	tp := cfg.Chain.TCP
	return &tcpproxy.State{
		Cluster:     c.s.Clusters.Lookup(tp.Cluster),
		ClusterName: tp.Cluster,
		IdleTimeout: tp.IdleTimeout,
		Listener:    c.s.Stats.Listener(cfg.Name),
	}
}

func statPrefix(cfg *listener.Config, prefix string) string {
	if prefix != "" {
		return prefix
	}
	return fmt.Sprintf("%s_%s", cfg.Direction, cfg.Name)
}

func workload(w listener.WorkloadInfo) stats.Workload {
	return stats.Workload{Name: w.Workload, Namespace: w.Namespace, App: w.App, Version: w.Version, Service: w.Service}
}
