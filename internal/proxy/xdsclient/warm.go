package xdsclient

import (
	"time"

	"github.com/loom-mesh/loom/internal/proxy/cluster"
	"github.com/loom-mesh/loom/internal/proxy/listener"
	"github.com/loom-mesh/loom/internal/proxy/route"
)

// warmer moves accepted resources to published once what they depend on is
// published too — a cluster once its endpoints arrived, a route configuration
// once the clusters it sends to exist, a listener once its route
// configuration and clusters exist — or once it waited the initial-fetch
// timeout. Until then the previous version (if any) stays published, so no
// request fails because of an update.
type warmer struct {
	s       *state
	now     time.Time
	timeout time.Duration
	changed map[string]bool // type URLs whose published set changed
	next    time.Time       // earliest timeout of a resource still warming
}

// settle publishes what is ready, in Envoy's order, and reports which types
// changed and when the next warming timeout falls (zero if none).
func (s *state) settle(now time.Time, timeout time.Duration) (map[string]bool, time.Time) {
	w := &warmer{s: s, now: now, timeout: timeout, changed: map[string]bool{}}
	w.settleType(ClusterType, w.clusterReady)
	w.settleType(EndpointType, func(*entry) bool { return true })
	w.settleType(RouteType, w.routeReady)
	w.settleType(ListenerType, w.listenerReady)
	return w.changed, w.next
}

func (w *warmer) settleType(typeURL string, ready func(*entry) bool) {
	pub := w.s.published[typeURL]
	for name, e := range w.s.accepted[typeURL] {
		if pub[name] == e {
			continue
		}
		deadline := e.updated.Add(w.timeout)
		if !ready(e) && w.now.Before(deadline) {
			if w.next.IsZero() || deadline.Before(w.next) {
				w.next = deadline
			}
			continue
		}
		pub[name] = e
		w.changed[typeURL] = true
	}
	for name := range pub {
		if w.s.accepted[typeURL][name] == nil {
			delete(pub, name)
			w.changed[typeURL] = true
		}
	}
}

func (w *warmer) clusterReady(e *entry) bool {
	svc := edsServiceName(e)
	return svc == "" || w.s.accepted[EndpointType][svc] != nil
}

func (w *warmer) routeReady(e *entry) bool {
	return w.clustersPublished(routeClusters(e.decoded.(*route.Config)))
}

func (w *warmer) listenerReady(e *entry) bool {
	l := e.decoded.(*listener.Config)
	if rds := rdsName(l); rds != "" && w.s.published[RouteType][rds] == nil {
		return false
	}
	return w.clustersPublished(listenerClusters(l))
}

func (w *warmer) clustersPublished(names []string) bool {
	for _, n := range names {
		if w.s.published[ClusterType][n] == nil {
			return false
		}
	}
	return true
}

// warming lists the resources accepted but not yet published, as
// "<type> <name>".
func (s *state) warming() []string {
	var out []string
	for _, k := range kinds {
		for name, e := range s.accepted[k.typeURL] {
			if s.published[k.typeURL][name] != e {
				out = append(out, k.short+" "+name)
			}
		}
	}
	return out
}

func edsServiceName(e *entry) string {
	if c := e.decoded.(*cluster.Config); c.Discovery == cluster.EDS {
		return c.EDSServiceName
	}
	return ""
}

func rdsName(l *listener.Config) string {
	if h := l.Chain.HTTP; h != nil {
		return h.RouteConfigName
	}
	return ""
}

// listenerClusters are the clusters a listener sends to directly (TCP proxy,
// inline routes).
func listenerClusters(l *listener.Config) []string {
	switch {
	case l.Chain.TCP != nil:
		return []string{l.Chain.TCP.Cluster}
	case l.Chain.HTTP != nil && l.Chain.HTTP.InlineRoutes != nil:
		return routeClusters(l.Chain.HTTP.InlineRoutes)
	}
	return nil
}

func routeClusters(rc *route.Config) []string {
	var out []string
	for _, vh := range rc.VirtualHosts {
		for _, r := range vh.Routes {
			if r.Forward == nil {
				continue
			}
			for _, c := range r.Forward.Clusters {
				out = append(out, c.Name)
			}
		}
	}
	return out
}
